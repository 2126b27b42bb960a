//! `/organise/join`: a co-organiser uses their one-time code, with a new
//! login or one they already have for another village, and is logged in.

use crate::api;
use crate::components::{
    busy, send, FieldError as FieldNote, FormErrors, PageTitle, SendStatus, Sent,
};
use crate::drafts::JoinDraft;
use crate::i18n::*;
use crate::nav::use_query_map;
use leptos::prelude::*;

#[component]
pub fn OrganiseJoinPage() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = crate::use_go();
    let query = use_query_map();
    let code = RwSignal::new(query.read_untracked().get("code").unwrap_or_default());
    let login = RwSignal::new(String::new());
    let name_zh = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let existing = RwSignal::new(false);
    let errors = FormErrors::new();
    let status = RwSignal::new(Sent::Idle);
    let field = move |f: &'static str| errors.note(f);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy(status) {
            return;
        }
        let draft = JoinDraft {
            code: code.get_untracked(),
            login: login.get_untracked(),
            name_zh: name_zh.get_untracked(),
            name_en: name_en.get_untracked(),
            password: password.get_untracked(),
            existing: existing.get_untracked(),
        };
        let Some(body) = errors.checked(status, both!(orgm_err_form), draft.to_input()) else {
            return;
        };
        let navigate = navigate.clone();
        send(
            status,
            async move { api::org_join(&body).await },
            move |a| match a {
                Ok(me) => {
                    let to = me.villages.last().map_or("/organise".to_string(), |v| {
                        format!("/organise/v/{}", v.slug)
                    });
                    navigate(&to);
                    Sent::Idle
                }
                Err(e) => errors.failed(e),
            },
        );
    };
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, orgm_join_title).to_string()) />
        <h1>{t!(i18n, orgm_join_title)}</h1>
        <p class="muted">{t!(i18n, orgm_join_intro)}</p>
        <form class="form" on:submit=submit data-testid="org-join-form">
            <label>
                <span>{t!(i18n, orgm_code)}</span>
                <input name="code" autocapitalize="characters" bind:value=code />
                <FieldNote text=field("code") />
            </label>
            <label>
                <span>{t!(i18n, org_login_name)}</span>
                <input name="login" autocomplete="username" autocapitalize="none" bind:value=login />
                <FieldNote text=field("login") />
            </label>
            <label class="check">
                <input type="checkbox" name="existing" bind:checked=existing />
                <span>{t!(i18n, orgm_existing)}</span>
            </label>
            <Show when=move || !existing.get()>
                <label>
                    <span>{t!(i18n, orgm_name_zh)}</span>
                    <input name="name_zh" bind:value=name_zh />
                    <FieldNote text=field("name_zh") />
                </label>
                <label>
                    <span>{t!(i18n, orgm_name_en)}</span>
                    <input name="name_en" bind:value=name_en />
                    <FieldNote text=field("name_en") />
                </label>
            </Show>
            <label>
                <span>{move || if existing.get() { t_string!(i18n, password) } else { t_string!(i18n, orgm_new) }}</span>
                <input type="password" name="password" autocomplete=move || if existing.get() { "current-password" } else { "new-password" } bind:value=password />
                <FieldNote text=field("password") />
            </label>
            <SendStatus state=status />
            <button class="button primary wide big" type="submit" data-testid="org-join-submit"
                disabled=move || status.with(Sent::busy)>{t!(i18n, orgm_join_do)}</button>
        </form>
    }
}
