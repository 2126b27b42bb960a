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
use storefront::first_screen::{self, FirstScreen};

use crate::{
    http::{lang::request_lang, params::Slug},
    shop::{households, products, villages},
    AppState,
};
use domain::Lang;

/// The head, first screen and its data of one shop page.
#[derive(Debug, PartialEq)]
pub struct PageHead {
    pub lang: Lang,
    pub title: String,
    pub description: String,
    /// Absolute path of the photo to preview, if the page has one.
    pub image: Option<String>,
    /// The API path whose answer `data` is.
    pub data_path: String,
    pub data: String,
    /// The page's first screen as the app draws it (`storefront::first_screen`).
    pub body: String,
}

/// The shop page `path` (with `query`) shows, if it is one whose first
/// screen the server knows; `None` for any other path, or when the thing
/// is missing (the app then shows its own 404 or retry).
pub async fn for_path(
    state: &AppState,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Option<PageHead> {
    let lang = request_lang(&None, headers);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let state = State(state.clone());
    let (title, description, image, data_path, json) = match segments.as_slice() {
        [] => {
            let Json(list) = villages::list(state).await.ok()?;
            let json = serde_json::to_vec(&list).ok()?;
            let data_path = "/api/villages".to_owned();
            (
                app_name(lang).to_owned(),
                default_description(lang),
                None,
                data_path,
                json,
            )
        }
        ["v", slug] => {
            let slug = Slug::parse("slug", slug).ok()?;
            let answer = villages::detail_answer(&state, &slug.0).await.ok()?;
            let v: VillageDetail = serde_json::from_slice(answer.json()).ok()?;
            (
                page_title(&v.name, lang),
                v.tagline.get(lang).to_owned(),
                photo(v.photo.as_ref()),
                format!("/api/villages/{}", slug.0),
                answer.json().to_vec(),
            )
        }
        ["p", id] => {
            let id = id.parse::<i64>().ok().filter(|id| *id > 0)?;
            let answer = products::detail_answer(&state, id).await.ok()?;
            let p: ProductDetail = serde_json::from_slice(answer.json()).ok()?;
            (
                page_title(&p.name, lang),
                p.description.get(lang).to_owned(),
                photo(p.photos.first()),
                format!("/api/products/{id}"),
                answer.json().to_vec(),
            )
        }
        ["v", _, "h", id] => {
            let id = id.parse::<i64>().ok().filter(|id| *id > 0)?;
            let answer = households::detail_answer(&state, id).await.ok()?;
            let h: HouseholdDetail = serde_json::from_slice(answer.json()).ok()?;
            (
                page_title(&h.name, lang),
                h.story.get(lang).to_owned(),
                photo(h.photos.first()),
                format!("/api/households/{id}"),
                answer.json().to_vec(),
            )
        }
        _ => return None,
    };
    let data = String::from_utf8(json).ok()?;
    let body = first_screen::render(FirstScreen {
        path: path.to_owned(),
        search: query.map(|q| format!("?{q}")).unwrap_or_default(),
        lang,
        data_path: data_path.clone(),
        data: data.clone(),
    });
    Some(PageHead {
        lang,
        title,
        description: shortened(&description, 160),
        image,
        data_path,
        data,
        body,
    })
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
    let html = match html.find("<body>") {
        Some(at) => {
            let at = at + "<body>".len();
            format!("{}{data}{}", &html[..at], &html[at..])
        }
        None => html,
    };
    let html = with_first_screen(&html, &head.body, path);
    match head.lang {
        Lang::Zh => html,
        Lang::En => html
            .replacen("<html lang=zh-CN", "<html lang=en", 1)
            .replacen("<html lang=\"zh-CN\"", "<html lang=\"en\"", 1),
    }
}

/// `html` with its loading placeholder (`<div id="boot">`, which holds no
/// other `div`) holding the first screen instead. The app removes the
/// placeholder when it mounts. `data-path` says which page it shows: the
/// offline copy of a page may be served for another (`public/sw.js`), and
/// the template's script then shows the placeholder's spinner instead.
fn with_first_screen(html: &str, body: &str, path: &str) -> String {
    let Some(id) = html.find("id=boot").or_else(|| html.find("id=\"boot\"")) else {
        return html.to_owned();
    };
    let (Some(start), Some(len)) = (html[..id].rfind("<div"), html[id..].find("</div>")) else {
        return html.to_owned();
    };
    let end = id + len + "</div>".len();
    format!(
        "{}<div id=\"boot\" class=\"first-screen\" data-path=\"{}\">{body}</div>{}",
        &html[..start],
        escape(path),
        &html[end..]
    )
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
        <script type=module>import init from '/a.js';</script></head><body><div id=boot class=boot role=status>\
        <span class=spinner></span><span>加载中…</span></div><script>guard()</script></body></html>";

    fn sample(image: Option<&str>) -> PageHead {
        PageHead {
            lang: Lang::Zh,
            title: "Tea \"A&B\" <x> · 乡邻直供".into(),
            description: "Picked by hand".into(),
            image: image.map(str::to_owned),
            data_path: "/api/products/1".into(),
            data: r#"{"name":"</script><script>alert(1)</script>"}"#.into(),
            body: "<header>Tea</header><main id=\"main\">Picked</main>".into(),
        }
    }

    #[test]
    fn the_first_screen_takes_the_placeholders_place() {
        let html = inject(MINIFIED, &sample(None), "http://localhost", "/p/1");
        assert!(html.contains(
            "<div id=\"boot\" class=\"first-screen\" data-path=\"/p/1\">\
             <header>Tea</header><main id=\"main\">Picked</main></div><script>guard()</script>"
        ));
        assert!(!html.contains("加载中"), "the spinner is gone");
        assert!(html.starts_with("<!doctype html><html lang=zh-CN>"));
        let en = PageHead {
            lang: Lang::En,
            ..sample(None)
        };
        let html = inject(MINIFIED, &en, "http://localhost", "/p/1");
        assert!(html.starts_with("<!doctype html><html lang=en>"));
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
