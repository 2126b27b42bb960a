//! Text from the API as paragraphs.

use leptos::prelude::*;

/// Splits text from the API on blank lines into paragraphs.
pub fn paragraphs(text: &str) -> impl IntoView {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| view! { <p>{p.to_string()}</p> })
        .collect_view()
}
