//! No request shape makes the server fail: generated malformed requests
//! (paths with junk parameters, queries, headers and bodies, across the
//! endpoints, as a visitor, a member and an organiser) never get a 5xx,
//! every error under `/api` is JSON, and the server stays healthy.

use proptest::{
    prelude::*,
    test_runner::{Config, TestCaseError, TestRunner},
};
use reqwest::{Client, Method};

use domain::organise::{CSRF_HEADER, CSRF_VALUE};

use crate::common::{header, Server};

/// The router's paths, `{}` where a parameter goes.
const PATHS: &[&str] = &[
    "/api/bookings",
    "/api/bookings/{}",
    "/api/health",
    "/api/households/{}",
    "/api/households/{}/price-history",
    "/api/labels/{}",
    "/api/me",
    "/api/me/invitations",
    "/api/members",
    "/api/orders",
    "/api/orders/{}",
    "/api/organise/bookings/{}",
    "/api/organise/bookings/{}/cancel",
    "/api/organise/households/{}",
    "/api/organise/households/{}/photos",
    "/api/organise/invitations/{}",
    "/api/organise/join",
    "/api/organise/me",
    "/api/organise/members/{}/suspension",
    "/api/organise/photos/{}",
    "/api/organise/points/{}",
    "/api/organise/products/{}",
    "/api/organise/products/{}/photos",
    "/api/organise/rounds/{}",
    "/api/organise/rounds/{}/allocation",
    "/api/organise/rounds/{}/packing",
    "/api/organise/rounds/{}/points",
    "/api/organise/rounds/{}/supply",
    "/api/organise/rounds/{}/withdrawals",
    "/api/organise/orders/{}/pickup",
    "/api/organise/rounds/{}/orders.csv",
    "/api/organise/rounds/{}/packing.csv",
    "/api/organise/rounds/{}/pickup",
    "/api/organise/rounds/{}/pickup.csv",
    "/api/organise/rounds/{}/settlement",
    "/api/organise/rounds/{}/settlement.csv",
    "/api/organise/rounds/{}/households/{}/payment",
    "/api/organise/villages/{}/income",
    "/api/organise/households/{}/income",
    "/api/organise/villages/{}/share-spending",
    "/api/organise/share-spending/{}",
    "/api/villages/{}/share-spending",
    "/api/orders/{}/feedback",
    "/api/orders/{}/feedback/{}/photo",
    "/api/rating-photos/{}/{}",
    "/api/labels/{}/reports",
    "/api/labels/{}/qr.svg",
    "/api/organise/villages/{}/problems",
    "/api/organise/reports/{}/resolve",
    "/api/organise/orders/{}/refunds",
    "/api/organise/session",
    "/api/organise/session/password",
    "/api/organise/village-photos/{}",
    "/api/organise/villages/{}",
    "/api/organise/villages/{}/bookings",
    "/api/organise/villages/{}/closed-days",
    "/api/organise/villages/{}/households",
    "/api/organise/villages/{}/invitations",
    "/api/organise/villages/{}/log",
    "/api/organise/villages/{}/members",
    "/api/organise/villages/{}/organiser-invitations",
    "/api/organise/villages/{}/organisers",
    "/api/organise/villages/{}/photos",
    "/api/organise/villages/{}/points",
    "/api/organise/villages/{}/products",
    "/api/organise/villages/{}/rounds",
    "/api/organise/villages/{}/visit",
    "/api/photos/{}/{}",
    "/api/products/{}",
    "/api/session",
    "/api/village-photos/{}/{}",
    "/api/villages",
    "/api/villages/{}",
    "/api/villages/{}/visit",
    "/api/villages/{}/visit/availability",
    "/api/{}",
    "/{}",
    "/app/{}",
    "/organise/{}",
    "/v/{}/h/{}",
];

#[derive(Debug, Clone)]
struct Request {
    method: Method,
    path: String,
    query: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// 0: a visitor, 1: the demo member, 2: a Liu organiser.
    who: usize,
}

/// A path parameter: real-looking ids and slugs, and junk.
fn param() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("liu".to_owned()),
        Just("1".to_owned()),
        (-5i64..50).prop_map(|n| n.to_string()),
        Just("99999999999999999999999".to_owned()),
        Just("-0".to_owned()),
        Just("%00".to_owned()),
        Just("..%2F..%2Fetc%2Fpasswd".to_owned()),
        Just("%E5%88%98".to_owned()),
        Just("%ff%fe".to_owned()),
        Just("0b6c2f3e-0000-4000-8000-000000000000".to_owned()),
        "[a-zA-Z0-9._~-]{0,40}",
        "[a-z]{256,300}",
        proptest::collection::vec(any::<u8>(), 0..24).prop_map(|b| percent(&b)),
    ]
}

fn percent(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("year"),
        Just("point"),
        Just("page"),
        Just("before"),
        Just("from"),
        Just("month"),
        Just("lang"),
        Just("q"),
    ];
    let value = prop_oneof![
        Just(String::new()),
        Just("abc".to_owned()),
        Just("-1".to_owned()),
        Just("2026".to_owned()),
        Just("1e9".to_owned()),
        Just("99999999999999999999999".to_owned()),
        Just("%00".to_owned()),
        "[a-zA-Z0-9]{0,12}",
        proptest::collection::vec(any::<u8>(), 0..12).prop_map(|b| percent(&b)),
    ];
    proptest::collection::vec((key, value), 0..4).prop_map(|pairs| {
        if pairs.is_empty() {
            String::new()
        } else {
            let parts: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("?{}", parts.join("&"))
        }
    })
}

fn headers() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let name = prop_oneof![
        Just("content-type"),
        Just("accept-language"),
        Just("accept-encoding"),
        Just("cookie"),
        Just("if-none-match"),
        Just("x-forwarded-for"),
        Just("x-forwarded-proto"),
        Just("range"),
        Just(CSRF_HEADER),
    ];
    let value = prop_oneof![
        Just("application/json".to_owned()),
        Just("application/json; charset=utf-16".to_owned()),
        Just("text/plain".to_owned()),
        Just("multipart/form-data; boundary=x".to_owned()),
        Just("bytes=9-1".to_owned()),
        Just("session=%%%".to_owned()),
        "[ -~]{0,80}",
    ];
    proptest::collection::vec((name, value), 0..4)
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        Just(b"{".to_vec()),
        Just(b"null".to_vec()),
        Just(b"[]".to_vec()),
        Just(br#"{"round_id":"x","lines":[{"product_id":1,"quantity":-1}]}"#.to_vec()),
        Just(br#"{"phone":1,"password":null}"#.to_vec()),
        Just(br#"{"amount_fen":1e99,"name_zh":""}"#.to_vec()),
        Just(format!("{}1{}", "[".repeat(2000), "]".repeat(2000)).into_bytes()),
        "\\PC{0,200}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..300),
    ]
}

fn request() -> impl Strategy<Value = Request> {
    let method = prop_oneof![
        Just(Method::GET),
        Just(Method::POST),
        Just(Method::PUT),
        Just(Method::PATCH),
        Just(Method::DELETE),
        Just(Method::HEAD),
        Just(Method::OPTIONS),
    ];
    let path = (proptest::sample::select(PATHS), param(), param())
        .prop_map(|(p, a, b)| p.replacen("{}", &a, 1).replacen("{}", &b, 1));
    (method, path, query(), headers(), body(), 0usize..3).prop_map(
        |(method, path, query, headers, body, who)| Request {
            method,
            path,
            query,
            headers,
            body,
            who,
        },
    )
}

async fn send(server: &Server, clients: &[Client; 3], req: &Request) -> Result<(), String> {
    let url = server.url(&format!("{}{}", req.path, req.query));
    let mut builder = clients[req.who].request(req.method.clone(), &url);
    if req.who == 2 {
        builder = builder.header(CSRF_HEADER, CSRF_VALUE);
    }
    for (name, value) in &req.headers {
        builder = builder.header(*name, value.as_str());
    }
    if !req.body.is_empty() {
        builder = builder.body(req.body.clone());
    }
    let res = builder
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    let status = res.status().as_u16();
    let ctype = header(&res, "content-type");
    let text = res.text().await.unwrap_or_default();
    if status >= 500 {
        return Err(format!("{status}: {text}"));
    }
    let api = req.path.starts_with("/api/") && url.contains("/api/");
    if api && status >= 400 && req.method != Method::HEAD {
        if !ctype.starts_with("application/json") {
            return Err(format!("{status} with content-type {ctype:?}: {text}"));
        }
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{status}: not JSON ({e}): {text}"))?;
        if v["error"].as_str().unwrap_or("").is_empty()
            || v["error_zh"].as_str().unwrap_or("").is_empty()
        {
            return Err(format!("{status}: no bilingual message: {text}"));
        }
    }
    Ok(())
}

#[test]
fn no_generated_malformed_request_gets_a_5xx() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (server, clients) = rt.block_on(async {
        let server = Server::start().await;
        let (member, _) = server.login("13800000001", "demo-password-1").await;
        let organiser = server.liu_organiser().await;
        (server, [Client::new(), member, organiser.client])
    });
    let mut runner = TestRunner::new(Config {
        cases: 600,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&request(), |req| {
        rt.block_on(send(&server, &clients, &req)).map_err(|e| {
            TestCaseError::fail(format!("{} {}{}: {e}", req.method, req.path, req.query))
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    rt.block_on(async {
        let res = server.get("/api/health").await;
        assert_eq!(res.status().as_u16(), 200, "healthy after the storm");
        // And it still does its job: a new member logs in and reads.
        let (member, _) = server.login("13800000001", "demo-password-1").await;
        let me = member.get(server.url("/api/me")).send().await.unwrap();
        assert_eq!(me.status().as_u16(), 200);
    });
}

/// Sends `head` (a request line and headers, no body) over a raw
/// connection, as no HTTP client library would build it; returns the
/// status, the content type and the body of the answer.
async fn raw_request(server: &Server, head: &str) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = server.url("").trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    // hyper may answer and close before it has read all of a huge head.
    let _ = stream.write_all(head.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let ctype = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type: ")
                .map(str::to_owned)
        })
        .unwrap_or_default();
    (status, ctype, body.to_owned())
}

/// Refused before the app sees them, by hyper, yet answered like every
/// other refusal: the status, a JSON body in both languages, and the
/// server still serving.
#[tokio::test]
async fn an_over_long_url_or_head_gets_a_json_error() {
    let server = Server::start().await;
    let long_url = format!(
        "GET /api/villages/{} HTTP/1.1\r\nhost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    let huge_header = format!(
        "GET /api/health HTTP/1.1\r\nhost: x\r\nx-filler: {}\r\n\r\n",
        "x".repeat(500_000)
    );
    for (what, head, want) in [
        ("a 70 KB URL", long_url, 414),
        ("a 500 KB header", huge_header, 431),
    ] {
        let (status, ctype, body) = raw_request(&server, &head).await;
        assert_eq!(status, want, "{what}");
        assert_eq!(ctype, "application/json", "{what}");
        let v: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{what}: {e}: {body}"));
        assert!(!v["error"].as_str().unwrap().is_empty(), "{what}: {v}");
        assert!(!v["error_zh"].as_str().unwrap().is_empty(), "{what}: {v}");
    }
    assert_eq!(server.get("/api/health").await.status().as_u16(), 200);
}
