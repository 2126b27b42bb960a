//! Catalogue answers (a village page, a product page) kept in memory as
//! JSON and compressed, so a repeat read costs a map lookup rather than
//! about ten queries and a fresh brotli of 20 KB.
//!
//! An answer is used again only while both hold:
//! - **The database is as it was** when the answer was read. SQLite keeps,
//!   in the write-ahead log's index (the `-shm` file), a header that every
//!   commit rewrites: its change counter, last frame and salts. Any commit,
//!   by this process or another (the `admin` commands, a test's sqlite3),
//!   changes it before the writer gets its answer, so an order's effect on
//!   stock shows in the very next read. Reading the header is one small
//!   read of a file in memory; without the file nothing is kept.
//!
//!   The file stays open for as long as the process runs: closing any
//!   descriptor of a file drops every POSIX lock this process holds on it,
//!   SQLite's included, and another connection would then rebuild the
//!   index under the ones still using it (they die of SIGBUS).
//! - **No time boundary has passed** that changes the answer by itself: a
//!   round opening or closing, or the day changing in Asia/Shanghai. Whoever
//!   builds an answer says when that is.
//!
//! Each answer carries a strong `ETag` of its bytes: a repeat read with
//! `If-None-Match` gets a 304 and no body.

use std::{
    collections::HashMap,
    fs::File,
    future::Future,
    mem::ManuallyDrop,
    os::unix::fs::{FileExt as _, MetadataExt as _},
    path::PathBuf,
    sync::{Arc, Mutex, OnceLock},
};

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::http::error::{Error, Result};

/// A bound on the entries, far above the catalogue's size: only answers
/// for things that exist are kept.
const MAX_ENTRIES: usize = 4096;

/// The first copy of the WAL-index header: 48 bytes, rewritten by every
/// commit (SQLite's file format, "WAL-Index Format").
const WAL_INDEX_HEADER: usize = 48;

/// Brotli quality for kept answers: each is compressed once and read many
/// times over slow networks, so a high quality pays.
const BROTLI_QUALITY: u32 = 9;

/// What the database looked like when a read began.
type Stamp = [u8; WAL_INDEX_HEADER];

pub struct ReadCache {
    /// The database's `-shm` file.
    wal_index: PathBuf,
    /// It, open, with its inode number. Never closed (see above).
    open: Mutex<Option<(ManuallyDrop<File>, u64)>>,
    entries: Mutex<HashMap<String, Arc<Answer>>>,
}

impl ReadCache {
    pub fn new(db_path: &std::path::Path) -> Self {
        let mut wal_index = db_path.as_os_str().to_owned();
        wal_index.push("-shm");
        Self {
            wal_index: wal_index.into(),
            open: Mutex::new(None),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The WAL-index header as it is now; `None` when it cannot be read.
    /// SQLite makes the file anew when the database's last connection has
    /// closed and another opens: then the new one is opened (the old one,
    /// unlinked, is left open).
    fn stamp(&self) -> Option<Stamp> {
        let inode = std::fs::metadata(&self.wal_index).ok()?.ino();
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.as_ref().map(|(_, i)| *i) != Some(inode) {
            let file = File::open(&self.wal_index).ok()?;
            let inode = file.metadata().ok()?.ino();
            *open = Some((ManuallyDrop::new(file), inode));
        }
        let (file, _) = open.as_ref()?;
        let mut header = [0u8; WAL_INDEX_HEADER];
        file.read_exact_at(&mut header, 0).ok()?;
        Some(header)
    }

    /// The answer kept under `key`, or the one `build` makes (and keeps).
    /// `build` gets the time of the read and gives the JSON and the time it
    /// next changes by itself.
    pub async fn read<F, Fut>(&self, key: &str, build: F) -> Result<Arc<Answer>>
    where
        F: FnOnce(OffsetDateTime) -> Fut,
        Fut: Future<Output = Result<(Vec<u8>, OffsetDateTime)>>,
    {
        let now = OffsetDateTime::now_utc();
        // Taken before the queries: a commit during them makes the answer
        // out of date at once, never kept as current.
        let stamp = self.stamp();
        if let Some(answer) = stamp.and_then(|s| self.kept(key, &s, now)) {
            return Ok(answer);
        }
        let (json, until) = build(now).await?;
        let answer = Arc::new(Answer::new(stamp, until, json));
        if stamp.is_some() {
            self.keep(key, answer.clone());
        }
        Ok(answer)
    }

    /// [`Self::read`] for an answer `build` gives as a value, kept as its
    /// JSON.
    pub async fn read_json<T, F, Fut>(&self, key: &str, build: F) -> Result<Arc<Answer>>
    where
        T: serde::Serialize,
        F: FnOnce(OffsetDateTime) -> Fut,
        Fut: Future<Output = Result<(T, OffsetDateTime)>>,
    {
        self.read(key, |now| async move {
            let (value, until) = build(now).await?;
            let json = serde_json::to_vec(&value)
                .map_err(|e| Error::internal(format_args!("answer {key}: {e}")))?;
            Ok((json, until))
        })
        .await
    }

    fn kept(&self, key: &str, stamp: &Stamp, now: OffsetDateTime) -> Option<Arc<Answer>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|a| a.stamp.as_ref() == Some(stamp) && now < a.until)
            .cloned()
    }

    fn keep(&self, key: &str, answer: Arc<Answer>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(key) {
            entries.retain(|_, a| a.stamp == answer.stamp);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key.to_owned(), answer);
    }
}

/// One answer: its JSON, the compressed forms made when first asked for,
/// and its `ETag`.
pub struct Answer {
    stamp: Option<Stamp>,
    until: OffsetDateTime,
    json: Bytes,
    etag: HeaderValue,
    br: OnceLock<Bytes>,
    gzip: OnceLock<Bytes>,
}

impl Answer {
    fn new(stamp: Option<Stamp>, until: OffsetDateTime, json: Vec<u8>) -> Self {
        let digest = Sha256::digest(&json);
        let etag = HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..16])))
            .expect("hex is a valid header value");
        Self {
            stamp,
            until,
            json: json.into(),
            etag,
            br: OnceLock::new(),
            gzip: OnceLock::new(),
        }
    }

    pub fn json(&self) -> &[u8] {
        &self.json
    }

    /// The answer to a request with these headers: 304 when the client
    /// holds this version, else the JSON in the best encoding it accepts.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let vary = (header::VARY, HeaderValue::from_static("accept-encoding"));
        let etag = (header::ETAG, self.etag.clone());
        if holds(request, &self.etag) {
            return (StatusCode::NOT_MODIFIED, [vary, etag]).into_response();
        }
        let json = (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let (body, encoding) = if accepts(request, "br") {
            (self.br.get_or_init(|| brotli(&self.json)).clone(), "br")
        } else if accepts(request, "gzip") {
            (self.gzip.get_or_init(|| gzip(&self.json)).clone(), "gzip")
        } else {
            return (
                StatusCode::OK,
                [vary, etag, json],
                Body::from(self.json.clone()),
            )
                .into_response();
        };
        let encoding = (header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        (
            StatusCode::OK,
            [vary, etag, json, encoding],
            Body::from(body),
        )
            .into_response()
    }
}

/// Whether `If-None-Match` names `etag` (or is `*`). Weak comparison, as
/// RFC 9110 asks for this header.
fn holds(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let etag = etag.as_bytes();
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/").as_bytes() == etag)
}

/// Whether `Accept-Encoding` accepts `coding` (named, without `q=0`).
pub(crate) fn accepts(request: &HeaderMap, coding: &str) -> bool {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let named = parts.next().is_some_and(|n| n.eq_ignore_ascii_case(coding));
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
            });
            named && !refused
        })
}

fn brotli(json: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(json.len() / 4);
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY as i32,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &json[..], &mut out, &params)
        .expect("compressing into memory cannot fail");
    out.into()
}

fn gzip(json: &[u8]) -> Bytes {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(json)
        .and_then(|_| encoder.finish())
        .map(Bytes::from)
        .expect("compressing into memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    /// A cache on a stand-in `-shm` file the test rewrites.
    fn cache() -> (ReadCache, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db.sqlite3");
        std::fs::write(dir.path().join("db.sqlite3-shm"), [1u8; 64]).unwrap();
        (ReadCache::new(&db), dir)
    }

    async fn read(cache: &ReadCache, body: &str, until: OffsetDateTime) -> Arc<Answer> {
        let body = body.as_bytes().to_vec();
        cache
            .read("k", |_| async move { Ok((body, until)) })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn kept_until_a_commit_or_the_time_it_changes() {
        let (cache, dir) = cache();
        let later = OffsetDateTime::now_utc() + Duration::hours(1);
        assert_eq!(read(&cache, "one", later).await.json(), b"one");
        assert_eq!(read(&cache, "two", later).await.json(), b"one", "kept");
        // A commit rewrites the header.
        std::fs::write(dir.path().join("db.sqlite3-shm"), [2u8; 64]).unwrap();
        assert_eq!(read(&cache, "three", later).await.json(), b"three");
        // An answer whose boundary has passed is read again.
        std::fs::write(dir.path().join("db.sqlite3-shm"), [3u8; 64]).unwrap();
        let past = OffsetDateTime::now_utc() - Duration::seconds(1);
        assert_eq!(read(&cache, "four", past).await.json(), b"four");
        assert_eq!(read(&cache, "five", later).await.json(), b"five");
        // Without the file nothing is kept.
        std::fs::remove_file(dir.path().join("db.sqlite3-shm")).unwrap();
        assert_eq!(read(&cache, "six", later).await.json(), b"six");
        assert_eq!(read(&cache, "seven", later).await.json(), b"seven");
    }

    #[test]
    fn encodings_and_not_modified() {
        let a = Answer::new(None, OffsetDateTime::now_utc(), br#"{"a":1}"#.to_vec());
        let etag = a.etag.to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");

        let res = a.respond(&headers(&[(header::ACCEPT_ENCODING, "gzip, deflate, br")]));
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(res.headers()[header::ETAG], etag.as_str());
        assert_eq!(res.headers()[header::VARY], "accept-encoding");

        let res = a.respond(&headers(&[(header::ACCEPT_ENCODING, "br;q=0, gzip")]));
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
        let res = a.respond(&headers(&[]));
        assert!(res.headers().get(header::CONTENT_ENCODING).is_none());

        for held in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"x\", {etag}"),
            "*".into(),
        ] {
            let res = a.respond(&headers(&[(header::IF_NONE_MATCH, &held)]));
            assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{held}");
        }
        let res = a.respond(&headers(&[(header::IF_NONE_MATCH, "\"other\"")]));
        assert_eq!(res.status(), StatusCode::OK);
    }
}
