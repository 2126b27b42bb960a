use crate::api::{self, WriteError};
use crate::components::{use_lang, PageTitle};
use crate::i18n::*;
use crate::nav::{safe_next, use_query_map};
use crate::state::use_app;
use domain::dto::LoginRequest;
use domain::LocalText;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `/login`: phone and password.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let app = use_app();
    let query = use_query_map();
    let navigate = crate::use_go();
    let phone = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<LocalText>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let req = LoginRequest {
            phone: phone.get_untracked(),
            password: password.get_untracked(),
        };
        let next = safe_next(query.read_untracked().get("next"));
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::login(req).await {
                Ok(me) => {
                    app.set_member(Some(me));
                    navigate(&next);
                }
                Err(WriteError::Refused {
                    retry_after_minutes: Some(n),
                    ..
                }) => error.set(Some(both!(login_locked_out, minutes = n))),
                Err(WriteError::Unauthorized(_)) => error.set(Some(both!(login_failed))),
                Err(e) if e.is_retryable() => error.set(Some(both!(offline_error))),
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let join_href = move || format!("/join?next={}", safe_next(query.read().get("next")));
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, login_title).to_string()) />
        <h1>{t!(i18n, login_title)}</h1>
        <form class="form" on:submit=submit data-testid="login-form">
            <label>
                <span>{t!(i18n, phone)}</span>
                <input type="tel" name="phone" autocomplete="tel" inputmode="tel" required bind:value=phone />
            </label>
            <label>
                <span>{t!(i18n, password)}</span>
                <input type="password" name="password" autocomplete="current-password" required bind:value=password />
            </label>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="form-error">{move || error.get().map(|m| m.get(lang()).to_string())}</p>
            </Show>
            <button class="button primary wide" type="submit" disabled=move || busy.get()>
                {move || if busy.get() { t_string!(i18n, working) } else { t_string!(i18n, login_button) }}
            </button>
        </form>
        <p class="center"><a href=join_href>{t!(i18n, no_account)}</a></p>
    }
}
