//! Where an organiser's write stands: the status line under a form, the
//! submit button that waits for it, and the one way to send a write.

use crate::api::WriteError;
use crate::components::use_lang;
use crate::i18n::*;
use domain::LocalText;
use leptos::prelude::*;
use std::future::Future;

/// A text of `locales/*.json` as its function of the language, for a prop.
pub type Words = fn(Locale) -> &'static str;

/// Where a write stands, for the status line under a form.
#[derive(Clone, Debug, PartialEq)]
pub enum Sent {
    Idle,
    Sending,
    Saved(LocalText),
    Failed(LocalText),
}

impl Sent {
    pub fn busy(&self) -> bool {
        matches!(self, Sent::Sending)
    }

    /// The write did not go through, in the words of [`write_error_text`].
    pub fn failed(e: &WriteError) -> Self {
        Sent::Failed(write_error_text(e))
    }
}

/// Words for a write that did not go through.
pub fn write_error_text(e: &WriteError) -> LocalText {
    match e {
        WriteError::Unauthorized(_) => both!(orgr_err_session),
        WriteError::Refused { status: 403, .. } => both!(org_not_your_village),
        e if e.is_retryable() => both!(offline_error),
        e => e.message(),
    }
}

/// Whether a write of `status` is under way, for a handler deciding
/// whether to start another.
pub fn busy(status: RwSignal<Sent>) -> bool {
    status.with_untracked(Sent::busy)
}

/// Sends one write: the status says "Saving…" until the answer, then what
/// `done` makes of it. A handler checks [`busy`] first, so that a second
/// tap does not send the write twice.
pub fn send<T: 'static>(
    status: RwSignal<Sent>,
    call: impl Future<Output = Result<T, WriteError>> + 'static,
    done: impl FnOnce(Result<T, WriteError>) -> Sent + 'static,
) {
    status.set(Sent::Sending);
    leptos::task::spawn_local(async move {
        let answer = call.await;
        status.set(done(answer));
    });
}

/// "Saving…", "✓ Saved …" (role=status) or the error (role=alert).
#[component]
pub fn SendStatus(state: RwSignal<Sent>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    move || {
        match state.get() {
        Sent::Idle => ().into_any(),
        Sent::Sending => view! {
            <p class="muted small" role="status" data-testid="sending">{t!(i18n, working)}</p>
        }
        .into_any(),
        Sent::Saved(m) => view! {
            <p class="note saved" role="status" data-testid="saved">"✓ " {m.get(lang()).to_string()}</p>
        }
        .into_any(),
        Sent::Failed(m) => view! {
            <p class="form-error" role="alert" data-testid="save-error">{m.get(lang()).to_string()}</p>
        }
        .into_any(),
    }
    }
}

/// A form's status line and its submit button, which says "Working…" and
/// stays disabled while the write is under way.
#[component]
pub fn SubmitWithStatus(
    state: RwSignal<Sent>,
    class: &'static str,
    testid: &'static str,
    label: Words,
) -> impl IntoView {
    let i18n = use_i18n();
    let busy = move || state.with(Sent::busy);
    view! {
        <SendStatus state=state />
        <button class=class type="submit" data-testid=testid disabled=busy>
            {move || if busy() { t_string!(i18n, working) } else { label(i18n.get_locale()) }}
        </button>
    }
}

/// A field's note (the text of a `FieldError`) from a text kept in both
/// languages, in the language of the moment.
pub fn local_note(text: RwSignal<Option<LocalText>>) -> Signal<Option<String>> {
    let lang = use_lang();
    Signal::derive(move || text.get().map(|m| m.get(lang()).to_string()))
}

/// A loaded resource of the workspace: loading, any failure as an error
/// with retry, or `render` of what came.
pub fn loaded_view<T, E, V>(
    res: crate::load::Load<Result<T, E>>,
    render: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    E: Clone + 'static,
    V: IntoView + 'static,
{
    use crate::components::{ErrorPanel, Loading};
    move || match res.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(_)) => {
            view! { <ErrorPanel retry=Callback::new(move |_| res.refetch()) /> }.into_any()
        }
        Some(Ok(data)) => render(data).into_any(),
    }
}
