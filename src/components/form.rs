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

/// A form's draft and the faults its last try found, field by field: what
/// the fields of a workspace form share.
pub struct Drafted<D: Send + Sync + 'static> {
    pub draft: RwSignal<D>,
    pub errors: RwSignal<Vec<domain::FieldError>>,
}

impl<D: Send + Sync + 'static> Clone for Drafted<D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D: Send + Sync + 'static> Copy for Drafted<D> {}

impl<D: Send + Sync + 'static> Drafted<D> {
    pub fn new(draft: D) -> Self {
        Drafted {
            draft: RwSignal::new(draft),
            errors: RwSignal::new(Vec::new()),
        }
    }

    /// "`label` (why)" for the first fault of `field` or of its list items.
    pub fn error_of(self, field: &'static str, label: &'static str) -> Signal<Option<String>> {
        let lang = crate::components::use_lang();
        let errors = self.errors;
        Signal::derive(move || {
            errors.with(|e| {
                e.iter()
                    .find(|f| f.field == field || f.field.starts_with(&format!("{field}[")))
                    .map(|f| {
                        let why = f.text().get(lang()).to_string();
                        if label.is_empty() {
                            why
                        } else {
                            format!("{label} ({why})")
                        }
                    })
            })
        })
    }

    /// The faults a refused write names; `false` when it named none.
    pub fn take_refusal(self, e: &crate::api::WriteError) -> bool {
        match e {
            crate::api::WriteError::Refused { fields, .. } if !fields.is_empty() => {
                self.errors.set(fields.clone());
                true
            }
            _ => false,
        }
    }

    /// One text of the draft, as a line or (`multiline`) a box, with its fault.
    pub fn text(
        self,
        label: &'static str,
        testid: &'static str,
        field: &'static str,
        get: fn(&D) -> &String,
        set: fn(&mut D, String),
        multiline: bool,
    ) -> impl IntoView {
        let draft = self.draft;
        let value = move || draft.with(|d| get(d).clone());
        let input = move |ev| {
            let v = event_target_value(&ev);
            draft.update(|d| set(d, v));
        };
        let control = if multiline {
            view! { <textarea rows="5" data-testid=testid prop:value=value on:input=input></textarea> }
                .into_any()
        } else {
            view! { <input data-testid=testid prop:value=value on:input=input /> }.into_any()
        };
        view! {
            <label>
                <span>{label}</span>
                {control}
                <FieldError text=self.error_of(field, label) />
            </label>
        }
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
