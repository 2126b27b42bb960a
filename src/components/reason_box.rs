//! Asking for a reason before a write that others will read about
//! (withdrawing a product from a round, cancelling a booking).

use crate::components::Words;
use crate::i18n::*;
use leptos::prelude::*;

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
/// with `children` (its field note) under it, confirm and keep.
#[component]
pub fn ReasonBox(
    ask: ReasonAsk,
    #[prop(into)] is_open: Signal<bool>,
    text: RwSignal<String>,
    #[prop(into)] busy: Signal<bool>,
    on_open: Callback<()>,
    on_confirm: Callback<()>,
    on_keep: Callback<()>,
    children: ChildrenFn,
) -> impl IntoView {
    let i18n = use_i18n();
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
