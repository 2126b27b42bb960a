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
    organiser(server, "liu-organiser-2", "demo-organiser-2")
        .await
        .0
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
    let (status, body) = get(
        server,
        client,
        &format!("/api/organise/villages/{slug}/log"),
    )
    .await;
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
    for attr in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/organise",
        "Max-Age=604800",
    ] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    assert_eq!(header(&res, "cache-control"), "no-store");
    let me: OrganiserMe = res.json().await.unwrap();
    assert_eq!(me.login, "liu-organiser-1");
    assert!(me.demo && me.name.en.contains("(demo)"));
    let slugs: Vec<&str> = me.villages.iter().map(|v| v.slug.as_str()).collect();
    assert_eq!(
        slugs,
        ["liu", "song"],
        "one organiser of the trial village has two"
    );
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
    // Failures are counted per account and per client address.
    let pool = open_db(&env.db).await;
    let (addresses,): (String,) =
        sqlx::query_as("SELECT group_concat(DISTINCT address) FROM login_failure")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(addresses, "127.0.0.1");
    // Another account from the same address is not locked by this one.
    organiser(&server, "liu-organiser-2", "demo-organiser-2").await;

    // When the failures are older than the window, the account opens again.
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
        (
            Method::GET,
            "/api/organise/villages/{song}/log",
            Value::Null,
        ),
        (
            Method::GET,
            "/api/organise/villages/{song}/products",
            Value::Null,
        ),
        (
            Method::POST,
            "/api/organise/villages/{song}/products",
            product_body(1),
        ),
        (
            Method::GET,
            "/api/organise/products/{song_product}",
            Value::Null,
        ),
        (
            Method::PUT,
            "/api/organise/products/{song_product}",
            product_body(1),
        ),
        (
            Method::GET,
            "/api/organise/villages/{song}/rounds",
            Value::Null,
        ),
        (
            Method::POST,
            "/api/organise/villages/{song}/rounds",
            round_body(&[1]),
        ),
        (
            Method::GET,
            "/api/organise/rounds/{song_round}",
            Value::Null,
        ),
        (
            Method::PUT,
            "/api/organise/rounds/{song_round}/points",
            json!({"point_ids": [1]}),
        ),
        (
            Method::PUT,
            "/api/organise/rounds/{song_round}/supply",
            json!({"supplies": [{"household_id": 1, "product_id": 1, "quantity": 1}]}),
        ),
        (
            Method::POST,
            "/api/organise/rounds/{song_round}/withdrawals",
            json!({"product_id": 1, "reason": "a test"}),
        ),
        (
            Method::POST,
            "/api/organise/rounds/{song_round}/allocation",
            Value::Null,
        ),
        (
            Method::GET,
            "/api/organise/rounds/{song_round}/packing",
            Value::Null,
        ),
        (
            Method::POST,
            "/api/organise/products/{song_product}/photos",
            Value::Null,
        ),
        (
            Method::DELETE,
            "/api/organise/photos/{song_photo}",
            Value::Null,
        ),
        (
            Method::GET,
            "/api/organise/villages/{song}/bookings",
            Value::Null,
        ),
        (
            Method::PUT,
            "/api/organise/villages/{song}/closed-days",
            json!({"date": day(5), "closed": true}),
        ),
        (
            Method::GET,
            "/api/organise/bookings/{song_booking}",
            Value::Null,
        ),
        (
            Method::POST,
            "/api/organise/bookings/{song_booking}/cancel",
            json!({"reason": "a test"}),
        ),
    ]
}

/// Ids of Song Village's things, for the 403 checks.
struct SongIds {
    product: i64,
    round: i64,
    booking: String,
    photo: i64,
}

async fn song_ids(pool: &sqlx::SqlitePool, server: &Server) -> SongIds {
    let (booking, _) = book(server, "song", 2, 1).await;
    let product = scalar(
        pool,
        "SELECT p.id FROM product p JOIN village v ON v.id = p.village_id WHERE v.slug = 'song' ORDER BY p.id LIMIT 1",
    )
    .await;
    // A photo row is enough: the checks come before its bytes are read.
    let photo = sqlx::query(
        "INSERT INTO photo (product_id, position, source_type, width, height, upload_bytes, organiser_id, created_at)
         VALUES (?, 1, 'image/jpeg', 1, 1, 1, (SELECT MIN(id) FROM organiser), 0)",
    )
    .bind(product)
    .execute(pool)
    .await
    .unwrap()
    .last_insert_rowid();
    SongIds {
        booking,
        photo,
        product,
        round: scalar(
            pool,
            "SELECT r.id FROM distribution_round r JOIN village v ON v.id = r.village_id WHERE v.slug = 'song' ORDER BY r.id LIMIT 1",
        )
        .await,
    }
}

fn fill(path: &str, ids: &SongIds) -> String {
    path.replace("{song}", "song")
        .replace("{song_product}", &ids.product.to_string())
        .replace("{song_round}", &ids.round.to_string())
        .replace("{song_booking}", &ids.booking)
        .replace("{song_photo}", &ids.photo.to_string())
}

#[tokio::test]
async fn every_organiser_endpoint_says_401_without_a_session_and_403_for_another_village() {
    let env = Env::new();
    let server = env.start();
    let pool = open_db(&env.db).await;
    let ids = song_ids(&pool, &server).await;
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
            assert!(answer["error"]
                .as_str()
                .unwrap()
                .contains("X-Requested-With"));
        }
    }
    // None of that wrote anything.
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM change_log").await,
        log_rows
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM booking WHERE status = 'cancelled'"
        )
        .await,
        0
    );
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM withdrawal").await, 0);
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM allocation").await, 0);
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM photo").await, 1);
    // The organiser of both Liu and Song may read Song's things.
    let (both, _) = organiser(&server, "liu-organiser-1", "demo-organiser-1").await;
    for path in [
        "/api/organise/villages/{song}/log",
        "/api/organise/products/{song_product}",
        "/api/organise/rounds/{song_round}",
        "/api/organise/bookings/{song_booking}",
    ] {
        let (status, body) = get(&server, &both, &fill(path, &ids)).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
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
    assert_eq!(
        server.get(&format!("/api/products/{id}")).await.status(),
        404
    );
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
    let (status, edited) = write(
        &server,
        &o,
        Method::PUT,
        &format!("/api/organise/products/{id}"),
        &body,
    )
    .await;
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
    assert!(server
        .village("liu")
        .await
        .products
        .iter()
        .any(|p| p.id == id));

    // The household's page shows the price change.
    let history: Vec<domain::organise::PriceChange> = server
        .json(&format!("/api/households/{h}/price-history"))
        .await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(
        (
            history[0].product_id,
            history[0].old_price_fen,
            history[0].new_price_fen
        ),
        (id, 3000, 3200)
    );
    assert_eq!(history[0].changed_at.offset(), domain::SHANGHAI);

    // A resent save changes nothing and logs nothing more.
    let (status, _) = write(
        &server,
        &o,
        Method::PUT,
        &format!("/api/organise/products/{id}"),
        &body,
    )
    .await;
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
    assert!(raw["entries"][0]["at"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));

    // Hidden again: gone from the shop and from the household's history.
    body["published"] = json!(false);
    write(
        &server,
        &o,
        Method::PUT,
        &format!("/api/organise/products/{id}"),
        &body,
    )
    .await;
    assert_eq!(
        server.get(&format!("/api/products/{id}")).await.status(),
        404
    );
    let history: Vec<Value> = server
        .json(&format!("/api/households/{h}/price-history"))
        .await;
    assert!(history.is_empty());
    assert_eq!(
        server
            .get("/api/households/999999/price-history")
            .await
            .status(),
        404
    );
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
    assert_eq!(
        fields(&answer),
        ["name.en", "price_fen", "household_ids[1]"]
    );

    let mut body = product_body(h);
    body["season"] = json!({"kind": "months", "months": [13]});
    let (status, answer) = write(&server, &o, Method::POST, url, &body).await;
    assert_eq!(status, 422, "{answer}");
    // serde reads a tagged enum whole, so the error names `season`.
    assert_eq!(fields(&answer), ["season"]);
    assert!(
        answer["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("month 13"),
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

    let (status, _) = write(
        &server,
        &o,
        Method::PUT,
        "/api/organise/products/999999",
        &product_body(h),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM product").await,
        products
    );
    assert!(log(&server, &o, "liu").await.entries.is_empty());
}

// ---- rounds and supply ----

fn at(days: i64, hour: u8) -> time::OffsetDateTime {
    let d = domain::shanghai_date(time::OffsetDateTime::now_utc()) + time::Duration::days(days);
    d.with_hms(hour, 0, 0)
        .unwrap()
        .assume_offset(domain::SHANGHAI)
}

fn round_body(points: &[i64]) -> Value {
    json!({
        "opens_at": domain::wire::format_datetime(at(40, 8)),
        "deadline": domain::wire::format_datetime(at(45, 20)),
        "distribution_day": domain::wire::format_date(at(47, 0).date()),
        "point_ids": points,
    })
}

#[tokio::test]
async fn rounds_are_created_with_their_points_in_shanghai_time() {
    let env = Env::new();
    let server = env.start();
    let o = liu_only(&server).await;
    let liu = server.village("liu").await;
    let song = server.village("song").await;
    let p: Vec<i64> = liu.distribution_points.iter().map(|p| p.id).collect();
    let url = "/api/organise/villages/liu/rounds";
    let (status, r) = write(&server, &o, Method::POST, url, &round_body(&p[..2])).await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["phase"], "not_yet_open");
    assert_eq!(
        r["round"]["deadline"],
        domain::wire::format_datetime(at(45, 20))
    );
    assert!(r["round"]["deadline"].as_str().unwrap().ends_with("+08:00"));
    let points: Vec<i64> = r["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(points, p[..2]);
    assert_eq!(r["products"].as_array().unwrap().len(), liu.products.len());
    assert!(r["products"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["capacity"] == 0));
    let id = r["round"]["id"].as_i64().unwrap();
    // Shoppers see it among the upcoming rounds.
    assert!(server
        .village("liu")
        .await
        .upcoming_rounds
        .iter()
        .any(|x| x.id == id));

    // The same day again, bad times and another village's point.
    let (status, body) = write(&server, &o, Method::POST, url, &round_body(&p[..1])).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(fields(&body), ["distribution_day"]);
    let mut bad = round_body(&[song.distribution_points[0].id]);
    bad["opens_at"] = bad["deadline"].clone();
    bad["distribution_day"] = json!(domain::wire::format_date(at(50, 0).date()));
    let (status, body) = write(&server, &o, Method::POST, url, &bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["deadline", "point_ids[0]"]);
    let mut bad = round_body(&p[..1]);
    bad["deadline"] = json!("2026-13-01T20:00:00+08:00");
    let (status, body) = write(&server, &o, Method::POST, url, &bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["deadline"]);

    // Points are changed whole; the list shows the round.
    let (status, body) = write(
        &server,
        &o,
        Method::PUT,
        &format!("/api/organise/rounds/{id}/points"),
        &json!({"point_ids": [p[2]]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["points"][0]["id"], p[2]);
    let (_, list) = get(&server, &o, url).await;
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["round"]["id"] == id));
    let entries: Vec<(String, String)> = log(&server, &o, "liu")
        .await
        .entries
        .into_iter()
        .map(|e| (e.entity, e.action))
        .collect();
    assert_eq!(
        entries,
        [
            ("round_points".into(), "update".into()),
            ("round".into(), "create".into())
        ]
    );
}

/// The open round of Liu Village, its first two points and two products
/// with stock, each supplied `supply` in total by one household.
async fn open_liu(
    server: &Server,
    pool: &sqlx::SqlitePool,
    supply: i64,
) -> (i64, Vec<i64>, [i64; 2]) {
    let liu = server.village("liu").await;
    let open = liu.open_round.clone().expect("an open round");
    let mut with_stock = open
        .stock
        .iter()
        .filter(|s| s.remaining > 0)
        .map(|s| s.product_id);
    let products = [with_stock.next().unwrap(), with_stock.next().unwrap()];
    for p in products {
        common::set_supply(pool, open.round.id, p, supply).await;
    }
    let points = liu.distribution_points.iter().map(|p| p.id).collect();
    (open.round.id, points, products)
}

fn order_body(round: i64, point: i64, lines: &[(i64, i64)]) -> Value {
    json!({
        "round_id": round,
        "point_id": point,
        "lines": lines.iter().map(|(p, q)| json!({"product_id": p, "quantity": q})).collect::<Vec<_>>(),
    })
}

async fn place(server: &Server, member: &Client, body: &Value) -> (String, Value) {
    let id = new_id();
    let (status, answer) = send(
        member,
        Method::PUT,
        &server.url(&format!("/api/orders/{id}")),
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    (id, answer)
}

/// The household supplying `product` in `round` (after `set_supply`).
async fn supplier(pool: &sqlx::SqlitePool, round: i64, product: i64) -> i64 {
    scalar(
        pool,
        &format!("SELECT household_id FROM supply WHERE round_id = {round} AND product_id = {product} AND quantity > 0"),
    )
    .await
}

#[tokio::test]
async fn a_supply_cannot_go_below_what_is_ordered() {
    let env = Env::new();
    let server = env.start();
    let pool = open_db(&env.db).await;
    let (round, points, [p, _]) = open_liu(&server, &pool, 10).await;
    let member = common::member_via_sql(&pool, &server, "周小燕", "13912340001", points[0]).await;
    place(&server, &member, &order_body(round, points[0], &[(p, 6)])).await;
    let o = liu_only(&server).await;
    let h = supplier(&pool, round, p).await;
    let url = format!("/api/organise/rounds/{round}/supply");
    let set = |q: i64| json!({"supplies": [{"household_id": h, "product_id": p, "quantity": q}]});

    let (status, body) = write(&server, &o, Method::PUT, &url, &set(4)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["below_ordered"][0]["product_id"], p);
    assert_eq!(body["below_ordered"][0]["ordered"], 6);
    assert_eq!(body["below_ordered"][0]["supply"], 4);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("6 already ordered"),
        "{body}"
    );
    assert_eq!(server.stock("liu", p).await, (10, 4), "nothing changed");

    let (status, body) = write(&server, &o, Method::PUT, &url, &set(6)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(server.stock("liu", p).await, (6, 0));
    let row = body["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["product_id"] == p)
        .unwrap()
        .clone();
    assert_eq!(
        (row["capacity"].as_i64(), row["ordered"].as_i64()),
        (Some(6), Some(6))
    );
    let (status, _) = write(&server, &o, Method::PUT, &url, &set(20)).await;
    assert_eq!(status, 200);
    assert_eq!(server.stock("liu", p).await, (20, 14));

    // Bad entries are named and nothing is written.
    let other = household_of(&pool, "song", 0).await;
    let (status, body) = write(
        &server,
        &o,
        Method::PUT,
        &url,
        &json!({"supplies": [
            {"household_id": h, "product_id": p, "quantity": -1},
            {"household_id": other, "product_id": p, "quantity": 5},
            {"household_id": h, "product_id": p, "quantity": 3},
        ]}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        fields(&body),
        [
            "supplies[0].quantity",
            "supplies[1].household_id",
            "supplies[2]"
        ]
    );
    assert_eq!(server.stock("liu", p).await, (20, 14));

    let page = log(&server, &o, "liu").await;
    assert_eq!(page.entries.len(), 2, "two changes, no refusals");
    let last = &page.entries[0];
    assert_eq!(
        (last.entity.as_str(), last.entity_id.clone()),
        ("supply", round.to_string())
    );
    assert_eq!(last.before.as_ref().unwrap()[0]["quantity"], 6);
    assert_eq!(last.after.as_ref().unwrap()[0]["quantity"], 20);
}

#[tokio::test]
async fn orders_keep_to_the_points_of_their_round() {
    let env = Env::new();
    let server = env.start();
    let pool = open_db(&env.db).await;
    let (round, points, [p, _]) = open_liu(&server, &pool, 10).await;
    let member = common::member_via_sql(&pool, &server, "周小燕", "13912340002", points[0]).await;
    place(&server, &member, &order_body(round, points[1], &[(p, 1)])).await;
    // A seeded round was never given points: all of the village's serve it.
    assert_eq!(server.open_round("liu").await.point_ids, points);
    let o = liu_only(&server).await;
    let url = format!("/api/organise/rounds/{round}/points");
    // Point 1 has an order: it cannot be taken off.
    let (status, body) = write(
        &server,
        &o,
        Method::PUT,
        &url,
        &json!({"point_ids": [points[0]]}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(fields(&body), ["point_ids"]);
    let (status, _) = write(
        &server,
        &o,
        Method::PUT,
        &url,
        &json!({"point_ids": [points[1]]}),
    )
    .await;
    assert_eq!(status, 200);
    // Shoppers are told which points serve the open round.
    assert_eq!(server.open_round("liu").await.point_ids, [points[1]]);
    // Point 0 no longer serves the round.
    let id = new_id();
    let (status, body) = send(
        &member,
        Method::PUT,
        &server.url(&format!("/api/orders/{id}")),
        Some(&order_body(round, points[0], &[(p, 1)])),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["point_id"]);
}

// ---- withdrawal ----

#[tokio::test]
async fn a_withdrawn_product_leaves_the_orders_with_a_notice_and_cannot_be_ordered() {
    let env = Env::new();
    let server = env.start();
    let pool = open_db(&env.db).await;
    let (round, points, [p, q]) = open_liu(&server, &pool, 10).await;
    let a = common::member_via_sql(&pool, &server, "周小燕", "13912340003", points[0]).await;
    let b = common::member_via_sql(&pool, &server, "孙立", "13912340004", points[0]).await;
    let (order_a, placed_a) = place(
        &server,
        &a,
        &order_body(round, points[0], &[(p, 2), (q, 1)]),
    )
    .await;
    let (order_b, _) = place(&server, &b, &order_body(round, points[0], &[(p, 3)])).await;
    let q_total = placed_a["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["product_id"] == q)
        .unwrap()["total_fen"]
        .as_i64()
        .unwrap();
    assert!(placed_a["total_fen"].as_i64().unwrap() > q_total);
    assert_eq!(placed_a["withdrawn"], json!([]));

    let o = liu_only(&server).await;
    let url = format!("/api/organise/rounds/{round}/withdrawals");
    // A reason is required.
    let (status, body) = write(
        &server,
        &o,
        Method::POST,
        &url,
        &json!({"product_id": p, "reason": "  "}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["reason"]);
    let reason = "food-safety worry: the flock is being checked by the vet";
    let (status, w) = write(
        &server,
        &o,
        Method::POST,
        &url,
        &json!({"product_id": p, "reason": reason}),
    )
    .await;
    assert_eq!(status, 201, "{w}");
    assert_eq!(w["orders_affected"], 2);
    assert_eq!(w["reason"], reason);

    // The member sees the notice and a total without the product.
    let (status, mine) = send(
        &a,
        Method::GET,
        &server.url(&format!("/api/orders/{order_a}")),
        None,
    )
    .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["status"], "confirmed", "it still has another product");
    assert_eq!(mine["total_fen"], q_total);
    let lines: Vec<i64> = mine["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["product_id"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [q]);
    assert_eq!(mine["withdrawn"][0]["product_id"], p);
    assert_eq!(mine["withdrawn"][0]["quantity"], 2);
    assert_eq!(mine["withdrawn"][0]["reason"], reason);
    // The shop's Order type still reads the answer.
    let _: domain::dto::Order = serde_json::from_value(mine.clone()).unwrap();
    let (_, list) = send(&b, Method::GET, &server.url("/api/orders"), None).await;
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == order_b.as_str())
        .unwrap();
    // An order of nothing but the withdrawn product is cancelled: there
    // is nothing to collect. The notice stays.
    assert_eq!(listed["total_fen"], 0);
    assert_eq!(listed["status"], "cancelled");
    assert_eq!(listed["lines"], json!([]));
    assert_eq!(listed["withdrawn"][0]["reason"], reason);
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM orders WHERE status = 'confirmed' AND id NOT IN (SELECT order_id FROM order_line)",
        )
        .await,
        0,
        "no confirmed order is empty"
    );

    // Nothing of it is held or left; ordering it again is refused.
    assert_eq!(common::sold(&pool, round, p).await, 0);
    common::assert_totals_consistent(&pool).await;
    assert_eq!(server.stock("liu", p).await, (0, 0));
    let id = new_id();
    let (status, body) = send(
        &a,
        Method::PUT,
        &server.url(&format!("/api/orders/{id}")),
        Some(&order_body(round, points[0], &[(q, 1), (p, 1)])),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["lines[1].product_id"]);
    assert!(body["fields"][0]["message"]
        .as_str()
        .unwrap()
        .contains(reason));
    // Changing the order to add it back is refused too.
    let (status, body) = send(
        &a,
        Method::PATCH,
        &server.url(&format!("/api/orders/{order_a}")),
        Some(&order_body(round, points[0], &[(p, 2), (q, 1)])),
    )
    .await;
    assert_eq!(status, 422, "{body}");

    // Twice is a conflict; the round shows the withdrawal; the log has it.
    let (status, body) = write(
        &server,
        &o,
        Method::POST,
        &url,
        &json!({"product_id": p, "reason": "again"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let (_, r) = get(&server, &o, &format!("/api/organise/rounds/{round}")).await;
    let row = r["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["product_id"] == p)
        .unwrap()
        .clone();
    assert_eq!(row["withdrawal"]["reason"], reason);
    assert_eq!(row["ordered"], 0);
    let e = &log(&server, &o, "liu").await.entries[0];
    assert_eq!(
        (e.entity.as_str(), e.action.as_str()),
        ("withdrawal", "withdraw")
    );
    assert_eq!(e.entity_id, format!("{round}/{p}"));
}

// ---- visits ----

fn day(offset: i64) -> String {
    domain::wire::format_date(
        domain::shanghai_date(time::OffsetDateTime::now_utc()) + time::Duration::days(offset),
    )
}

/// An anonymous booking for 2 adults; returns its id and reference.
async fn book(server: &Server, slug: &str, offset: i64, nights: u32) -> (String, String) {
    let id = new_id();
    let (status, body) = send(
        &browser(),
        Method::PUT,
        &server.url(&format!("/api/bookings/{id}")),
        Some(&json!({
            "village_slug": slug,
            "arrival": day(offset),
            "nights": nights,
            "adults": 2,
            "children": 0,
            "host_id": null,
            "meals": [],
            "name": "周小燕",
            "phone": "139 1234 5678",
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    (id, body["reference"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn organisers_see_bookings_per_day_cancel_with_a_reason_and_close_days() {
    let env = Env::new();
    let server = env.start();
    let (id, reference) = book(&server, "liu", 3, 2).await;
    let o = liu_only(&server).await;

    let path = format!(
        "/api/organise/villages/liu/bookings?from={}&to={}",
        day(3),
        day(5)
    );
    let (status, plan) = get(&server, &o, &path).await;
    assert_eq!(status, 200, "{plan}");
    let plan: domain::organise::OrganiseBookings = serde_json::from_value(plan).unwrap();
    assert_eq!(plan.days.len(), 3);
    let staying = |d: &domain::organise::BookingDay| {
        d.hosts
            .iter()
            .filter(|h| h.booking_ids.contains(&id))
            .map(|h| h.beds_booked)
            .sum::<u32>()
    };
    assert_eq!(
        plan.days.iter().map(staying).collect::<Vec<_>>(),
        [2, 2, 0],
        "two nights, then departure"
    );
    assert_eq!(plan.bookings.len(), 1);
    assert_eq!(plan.bookings[0].name, "周小燕");
    let (status, one) = get(&server, &o, &format!("/api/organise/bookings/{id}")).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["phone"], "13912345678");

    // Bad ranges name the parameter.
    let (status, body) = get(
        &server,
        &o,
        "/api/organise/villages/liu/bookings?from=2026-02-30",
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(fields(&body), ["from"]);
    let (status, body) = get(
        &server,
        &o,
        &format!(
            "/api/organise/villages/liu/bookings?from={}&to={}",
            day(5),
            day(3)
        ),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(fields(&body), ["to"]);

    // Cancelling needs a reason; the visitor then sees it.
    let cancel = format!("/api/organise/bookings/{id}/cancel");
    let (status, body) = write(&server, &o, Method::POST, &cancel, &json!({"reason": ""})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["reason"]);
    let why = "the host family has a funeral that week; we are sorry";
    let (status, body) = write(&server, &o, Method::POST, &cancel, &json!({"reason": why})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    let (status, seen) = send(
        &browser(),
        Method::GET,
        &server.url(&format!("/api/bookings/{id}?ref={reference}")),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(seen["status"], "cancelled");
    assert_eq!(seen["cancelled_by"], "organiser");
    assert_eq!(seen["cancel_reason"], why);
    let (_, plan) = get(&server, &o, &path).await;
    let plan: domain::organise::OrganiseBookings = serde_json::from_value(plan).unwrap();
    assert_eq!(
        plan.days.iter().map(staying).sum::<u32>(),
        0,
        "the beds are free again"
    );
    assert_eq!(
        plan.bookings[0].status,
        domain::dto::BookingStatus::Cancelled
    );

    // Close a night: no new booking sleeps there; reopen it.
    let url = "/api/organise/villages/liu/closed-days";
    let (status, body) = write(
        &server,
        &o,
        Method::PUT,
        url,
        &json!({"date": day(4), "closed": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["closed"], true);
    assert!(body["closed_days"]
        .as_array()
        .unwrap()
        .contains(&json!(day(4))));
    let offer: Value = server.json("/api/villages/liu/visit").await;
    assert!(offer["policy"]["closed_days"]
        .as_array()
        .unwrap()
        .contains(&json!(day(4))));
    let (status, _) = send(
        &browser(),
        Method::PUT,
        &server.url(&format!("/api/bookings/{}", new_id())),
        Some(
            &json!({"village_slug": "liu", "arrival": day(4), "nights": 1, "adults": 1,
                     "name": "周小燕", "phone": "13912345678"}),
        ),
    )
    .await;
    assert_eq!(status, 422);
    let (_, plan) = get(&server, &o, &path).await;
    assert_eq!(plan["days"][1]["closed"], true);
    let (status, body) = write(
        &server,
        &o,
        Method::PUT,
        url,
        &json!({"date": day(4), "closed": false}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(!body["closed_days"]
        .as_array()
        .unwrap()
        .contains(&json!(day(4))));
    let (status, body) = write(
        &server,
        &o,
        Method::PUT,
        url,
        &json!({"date": day(-1), "closed": true}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["date"]);

    let entries: Vec<(String, String)> = log(&server, &o, "liu")
        .await
        .entries
        .into_iter()
        .map(|e| (e.entity, e.action))
        .collect();
    assert_eq!(
        entries,
        [
            ("closed_day".into(), "reopen".into()),
            ("closed_day".into(), "close".into()),
            ("booking".into(), "cancel".into())
        ]
    );
}

#[tokio::test]
async fn the_log_pages_newest_first() {
    let env = Env::new();
    let server = env.start();
    let o = liu_only(&server).await;
    for offset in [3, 4, 5, 6, 7] {
        let (status, body) = write(
            &server,
            &o,
            Method::PUT,
            "/api/organise/villages/liu/closed-days",
            &json!({"date": day(offset), "closed": true}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, first) = get(&server, &o, "/api/organise/villages/liu/log?limit=2").await;
    assert_eq!(status, 200, "{first}");
    let first: ChangeLogPage = serde_json::from_value(first).unwrap();
    let ids: Vec<String> = first.entries.iter().map(|e| e.entity_id.clone()).collect();
    assert_eq!(ids, [day(7), day(6)]);
    let next = first.next_before.expect("more pages");
    let (_, rest) = get(
        &server,
        &o,
        &format!("/api/organise/villages/liu/log?limit=10&before={next}"),
    )
    .await;
    let rest: ChangeLogPage = serde_json::from_value(rest).unwrap();
    let ids: Vec<String> = rest.entries.iter().map(|e| e.entity_id.clone()).collect();
    assert_eq!(ids, [day(5), day(4), day(3)]);
    assert_eq!(rest.next_before, None);
    let (status, body) = get(&server, &o, "/api/organise/villages/liu/log?limit=0").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(fields(&body), ["limit"]);
    // Song's log is not Zhao Xiumei's to read.
    assert_eq!(
        get(&server, &o, "/api/organise/villages/song/log").await.0,
        403
    );
    assert_eq!(
        get(&server, &o, "/api/organise/villages/nowhere/log")
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn lowering_a_supply_while_members_order_never_oversells() {
    let env = Env::new();
    let server = std::sync::Arc::new(env.start());
    let pool = open_db(&env.db).await;
    let (round, points, [p, _]) = open_liu(&server, &pool, 20).await;
    let h = supplier(&pool, round, p).await;
    let o = liu_only(&server).await;
    let mut members = Vec::new();
    for i in 0..24 {
        let phone = format!("1391235{i:04}");
        members.push(common::member_via_sql(&pool, &server, "周小燕", &phone, points[0]).await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for m in members {
        let server = server.clone();
        let body = order_body(round, points[0], &[(p, 1)]);
        tasks.spawn(async move {
            let id = new_id();
            send(
                &m,
                Method::PUT,
                &server.url(&format!("/api/orders/{id}")),
                Some(&body),
            )
            .await
            .0
        });
    }
    let url = format!("/api/organise/rounds/{round}/supply");
    let lowered = write(
        &server,
        &o,
        Method::PUT,
        &url,
        &json!({"supplies": [{"household_id": h, "product_id": p, "quantity": 10}]}),
    )
    .await;
    let mut placed = 0;
    while let Some(status) = tasks.join_next().await {
        match status.unwrap() {
            201 => placed += 1,
            409 => {}
            other => panic!("order answered {other}"),
        }
    }
    let sold = common::sold(&pool, round, p).await;
    let (capacity, remaining) = server.stock("liu", p).await;
    assert_eq!(sold, placed);
    assert!(sold <= capacity, "sold {sold} of {capacity}");
    assert_eq!(remaining, capacity - sold);
    match lowered.0 {
        200 => assert_eq!(capacity, 10),
        409 => {
            assert_eq!(capacity, 20);
            assert!(lowered.1["below_ordered"][0]["ordered"].as_i64().unwrap() > 10);
        }
        other => panic!("supply change answered {other}: {}", lowered.1),
    }
    common::assert_totals_consistent(&pool).await;
}
