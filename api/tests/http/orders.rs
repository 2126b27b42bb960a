//! Ordering for a round: capacity under concurrent load, exactly-once
//! placement, refusals that write nothing, deadlines, changes and
//! cancellations, and members kept apart.
//!
//! Members for these tests are made with SQL (`member_via_sql`); joining
//! and logging in are tested in `members.rs`. Situations (a supply of
//! exactly 50, a deadline in the past) are set up with SQL on the same
//! database file while the server runs.

use std::sync::Arc;

use crate::common::{
    self, assert_totals_consistent, fields, get, member_via_sql, new_id, order_body as order,
    order_rows, send_raw, session_via_sql, set_supply, sold, Http, Server, FORM, JSON,
};
use domain::dto::{Order, OrderStatus, ProductDetail, VillageDetail};
use reqwest::{Client, Method};
use serde_json::{json, Value};
use tokio::task::JoinSet;

/// The village's open round, a point of it and an in-stock product.
struct Setup {
    round_id: i64,
    point_id: i64,
    product_id: i64,
}

async fn setup(server: &Server, slug: &str) -> (VillageDetail, Setup) {
    let v = server.village(slug).await;
    let open = v.open_round.clone().expect("an open round");
    let product_id = open
        .stock
        .iter()
        .find(|s| s.remaining > 0)
        .expect("something in stock")
        .product_id;
    let s = Setup {
        round_id: open.round.id,
        point_id: v.distribution_points[0].id,
        product_id,
    };
    (v, s)
}

async fn put(server: &Http, client: &Client, id: &str, body: &Value) -> (u16, Value) {
    common::put(server, client, &format!("/api/orders/{id}"), body).await
}

async fn patch(server: &Http, client: &Client, id: &str, body: &Value) -> (u16, Value) {
    common::patch(server, client, &format!("/api/orders/{id}"), body).await
}

async fn delete(server: &Http, client: &Client, id: &str) -> (u16, Value) {
    common::delete(server, client, &format!("/api/orders/{id}")).await
}

fn parse(body: Value) -> Order {
    serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_orders_race_for_fifty_units() {
    let server = Arc::new(Server::start().await);
    let pool = server.pool().await;
    let (orders, lines) = order_rows(&pool).await;
    let (_, s) = setup(&server, "liu").await;
    set_supply(&pool, s.round_id, s.product_id, 50).await;
    assert_eq!(server.stock("liu", s.product_id).await, (50, 50));

    let mut clients = Vec::new();
    for i in 0..20 {
        clients.push(
            member_via_sql(
                &pool,
                &server,
                &format!("顾客{i}"),
                &format!("1590000{i:04}"),
                s.point_id,
            )
            .await,
        );
    }
    let body = Arc::new(order(s.round_id, s.point_id, &[(s.product_id, 1)]));
    let mut tasks = JoinSet::new();
    for client in &clients {
        for _ in 0..10 {
            let (server, client, body) = (server.clone(), client.clone(), body.clone());
            tasks.spawn(async move { put(&server, &client, &new_id(), &body).await });
        }
    }
    let results = tasks.join_all().await;
    assert_eq!(results.len(), 200);

    let created: Vec<_> = results.iter().filter(|(s, _)| *s == 201).collect();
    let refused: Vec<_> = results.iter().filter(|(s, _)| *s == 409).collect();
    assert_eq!(created.len(), 50, "statuses: {:?}", statuses(&results));
    assert_eq!(refused.len(), 150, "statuses: {:?}", statuses(&results));
    for (_, body) in &refused {
        assert_eq!(
            body["error"],
            "not enough left for your whole order; nothing was ordered"
        );
        assert_eq!(
            body["short"],
            json!([{"product_id": s.product_id, "requested": 1, "remaining": 0}])
        );
    }
    let mut numbers: Vec<String> = created
        .iter()
        .map(|(_, b)| b["number"].as_str().unwrap().to_owned())
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 50, "order numbers are unique");

    assert_eq!(sold(&pool, s.round_id, s.product_id).await, 50);
    assert_eq!(order_rows(&pool).await, (orders + 50, lines + 50));
    assert_totals_consistent(&pool).await;
    assert_eq!(server.stock("liu", s.product_id).await, (50, 0));
    let product: ProductDetail = server
        .json(&format!("/api/products/{}", s.product_id))
        .await;
    let stock = product.open_round.unwrap().stock;
    assert_eq!((stock.capacity, stock.remaining), (50, 0));
    // Every order answered 201 was on disk first: the WAL synced up to
    // the last commit (one sync may cover several).
    let (committed, synced) = server.wal_sync.position().await;
    assert!(committed >= 50, "{committed} commits");
    assert_eq!(synced, committed);
    assert!(server.wal_sync.syncs() <= committed);
}

fn statuses(results: &[(u16, Value)]) -> std::collections::BTreeMap<u16, usize> {
    let mut m = std::collections::BTreeMap::new();
    for (s, _) in results {
        *m.entry(*s).or_default() += 1;
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_order_sent_ten_times_is_placed_once() {
    let server = Arc::new(Server::start().await);
    let pool = server.pool().await;
    let (orders, lines) = order_rows(&pool).await;
    let (v, s) = setup(&server, "liu").await;
    let other = v.open_round.as_ref().unwrap().stock[1].product_id;
    set_supply(&pool, s.round_id, s.product_id, 20).await;
    set_supply(&pool, s.round_id, other, 20).await;
    let client = member_via_sql(&pool, &server, "林静", "13900000001", s.point_id).await;

    let id = new_id();
    let body = Arc::new(order(
        s.round_id,
        s.point_id,
        &[(s.product_id, 2), (other, 3)],
    ));
    let mut tasks = JoinSet::new();
    for _ in 0..10 {
        let (server, client, body, id) = (server.clone(), client.clone(), body.clone(), id.clone());
        tasks.spawn(async move { put(&server, &client, &id, &body).await });
    }
    let results = tasks.join_all().await;
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{:?}",
        statuses(&results)
    );
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 200).count(),
        9,
        "{:?}",
        statuses(&results)
    );
    for (_, b) in &results {
        assert_eq!(b, &results[0].1, "every answer is the same order");
    }
    let placed = parse(results[0].1.clone());
    assert_eq!(placed.id, id);
    assert_eq!(placed.status, OrderStatus::Confirmed);
    assert!(placed.number.starts_with("LIU-"), "{}", placed.number);
    assert_eq!(placed.number.len(), "LIU-000001".len());
    assert_eq!(order_rows(&pool).await, (orders + 1, lines + 2));
    assert_eq!(sold(&pool, s.round_id, s.product_id).await, 2);

    // The same content with the lines in another order is the same order.
    let (status, b) = put(
        &server,
        &client,
        &id.to_uppercase(),
        &order(s.round_id, s.point_id, &[(other, 3), (s.product_id, 2)]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(parse(b), placed);

    // The same id with different content is refused; nothing changes.
    let (status, b) = put(
        &server,
        &client,
        &id,
        &order(s.round_id, s.point_id, &[(s.product_id, 3), (other, 3)]),
    )
    .await;
    assert_eq!(
        (status, b),
        (
            409,
            json!({
                "error": "this order id was already used for a different order",
                "error_zh": "这个订单号已经用在另一张订单上了"
            })
        )
    );
    assert_eq!(order_rows(&pool).await, (orders + 1, lines + 2));
    let (_, b) = get(&server, &client, &format!("/api/orders/{id}")).await;
    assert_eq!(parse(b), placed);
}

#[tokio::test]
async fn bad_orders_name_the_field_and_write_nothing() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let (liu, s) = setup(&server, "liu").await;
    let song = server.village("song").await;
    let (client, token) = session_via_sql(&pool, &server, "许明", "13900000002", s.point_id).await;
    let (r, pt, p) = (s.round_id, s.point_id, s.product_id);
    // A product Liu Village withdrew.
    let withdrawn = liu.products.last().unwrap().id;
    sqlx::query("UPDATE product SET published = 0 WHERE id = ?")
        .bind(withdrawn)
        .execute(&pool)
        .await
        .unwrap();
    let past_round = sqlx::query_as::<_, (i64,)>(
        "SELECT id FROM distribution_round WHERE village_id = (SELECT village_id FROM distribution_round WHERE id = ?)
         AND deadline < unixepoch() ORDER BY deadline DESC LIMIT 1",
    )
    .bind(r)
    .fetch_one(&pool)
    .await
    .unwrap()
    .0;
    let future_round = liu
        .upcoming_rounds
        .iter()
        .find(|x| x.opens_at > time::OffsetDateTime::now_utc())
        .unwrap()
        .id;
    let before = order_rows(&pool).await;

    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (
            order(r, pt, &[(p, 0)]),
            422,
            "lines[0].quantity",
            "at least 1",
        ),
        (
            order(r, pt, &[(p, -3)]),
            422,
            "lines[0].quantity",
            "at least 1",
        ),
        (
            order(r, pt, &[(p, 100)]),
            422,
            "lines[0].quantity",
            "at most 99",
        ),
        (
            order(r, pt, &[(p, 1), (p, 2)]),
            422,
            "lines[1].product_id",
            "already in the order",
        ),
        (order(r, pt, &[]), 422, "lines", "at least one product"),
        (
            order(r, pt, &[(p, 1), (999_999, 1)]),
            422,
            "lines[1].product_id",
            "unknown product",
        ),
        (
            order(r, pt, &[(song.products[0].id, 1)]),
            422,
            "lines[0].product_id",
            "not sold by this village",
        ),
        (
            order(r, pt, &[(withdrawn, 1)]),
            422,
            "lines[0].product_id",
            "not sold by this village",
        ),
        (
            order(r, song.distribution_points[0].id, &[(p, 1)]),
            422,
            "point_id",
            "does not serve",
        ),
        (order(r, 999_999, &[(p, 1)]), 422, "point_id", "unknown"),
        (order(999_999, pt, &[(p, 1)]), 422, "round_id", "no round"),
        (
            order(past_round, pt, &[(p, 1)]),
            422,
            "round_id",
            "orders for this round closed at",
        ),
        (
            order(future_round, pt, &[(p, 1)]),
            422,
            "round_id",
            "orders for this round open at",
        ),
        (order(0, pt, &[(p, 1)]), 422, "round_id", "positive"),
        (
            json!({"round_id": r, "point_id": pt, "lines": [{"product_id": p, "quantity": "2"}]}),
            422,
            "lines[0].quantity",
            "whole number",
        ),
        (
            json!({"round_id": r, "point_id": pt, "lines": [{"product_id": p, "quantity": 1e30}]}),
            422,
            "lines[0].quantity",
            "whole number",
        ),
        (
            json!({"round_id": r, "point_id": pt, "lines": [{"product_id": p, "quantity": 1.5}]}),
            422,
            "lines[0].quantity",
            "whole number",
        ),
        (
            json!({"round_id": r, "point_id": pt, "lines": [{"product_id": null, "quantity": 1}]}),
            422,
            "lines[0].product_id",
            "",
        ),
        (
            json!({"round_id": r, "lines": []}),
            422,
            "point_id",
            "is missing",
        ),
        (
            json!({"round_id": r, "point_id": pt, "lines": {}}),
            422,
            "lines",
            "list",
        ),
        (json!([1, 2]), 422, "body", "object"),
    ];
    for (body, status, field, message) in &cases {
        let (got, b) = put(&server, &client, &new_id(), body).await;
        assert_eq!(got, *status, "{body} → {b}");
        let f = b["fields"]
            .as_array()
            .unwrap_or_else(|| panic!("{body} → {b}"))
            .iter()
            .find(|f| f["field"] == *field)
            .unwrap_or_else(|| panic!("{body} → {b}: no field {field}"));
        assert!(
            f["message"].as_str().unwrap().contains(message),
            "{body} → {b}"
        );
    }

    // Past the point of JSON shape: raw bodies and headers.
    let url = server.url(&format!("/api/orders/{}", new_id()));
    let good = order(r, pt, &[(p, 1)]).to_string();
    for (ctype, body, status) in [
        (JSON, "{\"round_id\": 1,", 400),
        (JSON, "", 400),
        (JSON, "{\"round_id\":1} trailing", 400),
        ("text/plain", good.as_str(), 415),
        (FORM, "round_id=1", 415),
    ] {
        let res = send_raw(&client, Method::PUT, &url, ctype, body.to_owned()).await;
        assert_eq!(res.status(), status, "{ctype} {body}");
        let e: domain::dto::ApiError = res.json().await.unwrap();
        assert!(!e.error.is_empty());
    }
    let res = client.put(&url).body(good.clone()).send().await.unwrap();
    assert_eq!(res.status(), 415, "no content type");
    // Too large, with and without a declared length.
    let huge = format!("{{\"pad\":\"{}\"}}", "x".repeat(100 * 1024));
    let res = send_raw(&client, Method::PUT, &url, JSON, huge.clone()).await;
    assert_eq!(res.status(), 413);
    let e: domain::dto::ApiError = res.json().await.unwrap();
    assert!(e.error.contains("too large"), "{}", e.error);
    // Chunked, so only reading the body finds out.
    let answer = raw_chunked_put(
        server.port,
        &token,
        &format!("/api/orders/{}", new_id()),
        &huge,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{answer}"
    );

    // No session: 401; a malformed id: 400 naming it.
    let (status, b) = put(
        &server,
        &reqwest::Client::new(),
        &new_id(),
        &order(r, pt, &[(p, 1)]),
    )
    .await;
    assert_eq!(
        (status, b),
        (
            401,
            json!({"error": "please log in", "error_zh": "请先登录"})
        )
    );
    for bad in ["not-a-uuid", "1234", "3f2b6c1e8d4a4b7e9c0d2a1b3c4d5e6f"] {
        let (status, b) = put(&server, &client, bad, &order(r, pt, &[(p, 1)])).await;
        assert_eq!(status, 400, "{bad}: {b}");
        assert_eq!(fields(&b), ["id"]);
    }

    assert_eq!(order_rows(&pool).await, before, "nothing was written");
    assert_eq!(sold(&pool, r, p).await, 0);
    // And the same request, well-formed, does go through.
    let (status, _) = put(&server, &client, &new_id(), &order(r, pt, &[(p, 1)])).await;
    assert_eq!(status, 201);
}

/// A PUT with a chunked body (no Content-Length) over a raw connection;
/// returns the start of the answer.
async fn raw_chunked_put(port: u16, token: &str, path: &str, body: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Cookie: sf_session={token}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.as_bytes().chunks(4096) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        // The server may answer and close before reading everything.
        if stream.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn after_the_deadline_orders_are_locked_but_repeats_still_answer() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let (_, s) = setup(&server, "liu").await;
    let client = member_via_sql(&pool, &server, "何平", "13900000003", s.point_id).await;
    let id = new_id();
    let body = order(s.round_id, s.point_id, &[(s.product_id, 1)]);
    let (status, b) = put(&server, &client, &id, &body).await;
    assert_eq!(status, 201);
    let placed = parse(b);
    assert!(!placed.locked);

    sqlx::query("UPDATE distribution_round SET deadline = unixepoch() - 60 WHERE id = ?")
        .bind(s.round_id)
        .execute(&pool)
        .await
        .unwrap();
    let before = order_rows(&pool).await;

    let (status, b) = put(&server, &client, &new_id(), &body).await;
    assert_eq!(status, 422, "{b}");
    assert_eq!(fields(&b), ["round_id"]);
    let message = b["fields"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("orders for this round closed at ")
            && message.ends_with(" (Asia/Shanghai)"),
        "{message}"
    );

    let (status, b) = patch(
        &server,
        &client,
        &id,
        &order(s.round_id, s.point_id, &[(s.product_id, 2)]),
    )
    .await;
    assert_eq!(status, 409, "{b}");
    let locked = b["error"].as_str().unwrap();
    assert!(
        locked.starts_with("this order is locked: orders for this round closed at "),
        "{locked}"
    );
    let (status, b) = delete(&server, &client, &id).await;
    assert_eq!((status, b["error"].as_str()), (409, Some(locked)));

    // The phone resending the placed order still gets it, now locked.
    let (status, b) = put(&server, &client, &id, &body).await;
    assert_eq!(status, 200, "{b}");
    let repeat = parse(b);
    assert!(repeat.locked);
    assert_eq!(repeat.status, OrderStatus::Confirmed);
    assert_eq!((repeat.number, repeat.lines), (placed.number, placed.lines));
    assert_eq!(order_rows(&pool).await, before);

    // No round is open for the village now.
    assert!(server.village("liu").await.open_round.is_none());
}

#[tokio::test]
async fn changing_and_cancelling_release_capacity() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let (liu, s) = setup(&server, "liu").await;
    let p = s.product_id;
    set_supply(&pool, s.round_id, p, 10).await;
    let a = member_via_sql(&pool, &server, "甲", "13900000004", s.point_id).await;
    let b = member_via_sql(&pool, &server, "乙", "13900000005", s.point_id).await;

    let id = new_id();
    let (status, body) = put(&server, &a, &id, &order(s.round_id, s.point_id, &[(p, 6)])).await;
    assert_eq!(status, 201);
    let placed = parse(body);
    assert_eq!(server.stock("liu", p).await, (10, 4));

    // Raise to 8 (its own 6 are released for the check) at another point.
    let point2 = liu.distribution_points[1].id;
    let (status, body) = patch(&server, &a, &id, &order(s.round_id, point2, &[(p, 8)])).await;
    assert_eq!(status, 200, "{body}");
    let changed = parse(body);
    assert_eq!((changed.lines[0].quantity, changed.point.id), (8, point2));
    assert_eq!((&changed.id, &changed.number), (&placed.id, &placed.number));
    assert_eq!(changed.total_fen, placed.lines[0].unit_price_fen * 8);
    assert_eq!(server.stock("liu", p).await, (10, 2));

    let (status, _) = put(
        &server,
        &b,
        &new_id(),
        &order(s.round_id, s.point_id, &[(p, 2)]),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(server.stock("liu", p).await, (10, 0));

    // More than is left: 409 with what is left for this order, unchanged.
    let (status, body) = patch(&server, &a, &id, &order(s.round_id, point2, &[(p, 9)])).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["short"],
        json!([{"product_id": p, "requested": 9, "remaining": 8}])
    );
    let (_, body) = get(&server, &a, &format!("/api/orders/{id}")).await;
    assert_eq!(parse(body), changed);
    // Another round is not a change of this order.
    let (status, body) = patch(&server, &a, &id, &order(s.round_id + 1, point2, &[(p, 8)])).await;
    assert_eq!((status, fields(&body)), (422, vec!["round_id".to_owned()]));
    // The same content: a no-op.
    let (status, body) = patch(&server, &a, &id, &order(s.round_id, point2, &[(p, 8)])).await;
    assert_eq!(status, 200);
    assert_eq!(parse(body), changed);

    // Cancel: capacity goes back.
    let (status, body) = delete(&server, &a, &id).await;
    assert_eq!(status, 200);
    let cancelled = parse(body);
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(server.stock("liu", p).await, (10, 8));
    assert_eq!(sold(&pool, s.round_id, p).await, 2);
    let (status, body) = delete(&server, &a, &id).await;
    assert_eq!(status, 200);
    assert_eq!(parse(body).status, OrderStatus::Cancelled);
    let (status, body) = patch(&server, &a, &id, &order(s.round_id, point2, &[(p, 1)])).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("cancelled"),
        "{body}"
    );
    assert_eq!(server.stock("liu", p).await, (10, 8));
}

#[tokio::test]
async fn members_only_see_their_own_orders() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let (_, s) = setup(&server, "liu").await;
    let a = member_via_sql(&pool, &server, "丙", "13900000006", s.point_id).await;
    let b = member_via_sql(&pool, &server, "丁", "13900000007", s.point_id).await;
    let body = order(s.round_id, s.point_id, &[(s.product_id, 1)]);
    let first = new_id();
    let second = new_id();
    assert_eq!(put(&server, &a, &first, &body).await.0, 201);
    assert_eq!(put(&server, &a, &second, &body).await.0, 201);
    let mine = new_id();
    assert_eq!(put(&server, &b, &mine, &body).await.0, 201);
    let before = order_rows(&pool).await;

    let path = format!("/api/orders/{first}");
    let (status, e) = get(&server, &b, &path).await;
    assert_eq!(status, 404, "{e}");
    assert!(!e.to_string().contains("丙"));
    assert_eq!(
        patch(
            &server,
            &b,
            &first,
            &order(s.round_id, s.point_id, &[(s.product_id, 2)])
        )
        .await
        .0,
        404
    );
    assert_eq!(delete(&server, &b, &first).await.0, 404);
    assert_eq!(put(&server, &b, &first, &body).await.0, 404);
    assert_eq!(order_rows(&pool).await, before);
    let (_, a_view) = get(&server, &a, &path).await;
    assert_eq!(parse(a_view).status, OrderStatus::Confirmed);

    let (_, list) = get(&server, &b, "/api/orders").await;
    let list: Vec<Order> = serde_json::from_value(list).unwrap();
    assert_eq!(
        list.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        [mine.as_str()]
    );
    let (_, list) = get(&server, &a, "/api/orders").await;
    let list: Vec<Order> = serde_json::from_value(list).unwrap();
    assert_eq!(
        list.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        [second.as_str(), first.as_str()],
        "newest first"
    );
    let (status, _) = get(&server, &reqwest::Client::new(), "/api/orders").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn village_and_product_pages_show_open_round_stock() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let (liu, s) = setup(&server, "liu").await;
    let open = liu.open_round.clone().unwrap();
    assert!(open.round.opens_at <= time::OffsetDateTime::now_utc());
    assert!(time::OffsetDateTime::now_utc() < open.round.deadline);
    // One entry per published product.
    let mut ids: Vec<i64> = open.stock.iter().map(|s| s.product_id).collect();
    let mut products: Vec<i64> = liu.products.iter().map(|p| p.id).collect();
    ids.sort();
    products.sort();
    assert_eq!(ids, products);
    // Seeded supplies: eggs from several households, 5–20 kg each; nothing
    // out of season.
    let month = open.round.distribution_day.month() as u8;
    for p in &liu.products {
        let st = open.stock.iter().find(|x| x.product_id == p.id).unwrap();
        assert_eq!(st.capacity, st.remaining, "nothing ordered yet");
        if !p.season.is_available_in(month) {
            assert_eq!(st.capacity, 0, "{} out of season", p.name.en);
        }
        if p.name.en == "Free-range eggs" {
            let detail: ProductDetail = server.json(&format!("/api/products/{}", p.id)).await;
            let n = detail.households.len() as i64;
            assert!((5 * n..=20 * n).contains(&st.capacity), "{st:?}");
        }
    }
    assert!(open.stock.iter().filter(|x| x.capacity > 0).count() > 20);

    let client = member_via_sql(&pool, &server, "戊", "13900000008", s.point_id).await;
    let (cap, left) = server.stock("liu", s.product_id).await;
    let q = left.min(3);
    let (status, body) = put(
        &server,
        &client,
        &new_id(),
        &order(s.round_id, s.point_id, &[(s.product_id, q)]),
    )
    .await;
    assert_eq!(status, 201);
    let placed = parse(body);
    assert_eq!(server.stock("liu", s.product_id).await, (cap, left - q));
    let detail: ProductDetail = server
        .json(&format!("/api/products/{}", s.product_id))
        .await;
    let ps = detail.open_round.unwrap();
    assert_eq!(ps.round, open.round);
    assert_eq!((ps.stock.capacity, ps.stock.remaining), (cap, left - q));

    // Totals follow the domain rules and the price at the time of ordering.
    let line = &placed.lines[0];
    let expect = domain::order::line_totals(detail.price_fen, q, liu.organising_percent).unwrap();
    assert_eq!(
        (line.total_fen, line.household_fen),
        (expect.total_fen, expect.household_fen)
    );
    assert_eq!(
        placed.household_fen + placed.organising_fen,
        placed.total_fen
    );
    sqlx::query("UPDATE product SET price_fen = price_fen * 2 WHERE id = ?")
        .bind(s.product_id)
        .execute(&pool)
        .await
        .unwrap();
    let (_, body) = get(&server, &client, &format!("/api/orders/{}", placed.id)).await;
    assert_eq!(parse(body).lines[0].unit_price_fen, detail.price_fen);

    // Between rounds there is no open round (here: none opens for a while).
    sqlx::query("UPDATE distribution_round SET opens_at = unixepoch() + 3600 WHERE id = ?")
        .bind(s.round_id)
        .execute(&pool)
        .await
        .unwrap();
    assert!(server.village("liu").await.open_round.is_none());
    let detail: ProductDetail = server
        .json(&format!("/api/products/{}", s.product_id))
        .await;
    assert!(detail.open_round.is_none());
}
