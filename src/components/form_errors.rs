//! The field errors of a workspace form: from its draft before sending, or
//! from the server's answer, each shown at its field.

use crate::api::WriteError;
use crate::components::{use_lang, Sent};
use domain::{FieldError, LocalText};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct FormErrors(RwSignal<Vec<FieldError>>);

impl FormErrors {
    pub fn new() -> Self {
        Self(RwSignal::new(Vec::new()))
    }

    /// The note of `field`, in the language of the moment.
    pub fn note(self, field: &'static str) -> Signal<Option<String>> {
        let lang = use_lang();
        Signal::derive(move || {
            self.0.with(|es| {
                es.iter()
                    .find(|e| e.field == field)
                    .map(|e| e.text().get(lang()).to_string())
            })
        })
    }

    /// The draft's input, or its errors shown (and `whole` as the status).
    pub fn checked<T>(
        self,
        status: RwSignal<Sent>,
        whole: LocalText,
        draft: Result<T, Vec<FieldError>>,
    ) -> Option<T> {
        match draft {
            Ok(input) => {
                self.0.set(Vec::new());
                Some(input)
            }
            Err(es) => {
                self.0.set(es);
                status.set(Sent::Failed(whole));
                None
            }
        }
    }

    /// What a refused write shows: the fields the server named at their
    /// fields, anything else as the status line says it.
    pub fn failed(self, e: WriteError) -> Sent {
        match e {
            WriteError::Refused {
                fields, message, ..
            } if !fields.is_empty() => {
                self.0.set(fields);
                Sent::Failed(message)
            }
            e => Sent::failed(&e),
        }
    }
}
