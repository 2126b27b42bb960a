//! The catalogue answer the server embedded in a shop page for its first
//! screen (`<script type="application/json" id="page-data"
//! data-path="/api/...">`, written by the API's `page_head`), so a phone on
//! a slow network shows the page without a second request.
//!
//! It is taken once, by the first load of exactly its API path, and dropped
//! as soon as the shopper moves to another page: any later load (a retry, a
//! return, a refresh of the stock) asks the server.

use leptos::prelude::document;

const ID: &str = "page-data";

/// The embedded answer for `path`, if the page carries it and it was not
/// used yet.
pub fn take(path: &str) -> Option<String> {
    if !crate::first_screen::IN_BROWSER {
        return crate::first_screen::take_data(path);
    }
    let el = document().get_element_by_id(ID)?;
    if el.get_attribute("data-path").as_deref() != Some(path) {
        return None;
    }
    el.remove();
    el.text_content()
}

/// Drops the embedded answer: the page it was for is left.
pub fn forget() {
    if !crate::first_screen::IN_BROWSER {
        return;
    }
    if let Some(el) = document().get_element_by_id(ID) {
        el.remove();
    }
}
