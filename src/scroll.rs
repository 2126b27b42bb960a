//! Back returns to where the shopper was on a page. The browser cannot do
//! it for us: on Back the page's data loads again, and the browser's own
//! restoring happens before the page is long enough. So the position is
//! kept when a link is followed (per URL, in sessionStorage so that it
//! survives a full load into another bundle) or when Back or Forward leaves
//! it, and on Back or Forward it is restored once the page is long enough,
//! unless the shopper has started to scroll.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_storage::{SessionStorage, Storage};
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};

const KEY: &str = "storefront.scroll.v1";
/// Positions kept per tab; older ones are dropped.
const KEEP: usize = 30;
/// How often, and for how long, a restore waits for the page to grow.
const TRY_EVERY_MS: u64 = 100;
const GIVE_UP_MS: u64 = 15_000;

/// Keeps `y` as the position of `url`, most recent first.
pub fn remember(kept: &mut Vec<(String, i32)>, url: &str, y: i32) {
    kept.retain(|(u, _)| u != url);
    kept.insert(0, (url.to_string(), y));
    kept.truncate(KEEP);
}

/// The position kept for `url`, if one worth restoring.
pub fn recall(kept: &[(String, i32)], url: &str) -> Option<i32> {
    kept.iter()
        .find(|(u, _)| u == url)
        .map(|(_, y)| *y)
        .filter(|y| *y > 0)
}

/// Whether a page `height` tall, in a window `view` tall, can be scrolled
/// to `y` yet.
pub fn reachable(height: i32, view: i32, y: i32) -> bool {
    height - view >= y
}

/// Whether following `href` on page `here` is going back one step: the last
/// link followed led from `href` to `here`.
pub fn is_way_back(last_hop: Option<&(String, String)>, here: &str, href: &str) -> bool {
    last_hop.is_some_and(|(from, to)| from == href && to == here && from != to)
}

fn current_url() -> String {
    let l = window().location();
    format!(
        "{}{}",
        l.pathname().unwrap_or_default(),
        l.search().unwrap_or_default()
    )
}

/// The kept positions as stored: one "y url" per line. Plain text rather
/// than JSON, so that no serde code is compiled in for it.
pub fn to_text(kept: &[(String, i32)]) -> String {
    kept.iter().map(|(u, y)| format!("{y} {u}\n")).collect()
}

/// Reads [`to_text`]'s form back; lines it cannot read are skipped.
pub fn from_text(text: &str) -> Vec<(String, i32)> {
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .filter_map(|(y, u)| Some((u.to_string(), y.parse().ok()?)))
        .collect()
}

fn load() -> Vec<(String, i32)> {
    let text = SessionStorage::raw().get_item(KEY).ok().flatten();
    from_text(&text.unwrap_or_default())
}

/// Keeps the current page's position; called as the shopper leaves it.
pub fn keep_position() {
    keep_position_of(&current_url());
}

/// Keeps the window's position as that of `url`: on Back or Forward the
/// address has already changed when the app hears of it, but the window
/// has not moved yet.
pub fn keep_position_of(url: &str) {
    let mut kept = load();
    remember(&mut kept, url, window().scroll_y().unwrap_or(0.0) as i32);
    let _ = SessionStorage::raw().set_item(KEY, &to_text(&kept));
}

/// Scrolls to the kept position of the current page once it is long
/// enough; stops if the shopper touches the page first.
fn restore() {
    let url = current_url();
    let Some(y) = recall(&load(), &url) else {
        return;
    };
    let touched = Rc::new(Cell::new(false));
    let mut listeners = Vec::new();
    for ev in ["touchstart", "wheel", "keydown", "mousedown"] {
        let touched = touched.clone();
        listeners.push(window_event_listener_untyped(ev, move |_| {
            touched.set(true)
        }));
    }
    let started = js_sys::Date::now();
    let handle = Rc::new(Cell::new(None::<IntervalHandle>));
    let tick = {
        let handle = handle.clone();
        move || {
            let waited = js_sys::Date::now() - started;
            let height = document()
                .document_element()
                .map_or(0, |e| e.scroll_height());
            let view = window()
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(0.0) as i32;
            // Left again (Back twice on a slow network): not this page's place.
            let left = current_url() != url;
            let stop = touched.get() || left || waited > GIVE_UP_MS as f64;
            let done = stop || reachable(height, view, y);
            if reachable(height, view, y) && !stop {
                window().scroll_to_with_x_and_y(0.0, f64::from(y));
            }
            if done {
                if let Some(h) = handle.get() {
                    h.clear();
                }
            }
        }
    };
    handle.set(set_interval_with_handle(tick, std::time::Duration::from_millis(TRY_EVERY_MS)).ok());
    // The listeners go once the restore is over.
    set_timeout(
        move || listeners.into_iter().for_each(|l| l.remove()),
        std::time::Duration::from_millis(GIVE_UP_MS + TRY_EVERY_MS),
    );
}

/// Installs it all for the page's life: the app, not the browser, restores
/// positions; a followed link keeps the one it leaves; Back (within this
/// bundle, or into it by a full load) and a reload restore.
pub fn restore_on_back() {
    if !crate::first_screen::IN_BROWSER {
        return;
    }
    if let Ok(h) = window().history() {
        let _ = h.set_scroll_restoration(web_sys::ScrollRestoration::Manual);
    }
    // The last link followed, as (from, to): a link back to `from`, seen on
    // `to`, is the page's way up ("‹ 刘村") and goes back in history, so the
    // shopper lands where they were rather than at the top.
    let last_hop: Rc<RefCell<Option<(String, String)>>> = Rc::default();
    // Capture phase: before the router changes the page under the link.
    let keep = {
        let last_hop = last_hop.clone();
        Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
            let Some(href) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("a[href]").ok().flatten())
                .and_then(|a| a.get_attribute("href"))
            else {
                return;
            };
            let here = current_url();
            let plain = ev.button() == 0
                && !(ev.meta_key() || ev.ctrl_key() || ev.shift_key() || ev.alt_key());
            if plain && is_way_back(last_hop.borrow().as_ref(), &here, &href) {
                ev.prevent_default();
                *last_hop.borrow_mut() = None;
                if let Ok(h) = window().history() {
                    let _ = h.back();
                }
                return;
            }
            keep_position();
            if href != here {
                *last_hop.borrow_mut() = Some((here, href));
            }
        })
    };
    let _ = window().add_event_listener_with_callback_and_bool(
        "click",
        keep.as_ref().unchecked_ref(),
        true,
    );
    keep.forget();
    // A reload, or a full load into another bundle, leaves by no link.
    let _ = window_event_listener(leptos::ev::pagehide, move |_| keep_position());
    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        // Which page is behind this one is no longer known.
        *last_hop.borrow_mut() = None;
        restore();
    });
    if arrived_by_back_or_reload() {
        restore();
    }
}

fn arrived_by_back_or_reload() -> bool {
    let Some(perf) = window().performance() else {
        return false;
    };
    perf.get_entries_by_type("navigation")
        .get(0)
        .dyn_into::<web_sys::PerformanceNavigationTiming>()
        .is_ok_and(|n| {
            matches!(
                n.type_(),
                web_sys::NavigationType::BackForward | web_sys::NavigationType::Reload
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_position_of_a_page_is_kept_and_old_ones_drop() {
        let mut kept = vec![];
        remember(&mut kept, "/v/liu", 800);
        remember(&mut kept, "/p/3", 120);
        remember(&mut kept, "/v/liu", 1040);
        assert_eq!(recall(&kept, "/v/liu"), Some(1040));
        assert_eq!(recall(&kept, "/p/3"), Some(120));
        assert_eq!(kept.len(), 2, "one entry per page");
        // The query is part of the page.
        assert_eq!(recall(&kept, "/v/liu?tab=2"), None);
        for i in 0..KEEP {
            remember(&mut kept, &format!("/p/{i}"), 10);
        }
        assert_eq!(kept.len(), KEEP);
        assert_eq!(recall(&kept, "/v/liu"), None, "the oldest is dropped");
    }

    #[test]
    fn positions_read_back_from_their_text() {
        let kept = vec![("/v/liu?x=1 2".to_string(), 1040), ("/p/3".to_string(), 0)];
        assert_eq!(from_text(&to_text(&kept)), kept);
        assert_eq!(
            from_text("junk\n12 /p/1\nx /p/2\n"),
            vec![("/p/1".to_string(), 12)]
        );
        assert_eq!(from_text(""), vec![]);
    }

    #[test]
    fn a_link_to_the_page_just_left_is_the_way_back() {
        let hop = ("/v/liu".to_string(), "/p/12".to_string());
        assert!(is_way_back(Some(&hop), "/p/12", "/v/liu"));
        // Somewhere else since (a form sent the shopper on), or elsewhere.
        assert!(!is_way_back(Some(&hop), "/cart", "/v/liu"));
        assert!(!is_way_back(Some(&hop), "/p/12", "/"));
        // After Back, which page is behind is not known.
        assert!(!is_way_back(None, "/p/12", "/v/liu"));
        // A link to the page itself is never a way back.
        let same = ("/".to_string(), "/".to_string());
        assert!(!is_way_back(Some(&same), "/", "/"));
    }

    #[test]
    fn the_top_of_a_page_needs_no_restoring() {
        let mut kept = vec![];
        remember(&mut kept, "/", 0);
        assert_eq!(recall(&kept, "/"), None);
    }

    #[test]
    fn a_position_waits_for_the_page_to_be_long_enough() {
        // 844 px window: a page 1800 px tall scrolls at most to 956.
        assert!(reachable(1800, 844, 956));
        assert!(!reachable(1800, 844, 957));
        assert!(!reachable(900, 844, 400), "still loading");
    }
}
