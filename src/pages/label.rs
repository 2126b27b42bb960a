use crate::api::{self, FetchError};
use crate::components::{use_lang, DemoBadge, ErrorPanel, Loading, PageTitle};
use crate::format;
use crate::i18n::*;
use crate::nav::use_param;
use domain::feedback::Problem;
use domain::label::LabelCode;
use domain::packing::LabelInfo;
use domain::LocalText;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `/label/{code}`: what a packing label stands for: the household by real
/// name, its village, the product, the round and the pick-up point. Never
/// who ordered it.
#[component]
pub fn LabelPage() -> impl IntoView {
    let i18n = use_i18n();
    let code = use_param("code");
    let info = crate::load::Load::new(move || api::label(code()));
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, label_title).to_string()) />
        {move || match info.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Ok(l)) => {
                let code = l.code.clone();
                view! { <Label l=l /> <ReportForm code=code /> <CodeBox /> }.into_any()
            }
            Some(Err(FetchError::NotFound)) => view! {
                <h1>{t!(i18n, label_title)}</h1>
                <p class="form-error" role="alert" data-testid="label-unknown">{t!(i18n, label_unknown)}</p>
                <CodeBox />
            }
            .into_any(),
            Some(Err(_)) => view! { <ErrorPanel retry=Callback::new(move |_| info.refetch()) /> }.into_any(),
        }}
    }
}

#[component]
fn Label(l: LabelInfo) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let household = l.household.name.clone();
    let village = l.village_name.clone();
    let product = l.product_name.clone();
    let point = l.point.name.clone();
    let address = l.point.address.clone();
    let day = l.round.distribution_day;
    let code = l.code.clone();
    view! {
        <section class="hero label-card" data-testid="label">
            <p class="muted small">{move || t_string!(i18n, label_code, code = code.clone())}</p>
            <h1>{move || product.get(lang()).to_string()}</h1>
            <p>
                {t!(i18n, label_made_by)} ": "
                <a href=format!("/v/{}/h/{}", l.village_slug, l.household.id) data-testid="label-household">
                    <strong>{move || household.get(lang()).to_string()}</strong>
                </a>
                {l.household.demo.then(|| view! { " " <DemoBadge /> })}
            </p>
            <p><a href=format!("/v/{}", l.village_slug)>{move || village.get(lang()).to_string()}</a></p>
            <p>{t!(i18n, label_round)} ": " {move || format::format_date(day, lang())}</p>
            <p>{t!(i18n, pickup_point)} ": " {move || point.get(lang()).to_string()}</p>
            <p class="muted small">{move || address.get(lang()).to_string()}</p>
        </section>
    }
}

/// What a submitted form holds under `name`, "" when nothing.
fn form_value(ev: &leptos::ev::SubmitEvent, name: &str) -> String {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        .and_then(|f| web_sys::FormData::new_with_form(&f).ok())
        .and_then(|d| d.get(name).as_string())
        .unwrap_or_default()
}

/// Our own words made safe inside HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The report's fields as plain HTML, read when it is sent: a form of
/// views costs the browsing bundle many KB of code per kind of element,
/// and these fields need nothing of Leptos but their words.
fn report_fields(l: Locale) -> String {
    let problems: [(Problem, fn(Locale) -> &'static str); 5] = [
        (Problem::Spoiled, keys::fb_problem_spoiled),
        (Problem::Damaged, keys::fb_problem_damaged),
        (Problem::Wrong, keys::fb_problem_wrong),
        (Problem::Missing, keys::fb_problem_missing),
        (Problem::Other, keys::fb_problem_other),
    ];
    let mut html = format!(
        r#"<p class="muted small">{}</p><fieldset class="choices"><legend>{}</legend>"#,
        escape(keys::fb_report_hint(l)),
        escape(keys::fb_problem(l))
    );
    for (p, words) in problems {
        let p = p.as_str();
        html += &format!(
            r#"<label><input type="radio" name="problem" value="{p}" data-testid="problem-{p}">{}</label>"#,
            escape(words(l))
        );
    }
    html += &format!(
        r#"</fieldset><label class="field"><span>{}</span><textarea name="comment" rows="3" maxlength="500" data-testid="report-comment"></textarea></label>"#,
        escape(keys::fb_report_comment(l))
    );
    html
}

/// The code box's field and button, as plain HTML like [`report_fields`].
fn code_field(l: Locale) -> String {
    format!(
        r#"<label class="field"><span>{}</span><span class="code-box"><input name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" data-testid="code-input"><button class="button primary" type="submit" data-testid="code-go">{}</button></span></label>"#,
        escape(keys::fb_code_label(l)),
        escape(keys::fb_code_go(l))
    )
}

/// Anyone holding the piece says what is wrong with it; no account, and
/// the answer says nothing of who ordered it. The fields are plain HTML,
/// read when the form is sent: a signal per field would cost the browsing
/// bundle more than the form itself.
#[component]
fn ReportForm(code: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<LocalText>);
    let done = RwSignal::new(None::<i64>);
    let code = StoredValue::new(code);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let draft = crate::drafts::ReportDraft {
            problem: Problem::parse(&form_value(&ev, "problem")),
            comment: form_value(&ev, "comment"),
        };
        let input = match draft.to_input() {
            Ok(i) => i,
            Err(es) => return error.set(Some(es[0].text())),
        };
        error.set(None);
        sending.set(true);
        spawn_local(async move {
            match api::feedback::report(&code.get_value(), &input).await {
                Ok(r) => {
                    if let Some(f) = form_ref.get_untracked() {
                        f.reset();
                    }
                    done.set(Some(r.id));
                }
                Err(e) if e.is_retryable() => error.set(Some(both!(offline_error))),
                Err(e) => error.set(Some(e.field("comment").unwrap_or_else(|| e.message()))),
            }
            sending.set(false);
        });
    };
    view! {
        <section class="report" aria-labelledby="report-h" data-testid="report">
            <h2 id="report-h">{t!(i18n, fb_report_title)}</h2>
            // In the form's place once sent, so it cannot be missed.
            <div class="report-done" role="status" data-testid="report-done" class:hidden=move || done.get().is_none()>
                <p class="big-check" aria-hidden="true">"✓"</p>
                <h3>{t!(i18n, fb_report_done_title)}</h3>
                <p>{move || t_string!(i18n, fb_report_done_body, number = done.get().unwrap_or(0))}</p>
                <button class="button secondary" type="button" on:click=move |_| done.set(None)>{t!(i18n, fb_report_again)}</button>
            </div>
            <form class="form" node_ref=form_ref on:submit=send novalidate data-testid="report-form" class:hidden=move || done.get().is_some()>
                <div class="form" inner_html=move || report_fields(i18n.get_locale())></div>
                <p class="form-error" role="alert" data-testid="report-error" class:hidden=move || error.with(Option::is_none)>
                    {move || error.get().map(|m| m.get(lang()).to_string())}
                </p>
                <button class="button primary wide" type="submit" data-testid="report-send" disabled=move || sending.get()>
                    {move || if sending.get() { t_string!(i18n, fb_sending) } else { t_string!(i18n, fb_report_send) }}
                </button>
            </form>
            <p class="small"><a href="/orders">{t!(i18n, fb_rate_in_orders)}</a></p>
        </section>
    }
}

/// A code typed from the package, checked here so a typo is named at once.
#[component]
fn CodeBox() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let go = crate::use_go();
    let error = RwSignal::new(None::<LocalText>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match LabelCode::parse(&form_value(&ev, "code")) {
            Ok(c) => {
                error.set(None);
                go(&format!("/label/{}", c.as_str()));
            }
            Err(e) => error.set(Some(LocalText::new(e.zh(), e.to_string()))),
        }
    };
    view! {
        <section aria-labelledby="code-h">
            <h2 id="code-h">{t!(i18n, fb_code_title)}</h2>
            <form class="form" on:submit=submit novalidate data-testid="code-form">
                <div inner_html=move || code_field(i18n.get_locale())></div>
                <p class="form-error" role="alert" data-testid="code-error" class:hidden=move || error.with(Option::is_none)>
                    {move || error.get().map(|m| m.get(lang()).to_string())}
                </p>
            </form>
        </section>
    }
}
