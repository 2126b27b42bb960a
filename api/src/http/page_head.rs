//! What the server writes into a shop page's HTML before any script runs:
//! the page's own title and description, Open Graph tags (a link shared in
//! a WeChat group shows the product's name, words and photo), and the
//! catalogue answer the page's first screen shows, so the app renders it
//! without a second request over a slow network.
//!
//! The answer is embedded as `<script type="application/json"
//! id="page-data" data-path="/api/...">`: the very JSON the API would send
//! for that path (`src/page_data.rs` takes it once). It is data, never run,
//! so the page's script hashes (its CSP) are those of the template.

use axum::{extract::State, http::HeaderMap, Json};
use domain::{
    dto::{HouseholdDetail, PhotoRef, ProductDetail, VillageDetail},
    LocalText,
};
use serde::Serialize;

use crate::{
    http::{lang::request_lang, params::Slug},
    shop::{households, products, villages},
    AppState,
};
use domain::Lang;

/// The head and first-screen data of one shop page.
#[derive(Debug, PartialEq)]
pub struct PageHead {
    pub title: String,
    pub description: String,
    /// Absolute path of the photo to preview, if the page has one.
    pub image: Option<String>,
    /// The API path whose answer `data` is.
    pub data_path: String,
    pub data: String,
}

/// The shop page `path` shows, if it is one whose first screen the server
/// knows; `None` for any other path, or when the thing is missing (the
/// app then shows its own 404 or retry).
pub async fn for_path(state: &AppState, path: &str, headers: &HeaderMap) -> Option<PageHead> {
    let lang = request_lang(&None, headers);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let state = State(state.clone());
    match segments.as_slice() {
        [] => {
            let Json(list) = villages::list(state).await.ok()?;
            let title = app_name(lang).to_owned();
            Some(head(
                title,
                default_description(lang),
                None,
                "/api/villages".into(),
                &list,
            ))
        }
        ["v", slug] => {
            let slug = Slug::parse("slug", slug).ok()?;
            let data_path = format!("/api/villages/{}", slug.0);
            let answer = villages::detail_answer(&state, &slug.0).await.ok()?;
            let v: VillageDetail = serde_json::from_slice(answer.json()).ok()?;
            let title = page_title(&v.name, lang);
            let description = v.tagline.get(lang).to_owned();
            Some(kept_head(
                title,
                description,
                photo(v.photo.as_ref()),
                data_path,
                answer.json(),
            ))
        }
        ["p", id] => {
            let id = id.parse::<i64>().ok().filter(|id| *id > 0)?;
            let answer = products::detail_answer(&state, id).await.ok()?;
            let p: ProductDetail = serde_json::from_slice(answer.json()).ok()?;
            let title = page_title(&p.name, lang);
            let description = p.description.get(lang).to_owned();
            let data_path = format!("/api/products/{id}");
            Some(kept_head(
                title,
                description,
                photo(p.photos.first()),
                data_path,
                answer.json(),
            ))
        }
        ["v", _, "h", id] => {
            let id = id.parse::<i64>().ok().filter(|id| *id > 0)?;
            let answer = households::detail_answer(&state, id).await.ok()?;
            let h: HouseholdDetail = serde_json::from_slice(answer.json()).ok()?;
            let title = page_title(&h.name, lang);
            let description = h.story.get(lang).to_owned();
            let data_path = format!("/api/households/{id}");
            Some(kept_head(
                title,
                description,
                photo(h.photos.first()),
                data_path,
                answer.json(),
            ))
        }
        _ => None,
    }
}

fn head(
    title: String,
    description: String,
    image: Option<String>,
    data_path: String,
    data: &impl Serialize,
) -> PageHead {
    let data = serde_json::to_vec(data).unwrap_or_default();
    kept_head(title, description, image, data_path, &data)
}

/// [`head`] with the answer's JSON as the API sends it.
fn kept_head(
    title: String,
    description: String,
    image: Option<String>,
    data_path: String,
    json: &[u8],
) -> PageHead {
    PageHead {
        title,
        description: shortened(&description, 160),
        image,
        data_path,
        data: String::from_utf8_lossy(json).into_owned(),
    }
}

fn app_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "乡邻直供",
        Lang::En => "Village to Neighbour",
    }
}

fn default_description(lang: Lang) -> String {
    match lang {
        Lang::Zh => "村里农家直供城里家庭".into(),
        Lang::En => "Village households supplying city families directly".into(),
    }
}

/// "<name> · <app>", as the app titles its pages.
fn page_title(name: &LocalText, lang: Lang) -> String {
    format!("{} · {}", name.get(lang), app_name(lang))
}

/// The largest version of the photo: a chat preview is shown big.
fn photo(photo: Option<&PhotoRef>) -> Option<String> {
    Some(photo?.versions.last()?.url.clone())
}

/// At most `max` characters, cut at a character and marked with "…".
fn shortened(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_owned(),
    }
}

/// `html` (an app page as built) with `head`'s title and description in
/// place of the template's, the Open Graph tags, and the data. `origin` is
/// `https://host` as the request reached us: Open Graph wants absolute
/// URLs.
pub fn inject(html: &str, head: &PageHead, origin: &str, path: &str) -> String {
    let html = without_description(html);
    let title = escape(&head.title);
    let description = escape(&head.description);
    let mut tags = format!(
        "<title>{title}</title>\
         <meta name=\"description\" content=\"{description}\">\
         <meta property=\"og:type\" content=\"website\">\
         <meta property=\"og:site_name\" content=\"乡邻直供 · Village to Neighbour\">\
         <meta property=\"og:title\" content=\"{title}\">\
         <meta property=\"og:description\" content=\"{description}\">\
         <meta property=\"og:url\" content=\"{}\">",
        escape(&format!("{origin}{path}"))
    );
    if let Some(image) = &head.image {
        tags.push_str(&format!(
            "<meta property=\"og:image\" content=\"{}\">",
            escape(&format!("{origin}{image}"))
        ));
    }
    let html = replace_title(&html, &tags);
    // `<` never appears raw inside the script, so `</script>` in a name
    // cannot end it early; `\u003c` is the same JSON.
    let data = format!(
        "<script type=\"application/json\" id=\"page-data\" data-path=\"{}\">{}</script>",
        escape(&head.data_path),
        head.data.replace('<', "\\u003c")
    );
    match html.find("<body>") {
        Some(at) => {
            let at = at + "<body>".len();
            format!("{}{data}{}", &html[..at], &html[at..])
        }
        None => html,
    }
}

/// The template's `<title>…</title>` replaced by `tags` (or `tags` put
/// first in the head when it has none).
fn replace_title(html: &str, tags: &str) -> String {
    if let (Some(start), Some(end)) = (html.find("<title>"), html.find("</title>")) {
        if start < end {
            let end = end + "</title>".len();
            return format!("{}{tags}{}", &html[..start], &html[end..]);
        }
    }
    match html.find("<head>") {
        Some(at) => {
            let at = at + "<head>".len();
            format!("{}{tags}{}", &html[..at], &html[at..])
        }
        None => html.to_owned(),
    }
}

/// `html` without its `<meta name="description">` tag, quoted or not (the
/// build minifies the page).
fn without_description(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<meta") {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + len + 1];
        out.push_str(&rest[..start]);
        if !(tag.contains("name=description") || tag.contains("name=\"description\"")) {
            out.push_str(tag);
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIFIED: &str = "<!doctype html><html lang=zh-CN><meta charset=utf-8>\
        <meta content=\"村里 · Village\" name=description><title>乡邻直供 · Village to Neighbour</title>\
        <script type=module>import init from '/a.js';</script></head><body><div id=boot></div></body></html>";

    fn sample(image: Option<&str>) -> PageHead {
        PageHead {
            title: "Tea \"A&B\" <x> · 乡邻直供".into(),
            description: "Picked by hand".into(),
            image: image.map(str::to_owned),
            data_path: "/api/products/1".into(),
            data: r#"{"name":"</script><script>alert(1)</script>"}"#.into(),
        }
    }

    #[test]
    fn the_head_carries_the_page_title_description_and_open_graph() {
        let html = inject(
            MINIFIED,
            &sample(Some("/api/photos/3/1280.jpg")),
            "https://shop.example",
            "/p/1",
        );
        assert_eq!(html.matches("<title>").count(), 1);
        assert!(html.contains("<title>Tea &quot;A&amp;B&quot; &lt;x&gt; · 乡邻直供</title>"));
        assert!(
            !html.contains("村里 · Village"),
            "the template's description is gone"
        );
        assert_eq!(html.matches("name=\"description\"").count(), 1);
        assert!(html.contains("<meta property=\"og:title\" content=\"Tea &quot;A&amp;B&quot;"));
        assert!(html.contains("content=\"https://shop.example/api/photos/3/1280.jpg\""));
        assert!(html.contains("<meta property=\"og:url\" content=\"https://shop.example/p/1\">"));
        // The app's own script is untouched.
        assert!(html.contains("<script type=module>import init from '/a.js';</script>"));
    }

    #[test]
    fn no_photo_no_image_tag() {
        let html = inject(MINIFIED, &sample(None), "http://localhost", "/p/1");
        assert!(!html.contains("og:image"));
    }

    #[test]
    fn the_data_cannot_end_its_script_early() {
        let html = inject(MINIFIED, &sample(None), "http://localhost", "/p/1");
        let start = html.find("id=\"page-data\"").unwrap();
        let body = &html[start..];
        let end = body.find("</script>").unwrap();
        let json = &body[body.find('>').unwrap() + 1..end];
        assert!(!json.contains('<'));
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(value["name"], "</script><script>alert(1)</script>");
        assert!(html.contains("<body><script type=\"application/json\" id=\"page-data\""));
    }

    #[test]
    fn descriptions_are_cut_at_a_character() {
        assert_eq!(shortened("  短文  ", 10), "短文");
        let long = "茶".repeat(200);
        let cut = shortened(&long, 160);
        assert_eq!(cut.chars().count(), 161);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn a_plain_template_works_too() {
        let plain = "<html><head><meta name=\"description\" content=\"x\" /><title>T</title></head><body></body></html>";
        let html = inject(plain, &sample(None), "http://localhost", "/");
        assert!(!html.contains("content=\"x\""));
        assert_eq!(html.matches("<title>").count(), 1);
        assert!(html.contains("<body><script type=\"application/json\""));
    }
}
