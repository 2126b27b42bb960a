//! The organiser's password form: the forced change after a one-time
//! password, and the workspace's "change password" page.

use crate::api;
use crate::components::{FieldError as FieldNote, FormErrors, SendStatus, Sent};
use crate::drafts::PasswordDraft;
use crate::i18n::*;
use domain::organise::OrganiserMe;
use leptos::prelude::*;

/// Current password, the new one twice; `done` gets the organiser once it
/// is changed (their other sessions have ended). `current` prefills the
/// current password (the one just typed at the login).
#[component]
pub fn PasswordForm(
    #[prop(optional, into)] current: String,
    done: Callback<OrganiserMe>,
) -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(current);
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let status = RwSignal::new(Sent::Idle);
    let note = move |field: &'static str| errors.note(field);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if crate::components::busy(status) {
            return;
        }
        let draft = PasswordDraft {
            current: current.get_untracked(),
            new: new.get_untracked(),
            repeat: repeat.get_untracked(),
        };
        let Some(body) = errors.checked(status, both!(orgm_err_form), draft.to_input()) else {
            return;
        };
        crate::components::send(
            status,
            async move { api::org_change_password(&body).await },
            move |answer| match answer {
                Ok(me) => {
                    done.run(me);
                    Sent::Saved(both!(orgm_changed))
                }
                Err(e) => errors.failed(e),
            },
        );
    };
    view! {
        <form class="form" on:submit=submit data-testid="password-form">
            <label>
                <span>{t!(i18n, orgm_current)}</span>
                <input type="password" name="current_password" autocomplete="current-password" bind:value=current />
                <FieldNote text=note("current_password") />
            </label>
            <label>
                <span>{t!(i18n, orgm_new)}</span>
                <input type="password" name="new_password" autocomplete="new-password" bind:value=new />
                <FieldNote text=note("new_password") />
            </label>
            <label>
                <span>{t!(i18n, orgm_repeat)}</span>
                <input type="password" name="repeat" autocomplete="new-password" bind:value=repeat />
                <FieldNote text=note("repeat") />
            </label>
            <SendStatus state=status />
            <button class="button primary wide big" type="submit" data-testid="password-submit"
                disabled=move || status.with(Sent::busy)>{t!(i18n, orgm_change)}</button>
        </form>
    }
}
