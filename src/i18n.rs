//! Chinese and English. The texts live in `locales/*.json`; `build.rs`
//! turns each key into a function of the language, so a missing or
//! misspelt key, or a wrong set of values to fill in, is a compile error.
//!
//! leptos_i18n did this before at about 20 KB of brotli wasm per bundle,
//! mostly for matching the browser's languages with ICU's locale parser;
//! two languages need a prefix test.
//!
//! - `t!(i18n, key)`: a reactive text for a view.
//! - `t_string!(i18n, key)` / `t_string!(i18n, key, name = value, ..)`:
//!   the text now, with values filled in.
//! - `td_string!(locale, key, ..)`: the same in a given language.

use std::fmt;

use leptos::prelude::*;

/// The texts, one function per key (generated from `locales/*.json`).
#[allow(non_camel_case_types, clippy::all)]
pub mod keys {
    include!(concat!(env!("OUT_DIR"), "/i18n_keys.rs"));
}

/// A language of the app. Named as the locale files are.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Locale {
    /// The default when the browser asks for neither.
    #[default]
    zh,
    en,
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Locale::zh => "zh",
            Locale::en => "en",
        })
    }
}

impl std::str::FromStr for Locale {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "zh" => Ok(Locale::zh),
            "en" => Ok(Locale::en),
            _ => Err(()),
        }
    }
}

/// The language to start in: the one the user chose on this phone, else
/// the first of the browser's languages that the app has, else Chinese.
pub fn pick_locale(saved: Option<&str>, browser: &[String]) -> Locale {
    if let Some(l) = saved.and_then(|s| s.parse().ok()) {
        return l;
    }
    browser
        .iter()
        .find_map(|tag| {
            let primary = tag.split(['-', '_']).next().unwrap_or_default();
            match primary.to_ascii_lowercase().as_str() {
                "zh" => Some(Locale::zh),
                "en" => Some(Locale::en),
                _ => None,
            }
        })
        .unwrap_or_default()
}

/// The language of the moment, shared by every view of the page.
#[derive(Clone, Copy)]
pub struct I18n(RwSignal<Locale>);

impl I18n {
    pub fn get_locale(self) -> Locale {
        self.0.get()
    }

    pub fn get_locale_untracked(self) -> Locale {
        self.0.get_untracked()
    }

    /// Switches language and keeps the choice on the phone.
    pub fn set_locale(self, locale: Locale) {
        use gloo_storage::{LocalStorage, Storage};
        self.0.set(locale);
        let _ = LocalStorage::set(LANG_KEY, locale.to_string());
        keep_in_cookie(locale);
    }
}

/// localStorage key of the language the user chose.
const LANG_KEY: &str = "storefront.lang";

/// The language chosen on this phone, else the browser's. The choice is
/// also kept in a cookie, so that the server renders the next page's
/// first screen in it.
fn browser_locale() -> Locale {
    use gloo_storage::{LocalStorage, Storage};
    let saved = LocalStorage::get::<String>(LANG_KEY).ok();
    let browser: Vec<String> = window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .collect();
    let locale = pick_locale(saved.as_deref(), &browser);
    if saved.is_some() {
        keep_in_cookie(locale);
    }
    locale
}

/// `lang=zh|en` for a year, sent with every page request (`api`'s
/// `request_lang` reads it).
fn keep_in_cookie(locale: Locale) {
    let cookie = format!("lang={locale}; Path=/; Max-Age=31536000; SameSite=Lax");
    let _ = js_sys::Reflect::set(&document(), &"cookie".into(), &cookie.into());
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// Starts the page in its language and keeps `<html lang>` in step, so
/// that screen readers and fonts follow.
pub fn provide_i18n() -> I18n {
    let locale =
        crate::first_screen::rendering(|p| crate::locale_of(p.lang)).unwrap_or_else(browser_locale);
    let i18n = I18n(RwSignal::new(locale));
    provide_context(i18n);
    Effect::new(move |_| {
        let tag = match i18n.get_locale() {
            Locale::zh => "zh-CN",
            Locale::en => "en",
        };
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("lang", tag);
        }
    });
    i18n
}

macro_rules! t {
    ($i18n:expr, $key:ident) => {{
        let i18n = $i18n;
        move || $crate::i18n::keys::$key(i18n.get_locale())
    }};
}

macro_rules! t_string {
    ($i18n:expr, $($rest:tt)+) => {
        $crate::i18n::td_string!($i18n.get_locale(), $($rest)+)
    };
}

macro_rules! td_string {
    ($locale:expr, $key:ident $(,)?) => {
        $crate::i18n::keys::$key($locale)
    };
    ($locale:expr, $key:ident, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::keys::$key(
            $locale,
            $crate::i18n::keys::args::$key { $($name: &$value),+ },
        )
    };
}

pub(crate) use {t, t_string, td_string};

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_browser_language_decides_until_the_user_chooses() {
        assert_eq!(pick_locale(None, &langs(&["en-US", "zh-CN"])), Locale::en);
        assert_eq!(pick_locale(None, &langs(&["zh-TW"])), Locale::zh);
        assert_eq!(pick_locale(None, &langs(&["fr-FR", "en-GB"])), Locale::en);
        assert_eq!(pick_locale(None, &langs(&["EN"])), Locale::en);
        // Neither language: Chinese.
        assert_eq!(pick_locale(None, &langs(&["ja", "fr"])), Locale::zh);
        assert_eq!(pick_locale(None, &[]), Locale::zh);
        // A choice made on the phone wins; a bad one is ignored.
        assert_eq!(pick_locale(Some("zh"), &langs(&["en-US"])), Locale::zh);
        assert_eq!(pick_locale(Some("xx"), &langs(&["en-US"])), Locale::en);
    }

    #[test]
    fn a_locale_reads_back_from_its_name() {
        for l in [Locale::zh, Locale::en] {
            assert_eq!(l.to_string().parse::<Locale>(), Ok(l));
        }
    }

    #[test]
    fn texts_come_in_the_chosen_language_with_values_filled_in() {
        assert_eq!(keys::app_name(Locale::en), "Village to Neighbour");
        let en = td_string!(Locale::en, distance, km = 62, city = "Beijing");
        assert_eq!(en, "62 km from Beijing");
        let zh = td_string!(Locale::zh, distance, km = 62, city = "北京");
        assert!(zh.contains("62") && zh.contains("北京"), "{zh}");
    }
}
