use crate::api::{self, WriteError};
use crate::components::{use_lang, FieldError, PageTitle};
use crate::i18n::*;
use crate::nav::{safe_next, use_query_map};
use crate::state::use_app;
use domain::dto::{RegisterRequest, VillageDetail, VillageSummary};
use domain::LocalText;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `/join?code=…`: join the circle with an invitation code.
#[component]
pub fn JoinPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let app = use_app();
    let query = use_query_map();
    let navigate = crate::use_go();
    let code = RwSignal::new(query.read_untracked().get("code").unwrap_or_default());
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let village = RwSignal::new(String::from("liu"));
    let point = RwSignal::new(String::new());
    let error = RwSignal::new(None::<WriteError>);
    let busy = RwSignal::new(false);

    let villages = crate::load::Load::new(api::villages);
    let detail = crate::load::Load::new(move || api::village(village.get()));
    // Pick the village's first point whenever the village changes.
    Effect::new(move |_| {
        if let Some(Ok(v)) = detail.get() {
            let first = v
                .distribution_points
                .first()
                .map(|p| p.id.to_string())
                .unwrap_or_default();
            point.set(first);
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let req = RegisterRequest {
            invitation_code: code.get_untracked(),
            name: name.get_untracked(),
            phone: phone.get_untracked(),
            default_point_id: point.get_untracked().parse().unwrap_or(0),
            password: password.get_untracked(),
        };
        let next = safe_next(query.read_untracked().get("next"));
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::register(req).await {
                Ok(me) => {
                    app.set_member(Some(me));
                    navigate(&next);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    // The server's message for a field, shown under it.
    let field_error = move |f: &'static str| {
        move || {
            error
                .get()
                .and_then(|e| e.field(f))
                .map(|t| t.get(lang()).to_string())
        }
    };
    let general_error = move || {
        error.get().and_then(|e| match &e {
            WriteError::Refused { fields, .. } if !fields.is_empty() => None,
            e if e.is_retryable() => Some(t_string!(i18n, offline_error).to_string()),
            e => Some(e.text(lang())),
        })
    };

    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, join_title).to_string()) />
        <h1>{t!(i18n, join_title)}</h1>
        <p class="muted">{t!(i18n, join_intro)}</p>
        <form class="form" on:submit=submit data-testid="join-form">
            <label>
                <span>{t!(i18n, invitation_code)}</span>
                <input name="invitation_code" autocapitalize="characters" autocomplete="off" required bind:value=code />
                <FieldError text=Signal::derive(field_error("invitation_code")) />
            </label>
            <label>
                <span>{t!(i18n, real_name)}</span>
                <input name="name" autocomplete="name" required bind:value=name />
                <FieldError text=Signal::derive(field_error("name")) />
            </label>
            <label>
                <span>{t!(i18n, phone)}</span>
                <input type="tel" name="phone" autocomplete="tel" inputmode="tel" required bind:value=phone />
                <FieldError text=Signal::derive(field_error("phone")) />
            </label>
            <label>
                <span>{t!(i18n, choose_village)}</span>
                <select name="village" bind:value=village>
                    {move || options(villages.get().and_then(Result::ok).unwrap_or_default(), |v: &VillageSummary| (v.slug.clone(), v.name.clone()))}
                </select>
            </label>
            <label>
                <span>{t!(i18n, default_point)}</span>
                <select name="default_point_id" bind:value=point>
                    {move || {
                        let points = detail.get().and_then(Result::ok).map(|v: VillageDetail| v.distribution_points);
                        options(points.unwrap_or_default(), |p| (p.id.to_string(), p.name.clone()))
                    }}
                </select>
                <FieldError text=Signal::derive(field_error("default_point_id")) />
            </label>
            <label>
                <span>{t!(i18n, password)}</span>
                <input type="password" name="password" autocomplete="new-password" minlength="8" required bind:value=password />
                <span class="hint">{t!(i18n, password_hint)}</span>
                <FieldError text=Signal::derive(field_error("password")) />
            </label>
            <Show when=move || general_error().is_some()>
                <p class="form-error" role="alert" data-testid="form-error">{general_error}</p>
            </Show>
            <button class="button primary wide" type="submit" disabled=move || busy.get()>
                {move || if busy.get() { t_string!(i18n, working) } else { t_string!(i18n, join_button) }}
            </button>
        </form>
        <p class="center"><a href="/login">{t!(i18n, have_account)}</a></p>
    }
}

/// The `<option>`s of a select: each item's value and name.
fn options<T>(items: Vec<T>, of: impl Fn(&T) -> (String, LocalText)) -> impl IntoView {
    let lang = use_lang();
    items
        .iter()
        .map(|item| {
            let (value, name) = of(item);
            view! { <option value=value>{move || name.get(lang()).to_string()}</option> }
        })
        .collect_view()
}
