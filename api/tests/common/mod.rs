//! Shared by the API tests: a fresh database and fake `dist/` per test
//! ([`Env`]), the app served in-process ([`Server`]) or as the real binary
//! ([`Process`]), clients and request helpers ([`Http`], [`Organiser`],
//! [`call`]), which check every answer against the OpenAPI document
//! ([`check_answer`]), and SQL fixtures and checks ([`db`]).

#![allow(dead_code)]

mod db;
mod http;
mod openapi;
mod process;
mod server;

use std::{fs, io::Read, path::PathBuf};

use serde_json::{json, Value};

pub use db::*;
pub use http::*;
pub use openapi::*;
pub use process::Process;
pub use server::{Logs, Server};

pub const INDEX_HTML: &str = "<!doctype html><html><head><title>Storefront test</title></head>\
<body><!-- the app mounts here; padding so the page is big enough to compress: \
lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet \
lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet --></body></html>\n";
pub const HASHED_JS: &str = "storefront-1a2b3c4d5e6f7890.js";
pub const HASHED_WASM: &str = "storefront-1a2b3c4d5e6f7890_bg.wasm";

/// A shop page as sent, with what the server writes into it for the page
/// (its head and its data, `http::page_head`) taken out: what is left is
/// the template it was made from.
pub fn template_of(html: &str) -> String {
    let mut html = html.to_owned();
    if let (Some(start), Some(end)) = (html.find("<head>"), html.find("</head>")) {
        html.replace_range(start + "<head>".len()..end, "");
    }
    if let Some(start) = html.find("<script type=\"application/json\" id=\"page-data\"") {
        let end = start + html[start..].find("</script>").unwrap() + "</script>".len();
        html.replace_range(start..end, "");
    }
    html
}

/// A temporary folder with a database path (in a folder that does not exist
/// yet) and a dist folder holding `index.html` and hashed assets.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub dist: PathBuf,
}

impl Env {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir
            .path()
            .join("data")
            .join("nested")
            .join("storefront.sqlite3");
        let dist = dir.path().join("dist");
        fs::create_dir_all(&dist).unwrap();
        fs::write(dist.join("index.html"), INDEX_HTML).unwrap();
        fs::write(dist.join(HASHED_JS), js_bytes()).unwrap();
        fs::write(dist.join(HASHED_WASM), wasm_bytes()).unwrap();
        Self { dir, db, dist }
    }

    /// The app in-process on this folder's database and dist.
    pub async fn start(&self) -> Server {
        Server::start_at(&self.db, &self.dist, &[]).await
    }
}

/// A repetitive (so compressible) fake JS bundle.
pub fn js_bytes() -> Vec<u8> {
    "export function hello() { return 'nested market'; }\n"
        .repeat(200)
        .into_bytes()
}

/// A fake wasm module: the magic header, then compressible bytes.
pub fn wasm_bytes() -> Vec<u8> {
    let mut v = b"\0asm\x01\0\0\0".to_vec();
    v.extend((0..20_000u32).map(|i| (i % 7) as u8));
    v
}

pub fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

pub fn brotli_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

pub fn gzip_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

/// The `field`s of an error body.
pub fn fields(body: &Value) -> Vec<String> {
    body["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The body names `field` alone, with a message containing `words`.
pub fn assert_field(body: &Value, field: &str, words: &str) {
    assert_eq!(fields(body), [field], "{body}");
    let message = body["fields"][0]["message"].as_str().unwrap();
    assert!(message.contains(words), "{body}");
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The date `offset` days from today in Shanghai, as the API writes it.
pub fn day(offset: i64) -> String {
    domain::wire::format_date(
        domain::shanghai_date(time::OffsetDateTime::now_utc()) + time::Duration::days(offset),
    )
}

/// An order body: `lines` are (product, quantity).
pub fn order_body(round: i64, point: i64, lines: &[(i64, i64)]) -> Value {
    json!({
        "round_id": round,
        "point_id": point,
        "lines": lines.iter().map(|(p, q)| json!({"product_id": p, "quantity": q})).collect::<Vec<_>>(),
    })
}

/// A booking for `slug` arriving `offset` days from today, no meals.
pub fn booking_body(
    slug: &str,
    offset: i64,
    nights: u32,
    adults: u32,
    children: u32,
    host: Option<i64>,
) -> Value {
    json!({
        "village_slug": slug,
        "arrival": day(offset),
        "nights": nights,
        "adults": adults,
        "children": children,
        "host_id": host,
        "meals": [],
        "name": "周小燕",
        "phone": "139 1234 5678",
    })
}
