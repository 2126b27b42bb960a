//! Which language a download or a page's first screen is written in. The
//! app keeps the user's choice on the phone and in the cookie `lang`, and
//! its download links say it with `?lang=zh|en`; without either, the
//! browser's `Accept-Language` decides (its first language the app has, by
//! preference), else Chinese.

use axum::http::{header, HeaderMap};
use domain::Lang;

use crate::http::{auth::cookie, params::query_param};

/// `?lang=` if it names a language we have, else the cookie `lang`, else
/// `Accept-Language`, else Chinese.
pub fn request_lang(query: &Option<String>, headers: &HeaderMap) -> Lang {
    if let Some(l) = query_param(query, "lang").and_then(lang_tag) {
        return l;
    }
    if let Some(l) = cookie(headers, "lang").as_deref().and_then(lang_tag) {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(accept_language)
        .unwrap_or(Lang::Zh)
}

fn lang_tag(tag: &str) -> Option<Lang> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.as_str() {
        "zh" => Some(Lang::Zh),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// The most preferred language of an `Accept-Language` value that we have;
/// among equal weights the first listed.
fn accept_language(value: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for part in value.split(',') {
        let mut bits = part.split(';');
        let Some(lang) = bits.next().and_then(lang_tag) else {
            continue;
        };
        let q = bits
            .find_map(|b| b.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(accept).unwrap(),
        );
        h
    }

    #[test]
    fn the_link_then_the_browser_then_chinese() {
        let none = None;
        assert_eq!(request_lang(&none, &HeaderMap::new()), Lang::Zh);
        assert_eq!(request_lang(&none, &with("en-US,en;q=0.9")), Lang::En);
        assert_eq!(
            request_lang(&none, &with("fr-FR, zh-CN;q=0.8, en;q=0.5")),
            Lang::Zh
        );
        assert_eq!(
            request_lang(&none, &with("zh;q=0.3, en-GB;q=0.7")),
            Lang::En
        );
        assert_eq!(request_lang(&none, &with("fr, de")), Lang::Zh);
        assert_eq!(request_lang(&none, &with("en;q=0, zh-TW")), Lang::Zh);
        let en = Some("point=3&lang=en".to_owned());
        assert_eq!(request_lang(&en, &with("zh-CN")), Lang::En);
        let odd = Some("lang=xx".to_owned());
        assert_eq!(request_lang(&odd, &with("en")), Lang::En);
    }

    #[test]
    fn the_choice_kept_in_the_cookie_beats_the_browser() {
        let mut h = with("en-US");
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("sf_session=x; lang=zh"),
        );
        assert_eq!(request_lang(&None, &h), Lang::Zh);
        let link = Some("lang=en".to_owned());
        assert_eq!(request_lang(&link, &h), Lang::En);
        h.insert(header::COOKIE, HeaderValue::from_static("lang=xx"));
        assert_eq!(request_lang(&None, &h), Lang::En);
    }
}
