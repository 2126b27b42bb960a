//! Serves the built app (trunk's `dist/`) for every path outside `/api`.
//!
//! - Hashed assets (`name-0123456789abcdef.js`, `…_bg.wasm`, `….css`) are
//!   cached for a year as immutable; everything else is `no-cache` (set by
//!   [`super::response_layers`] around the whole app).
//! - A path that is not a file gets the `index.html` of the app bundle that
//!   serves it (`domain::bundle`) with status 200, so deep links work after
//!   a reload; the app shows its own 404 page.
//! - Unknown `/api/...` paths that reach here still get a JSON 404.
//! - Without a built app the answer is a clear 503, not a panic.
//! - Precompressed `.br`/`.gz` siblings made at build time are served when
//!   the browser accepts them.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};
use tower::ServiceExt as _;
use tower_http::services::ServeDir;

use domain::bundle::Bundle;

use crate::{
    http::{
        headers::{page_csp, via_https},
        page_head::{self, PageHead},
    },
    AppState,
};

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const NO_CACHE: &str = "no-cache";

pub async fn serve(State(state): State<AppState>, req: Request) -> Response {
    // `/api/` (with the slash) is not matched by the nested API router.
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return crate::http::error::Error::not_found(
            format!("没有这个接口：{path}"),
            format!("no API endpoint at {path}"),
        )
        .into_response();
    }
    let dist = &state.config.dist_dir;
    let reading = req.method() == Method::GET || req.method() == Method::HEAD;
    // A range of a hashed asset is left to ServeDir, which knows ranges.
    if reading
        && is_hashed_asset(path)
        && is_plain(path)
        && !req.headers().contains_key(header::RANGE)
    {
        if let Some(res) = state.assets.serve(dist, path, req.headers()).await {
            return res;
        }
    }
    let index = dist.join("index.html");
    if !tokio::fs::metadata(&index)
        .await
        .map(|m| m.is_file())
        .unwrap_or(false)
    {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CACHE_CONTROL, NO_CACHE)],
            format!(
                "The storefront app is not built: {} is missing.\n\
                 Build it with `trunk build --release` or point STOREFRONT_DIST at the build output.\n",
                index.display()
            ),
        )
            .into_response();
    }

    let path = req.uri().path().to_owned();
    // A shop page's own head and first-screen data (see `page_head`).
    let head = if reading && Bundle::for_path(&path) == Bundle::Shop {
        page_head::for_path(&state, &path, req.uri().query(), req.headers())
            .await
            .map(|head| (head, origin(&state, &req), path.clone()))
    } else {
        None
    };
    if let Some(page) = page_file(dist, &path) {
        // Pages are read here rather than by ServeDir, for their policy.
        if tokio::fs::metadata(&page).await.is_ok_and(|m| m.is_file()) {
            return if reading {
                index_html(&page, head.as_ref()).await
            } else {
                StatusCode::METHOD_NOT_ALLOWED.into_response()
            };
        }
    }
    if !could_be_a_file(&path) {
        // The file system would refuse the name with an error; it is simply
        // not one of ours.
        return if reading {
            bundle_page(dist, &path, head.as_ref()).await
        } else {
            StatusCode::METHOD_NOT_ALLOWED.into_response()
        };
    }
    // `scripts/build.sh` writes `.br` and `.gz` copies at maximum compression
    // next to each asset; serving those beats compressing on the fly (a
    // third smaller for the wasm). Files without them are still compressed
    // by the global layer.
    let res = match ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .oneshot(req)
        .await
    {
        Ok(res) => res.map(Body::new),
        Err(never) => match never {},
    };
    if res.status() == StatusCode::NOT_FOUND && reading {
        return bundle_page(dist, &path, head.as_ref()).await;
    }
    let mut res = res;
    let ok = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
    if ok && is_hashed_asset(&path) {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    res
}

/// The page of the bundle that serves `path`. Each part of the app is its
/// own bundle in its own directory, so a phone downloads only the part it
/// lands on.
async fn bundle_page(dist: &std::path::Path, path: &str, head: Option<&Head>) -> Response {
    let bundle_index = dist.join(Bundle::for_path(path).dir()).join("index.html");
    if tokio::fs::metadata(&bundle_index).await.is_ok() {
        return index_html(&bundle_index, head).await;
    }
    index_html(&dist.join("index.html"), head).await
}

/// A page's head, with the origin and path it was asked at.
type Head = (PageHead, String, String);

/// `scheme://host` as the client reached us, for the absolute URLs of
/// Open Graph; empty without a `Host`.
fn origin(state: &AppState, req: &Request) -> String {
    let Some(host) = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
    else {
        return String::new();
    };
    let https = via_https(
        state.config.secure_cookie,
        req.extensions(),
        req.headers(),
        &state.config.trusted_proxies,
    );
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// Longest file name (in bytes, as sent: still percent-encoded) and path
/// the built app has any use for; Linux refuses names over 255 bytes.
const MAX_NAME: usize = 255;
const MAX_PATH: usize = 1024;

/// The HTML file a path names directly (`/`, `/app/visit/`,
/// `/index.html`), if it is a plain path within `dist`.
fn page_file(dist: &std::path::Path, path: &str) -> Option<std::path::PathBuf> {
    if !is_plain(path) {
        return None;
    }
    let relative = path.trim_start_matches('/');
    if path.ends_with('/') {
        Some(dist.join(relative).join("index.html"))
    } else if path.ends_with(".html") {
        Some(dist.join(relative))
    } else {
        None
    }
}

/// Whether `path` is a plain path within `dist`: no `.` or `..` segment,
/// nothing percent-encoded, no backslash.
fn is_plain(path: &str) -> bool {
    could_be_a_file(path)
        && path
            .split('/')
            .all(|s| s != ".." && s != "." && !s.contains(['%', '\\']))
}

/// Whether `path` could name a file of the built app at all.
/// The build names its files in plain ASCII, so a percent-encoded byte is
/// never one of them (and a decoded NUL would be an error, not a miss).
fn could_be_a_file(path: &str) -> bool {
    path.len() <= MAX_PATH && !path.contains('%') && path.split('/').all(|s| s.len() <= MAX_NAME)
}

async fn index_html(index: &std::path::Path, head: Option<&Head>) -> Response {
    match tokio::fs::read(index).await {
        Ok(bytes) => {
            // The policy hashes the template's scripts; the embedded data
            // is JSON, never run.
            let csp = page_csp(&bytes);
            let bytes = match (head, std::str::from_utf8(&bytes)) {
                (Some((head, origin, path)), Ok(html)) => {
                    page_head::inject(html, head, origin, path).into_bytes()
                }
                _ => bytes,
            };
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
                    (header::CACHE_CONTROL, NO_CACHE.to_owned()),
                    (header::CONTENT_SECURITY_POLICY, csp),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, path = %index.display(), "cannot read index.html");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CACHE_CONTROL, NO_CACHE)],
                "The storefront app cannot be read.\n",
            )
                .into_response()
        }
    }
}

/// Whether the last path segment is named like trunk's hashed output: a `-`
/// and the hex hash right before the extension (or before `_bg` in
/// `…_bg.wasm`). Trunk prints a 64-bit hash without leading zeros, so it has
/// up to 16 digits; fewer than 12 (1 in 65,536 builds) is treated as
/// unhashed, which only costs a revalidation.
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return false;
    };
    if ext.is_empty() {
        return false;
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((name, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    !name.is_empty()
        && (12..=16).contains(&hash.len())
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn hashed_names() {
        for yes in [
            "/storefront-1a2b3c4d5e6f7890.js",
            "/storefront-1a2b3c4d5e6f7890_bg.wasm",
            "/style-1a2b3c4d5e6f7890.css",
            "/assets/sub/icon-ABCDEF0123456789.svg",
            // Leading zeros of the hash are not printed.
            "/storefront-a2b719f757b5349_bg.wasm",
            "/main-97bdcff15045a91.css",
        ] {
            assert!(is_hashed_asset(yes), "{yes}");
        }
        for no in [
            "/",
            "/index.html",
            "/storefront.js",
            "/storefront-1a2b3c4d5e6.js",
            "/storefront-1a2b3c4d5e6f78901.js",
            "/storefront-1a2b3c4d5e6f789g.js",
            "/-1a2b3c4d5e6f7890.js",
            "/v/liu/h/3",
            "/storefront-1a2b3c4d5e6f7890",
        ] {
            assert!(!is_hashed_asset(no), "{no}");
        }
    }
}
