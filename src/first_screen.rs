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
    request_animation_frame(move || {
        set_timeout(
            move || {
                put_aside();
                mount()
            },
            std::time::Duration::ZERO,
        )
    });
}

/// Takes the server's first screen out of the page's layout, in one go,
/// before the app mounts over it: the parts the app then takes from it
/// ([`Reused`]), and the rest it drops, leave no laid-out nodes behind one
/// by one. Nothing is painted in between, so the shopper sees no gap.
fn put_aside() {
    use leptos::prelude::*;
    if let Some(boot) = document().get_element_by_id("boot") {
        let _ = boot.set_attribute("style", "display:none");
        // Reading a size has the browser apply that style now.
        let _ = boot.client_height();
    }
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

/// A part of a shop page drawn from the page's data, the language and
/// `stamp` alone (today's date, say, for a calendar), and nothing the
/// phone keeps. On the app's first render, when the server's first screen
/// holds this very part (its name, language and stamp are on it), the app
/// moves the server's nodes in rather than building the same ones again;
/// any other time, and after a language switch, it builds `children`.
///
/// The village page's calendar, year grid and producers are most of its
/// nodes: taking them halves the app's mount there (measured at 4× CPU,
/// 208 -> 111 ms). Leptos's own hydration would do the same for every part,
/// but compiles a second rendering path for every view, where this is one
/// element and a loop.
#[leptos::component]
pub fn Reused(
    name: &'static str,
    #[prop(into)] stamp: String,
    children: leptos::children::ChildrenFn,
) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let i18n = crate::i18n::use_i18n();
    move || {
        let key = format!("{name}:{}:{stamp}", i18n.get_locale());
        if server_copy(&key).is_some() {
            view! { <div class="reused" data-reused=key.clone() use:take_server_copy=key></div> }
                .into_any()
        } else {
            view! { <div class="reused" data-reused=key>{children()}</div> }.into_any()
        }
    }
}

/// The part marked `key` in the server's first screen, while it is still
/// on the page.
fn server_copy(key: &str) -> Option<web_sys::Element> {
    if !IN_BROWSER {
        return None;
    }
    leptos::prelude::document()
        .query_selector(&format!("#boot[data-path] [data-reused=\"{key}\"]"))
        .ok()
        .flatten()
}

/// Moves the server's nodes of the part `key` into `el`, the app's own
/// (empty) element for it.
fn take_server_copy(el: web_sys::Element, key: String) {
    let Some(copy) = server_copy(&key) else {
        return;
    };
    while let Some(child) = copy.first_child() {
        let _ = el.append_child(&child);
    }
}
