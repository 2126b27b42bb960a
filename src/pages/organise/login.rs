use crate::api::{self, WriteError};
use crate::components::FieldError as FieldNote;
use crate::components::{use_lang, PageTitle, PasswordForm};
use crate::i18n::*;
use crate::nav::use_query_map;
use domain::organise::OrganiserLogin;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `/organise/login`.
#[component]
pub fn OrganiseLoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let navigate = crate::use_go();
    let query = use_query_map();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<WriteError>);
    let busy = RwSignal::new(false);
    // Some(what to prefill as the current password) while a one-time
    // password must be changed: that comes before anything else.
    let forced = RwSignal::new(None::<String>);
    // Sent here by the gate with a session that must still change it.
    leptos::task::spawn_local(async move {
        if let Ok(Some(me)) = api::organiser_me().await {
            if me.must_change_password && forced.get_untracked().is_none() {
                forced.set(Some(String::new()));
            }
        }
    });
    let next_page =
        move || crate::nav::safe_next_within("/organise", query.read_untracked().get("next"));
    let after_change = {
        let navigate = navigate.clone();
        Callback::new(move |_| navigate(&next_page()))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let body = OrganiserLogin {
            login: login.get_untracked().trim().to_string(),
            password: password.get_untracked(),
        };
        let next = next_page();
        let navigate = navigate.clone();
        let typed = body.password.clone();
        spawn_local(async move {
            match api::organiser_login(body).await {
                Ok(me) if me.must_change_password => forced.set(Some(typed)),
                Ok(_) => navigate(&next),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let message = move || {
        error.get().map(|e| match e {
            WriteError::Refused {
                retry_after_minutes: Some(n),
                ..
            } => t_string!(i18n, login_locked_out, minutes = n),
            WriteError::Unauthorized(_) => t_string!(i18n, org_wrong_login).to_string(),
            e if e.is_retryable() => t_string!(i18n, offline_error).to_string(),
            e => e.text(lang()),
        })
    };
    let login_form = view! {
        <div hidden=move || forced.get().is_some()>
        <h1>{t!(i18n, org_login_title)}</h1>
        <p class="muted">{t!(i18n, org_login_intro)}</p>
        <form class="form" on:submit=submit data-testid="org-login-form">
            <label>
                <span>{t!(i18n, org_login_name)}</span>
                <input name="login" autocomplete="username" autocapitalize="none" required bind:value=login />
            </label>
            <label>
                <span>{t!(i18n, password)}</span>
                <input type="password" name="password" autocomplete="current-password" required bind:value=password />
            </label>
            <FieldNote text=Signal::derive(message) />
            <button class="button primary wide big" type="submit" disabled=move || busy.get()>{t!(i18n, login_title)}</button>
        </form>
        <p class="muted small"><a href="/organise/join" data-testid="org-join-link">{t!(i18n, orgm_join_link)}</a></p>
        </div>
    };
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, org_login_title).to_string()) />
        {login_form}
        {move || forced.get().map(|current| view! {
            <h1>{t!(i18n, orgm_password_title)}</h1>
            <p class="note" role="alert" data-testid="must-change-password">{t!(i18n, orgm_must_change)}</p>
            <PasswordForm current=current done=after_change />
        })}
    }
}
