//! Test harness: runs the real `api` binary on a free port with a fresh
//! SQLite file and a small fake `dist/`, and talks HTTP to it.

#![allow(dead_code)]

use std::{
    fs,
    io::{BufRead, BufReader, Read},
    path::{Path, PathBuf},
    process::{Child, ChildStdout, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use serde::de::DeserializeOwned;

pub const INDEX_HTML: &str = "<!doctype html><html><head><title>Storefront test</title></head>\
<body><!-- the app mounts here; padding so the page is big enough to compress: \
lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet \
lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet --></body></html>\n";
pub const HASHED_JS: &str = "storefront-1a2b3c4d5e6f7890.js";
pub const HASHED_WASM: &str = "storefront-1a2b3c4d5e6f7890_bg.wasm";

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

    pub fn start(&self) -> Server {
        Server::start(&self.db, &self.dist)
    }

    /// Starts with extra environment variables.
    pub fn start_with(&self, vars: &[(&str, &str)]) -> Server {
        Server::start_with(&self.db, &self.dist, vars)
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

/// The running server. Killed (and reaped) on drop.
pub struct Server {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    pub base: String,
    pub port: u16,
    stderr_path: PathBuf,
    _stderr_dir: tempfile::TempDir,
    pub client: reqwest::Client,
}

impl Server {
    pub fn start(db: &Path, dist: &Path) -> Self {
        Self::start_with(db, dist, &[])
    }

    pub fn start_with(db: &Path, dist: &Path, vars: &[(&str, &str)]) -> Self {
        let stderr_dir = tempfile::tempdir().unwrap();
        let stderr_path = stderr_dir.path().join("stderr.log");
        let stderr = fs::File::create(&stderr_path).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_api"))
            .env("STOREFRONT_ADDR", "127.0.0.1:0")
            .env("STOREFRONT_DB", db)
            .env("STOREFRONT_DIST", dist)
            .env("RUST_LOG", "warn")
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start the api binary");

        // Read the first stdout line on a thread so a hung server cannot hang the test.
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let res = reader.read_line(&mut line).map(|_| line);
            let _ = tx.send((res, reader));
        });
        let (line, reader) = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok((Ok(line), reader)) if !line.is_empty() => (line, reader),
            other => {
                let _ = child.kill();
                let _ = child.wait();
                let mut err = String::new();
                let _ = fs::File::open(&stderr_path).and_then(|mut f| f.read_to_string(&mut err));
                panic!(
                    "server did not report its address ({:?}); stderr:\n{err}",
                    other.map(|(r, _)| r)
                );
            }
        };
        let line = line.trim_end();
        let base = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        let port: u16 = base
            .strip_prefix("http://127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected address in {line:?}"));
        assert_ne!(port, 0, "must print the real bound port");
        Self {
            child,
            _stdout: reader,
            base,
            port,
            stderr_path,
            _stderr_dir: stderr_dir,
            client: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GET without asking for compression.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_encoded(&self, path: &str, accept_encoding: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("accept-encoding", accept_encoding)
            .send()
            .await
            .expect("request")
    }

    /// GET, expect 200 with a JSON content type, and decode.
    pub async fn json<T: DeserializeOwned>(&self, path: &str) -> T {
        let res = self.get(path).await;
        let status = res.status();
        let ctype = header(&res, "content-type");
        let body = res.text().await.unwrap();
        assert_eq!(status, 200, "GET {path}: {body}");
        assert!(
            ctype.starts_with("application/json"),
            "GET {path}: content-type {ctype}"
        );
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}\n{body}"))
    }

    /// GET, expect `status` and a JSON `ApiError` body.
    pub async fn error(&self, path: &str, status: u16) -> domain::dto::ApiError {
        let res = self.get(path).await;
        assert_eq!(res.status(), status, "GET {path}");
        let ctype = header(&res, "content-type");
        assert!(
            ctype.starts_with("application/json"),
            "GET {path}: content-type {ctype}"
        );
        let body = res.text().await.unwrap();
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}\n{body}"))
    }

    /// Stops the server and waits for it to exit.
    pub fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
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

/// Opens the server's database directly, as a second connection would.
pub async fn open_db(path: &Path) -> sqlx::SqlitePool {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let options = SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("open test db")
}

// ---- members, sessions and orders ----

use domain::dto::{Me, OpenRound, VillageDetail};
use serde_json::Value;

/// A client that keeps cookies, like a browser: one per member.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

/// Status and JSON body (`Value::Null` when there is none).
pub async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut req = client.request(method.clone(), url);
    if let Some(body) = body {
        req = req.json(body);
    }
    let res = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = res.status().as_u16();
    let ctype = header(&res, "content-type");
    let text = res.text().await.unwrap();
    if text.is_empty() {
        return (status, Value::Null);
    }
    assert!(
        ctype.starts_with("application/json"),
        "{method} {url}: {status} with content-type {ctype}: {text}"
    );
    let value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {url}: {e}\n{text}"));
    (status, value)
}

/// Like [`send`] with a JSON body and extra headers.
pub async fn send_with(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = client.request(method.clone(), url).json(body);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {url}: {e}\n{text}"))
    };
    (status, value)
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

impl Server {
    pub async fn post_json(
        &self,
        client: &reqwest::Client,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        send(client, reqwest::Method::POST, &self.url(path), Some(&body)).await
    }

    /// Joins with `code`; expects 201. Returns the member's client and `Me`.
    pub async fn register(
        &self,
        code: &str,
        name: &str,
        phone: &str,
        point_id: i64,
    ) -> (reqwest::Client, Me) {
        let client = browser();
        let (status, body) = self
            .post_json(
                &client,
                "/api/members",
                serde_json::json!({
                    "invitation_code": code,
                    "name": name,
                    "phone": phone,
                    "default_point_id": point_id,
                    "password": "a good password",
                }),
            )
            .await;
        assert_eq!(status, 201, "register {phone} with {code}: {body}");
        (client, serde_json::from_value(body).unwrap())
    }

    /// Logs in; expects 200.
    pub async fn login(&self, phone: &str, password: &str) -> (reqwest::Client, Me) {
        let client = browser();
        let (status, body) = self
            .post_json(
                &client,
                "/api/session",
                serde_json::json!({"phone": phone, "password": password}),
            )
            .await;
        assert_eq!(status, 200, "login {phone}: {body}");
        (client, serde_json::from_value(body).unwrap())
    }

    pub async fn village(&self, slug: &str) -> VillageDetail {
        self.json(&format!("/api/villages/{slug}")).await
    }

    pub async fn open_round(&self, slug: &str) -> OpenRound {
        self.village(slug)
            .await
            .open_round
            .unwrap_or_else(|| panic!("village {slug} has an open round"))
    }

    /// (capacity, remaining) of a product in the village's open round.
    pub async fn stock(&self, slug: &str, product_id: i64) -> (i64, i64) {
        let open = self.open_round(slug).await;
        let s = open
            .stock
            .iter()
            .find(|s| s.product_id == product_id)
            .unwrap_or_else(|| panic!("product {product_id} in the stock of {slug}"));
        (s.capacity, s.remaining)
    }
}

/// A member made straight in the database, logged in with a session row:
/// quick fixtures for tests about orders (joining is tested on its own).
pub async fn member_via_sql(
    pool: &sqlx::SqlitePool,
    server: &Server,
    name: &str,
    phone: &str,
    point_id: i64,
) -> reqwest::Client {
    session_via_sql(pool, server, name, phone, point_id).await.0
}

/// [`member_via_sql`], also returning the session token (the cookie value).
pub async fn session_via_sql(
    pool: &sqlx::SqlitePool,
    server: &Server,
    name: &str,
    phone: &str,
    point_id: i64,
) -> (reqwest::Client, String) {
    use sha2::Digest as _;
    let member_id = sqlx::query(
        "INSERT INTO member (name, phone, password_hash, default_point_id, created_at)
         VALUES (?, ?, 'not-a-hash', ?, 0)",
    )
    .bind(name)
    .bind(phone)
    .bind(point_id)
    .execute(pool)
    .await
    .unwrap()
    .last_insert_rowid();
    let token = format!("{:064x}", member_id as u128 * 0x9E37_79B9_7F4A_7C15 + 7);
    let hash = hex::encode(sha2::Sha256::digest(token.as_bytes()));
    sqlx::query("INSERT INTO session (token_hash, member_id, created_at, expires_at) VALUES (?, ?, 0, 4102444800)")
        .bind(hash)
        .bind(member_id)
        .execute(pool)
        .await
        .unwrap();
    let jar = reqwest::cookie::Jar::default();
    jar.add_cookie_str(
        &format!("sf_session={token}; Path=/"),
        &server.base.parse().unwrap(),
    );
    let client = reqwest::Client::builder()
        .cookie_provider(std::sync::Arc::new(jar))
        .build()
        .unwrap();
    (client, token)
}

/// Makes the product's total supply in the round exactly `total` (one
/// household supplies it all).
pub async fn set_supply(pool: &sqlx::SqlitePool, round_id: i64, product_id: i64, total: i64) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("DELETE FROM supply WHERE round_id = ? AND product_id = ?")
        .bind(round_id)
        .bind(product_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO supply (round_id, household_id, product_id, quantity)
         SELECT ?, MIN(household_id), ?, ? FROM product_household WHERE product_id = ?",
    )
    .bind(round_id)
    .bind(product_id)
    .bind(total)
    .bind(product_id)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Units of the product held by confirmed orders of the round, by SQL.
pub async fn sold(pool: &sqlx::SqlitePool, round_id: i64, product_id: i64) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(SUM(ol.quantity), 0) FROM order_line ol JOIN orders o ON o.id = ol.order_id
         WHERE o.round_id = ? AND ol.product_id = ? AND o.status = 'confirmed'",
    )
    .bind(round_id)
    .bind(product_id)
    .fetch_one(pool)
    .await
    .unwrap();
    n
}

/// Rows in `orders` and `order_line`.
pub async fn order_rows(pool: &sqlx::SqlitePool) -> (i64, i64) {
    sqlx::query_as("SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM order_line)")
        .fetch_one(pool)
        .await
        .unwrap()
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `ordered_total` (kept by triggers) agrees with the order lines.
pub async fn assert_totals_consistent(pool: &sqlx::SqlitePool) {
    let (wrong,): (i64,) = sqlx::query_as(
        "WITH live AS (
             SELECT o.round_id, ol.product_id, SUM(ol.quantity) AS quantity
             FROM order_line ol JOIN orders o ON o.id = ol.order_id
             WHERE o.status = 'confirmed' GROUP BY o.round_id, ol.product_id)
         SELECT (SELECT COUNT(*) FROM (
                     SELECT round_id, product_id, quantity FROM live
                     EXCEPT SELECT round_id, product_id, quantity FROM ordered_total WHERE quantity > 0))
              + (SELECT COUNT(*) FROM (
                     SELECT round_id, product_id, quantity FROM ordered_total WHERE quantity > 0
                     EXCEPT SELECT round_id, product_id, quantity FROM live))",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(wrong, 0, "ordered_total disagrees with the order lines");
}
