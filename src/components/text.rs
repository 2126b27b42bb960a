//! Text from the API in the language of the moment, and as paragraphs.

use crate::components::use_lang;
use domain::LocalText;
use leptos::prelude::*;

/// A text in the language of the moment, e.g. for a page title.
pub fn in_lang(text: LocalText) -> Signal<String> {
    let lang = use_lang();
    Signal::derive(move || text.get(lang()).to_string())
}

/// Splits text from the API on blank lines into paragraphs.
pub fn paragraphs(text: &str) -> impl IntoView {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| view! { <p>{p.to_string()}</p> })
        .collect_view()
}
