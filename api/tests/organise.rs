//! The organisers' workspace against the real binary: logins, the rate
//! limit, CSRF, 401/403 on every endpoint, the change log, product pages,
//! rounds and supplies, withdrawal, and visits.

mod common;

use common::{fields, header, new_id, open_db, send, Env, Server};
use domain::organise::{ChangeLogPage, OrganiserMe};
use reqwest::{Client, Method};
use serde_json::{json, Value};

const CSRF: (&str, &str) = ("X-Requested-With", "storefront");

/// A request with (or without) the CSRF header; status and JSON body.
async fn call(
    client: &Client,
    method: Method,
    url: &str,
    body: Option<&Value>,
    csrf: bool,
) -> (u16, Value) {
    let mut req = client.request(method.clone(), url);
    if csrf {
        req = req.header(CSRF.0, CSRF.1);
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    let res = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    if text.is_empty() {
        return (status, Value::Null);
    }
    let value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {url}: {e}\n{text}"));
    (status, value)
}

fn browser() -> Client {
    common::browser()
}

/// Logs in; expects 200. Returns the organiser's client and `OrganiserMe`.
async fn organiser(server: &Server, login: &str, password: &str) -> (Client, OrganiserMe) {
    let client = browser();
    let (status, body) = call(
        &client,
        Method::POST,
        &server.url("/api/organise/session"),
        Some(&json!({"login": login, "password": password})),
        true,
    )
    .await;
    assert_eq!(status, 200, "login {login}: {body}");
    (client, serde_json::from_value(body).unwrap())
}

/// Zhao Xiumei (demo): organises Liu Village only.
async fn liu_only(server: &Server) -> Client {
    organiser(server, "liu-organiser-2", "demo-organiser-2").await.0
}

async fn get(server: &Server, client: &Client, path: &str) -> (u16, Value) {
    call(client, Method::GET, &server.url(path), None, false).await
}

async fn write(
    server: &Server,
    client: &Client,
    method: Method,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    call(client, method, &server.url(path), Some(body), true).await
}

async fn log(server: &Server, client: &Client, slug: &str) -> ChangeLogPage {
    let (status, body) = get(server, client, &format!("/api/organise/villages/{slug}/log")).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn scalar(pool: &sqlx::SqlitePool, sql: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>(sql)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .0
}

// ---- access ----

#[tokio::test]
async fn login_me_and_logout_with_a_cookie_of_their_own() {
    let env = Env::new();
    let server = env.start();
    let client = browser();
    let res = client
        .post(server.url("/api/organise/session"))
        .header(CSRF.0, CSRF.1)
        .json(&json!({"login": " Liu-Organiser-1 ", "password": "demo-organiser-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = header(&res, "set-cookie");
    assert!(cookie.starts_with("sf_organiser="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/api/organise", "Max-Age=604800"] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    assert_eq!(header(&res, "cache-control"), "no-store");
    let me: OrganiserMe = res.json().await.unwrap();
    assert_eq!(me.login, "liu-organiser-1");
    assert!(me.demo && me.name.en.contains("(demo)"));
    let slugs: Vec<&str> = me.villages.iter().map(|v| v.slug.as_str()).collect();
    assert_eq!(slugs, ["liu", "song"], "one organiser of the trial village has two");
    assert_eq!((me.csrf_header.as_str(), me.csrf_value.as_str()), CSRF);

    let (status, body) = get(&server, &client, "/api/organise/me").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["login"], "liu-organiser-1");

    // Logging out needs the CSRF header too, then the session is gone.
    let (status, body) = call(
        &client,
        Method::DELETE,
        &server.url("/api/organise/session"),
        None,
        false,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(get(&server, &client, "/api/organise/me").await.0, 200);
    let (status, _) = call(
        &client,
        Method::DELETE,
        &server.url("/api/organise/session"),
        None,
        true,
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = get(&server, &client, "/api/organise/me").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "please log in as an organiser");
}

#[tokio::test]
async fn a_member_session_does_not_open_the_workspace() {
    let env = Env::new();
    let server = env.start();
    let (member, _) = server.login("13800000001", "demo-password-1").await;
    let (status, _) = get(&server, &member, "/api/organise/me").await;
    assert_eq!(status, 401);
    // Nor does the organiser cookie open a member's pages.
    let (o, _) = organiser(&server, "liu-organiser-2", "demo-organiser-2").await;
    assert_eq!(get(&server, &o, "/api/me").await.0, 401);
}

#[tokio::test]
async fn wrong_logins_are_refused_alike_and_login_needs_the_csrf_header() {
    let env = Env::new();
    let server = env.start();
    let c = browser();
    let url = server.url("/api/organise/session");
    for (login, password) in [
        ("liu-organiser-1", "wrong password"),
        ("nobody-here", "demo-organiser-1"),
        ("bad login!", "x"),
    ] {
        let (status, body) = call(
            &c,
            Method::POST,
            &url,
            Some(&json!({"login": login, "password": password})),
            true,
        )
        .await;
        assert_eq!(status, 401, "{login}: {body}");
        assert_eq!(body["error"], "login name or password is wrong");
    }
    let (status, body) = call(
        &c,
        Method::POST,
        &url,
        Some(&json!({"login": "liu-organiser-1", "password": "demo-organiser-1"})),
        false,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"].as_str().unwrap().contains("X-Requested-With"));
    let (status, body) = call(&c, Method::POST, &url, Some(&json!({"login": "x"})), true).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["password"]);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_a_clear_wait() {
    let env = Env::new();
    let server = env.start();
    let c = browser();
    let url = server.url("/api/organise/session");
    let attempt = |login: &'static str, password: &'static str| {
        let c = c.clone();
        let url = url.clone();
        async move {
            call(
                &c,
                Method::POST,
                &url,
                Some(&json!({"login": login, "password": password})),
                true,
            )
            .await
        }
    };
    for i in 0..5 {
        let (status, body) = attempt("liu-organiser-3", "guess").await;
        assert_eq!(status, 401, "attempt {i}: {body}");
    }
    // Now even the right password waits.
    let res = c
        .post(&url)
        .header(CSRF.0, CSRF.1)
        .json(&json!({"login": "liu-organiser-3", "password": "demo-organiser-3"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(header(&res, "retry-after"), "900");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["retry_after_minutes"], 15);
    assert_eq!(
        body["error"],
        "too many failed logins; try again in 15 minutes"
    );
    // Another account from the same address is not locked by this one.
    organiser(&server, "liu-organiser-2", "demo-organiser-2").await;

    // When the failures are older than the window, the account opens again.
    let pool = open_db(&env.db).await;
    sqlx::query("UPDATE login_failure SET at = at - 15 * 60")
        .execute(&pool)
        .await
        .unwrap();
    organiser(&server, "liu-organiser-3", "demo-organiser-3").await;
}

#[tokio::test]
async fn many_failures_from_one_address_lock_that_address() {
    let env = Env::new();
    let server = env.start();
    let c = browser();
    let url = server.url("/api/organise/session");
    for i in 0..20 {
        let (status, body) = call(
            &c,
            Method::POST,
            &url,
            Some(&json!({"login": format!("guess-{i}"), "password": "x"})),
            true,
        )
        .await;
        assert_eq!(status, 401, "attempt {i}: {body}");
    }
    let (status, body) = call(
        &c,
        Method::POST,
        &url,
        Some(&json!({"login": "song-organiser-1", "password": "demo-organiser-4"})),
        true,
    )
    .await;
    assert_eq!(status, 429, "{body}");
    assert!(body["retry_after_minutes"].as_i64().unwrap() >= 1);
}

/// Every organiser endpoint, with ids of another village's things
/// (`{song_product}`, ...) filled in. Keep this list complete.
fn endpoints() -> Vec<(Method, &'static str, Value)> {
    vec![
        (Method::GET, "/api/organise/villages/{song}/log", Value::Null),
        (Method::GET, "/api/organise/villages/{song}/products", Value::Null),
        (Method::POST, "/api/organise/villages/{song}/products", product_body(1)),
        (Method::GET, "/api/organise/products/{song_product}", Value::Null),
        (Method::PUT, "/api/organise/products/{song_product}", product_body(1)),
    ]
}

/// Ids of Song Village's things, for the 403 checks.
struct SongIds {
    product: i64,
}

async fn song_ids(pool: &sqlx::SqlitePool) -> SongIds {
    SongIds {
        product: scalar(
            pool,
            "SELECT p.id FROM product p JOIN village v ON v.id = p.village_id WHERE v.slug = 'song' ORDER BY p.id LIMIT 1",
        )
        .await,
    }
}

fn fill(path: &str, ids: &SongIds) -> String {
    path.replace("{song}", "song")
        .replace("{song_product}", &ids.product.to_string())
}

#[tokio::test]
async fn every_organiser_endpoint_says_401_without_a_session_and_403_for_another_village() {
    let env = Env::new();
    let server = env.start();
    let pool = open_db(&env.db).await;
    let ids = song_ids(&pool).await;
    let anonymous = browser();
    let liu = liu_only(&server).await;
    let log_rows = scalar(&pool, "SELECT COUNT(*) FROM change_log").await;
    // `/me` needs a session too.
    assert_eq!(get(&server, &anonymous, "/api/organise/me").await.0, 401);
    for (method, path, body) in endpoints() {
        let url = server.url(&fill(path, &ids));
        let body = (!body.is_null()).then_some(&body);
        let (status, answer) = call(&anonymous, method.clone(), &url, body, true).await;
        assert_eq!(status, 401, "{method} {path} without a session: {answer}");
        assert_eq!(answer["error"], "please log in as an organiser");
        let (status, answer) = call(&liu, method.clone(), &url, body, true).await;
        assert_eq!(status, 403, "{method} {path} for another village: {answer}");
        assert!(
            answer["error"]
                .as_str()
                .unwrap()
                .contains("you do not organise village 'song'"),
            "{method} {path}: {answer}"
        );
        // Every write also refuses a request without the CSRF header.
        if method != Method::GET {
            let (status, answer) = call(&liu, method.clone(), &url, body, false).await;
            assert_eq!(status, 403, "{method} {path} without CSRF: {answer}");
            assert!(answer["error"].as_str().unwrap().contains("X-Requested-With"));
        }
    }
    // None of that wrote anything.
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM change_log").await,
        log_rows
    );
}

// ---- product pages ----

fn product_body(household: i64) -> Value {
    json!({
        "name": {"zh": "山核桃（示例）", "en": "Hill walnuts (demo)"},
        "description": {"zh": "**新鲜**的核桃。\n\n- 手工挑选", "en": "Fresh **walnuts**.\n\n- picked by hand"},
        "category": "fruit",
        "unit": {"zh": "斤", "en": "jin"},
        "price_fen": 3000,
        "local_price_fen": 2000,
        "season": {"kind": "months", "months": [9, 10, 11]},
        "household_ids": [household],
        "published": false,
    })
}

async fn household_of(pool: &sqlx::SqlitePool, slug: &str, nth: i64) -> i64 {
    scalar(
        pool,
        &format!(
            "SELECT h.id FROM household h JOIN village v ON v.id = h.village_id
             WHERE v.slug = '{slug}' ORDER BY h.id LIMIT 1 OFFSET {nth}"
        ),
    )
    .await
}

#[tokio::test]
async fn products_are_created_hidden_then_published_with_a_price_history_and_log() {
    let env = Env::new();
    let server = env.start();
    let pool = open_db(&env.db).await;
    let o = liu_only(&server).await;
    let h = household_of(&pool, "liu", 0).await;
    let (status, created) = write(
        &server,
        &o,
        Method::POST,
        "/api/organise/villages/liu/products",
        &product_body(h),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["published"], false);
    assert_eq!(created["season"]["months"], json!([9, 10, 11]));
    assert_eq!(created["household_ids"], json!([h]));

    // Hidden: not in the shop, but the organisers see it.
    assert_eq!(server.get(&format!("/api/products/{id}")).await.status(), 404);
    let liu = server.village("liu").await;
    assert!(liu.products.iter().all(|p| p.id != id));
    let (_, list) = get(&server, &o, "/api/organise/villages/liu/products").await;
    assert!(list.as_array().unwrap().iter().any(|p| p["id"] == id));

    // Published with a new price and a stored XSS payload.
    let payload = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>";
    let mut body = product_body(h);
    body["published"] = json!(true);
    body["price_fen"] = json!(3200);
    body["description"]["en"] = json!(payload);
    let (status, edited) =
        write(&server, &o, Method::PUT, &format!("/api/organise/products/{id}"), &body).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["price_fen"], 3200);
    let shop: Value = server.json(&format!("/api/products/{id}")).await;
    // Stored and served as the very text typed; the app renders it as text.
    assert_eq!(shop["description"]["en"], payload);
    assert_eq!(shop["price_fen"], 3200);
    let blocks = domain::richtext::parse(shop["description"]["en"].as_str().unwrap());
    assert_eq!(
        blocks,
        vec![
            domain::richtext::Block::Paragraph(vec![domain::richtext::Inline::Text(
                "<script>alert(1)</script>".into()
            )]),
            domain::richtext::Block::Paragraph(vec![domain::richtext::Inline::Text(
                "<img src=x onerror=alert(1)>".into()
            )]),
        ]
    );
    assert!(server.village("liu").await.products.iter().any(|p| p.id == id));

    // The household's page shows the price change.
    let history: Vec<domain::organise::PriceChange> =
        server.json(&format!("/api/households/{h}/price-history")).await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(
        (history[0].product_id, history[0].old_price_fen, history[0].new_price_fen),
        (id, 3000, 3200)
    );
    assert_eq!(history[0].changed_at.offset(), domain::SHANGHAI);

    // A resent save changes nothing and logs nothing more.
    let (status, _) =
        write(&server, &o, Method::PUT, &format!("/api/organise/products/{id}"), &body).await;
    assert_eq!(status, 200);
    let page = log(&server, &o, "liu").await;
    let entries: Vec<(&str, &str)> = page
        .entries
        .iter()
        .map(|e| (e.entity.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(entries, [("product", "update"), ("product", "create")]);
    let update = &page.entries[0];
    assert_eq!(update.entity_id, id.to_string());
    assert_eq!(update.organiser.name.en, "Zhao Xiumei (demo)");
    assert_eq!(update.before.as_ref().unwrap()["price_fen"], 3000);
    assert_eq!(update.after.as_ref().unwrap()["price_fen"], 3200);
    assert_eq!(update.after.as_ref().unwrap()["published"], true);
    assert!(page.entries[1].before.is_none());
    assert_eq!(update.at.offset(), time::UtcOffset::UTC);
    let raw: Value = get(&server, &o, "/api/organise/villages/liu/log").await.1;
    assert!(raw["entries"][0]["at"].as_str().unwrap().ends_with("+00:00"));

    // Hidden again: gone from the shop and from the household's history.
    body["published"] = json!(false);
    write(&server, &o, Method::PUT, &format!("/api/organise/products/{id}"), &body).await;
    assert_eq!(server.get(&format!("/api/products/{id}")).await.status(), 404);
    let history: Vec<Value> = server.json(&format!("/api/households/{h}/price-history")).await;
    assert!(history.is_empty());
    assert_eq!(server.get("/api/households/999999/price-history").await.status(), 404);
}

#[tokio::test]
async fn bad_product_input_names_each_field_and_writes_nothing() {
    let env = Env::new();
    let server = env.start();
    let pool = open_db(&env.db).await;
    let o = liu_only(&server).await;
    let h = household_of(&pool, "liu", 0).await;
    let song_h = household_of(&pool, "song", 0).await;
    let products = scalar(&pool, "SELECT COUNT(*) FROM product").await;
    let url = "/api/organise/villages/liu/products";

    let mut body = product_body(h);
    body["name"]["en"] = json!("  ");
    body["price_fen"] = json!(0);
    body["household_ids"] = json!([h, song_h]);
    let (status, answer) = write(&server, &o, Method::POST, url, &body).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(fields(&answer), ["name.en", "price_fen", "household_ids[1]"]);

    let mut body = product_body(h);
    body["season"] = json!({"kind": "months", "months": [13]});
    let (status, answer) = write(&server, &o, Method::POST, url, &body).await;
    assert_eq!(status, 422, "{answer}");
    // serde reads a tagged enum whole, so the error names `season`.
    assert_eq!(fields(&answer), ["season"]);
    assert!(
        answer["fields"][0]["message"].as_str().unwrap().contains("month 13"),
        "{answer}"
    );

    let mut body = product_body(h);
    body["category"] = json!("cars");
    let (status, answer) = write(&server, &o, Method::POST, url, &body).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(fields(&answer), ["category"]);

    let mut body = product_body(h);
    body["price_fen"] = json!(12.5);
    let (status, answer) = write(&server, &o, Method::POST, url, &body).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(fields(&answer), ["price_fen"]);

    let (status, _) = write(&server, &o, Method::PUT, "/api/organise/products/999999", &product_body(h)).await;
    assert_eq!(status, 404);
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM product").await, products);
    assert!(log(&server, &o, "liu").await.entries.is_empty());
}
