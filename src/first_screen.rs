//! A shop page's first screen, rendered on the server by these very
//! components so that the HTML carries the content before any script runs
//! (the API's `page_head` calls [`render`]). The app in the browser then
//! mounts over it and, with the same embedded data, draws the same page in
//! one go: no flash, and no second copy of the view code.
//!
//! Natively nothing of the browser exists: the few places that read the
//! page's address, its language or what the phone keeps ask [`rendering`]
//! instead, and effects and tasks never run (a no-op executor), so nothing
//! that only a browser can do is started.

use std::cell::RefCell;

/// What the server knows of the page it renders.
#[derive(Clone, Debug, Default)]
pub struct FirstScreen {
    pub path: String,
    /// The query string with its `?`, or empty.
    pub search: String,
    pub lang: domain::Lang,
    /// The API path whose answer `data` is (`/api/villages/liu`).
    pub data_path: String,
    pub data: String,
}

thread_local! {
    static RENDERING: RefCell<Option<FirstScreen>> = const { RefCell::new(None) };
}

/// Whether the app runs in a browser rather than on the server.
pub const IN_BROWSER: bool = cfg!(target_arch = "wasm32");

/// The page being rendered on the server, if any.
pub fn rendering<R>(f: impl FnOnce(&FirstScreen) -> R) -> Option<R> {
    RENDERING.with(|r| r.borrow().as_ref().map(f))
}

/// The embedded answer for `path` while the server renders its page.
pub(crate) fn take_data(path: &str) -> Option<String> {
    RENDERING.with(|r| {
        r.borrow_mut()
            .as_mut()
            .filter(|p| p.data_path == path)
            .map(|p| std::mem::take(&mut p.data))
    })
}

/// Runs `mount` once the server's first screen has been painted, at once
/// when the page has none. On a fast connection the wasm may be in before
/// the first frame; the page the shopper reads first should still be the
/// one that came with the HTML, and the browser's paint timing says so.
pub fn after_first_paint(mount: impl FnOnce() + 'static) {
    use leptos::prelude::*;
    let drawn = document()
        .get_element_by_id("boot")
        .is_some_and(|b| b.has_attribute("data-path"));
    if !drawn {
        return mount();
    }
    // A frame's callbacks run just before its paint; a task queued from
    // one runs after it.
    request_animation_frame(move || set_timeout(mount, std::time::Duration::ZERO));
}

/// The browsing bundle's view of `page`, as HTML: what the app itself
/// mounts, header to tab bar.
#[cfg(not(target_arch = "wasm32"))]
pub fn render(page: FirstScreen) -> String {
    use leptos::prelude::*;

    struct NoTasks;
    impl any_spawner::CustomExecutor for NoTasks {
        fn spawn(&self, _: any_spawner::PinnedFuture<()>) {}
        fn spawn_local(&self, _: any_spawner::PinnedLocalFuture<()>) {}
        fn poll_local(&self) {}
    }
    // Once per process; a second call only finds it in place.
    let _ = any_spawner::Executor::init_custom_executor(NoTasks);

    RENDERING.with(|r| *r.borrow_mut() = Some(page));
    let owner = Owner::new();
    // Drawn once, never updated: reading signals outside a tracking context
    // is the point here, not a mistake to warn about.
    let quiet = leptos::reactive::diagnostics::SpecialNonReactiveZone::enter();
    let html = owner.with(|| view! { <crate::App /> }.to_html());
    drop(quiet);
    drop(owner);
    RENDERING.with(|r| *r.borrow_mut() = None);
    html
}
