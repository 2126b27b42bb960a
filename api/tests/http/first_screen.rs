//! A shop page's first screen in its HTML, before any script runs: the
//! app's own components, rendered on the server from the very answer the
//! page embeds, in the reader's language.

use domain::dto::{HouseholdDetail, ProductDetail};
use reqwest::Client;

use crate::common::Env;

/// A built page as the template makes it: the loading placeholder, then a
/// script.
const PAGE: &str = "<!doctype html><html lang=zh-CN><head><title>T</title></head><body>\
<div id=boot class=boot role=status><span class=spinner></span><span>加载中…</span></div>\
<script>guard()</script></body></html>";

/// The first screen of `html` for `path`, or a panic saying what came instead.
fn first_screen<'a>(html: &'a str, path: &str) -> &'a str {
    let open = format!("<div id=\"boot\" class=\"first-screen\" data-path=\"{path}\">");
    let start = html
        .find(&open)
        .unwrap_or_else(|| panic!("{path} has no first screen: {html}"))
        + open.len();
    let end = start + html[start..].find("</div><script>guard()").unwrap();
    &html[start..end]
}

/// The page's `<h1>…</h1>`.
fn heading(screen: &str) -> &str {
    let start = screen.find("<h1").expect("a heading");
    &screen[start..start + screen[start..].find("</h1>").unwrap()]
}

#[tokio::test]
async fn shop_pages_carry_their_first_screen_in_the_readers_language() {
    let env = Env::new();
    std::fs::write(env.dist.join("index.html"), PAGE).unwrap();
    let server = env.start().await;
    let village = server.village("liu").await;

    let html = server.get("/v/liu").await.text().await.unwrap();
    let screen = first_screen(&html, "/v/liu");
    assert!(
        !html.contains("加载中"),
        "the placeholder's spinner is gone"
    );
    assert!(heading(screen).contains(&village.name.zh), "{screen}");
    assert!(screen.contains("<header"), "the app's frame too: {screen}");
    assert!(screen.contains("id=\"main\""));
    for p in &village.products {
        assert!(
            screen.contains(&p.name.zh),
            "{} on the village page",
            p.name.zh
        );
    }
    assert!(html.starts_with("<!doctype html><html lang=zh-CN>"));

    let product: ProductDetail = server
        .json(&format!("/api/products/{}", village.products[0].id))
        .await;
    let path = format!("/p/{}", product.id);
    let html = server.get(&path).await.text().await.unwrap();
    assert!(heading(first_screen(&html, &path)).contains(&product.name.zh));

    let h = &village.households[0];
    let household: HouseholdDetail = server.json(&format!("/api/households/{}", h.id)).await;
    let path = format!("/v/liu/h/{}", h.id);
    let html = server.get(&path).await.text().await.unwrap();
    assert!(heading(first_screen(&html, &path)).contains(&household.name.zh));

    let html = server.get("/").await.text().await.unwrap();
    assert!(first_screen(&html, "/").contains(&village.name.zh));

    // The language chosen on the phone (its cookie) beats the browser's.
    let client = Client::new();
    let en = |cookie: &'static str| {
        client
            .get(server.url("/v/liu"))
            .header("accept-language", "zh-CN")
            .header("cookie", cookie)
            .send()
    };
    let html = en("lang=en").await.unwrap().text().await.unwrap();
    assert!(html.starts_with("<!doctype html><html lang=en>"));
    let screen = first_screen(&html, "/v/liu");
    assert!(heading(screen).contains(&village.name.en), "{screen}");
    assert!(!screen.contains(&village.tagline.zh));
    let html = en("lang=zh").await.unwrap().text().await.unwrap();
    assert!(first_screen(&html, "/v/liu").contains(&village.tagline.zh));
}

#[tokio::test]
async fn pages_the_server_cannot_draw_keep_the_placeholder() {
    let env = Env::new();
    std::fs::write(env.dist.join("index.html"), PAGE).unwrap();
    let server = env.start().await;
    for path in [
        "/p/999999",
        "/v/nowhere",
        "/v/liu/h/999999",
        "/no/such/page",
    ] {
        let html = server.get(path).await.text().await.unwrap();
        assert!(
            html.contains("<div id=boot class=boot role=status>"),
            "{path}: {html}"
        );
        assert!(!html.contains("first-screen"), "{path}");
    }
}
