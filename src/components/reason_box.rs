//! Asking for a reason before a write that others will read about
//! (withdrawing a product from a round, cancelling a booking).

use crate::api::WriteError;
use crate::components::{Sent, Words};
use crate::i18n::*;
use domain::{FieldError, LocalText};
use leptos::prelude::*;

/// The reason as typed, and what is wrong with it.
#[derive(Clone, Copy)]
pub struct Reason {
    pub text: RwSignal<String>,
    pub error: RwSignal<Option<LocalText>>,
}

impl Reason {
    pub fn new() -> Self {
        Reason {
            text: RwSignal::new(String::new()),
            error: RwSignal::new(None),
        }
    }

    /// The input `draft` makes of the reason, or `refused` under the box.
    pub fn input<T>(
        self,
        draft: impl FnOnce(&str) -> Result<T, Vec<FieldError>>,
        refused: LocalText,
    ) -> Option<T> {
        let input = draft(&self.text.get_untracked()).ok();
        self.error.set(input.is_none().then_some(refused));
        input
    }

    /// A write that did not go through: the server's words about the
    /// reason go under the box, the rest to the status line.
    pub fn failed(self, e: &WriteError) -> Sent {
        if let Some(m) = e.field("reason") {
            self.error.set(Some(m));
        }
        Sent::failed(e)
    }
}

impl Default for Reason {
    fn default() -> Self {
        Self::new()
    }
}

/// A control of the box: its `data-testid` and its words.
#[derive(Clone, Copy)]
pub struct Part {
    pub testid: &'static str,
    pub words: Words,
}

/// What a reason box says and how the browser tests find its parts.
#[derive(Clone, Copy)]
pub struct ReasonAsk {
    /// The button that opens the box.
    pub open: Part,
    /// The box (testid) and its question (words).
    pub question: Part,
    /// The reason's text area (testid) and its label (words).
    pub reason: Part,
    pub confirm: Part,
    pub keep: Part,
}

/// The button that opens the box, or the box: the question, the reason
/// with `children` (the note of [`Reason::error`]) under it, confirm and keep.
#[component]
pub fn ReasonBox(
    ask: ReasonAsk,
    #[prop(into)] is_open: Signal<bool>,
    reason: Reason,
    #[prop(into)] busy: Signal<bool>,
    on_open: Callback<()>,
    on_confirm: Callback<()>,
    on_keep: Callback<()>,
    children: ChildrenFn,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = reason.text;
    let words = move |w: Words| move || w(i18n.get_locale());
    let children = StoredValue::new(children);
    move || {
        if !is_open.get() {
            return view! {
                <button class="button secondary small-button" type="button" data-testid=ask.open.testid
                    on:click=move |_| on_open.run(())>
                    {words(ask.open.words)}
                </button>
            }
            .into_any();
        }
        view! {
            <div class="confirm-box" data-testid=ask.question.testid>
                <p>{words(ask.question.words)}</p>
                <label class="field wide-field">
                    <span>{words(ask.reason.words)}</span>
                    <textarea rows="3" maxlength="500" data-testid=ask.reason.testid
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                    {children.with_value(|c| c())}
                </label>
                <button class="button danger" type="button" data-testid=ask.confirm.testid
                    disabled=move || busy.get() on:click=move |_| on_confirm.run(())>
                    {move || if busy.get() { t_string!(i18n, working) } else { (ask.confirm.words)(i18n.get_locale()) }}
                </button>
                <button class="button secondary" type="button" data-testid=ask.keep.testid
                    on:click=move |_| on_keep.run(())>{words(ask.keep.words)}</button>
            </div>
        }
        .into_any()
    }
}
