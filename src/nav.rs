//! The app's router: which page a path shows, links within a bundle that
//! change the page without loading it, and Back and Forward.
//!
//! Each bundle has only a handful of flat routes (see `domain::bundle`), and
//! leptos_router cost about 30 KB of brotli wasm in every bundle for them,
//! the largest single part of an empty page. This does the same on
//! web-sys in a few KB. Matching is plain functions, unit-tested.

use domain::bundle::Bundle;
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};

/// Values taken from a path (`:slug`) or a query string, by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParamsMap(Vec<(String, String)>);

impl ParamsMap {
    pub fn get(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Matches `path` against a pattern such as `/v/:slug/h/:id`. Empty
/// segments do not count, so a trailing slash matches too.
pub fn match_path(pattern: &str, path: &str) -> Option<ParamsMap> {
    let mut want = pattern.split('/').filter(|s| !s.is_empty());
    let mut have = path.split('/').filter(|s| !s.is_empty());
    let mut params = Vec::new();
    loop {
        match (want.next(), have.next()) {
            (None, None) => return Some(ParamsMap(params)),
            (Some(w), Some(h)) => match w.strip_prefix(':') {
                Some(name) => params.push((name.to_string(), decode(h))),
                None if w == h => {}
                None => return None,
            },
            _ => return None,
        }
    }
}

/// Reads a query string (`?next=%2Fme&x`) into its values; `+` is a space.
pub fn parse_query(search: &str) -> ParamsMap {
    ParamsMap(
        search
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(&k.replace('+', " ")), decode(&v.replace('+', " ")))
            })
            .collect(),
    )
}

/// Whether a tab linking to `href` is the one shown at `path`: the tab
/// and the pages under it (`/orders` for `/orders/12`); `/` only itself.
pub fn is_current(href: &str, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let href = href.trim_end_matches('/');
    path == href
        || (!href.is_empty() && path.strip_prefix(href).is_some_and(|r| r.starts_with('/')))
}

/// The first page whose pattern matches `path`, with its path values.
pub fn find_page(patterns: &[&str], path: &str) -> Option<(usize, ParamsMap)> {
    patterns
        .iter()
        .enumerate()
        .find_map(|(i, p)| match_path(p, path).map(|m| (i, m)))
}

/// Where a click on a link to `href` (absolute, as the browser resolved
/// it) goes: `Some(path and query)` when this bundle shows it in place,
/// `None` when the browser loads it (another site, another bundle, or a
/// jump within the page).
pub fn in_place(href: &str, origin: &str, here: &str, own: Bundle) -> Option<String> {
    let rest = href.strip_prefix(origin)?;
    if !rest.starts_with('/') {
        return None;
    }
    let (target, hash) = match rest.split_once('#') {
        Some((t, _)) => (t, true),
        None => (rest, false),
    };
    if hash && target == here {
        return None;
    }
    let path = target.split('?').next().unwrap_or_default();
    (Bundle::for_path(path) == own).then(|| target.to_string())
}

/// The page shown: its path and query string, following history.
#[derive(Clone, Copy)]
pub struct Nav {
    pub path: RwSignal<String>,
    pub search: RwSignal<String>,
    own: Bundle,
}

fn location() -> (String, String) {
    if let Some(here) = crate::first_screen::rendering(|p| (p.path.clone(), p.search.clone())) {
        return here;
    }
    let l = window().location();
    (
        l.pathname().unwrap_or_default(),
        l.search().unwrap_or_default(),
    )
}

impl Nav {
    fn sync(&self) {
        let (path, search) = location();
        if self.path.get_untracked() != path {
            crate::page_data::forget();
            self.path.set(path);
        }
        if self.search.get_untracked() != search {
            self.search.set(search);
        }
    }

    /// Goes to `href`: in place within this bundle, as a new history
    /// entry at the top of the page; by a full load into another bundle.
    pub fn go(&self, href: &str) {
        if other_bundle_link(href, self.own) {
            let _ = window().location().assign(href);
            return;
        }
        let here = format!(
            "{}{}",
            self.path.get_untracked(),
            self.search.get_untracked()
        );
        if let Ok(h) = window().history() {
            // The page itself again is no new step back.
            let _ = if href == here {
                h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            } else {
                h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            };
        }
        self.sync();
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }
}

pub fn use_nav() -> Nav {
    expect_context::<Nav>()
}

/// Navigation from code (after a login, a logout, a save).
pub fn use_go() -> impl Fn(&str) + Clone + 'static {
    let nav = use_nav();
    move |href: &str| nav.go(href)
}

/// The path values of the page shown (`slug` in `/v/:slug`).
pub fn use_params_map() -> Memo<ParamsMap> {
    expect_context::<PathParams>().0
}

/// A path parameter of the page shown, `""` when absent (tracked).
pub fn use_param(name: &'static str) -> impl Fn() -> String + Copy + 'static {
    let params = use_params_map();
    move || params.read().get(name).unwrap_or_default()
}

/// The query values of the page shown.
pub fn use_query_map() -> Memo<ParamsMap> {
    let nav = use_nav();
    Memo::new(move |_| nav.search.with(|s| parse_query(s)))
}

#[derive(Clone, Copy)]
struct PathParams(Memo<ParamsMap>);

/// Follows the browser's location for bundle `own`: Back and Forward, and
/// plain clicks on links to this bundle's pages, which change the page in
/// place. Other links are left to the browser.
pub fn provide_nav(own: Bundle) -> Nav {
    let (path, search) = location();
    let nav = Nav {
        path: RwSignal::new(path),
        search: RwSignal::new(search),
        own,
    };
    provide_context(nav);
    if !crate::first_screen::IN_BROWSER {
        return nav;
    }
    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        // The page being left, so that Forward (or Back) to it lands there.
        let left = format!("{}{}", nav.path.get_untracked(), nav.search.get_untracked());
        crate::scroll::keep_position_of(&left);
        nav.sync();
    });
    // Bubble phase: the scroll keeper sees the click first (capture), and
    // may already have turned it into a Back.
    let click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.ctrl_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let Some(a) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
        else {
            return;
        };
        let target = a.get_attribute("target").unwrap_or_default();
        if a.has_attribute("download") || !(target.is_empty() || target == "_self") {
            return;
        }
        // The `href` property is the link resolved against the page.
        let href = js_sys::Reflect::get(&a, &"href".into())
            .ok()
            .and_then(|h| h.as_string())
            .unwrap_or_default();
        let origin = window().location().origin().unwrap_or_default();
        let here = format!("{}{}", nav.path.get_untracked(), nav.search.get_untracked());
        if let Some(to) = in_place(&href, &origin, &here, own) {
            ev.prevent_default();
            nav.go(&to);
        }
    });
    let _ = window().add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
    // Lives as long as the page.
    click.forget();
    nav
}

/// One page of a bundle: its path pattern and its view.
pub type Page = (&'static str, fn() -> AnyView);

/// Shows the page of `pages` that matches the current path. A path of
/// another bundle is loaded in full; any other unknown path is the 404 page.
#[component]
pub fn Pages(pages: &'static [Page]) -> impl IntoView {
    let nav = use_nav();
    let patterns: Vec<&str> = pages.iter().map(|(p, _)| *p).collect();
    let found = Memo::new(move |_| nav.path.with(|p| find_page(&patterns, p)));
    provide_context(PathParams(Memo::new(move |_| {
        found.get().map(|(_, params)| params).unwrap_or_default()
    })));
    move || match found.get() {
        Some((i, _)) => (pages[i].1)(),
        None => elsewhere(nav),
    }
}

fn elsewhere(nav: Nav) -> AnyView {
    let path = nav.path.get_untracked();
    if Bundle::for_path(&path) != nav.own {
        let full = format!("{path}{}", nav.search.get_untracked());
        let _ = window().location().replace(&full);
        return view! { <crate::components::Loading /> }.into_any();
    }
    view! { <crate::components::NotFound /> }.into_any()
}

/// Whether a link's `href` is a page of another bundle of the app (see
/// `domain::bundle`): only same-origin paths such as `/cart?x=1` count.
pub fn other_bundle_link(href: &str, own: domain::bundle::Bundle) -> bool {
    if !href.starts_with('/') || href.starts_with("//") {
        return false;
    }
    let path = href.split(['?', '#']).next().unwrap_or_default();
    domain::bundle::Bundle::for_path(path) != own
}

/// Where to go after logging in to the shop: only a path on this site,
/// else home.
pub fn safe_next(next: Option<String>) -> String {
    safe_next_within("/", next)
}

/// Where to go after logging in to an area of the site (`/` for the shop,
/// `/organise` for the workspace): only a path inside it, else its start.
pub fn safe_next_within(area: &str, next: Option<String>) -> String {
    next.filter(|n| n.starts_with(area) && !n.starts_with("//"))
        .unwrap_or_else(|| area.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(m: &ParamsMap) -> Vec<(&str, &str)> {
        m.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    #[test]
    fn a_path_matches_its_pattern_and_yields_its_values() {
        let m = match_path("/v/:slug/h/:id", "/v/liu/h/7").unwrap();
        assert_eq!(pairs(&m), vec![("slug", "liu"), ("id", "7")]);
        assert_eq!(m.get("id").as_deref(), Some("7"));
        assert_eq!(m.get("nope"), None);
        assert!(match_path("/", "/").is_some());
        assert!(
            match_path("/v/:slug", "/v/liu/").is_some(),
            "trailing slash"
        );
        assert_eq!(
            match_path("/label/:code", "/label/A%20B")
                .unwrap()
                .get("code")
                .as_deref(),
            Some("A B")
        );
    }

    #[test]
    fn a_path_of_another_shape_does_not_match() {
        assert!(match_path("/v/:slug", "/v").is_none());
        assert!(match_path("/v/:slug", "/v/liu/visit").is_none());
        assert!(match_path("/v/:slug/visit", "/v/liu/h").is_none());
        assert!(match_path("/", "/v").is_none());
        assert!(match_path("/p/:id", "/q/1").is_none());
    }

    #[test]
    fn the_first_matching_page_wins() {
        let pages = [
            "/organise/v/:slug/products",
            "/organise/v/:slug/products/new",
            "/organise/v/:slug/products/:id",
        ];
        assert_eq!(
            find_page(&pages, "/organise/v/liu/products/new").unwrap().0,
            1
        );
        let (i, m) = find_page(&pages, "/organise/v/liu/products/12").unwrap();
        assert_eq!((i, m.get("id").as_deref()), (2, Some("12")));
        assert!(find_page(&pages, "/organise/v/liu").is_none());
    }

    #[test]
    fn a_tab_is_current_on_its_page_and_the_pages_under_it() {
        assert!(is_current("/", "/"));
        assert!(!is_current("/", "/v/liu"));
        assert!(is_current("/orders", "/orders"));
        assert!(is_current("/orders", "/orders/12"));
        assert!(is_current("/cart", "/cart/"));
        assert!(!is_current("/orders", "/ordersx"));
        assert!(!is_current("/cart", "/"));
    }

    #[test]
    fn query_values_are_decoded() {
        let q = parse_query("?next=%2Forganise%2Fv%2Fliu&saved=1&flag&name=Li+Wei");
        assert_eq!(q.get("next").as_deref(), Some("/organise/v/liu"));
        assert_eq!(q.get("saved").as_deref(), Some("1"));
        assert_eq!(q.get("flag").as_deref(), Some(""));
        assert_eq!(q.get("name").as_deref(), Some("Li Wei"));
        assert_eq!(q.get("code"), None);
        assert_eq!(parse_query(""), ParamsMap::default());
    }

    #[test]
    fn only_this_bundles_pages_change_in_place() {
        let o = "http://127.0.0.1:8080";
        let shop = Bundle::Shop;
        assert_eq!(
            in_place(&format!("{o}/v/liu"), o, "/", shop).as_deref(),
            Some("/v/liu")
        );
        assert_eq!(
            in_place(&format!("{o}/p/3?x=1"), o, "/", shop).as_deref(),
            Some("/p/3?x=1")
        );
        // Another bundle's page, another site: the browser loads them.
        assert_eq!(in_place(&format!("{o}/cart"), o, "/", shop), None);
        assert_eq!(in_place("https://example.com/v/liu", o, "/", shop), None);
        assert_eq!(
            in_place(&format!("{o}/trips/4"), o, "/v/liu", Bundle::Visit).as_deref(),
            Some("/trips/4")
        );
        // A jump within the page is the browser's; to another page, ours.
        assert_eq!(in_place(&format!("{o}/v/liu#cal"), o, "/v/liu", shop), None);
        assert_eq!(
            in_place(&format!("{o}/v/liu#cal"), o, "/", shop).as_deref(),
            Some("/v/liu")
        );
    }

    #[test]
    fn links_to_other_bundles() {
        use domain::bundle::Bundle::{Account, Shop, Visit};
        assert!(other_bundle_link("/cart", Shop));
        assert!(other_bundle_link("/orders/ab?x=1#top", Shop));
        assert!(other_bundle_link("/v/liu/visit", Account));
        assert!(other_bundle_link("/v/liu", Visit));
        assert!(!other_bundle_link("/v/liu/h/3", Shop));
        assert!(!other_bundle_link("/trips/3", Visit));
        // Not paths of this site.
        assert!(!other_bundle_link("https://example.org/cart", Shop));
        assert!(!other_bundle_link("//example.org/cart", Shop));
        assert!(!other_bundle_link("#reviews", Account));
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/cart".into())), "/cart");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn the_workspace_follows_only_its_own_paths() {
        let next = |n: &str| safe_next_within("/organise", Some(n.into()));
        assert_eq!(next("/organise/v/liu"), "/organise/v/liu");
        assert_eq!(next("/cart"), "/organise");
        assert_eq!(next("//evil.example/organise"), "/organise");
        assert_eq!(next("https://evil.example/organise"), "/organise");
        assert_eq!(safe_next_within("/organise", None), "/organise");
    }
}
