//! `/organise/password`: change one's own password (the other devices'
//! sessions end).

use crate::components::{OrganiseShell, PasswordForm};
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn OrganisePasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <OrganiseShell title=keys::orgm_password_title>
            <p class="crumbs"><a href="/organise">{t!(i18n, org_home)}</a></p>
            <h1>{t!(i18n, orgm_password_title)}</h1>
            <p class="muted small">{t!(i18n, orgm_password_hint)}</p>
            <PasswordForm done=Callback::new(|_| ()) />
        </OrganiseShell>
    }
}
