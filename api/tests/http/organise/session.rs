//! Logging in and out, the login rate limits, CSRF, 401/403 on every
//! organiser endpoint, and the change log's pages.

use reqwest::{Client, Method};
use serde_json::{json, Value};

use super::{book, product_body, round_body};
use crate::common::{self, call, day, fields, header, photo_row, scalar, Http, Server};
use domain::organise::{ChangeLogPage, OrganiserMe, CSRF_HEADER, CSRF_VALUE};

/// An organiser login (with the CSRF header) posted to `url`, as it comes.
async fn post_login(client: &Client, url: &str, login: &str, password: &str) -> reqwest::Response {
    let body = json!({"login": login, "password": password});
    let req = client.post(url).header(CSRF_HEADER, CSRF_VALUE).json(&body);
    req.send().await.unwrap()
}

/// An organiser login posted to `url` from `client`; status and body.
async fn try_login(
    client: &Client,
    url: &str,
    login: &str,
    password: &str,
    csrf: bool,
) -> (u16, Value) {
    let body = json!({"login": login, "password": password});
    call(client, Method::POST, url, Some(&body), csrf).await
}

#[tokio::test]
async fn login_me_and_logout_with_a_cookie_of_their_own() {
    let server = Server::start().await;
    let client = common::browser();
    let url = server.url("/api/organise/session");
    let res = post_login(&client, &url, " Liu-Organiser-1 ", "demo-organiser-1").await;
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
    assert_eq!(
        (me.csrf_header.as_str(), me.csrf_value.as_str()),
        ("X-Requested-With", "storefront")
    );

    let (status, body) = common::get(&server, &client, "/api/organise/me").await;
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
    assert_eq!(
        common::get(&server, &client, "/api/organise/me").await.0,
        200
    );
    let (status, _) = call(
        &client,
        Method::DELETE,
        &server.url("/api/organise/session"),
        None,
        true,
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = common::get(&server, &client, "/api/organise/me").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "please log in as an organiser");
}

#[tokio::test]
async fn a_member_session_does_not_open_the_workspace() {
    let server = Server::start().await;
    let (member, _) = server.login("13800000001", "demo-password-1").await;
    let (status, _) = common::get(&server, &member, "/api/organise/me").await;
    assert_eq!(status, 401);
    // Nor does the organiser cookie open a member's pages.
    let o = server
        .organiser("liu-organiser-2", "demo-organiser-2")
        .await;
    assert_eq!(o.get("/api/me").await.0, 401);
}

#[tokio::test]
async fn wrong_logins_are_refused_alike_and_login_needs_the_csrf_header() {
    let server = Server::start().await;
    let c = common::browser();
    let url = server.url("/api/organise/session");
    for (login, password) in [
        ("liu-organiser-1", "wrong password"),
        ("nobody-here", "demo-organiser-1"),
        ("bad login!", "x"),
    ] {
        let (status, body) = try_login(&c, &url, login, password, true).await;
        assert_eq!(status, 401, "{login}: {body}");
        assert_eq!(body["error"], "login name or password is wrong");
    }
    let (status, body) = try_login(&c, &url, "liu-organiser-1", "demo-organiser-1", false).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"].as_str().unwrap().contains("X-Requested-With"));
    let (status, body) = call(&c, Method::POST, &url, Some(&json!({"login": "x"})), true).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["password"]);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_a_clear_wait() {
    let server = Server::start().await;
    let c = common::browser();
    let url = server.url("/api/organise/session");
    for i in 0..5 {
        let (status, body) = try_login(&c, &url, "liu-organiser-3", "guess", true).await;
        assert_eq!(status, 401, "attempt {i}: {body}");
    }
    // Now even the right password waits.
    let res = post_login(&c, &url, "liu-organiser-3", "demo-organiser-3").await;
    assert_eq!(res.status(), 429);
    assert_eq!(header(&res, "retry-after"), "900");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["retry_after_minutes"], 15);
    assert_eq!(
        body["error"],
        "too many failed logins; try again in 15 minutes"
    );
    // Failures are counted per account and per client address.
    let pool = server.pool().await;
    let (addresses,): (String,) =
        sqlx::query_as("SELECT group_concat(DISTINCT address) FROM login_failure")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(addresses, "127.0.0.1");
    // Another account from the same address is not locked by this one.
    server
        .organiser("liu-organiser-2", "demo-organiser-2")
        .await;

    // When the failures are older than the window, the account opens again.
    sqlx::query("UPDATE login_failure SET at = at - 15 * 60")
        .execute(&pool)
        .await
        .unwrap();
    server
        .organiser("liu-organiser-3", "demo-organiser-3")
        .await;
}

#[tokio::test]
async fn many_failures_from_one_address_lock_that_address() {
    let server = Server::start().await;
    let c = common::browser();
    let url = server.url("/api/organise/session");
    for i in 0..20 {
        let (status, body) = try_login(&c, &url, &format!("guess-{i}"), "x", true).await;
        assert_eq!(status, 401, "attempt {i}: {body}");
    }
    let (status, body) = try_login(&c, &url, "song-organiser-1", "demo-organiser-4", true).await;
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
        (
            Method::PUT,
            "/api/organise/rounds/{song_round}",
            round_body(&[1]),
        ),
        (
            Method::DELETE,
            "/api/organise/rounds/{song_round}",
            Value::Null,
        ),
        (
            Method::GET,
            "/api/organise/villages/{song}/visit",
            Value::Null,
        ),
        (
            Method::PUT,
            "/api/organise/villages/{song}/visit",
            offer_body(),
        ),
    ]
}

/// A whole visit offer with one host.
fn offer_body() -> Value {
    json!({
        "open_from": day(1), "open_until": day(60),
        "max_party": 4, "max_nights": 2, "free_cancel_days_before": 1,
        "hosts": [{
            "household_id": 1, "beds": 2,
            "meals": {"breakfast": true},
            "prices": {"adult_night_fen": 5000, "child_night_fen": 0,
                       "meal_adult_fen": 1000, "meal_child_fen": 0},
            "description": {"zh": "一间房", "en": "One room"},
            "rules": {"zh": "无", "en": "None"},
        }],
    })
}

/// Ids of Song Village's things, for the 403 checks.
struct SongIds {
    product: i64,
    round: i64,
    booking: String,
    photo: i64,
}

async fn song_ids(pool: &sqlx::SqlitePool, server: &Http) -> SongIds {
    let (booking, _) = book(server, "song", 2, 1).await;
    let product = scalar(
        pool,
        "SELECT p.id FROM product p JOIN village v ON v.id = p.village_id WHERE v.slug = 'song' ORDER BY p.id LIMIT 1",
    )
    .await;
    // A photo row is enough: the checks come before its bytes are read.
    let photo = photo_row(pool, product).await;
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
    let server = Server::start().await;
    let pool = server.pool().await;
    let ids = song_ids(&pool, &server).await;
    let anonymous = common::browser();
    let liu = server.liu_organiser().await;
    let log_rows = scalar(&pool, "SELECT COUNT(*) FROM change_log").await;
    let allocations = scalar(&pool, "SELECT COUNT(*) FROM allocation").await;
    // `/me` needs a session too.
    assert_eq!(
        common::get(&server, &anonymous, "/api/organise/me").await.0,
        401
    );
    for (method, path, body) in endpoints() {
        let url = server.url(&fill(path, &ids));
        let body = (!body.is_null()).then_some(&body);
        let (status, answer) = call(&anonymous, method.clone(), &url, body, true).await;
        assert_eq!(status, 401, "{method} {path} without a session: {answer}");
        assert_eq!(answer["error"], "please log in as an organiser");
        let (status, answer) = call(&liu.client, method.clone(), &url, body, true).await;
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
            let (status, answer) = call(&liu.client, method.clone(), &url, body, false).await;
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
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM allocation").await,
        allocations
    );
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM photo").await, 1);
    // The organiser of both Liu and Song may read Song's things.
    let both = server
        .organiser("liu-organiser-1", "demo-organiser-1")
        .await;
    for path in [
        "/api/organise/villages/{song}/log",
        "/api/organise/products/{song_product}",
        "/api/organise/rounds/{song_round}",
        "/api/organise/bookings/{song_booking}",
    ] {
        let (status, body) = both.get(&fill(path, &ids)).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
}

#[tokio::test]
async fn the_log_pages_newest_first() {
    let server = Server::start().await;
    let o = server.liu_organiser().await;
    for offset in [3, 4, 5, 6, 7] {
        let (status, body) = o
            .put(
                "/api/organise/villages/liu/closed-days",
                &json!({"date": day(offset), "closed": true}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, first) = o.get("/api/organise/villages/liu/log?limit=2").await;
    assert_eq!(status, 200, "{first}");
    let first: ChangeLogPage = serde_json::from_value(first).unwrap();
    let ids: Vec<String> = first.entries.iter().map(|e| e.entity_id.clone()).collect();
    assert_eq!(ids, [day(7), day(6)]);
    let next = first.next_before.expect("more pages");
    let (_, rest) = o
        .get(&format!(
            "/api/organise/villages/liu/log?limit=10&before={next}"
        ))
        .await;
    let rest: ChangeLogPage = serde_json::from_value(rest).unwrap();
    let ids: Vec<String> = rest.entries.iter().map(|e| e.entity_id.clone()).collect();
    assert_eq!(ids, [day(5), day(4), day(3)]);
    assert_eq!(rest.next_before, None);
    let (status, body) = o.get("/api/organise/villages/liu/log?limit=0").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(fields(&body), ["limit"]);
    // Song's log is not Zhao Xiumei's to read.
    assert_eq!(o.get("/api/organise/villages/song/log").await.0, 403);
    assert_eq!(o.get("/api/organise/villages/nowhere/log").await.0, 404);
}
