//! What is shown of a write still waiting on the phone.

use crate::components::use_lang;
use crate::i18n::*;
use crate::outbox::Retry;
use leptos::prelude::*;

/// Why the last attempt to send failed, in the shopper's language.
#[component]
pub fn LastError(r: Retry) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    view! {
        <p class="small">
            {move || {
                let e = match r.error_text() {
                    Some(e) => e.get(lang()).to_string(),
                    None => t_string!(i18n, offline_error).to_string(),
                };
                t_string!(i18n, last_error, error = e)
            }}
        </p>
    }
}
