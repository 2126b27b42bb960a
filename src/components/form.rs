//! Pieces of forms.

use leptos::prelude::*;

/// A field's error, shown under it; nothing while there is none.
#[component]
pub fn FieldError(text: Signal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || text.get().is_some()>
            <span class="field-error" role="alert" data-testid="field-error">{move || text.get()}</span>
        </Show>
    }
}
