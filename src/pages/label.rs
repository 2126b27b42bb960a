use crate::api::{self, FetchError, WriteError};
use crate::components::{use_lang, DemoBadge, ErrorPanel, Loading, PageTitle};
use crate::format;
use crate::i18n::*;
use crate::nav::use_param;
use domain::feedback::{Problem, ReportReceived};
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

/// Anyone holding the piece says what is wrong with it; no account, and
/// the answer says nothing of who ordered it.
#[component]
fn ReportForm(code: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let draft = RwSignal::new(crate::drafts::ReportDraft::default());
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<LocalText>);
    let done = RwSignal::new(None::<ReportReceived>);
    let code = StoredValue::new(code);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let input = match draft.with_untracked(|d| d.to_input()) {
            Ok(i) => i,
            Err(es) => return error.set(Some(es[0].text())),
        };
        error.set(None);
        sending.set(true);
        spawn_local(async move {
            match api::feedback::report(&code.get_value(), &input).await {
                Ok(r) => {
                    draft.set(Default::default());
                    done.set(Some(r));
                    // The confirmation takes the form's place: bring it into view.
                    if let Some(el) = document().get_element_by_id("report-done") {
                        el.scroll_into_view();
                    }
                }
                Err(e) if e.is_retryable() => error.set(Some(both!(offline_error))),
                Err(e) => {
                    let m = match &e {
                        WriteError::Refused { fields, .. } if !fields.is_empty() => {
                            fields[0].text()
                        }
                        _ => e.message(),
                    };
                    error.set(Some(m))
                }
            }
            sending.set(false);
        });
    };
    let problems = [
        (
            Problem::Spoiled,
            keys::fb_problem_spoiled as fn(Locale) -> &'static str,
        ),
        (Problem::Damaged, keys::fb_problem_damaged),
        (Problem::Wrong, keys::fb_problem_wrong),
        (Problem::Missing, keys::fb_problem_missing),
        (Problem::Other, keys::fb_problem_other),
    ];
    view! {
        <section class="report" aria-labelledby="report-h" data-testid="report">
            <h2 id="report-h">{t!(i18n, fb_report_title)}</h2>
            {move || match done.get() {
                Some(r) => view! {
                    <div class="report-done" id="report-done" role="status" data-testid="report-done">
                        <p class="big-check" aria-hidden="true">"✓"</p>
                        <h3>{t!(i18n, fb_report_done_title)}</h3>
                        <p>{move || t_string!(i18n, fb_report_done_body, number = r.id)}</p>
                        <button class="button secondary" type="button" on:click=move |_| done.set(None)>{t!(i18n, fb_report_again)}</button>
                    </div>
                }.into_any(),
                None => view! {
                    <p class="muted small">{t!(i18n, fb_report_hint)}</p>
                    <form class="form" on:submit=send novalidate data-testid="report-form">
                        <fieldset class="choices">
                            <legend>{t!(i18n, fb_problem)}</legend>
                            {problems.into_iter().map(|(p, words)| view! {
                                <label>
                                    <input type="radio" name="problem" value=p.as_str() data-testid=format!("problem-{}", p.as_str())
                                        prop:checked=move || draft.with(|d| d.problem == Some(p))
                                        on:change=move |_| draft.update(|d| d.problem = Some(p)) />
                                    {move || words(i18n.get_locale())}
                                </label>
                            }).collect_view()}
                        </fieldset>
                        <label class="field">
                            <span>{t!(i18n, fb_report_comment)}</span>
                            <textarea rows="3" maxlength="500" data-testid="report-comment"
                                prop:value=move || draft.with(|d| d.comment.clone())
                                on:input=move |ev| draft.update(|d| d.comment = event_target_value(&ev))></textarea>
                        </label>
                        <Show when=move || error.get().is_some()>
                            <p class="form-error" role="alert" data-testid="report-error">{move || error.get().map(|m| m.get(lang()).to_string())}</p>
                        </Show>
                        <button class="button primary wide" type="submit" data-testid="report-send" disabled=move || sending.get()>
                            {move || if sending.get() { t_string!(i18n, fb_sending) } else { t_string!(i18n, fb_report_send) }}
                        </button>
                    </form>
                }.into_any(),
            }}
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
    let typed = RwSignal::new(String::new());
    let error = RwSignal::new(None::<LocalText>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match LabelCode::parse(&typed.get_untracked()) {
            Ok(c) => {
                error.set(None);
                typed.set(String::new());
                go(&format!("/label/{}", c.as_str()));
            }
            Err(e) => error.set(Some(LocalText::new(e.zh(), e.to_string()))),
        }
    };
    view! {
        <section aria-labelledby="code-h">
            <h2 id="code-h">{t!(i18n, fb_code_title)}</h2>
            <form class="form" on:submit=submit novalidate data-testid="code-form">
                <label class="field">
                    <span>{t!(i18n, fb_code_label)}</span>
                    <span class="code-box">
                        <input name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" data-testid="code-input" bind:value=typed />
                        <button class="button primary" type="submit" data-testid="code-go">{t!(i18n, fb_code_go)}</button>
                    </span>
                </label>
                <Show when=move || error.get().is_some()>
                    <p class="form-error" role="alert" data-testid="code-error">{move || error.get().map(|m| m.get(lang()).to_string())}</p>
                </Show>
            </form>
        </section>
    }
}
