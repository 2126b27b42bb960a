//! Pieces of forms.

use crate::i18n::*;
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

/// "Really cancel?" while `asking`: the question, yes and no.
#[component]
pub fn ConfirmCancel(
    asking: RwSignal<bool>,
    on_yes: Callback<()>,
    /// While the answer is on its way, yes cannot be pressed again.
    #[prop(optional, into)]
    busy: Signal<bool>,
    children: ChildrenFn,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || asking.get()>
            <div class="confirm-box" role="alertdialog" data-testid="cancel-confirm">
                <p>{children()}</p>
                <button class="button danger" type="button" data-testid="cancel-yes" disabled=move || busy.get() on:click=move |_| on_yes.run(())>{t!(i18n, cancel_yes)}</button>
                <button class="button secondary" type="button" on:click=move |_| asking.set(false)>{t!(i18n, cancel_no)}</button>
            </div>
        </Show>
    }
}

/// The words of `errors` for the field named `key()` (nothing while it is
/// `None`), in the language of the moment: for a [`FieldError`] under it.
pub fn field_note(
    errors: RwSignal<Vec<domain::FieldError>>,
    key: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> Signal<Option<String>> {
    let lang = crate::components::use_lang();
    Signal::derive(move || {
        let key = key()?;
        errors.with(|e| {
            let words: Vec<String> = e
                .iter()
                .filter(|f| f.field == key)
                .map(|f| f.text().get(lang()).to_string())
                .collect();
            (!words.is_empty()).then(|| words.join(" "))
        })
    })
}
