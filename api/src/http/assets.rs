//! Trunk's hashed assets (the wasm, its JavaScript, the CSS) kept in memory
//! once read, with the `.br` and `.gz` copies the build made. A hashed
//! name changes with its content, so what was read stays right for as long
//! as the server runs; other files (pages, `sw.js`, icons) are read from
//! `dist/` each time, so a new build shows at once.
//!
//! Through `ServeDir` each asset cost a few file operations on the blocking
//! pool; from memory it is a map lookup.

use std::{
    collections::HashMap,
    path::Path,
    sync::{Arc, Mutex},
};

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

use crate::http::{read_cache::accepts, static_files::IMMUTABLE};

/// More than every bundle's files together, several times over.
const MAX_BYTES: usize = 64 << 20;

#[derive(Default)]
pub struct AssetCache {
    files: Mutex<Files>,
}

#[derive(Default)]
struct Files {
    by_path: HashMap<String, Arc<Asset>>,
    bytes: usize,
}

struct Asset {
    content_type: HeaderValue,
    plain: Bytes,
    br: Option<Bytes>,
    gzip: Option<Bytes>,
}

impl AssetCache {
    /// The answer for hashed asset `path` of `dist`, or `None` when there
    /// is no such file (the caller answers as for any other path).
    /// `path` must already be a plain path: no `..`, `%` or `\`.
    pub async fn serve(&self, dist: &Path, path: &str, request: &HeaderMap) -> Option<Response> {
        let kept = self.lock().by_path.get(path).cloned();
        let asset = match kept {
            Some(asset) => asset,
            None => {
                let asset = Arc::new(read(dist, path).await?);
                let size = asset.plain.len()
                    + asset.br.as_ref().map_or(0, Bytes::len)
                    + asset.gzip.as_ref().map_or(0, Bytes::len);
                let mut files = self.lock();
                if files.bytes + size <= MAX_BYTES && !files.by_path.contains_key(path) {
                    files.bytes += size;
                    files.by_path.insert(path.to_owned(), asset.clone());
                }
                asset
            }
        };
        Some(asset.respond(request))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Files> {
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }
}

async fn read(dist: &Path, path: &str) -> Option<Asset> {
    let file = dist.join(path.trim_start_matches('/'));
    let plain = tokio::fs::read(&file).await.ok()?;
    let sibling = |ext: &str| {
        let mut name = file.as_os_str().to_owned();
        name.push(ext);
        name
    };
    let br = tokio::fs::read(sibling(".br")).await.ok().map(Bytes::from);
    let gzip = tokio::fs::read(sibling(".gz")).await.ok().map(Bytes::from);
    let mime = mime_guess::from_path(&file).first_or_octet_stream();
    Some(Asset {
        content_type: HeaderValue::from_str(mime.as_ref()).ok()?,
        plain: plain.into(),
        br,
        gzip,
    })
}

impl Asset {
    fn respond(&self, request: &HeaderMap) -> Response {
        let (body, encoding) = match (&self.br, &self.gzip) {
            (Some(br), _) if accepts(request, "br") => (br.clone(), Some("br")),
            (_, Some(gz)) if accepts(request, "gzip") => (gz.clone(), Some("gzip")),
            _ => (self.plain.clone(), None),
        };
        let mut res = (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, self.content_type.clone()),
                (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
                (header::VARY, HeaderValue::from_static("accept-encoding")),
            ],
            Body::from(body),
        )
            .into_response();
        if let Some(encoding) = encoding {
            res.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        res
    }
}
