//! Talking to a running server: [`Http`] (its address and a plain client,
//! with the shop's read helpers), [`call`] and the path helpers for a
//! client's own requests, and [`Organiser`], a logged-in organiser whose
//! writes carry the CSRF header.

use domain::{
    dto::{Me, OpenRound, VillageDetail},
    organise::{ChangeLogPage, OrganiserMe, CSRF_HEADER, CSRF_VALUE},
};
use reqwest::{Client, Method};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::{check_answer, header, new_id};

/// A server's address and a client without cookies.
pub struct Http {
    pub base: String,
    pub port: u16,
    pub client: Client,
}

/// A client that keeps cookies, like a browser: one per member.
pub fn browser() -> Client {
    Client::builder().cookie_store(true).build().unwrap()
}

/// Status and JSON body (`Value::Null` when there is none); with `csrf`,
/// the header organiser writes must carry.
pub async fn call(
    client: &Client,
    method: Method,
    url: &str,
    body: Option<&Value>,
    csrf: bool,
) -> (u16, Value) {
    let mut req = client.request(method.clone(), url);
    if csrf {
        req = req.header(CSRF_HEADER, CSRF_VALUE);
    }
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
        check_answer(method.as_str(), url, status, &Value::Null);
        return (status, Value::Null);
    }
    assert!(
        ctype.starts_with("application/json"),
        "{method} {url}: {status} with content-type {ctype}: {text}"
    );
    let value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {url}: {e}\n{text}"));
    check_answer(method.as_str(), url, status, &value);
    (status, value)
}

/// [`call`] without the CSRF header.
pub async fn send(
    client: &Client,
    method: Method,
    url: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    call(client, method, url, body, false).await
}

pub async fn get(server: &Http, client: &Client, path: &str) -> (u16, Value) {
    send(client, Method::GET, &server.url(path), None).await
}

pub async fn put(server: &Http, client: &Client, path: &str, body: &Value) -> (u16, Value) {
    send(client, Method::PUT, &server.url(path), Some(body)).await
}

pub async fn patch(server: &Http, client: &Client, path: &str, body: &Value) -> (u16, Value) {
    send(client, Method::PATCH, &server.url(path), Some(body)).await
}

pub async fn delete(server: &Http, client: &Client, path: &str) -> (u16, Value) {
    send(client, Method::DELETE, &server.url(path), None).await
}

pub const JSON: &str = "application/json";
pub const FORM: &str = "application/x-www-form-urlencoded";

/// A request with a raw body of `content_type`: what the JSON helpers
/// cannot send (malformed JSON, forms, oversized bodies).
pub async fn send_raw(
    client: &Client,
    method: Method,
    url: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    client
        .request(method.clone(), url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"))
}

/// Places an order under a new id; expects 201. The id and the answer.
pub async fn place(server: &Http, member: &Client, body: &Value) -> (String, Value) {
    let id = new_id();
    let (status, answer) = put(server, member, &format!("/api/orders/{id}"), body).await;
    assert_eq!(status, 201, "{answer}");
    (id, answer)
}

impl Http {
    pub fn new(base: String) -> Self {
        let port = base
            .strip_prefix("http://127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected address {base:?}"));
        assert_ne!(port, 0, "must be the real bound port");
        Self {
            base,
            port,
            client: Client::new(),
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
        let value: Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}\n{body}"));
        check_answer("GET", path, 200, &value);
        serde_json::from_value(value).unwrap_or_else(|e| panic!("GET {path}: {e}\n{body}"))
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
        let value: Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}\n{body}"));
        check_answer("GET", path, status, &value);
        serde_json::from_value(value).unwrap_or_else(|e| panic!("GET {path}: {e}\n{body}"))
    }

    pub async fn post_json(&self, client: &Client, path: &str, body: Value) -> (u16, Value) {
        send(client, Method::POST, &self.url(path), Some(&body)).await
    }

    /// Joins with `code`; expects 201. Returns the member's client and `Me`.
    pub async fn register(
        &self,
        code: &str,
        name: &str,
        phone: &str,
        point_id: i64,
    ) -> (Client, Me) {
        let client = browser();
        let (status, body) = self
            .post_json(
                &client,
                "/api/members",
                json!({
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

    /// A member's login from `client`; status and body.
    pub async fn try_login(&self, client: &Client, phone: &str, password: &str) -> (u16, Value) {
        let body = json!({"phone": phone, "password": password});
        self.post_json(client, "/api/session", body).await
    }

    /// Logs in; expects 200.
    pub async fn login(&self, phone: &str, password: &str) -> (Client, Me) {
        let client = browser();
        let (status, body) = self.try_login(&client, phone, password).await;
        assert_eq!(status, 200, "login {phone}: {body}");
        (client, serde_json::from_value(body).unwrap())
    }

    /// Logs in to the organisers' workspace; expects 200.
    pub async fn organiser(&self, login: &str, password: &str) -> Organiser {
        let client = browser();
        let (status, body) = call(
            &client,
            Method::POST,
            &self.url("/api/organise/session"),
            Some(&json!({"login": login, "password": password})),
            true,
        )
        .await;
        assert_eq!(status, 200, "login {login}: {body}");
        Organiser {
            client,
            base: self.base.clone(),
            me: serde_json::from_value(body).unwrap(),
        }
    }

    /// Zhao Xiumei (demo): organises Liu Village only.
    pub async fn liu_organiser(&self) -> Organiser {
        self.organiser("liu-organiser-2", "demo-organiser-2").await
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

/// A logged-in organiser: reads by path, and writes with the CSRF header.
pub struct Organiser {
    pub client: Client,
    pub me: OrganiserMe,
    base: String,
}

impl Organiser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        call(&self.client, Method::GET, &self.url(path), None, false).await
    }

    pub async fn write(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        call(&self.client, method, &self.url(path), body, true).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.write(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> (u16, Value) {
        self.write(Method::PUT, path, Some(body)).await
    }

    /// (entity, action) of each entry on the first page of the log.
    pub async fn log_actions(&self, slug: &str) -> Vec<(String, String)> {
        let entries = self.log(slug).await.entries;
        entries.into_iter().map(|e| (e.entity, e.action)).collect()
    }

    /// The first page of the village's change log; expects 200.
    pub async fn log(&self, slug: &str) -> ChangeLogPage {
        let (status, body) = self
            .get(&format!("/api/organise/villages/{slug}/log"))
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value(body).unwrap()
    }
}
