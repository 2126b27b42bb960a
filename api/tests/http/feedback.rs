//! Quality feedback: ratings of collected orders, label reports (no
//! account, limited per address), the household summary, organisers'
//! problems and refunds. No public answer names the member.

use crate::common::{self, assert_field, order_body, place, Server};
use reqwest::Method;
use serde_json::{json, Value};

const NAME: &str = "陈晓梅";
const PHONE: &str = "13800000001";

/// The demo member's collected (paid) order from the seeded loop round
/// that has lines, and one of its products.
async fn collected(server: &Server, phone: &str) -> (String, i64) {
    let pool = server.pool().await;
    sqlx::query_as(
        "SELECT o.id, MIN(ol.product_id) FROM orders o
         JOIN member m ON m.id = o.member_id
         JOIN pickup pk ON pk.order_id = o.id AND pk.state = 'paid'
         JOIN order_line ol ON ol.order_id = o.id
         WHERE m.phone = ? GROUP BY o.id ORDER BY o.created_at DESC LIMIT 1",
    )
    .bind(phone)
    .fetch_one(&pool)
    .await
    .unwrap()
}

/// A label of a piece of this order.
async fn label_of(server: &Server, order_id: &str) -> (String, i64) {
    let pool = server.pool().await;
    sqlx::query_as(
        "SELECT pl.label_code, pl.household_id FROM packed_line pl WHERE pl.order_id = ?
         ORDER BY pl.product_id LIMIT 1",
    )
    .bind(order_id)
    .fetch_one(&pool)
    .await
    .unwrap()
}

fn no_member(what: &str, body: &Value) {
    let text = body.to_string();
    assert!(!text.contains(NAME), "{what} names the member: {text}");
    assert!(!text.contains(PHONE), "{what} gives the phone: {text}");
}

#[tokio::test]
async fn a_member_rates_only_their_own_collected_order() {
    let server = Server::start().await;
    let (member, _) = server.login(PHONE, "demo-password-1").await;
    let (order, product) = collected(&server, PHONE).await;
    let path = format!("/api/orders/{order}/feedback");
    let body =
        json!({"ratings": [{"product_id": product, "rating": "bad", "comment": "  有点碎  "}]});
    let (status, answer) = common::put(&server, &member, &path, &body).await;
    assert_eq!(status, 200, "{answer}");
    let rated = answer["ratings"].as_array().unwrap();
    let mine = rated.iter().find(|r| r["product_id"] == product).unwrap();
    assert_eq!(mine["rating"], "bad");
    assert_eq!(mine["comment"], "有点碎");
    // Sent again: the same answer, one row.
    let (status, again) = common::put(&server, &member, &path, &body).await;
    assert_eq!((status, &again), (200, &answer));
    let pool = server.pool().await;
    let (rows,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM rating WHERE order_id = ? AND product_id = ?")
            .bind(&order)
            .bind(product)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(rows, 1);

    // Someone else's collected order is not found.
    let (other, other_product) = collected(&server, "13800000003").await;
    let (status, _) = common::put(
        &server,
        &member,
        &format!("/api/orders/{other}/feedback"),
        &json!({"ratings": [{"product_id": other_product, "rating": "good"}]}),
    )
    .await;
    assert_eq!(status, 404);

    // An order not collected yet cannot be rated, and says why.
    let v = server.village("liu").await;
    let open = v.open_round.clone().unwrap();
    let stocked = open
        .stock
        .iter()
        .find(|s| s.remaining > 0)
        .unwrap()
        .product_id;
    let (fresh, _) = place(
        &server,
        &member,
        &order_body(open.round.id, v.distribution_points[0].id, &[(stocked, 1)]),
    )
    .await;
    let (status, body) = common::put(
        &server,
        &member,
        &format!("/api/orders/{fresh}/feedback"),
        &json!({"ratings": [{"product_id": stocked, "rating": "good"}]}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("not been collected"),
        "{body}"
    );
    assert!(
        body["error_zh"].as_str().unwrap().contains("取货"),
        "{body}"
    );

    // Bad input names the field, and writes nothing.
    let (status, body) = common::put(
        &server,
        &member,
        &path,
        &json!({"ratings": [{"product_id": product, "rating": "good", "comment": "长".repeat(501)}]}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "ratings[0].comment", "at most 500");
    let (status, body) = common::put(
        &server,
        &member,
        &path,
        &json!({"ratings": [{"product_id": 999_999, "rating": "good"}]}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "ratings[0].product_id", "not a line");
    let (stored,): (String,) =
        sqlx::query_as("SELECT rating FROM rating WHERE order_id = ? AND product_id = ?")
            .bind(&order)
            .bind(product)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, "bad");

    // Not logged in: 401.
    let (status, _) = common::put(&server, &common::browser(), &path, &body).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_household_summary_counts_ratings_without_names() {
    let server = Server::start().await;
    let (member, _) = server.login(PHONE, "demo-password-1").await;
    let (order, product) = collected(&server, PHONE).await;
    let pool = server.pool().await;
    let (household,): (i64,) = sqlx::query_as(
        "SELECT household_id FROM packed_line WHERE order_id = ? AND product_id = ? LIMIT 1",
    )
    .bind(&order)
    .bind(product)
    .fetch_one(&pool)
    .await
    .unwrap();
    let (_, before) = common::get(
        &server,
        &common::browser(),
        &format!("/api/households/{household}"),
    )
    .await;
    let (status, _) = common::put(
        &server,
        &member,
        &format!("/api/orders/{order}/feedback"),
        &json!({"ratings": [{"product_id": product, "rating": "good", "comment": "鸡蛋特别香"}]}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, after) = common::get(
        &server,
        &common::browser(),
        &format!("/api/households/{household}"),
    )
    .await;
    assert_eq!(status, 200);
    let feedback = &after["feedback"];
    assert!(feedback["count"].as_i64().unwrap() >= 1, "{after}");
    assert!(feedback["count"].as_i64() >= before["feedback"]["count"].as_i64());
    let percent = feedback["good_percent"].as_i64().unwrap();
    assert!((0..=100).contains(&percent));
    let first = &feedback["recent"][0];
    assert_eq!(first["comment"], "鸡蛋特别香", "{after}");
    assert_eq!(first["by"], "陈**");
    no_member("the household answer", &after);
}

#[tokio::test]
async fn a_label_report_reaches_the_organiser_and_a_refund_the_member() {
    let server = Server::start().await;
    let (member, _) = server.login(PHONE, "demo-password-1").await;
    let (order, _) = collected(&server, PHONE).await;
    let (code, _) = label_of(&server, &order).await;
    let anyone = common::browser();

    // The public label answer and the report answer say nothing of the member.
    let (status, label) = common::get(&server, &anyone, &format!("/api/labels/{code}")).await;
    assert_eq!(status, 200);
    no_member("the label answer", &label);
    let (status, received) = common::send(
        &anyone,
        Method::POST,
        &server.url(&format!("/api/labels/{code}/reports")),
        Some(&json!({"problem": "damaged", "comment": "盒子压坏了"})),
    )
    .await;
    assert_eq!(status, 201, "{received}");
    no_member("the report answer", &received);
    assert!(received.get("order_id").is_none(), "{received}");
    let report_id = received["id"].as_i64().unwrap();

    // Bad input names the field.
    let (status, body) = common::send(
        &anyone,
        Method::POST,
        &server.url(&format!("/api/labels/{code}/reports")),
        Some(&json!({"problem": "damaged", "comment": "x".repeat(501)})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "comment", "at most 500");

    // The organiser sees it first, with its household, round and point.
    let organiser = server.liu_organiser().await;
    let (status, problems) = organiser.get("/api/organise/villages/liu/problems").await;
    assert_eq!(status, 200, "{problems}");
    let first = &problems[0];
    assert_eq!(first["id"], report_id, "{problems}");
    assert_eq!(first["problem"], "damaged");
    assert_eq!(first["order_id"], order.as_str());
    assert!(first["household_name"]["zh"].is_string(), "{first}");
    assert!(first["point_name"]["zh"].is_string(), "{first}");
    let piece = first["piece_fen"].as_i64().unwrap();
    let left = piece - first["refunded_fen"].as_i64().unwrap();
    assert!(left > 0, "{first}");

    // More than the piece has left is refused, naming the amount; no reason too.
    let refunds = format!("/api/organise/orders/{order}/refunds");
    let (status, body) = organiser
        .post(
            &refunds,
            &json!({"amount_fen": left + 1, "reason": "压坏", "label_code": code}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "amount_fen", "at most");
    let (status, body) = organiser
        .post(
            &refunds,
            &json!({"amount_fen": 1, "reason": " ", "label_code": code}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "reason", "must not be empty");
    let (status, refund) = organiser
        .post(
            &refunds,
            &json!({"amount_fen": left, "reason": "盒子压坏，退这一件", "label_code": code, "report_id": report_id}),
        )
        .await;
    assert_eq!(status, 201, "{refund}");
    // Nothing is left on that piece now.
    let (status, body) = organiser
        .post(
            &refunds,
            &json!({"amount_fen": 1, "reason": "again", "label_code": code}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "amount_fen", "at most");
    let (status, _) = organiser
        .post(
            &format!("/api/organise/reports/{report_id}/resolve"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let actions = organiser.log_actions("liu").await;
    assert!(
        actions.iter().any(|(e, a)| e == "refund" && a == "create"),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .any(|(e, a)| e == "label_report" && a == "resolve"),
        "{actions:?}"
    );
    let (_, problems) = organiser.get("/api/organise/villages/liu/problems").await;
    let resolved = problems
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == report_id)
        .unwrap();
    assert!(resolved["resolved_at"].is_i64(), "{resolved}");

    // The member's order shows it.
    let (status, mine) = common::get(&server, &member, &format!("/api/orders/{order}")).await;
    assert_eq!(status, 200);
    let shown = mine["refunds"].as_array().unwrap();
    assert!(
        shown
            .iter()
            .any(|r| r["amount_fen"] == left && r["reason"] == "盒子压坏，退这一件"),
        "{mine}"
    );

    // Another village's organiser cannot see or refund it.
    let (status, _) = organiser.get("/api/organise/villages/song/problems").await;
    assert!(status == 403 || status == 404, "{status}");
}

#[tokio::test]
async fn reports_are_limited_per_address() {
    let server = Server::start().await;
    let (order, _) = collected(&server, PHONE).await;
    let (code, _) = label_of(&server, &order).await;
    let anyone = common::browser();
    let url = server.url(&format!("/api/labels/{code}/reports"));
    let body = json!({"problem": "other"});
    for _ in 0..5 {
        let (status, b) = common::send(&anyone, Method::POST, &url, Some(&body)).await;
        assert_eq!(status, 201, "{b}");
    }
    let (status, b) = common::send(&anyone, Method::POST, &url, Some(&body)).await;
    assert_eq!(status, 429, "{b}");
    assert!(
        b["error"]
            .as_str()
            .unwrap()
            .contains("too many problem reports"),
        "{b}"
    );
    assert!(
        b["error_zh"].as_str().unwrap().contains("分钟后再试"),
        "{b}"
    );
    // An unknown code is 404; a malformed one names the field.
    let server2 = Server::start().await;
    let unknown = domain::label::LabelCode::from_random([7; 8]);
    let (status, _) = common::send(
        &anyone,
        Method::POST,
        &server2.url(&format!("/api/labels/{}/reports", unknown.as_str())),
        Some(&body),
    )
    .await;
    assert_eq!(status, 404);
    let (status, b) = common::send(
        &anyone,
        Method::POST,
        &server2.url("/api/labels/0/reports"),
        Some(&body),
    )
    .await;
    assert_eq!(status, 422, "{b}");
    assert_eq!(common::fields(&b), ["code"]);
}

#[tokio::test]
async fn a_label_qr_code_is_an_svg_of_its_trace_page() {
    let server = Server::start().await;
    let (order, _) = collected(&server, PHONE).await;
    let (code, _) = label_of(&server, &order).await;
    let res = server.get(&format!("/api/labels/{code}/qr.svg")).await;
    assert_eq!(res.status(), 200);
    assert!(common::header(&res, "content-type").starts_with("image/svg+xml"));
    let svg = res.text().await.unwrap();
    assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
    // It encodes the trace page at the address the request came to: the
    // same code drawn from that URL is the same picture.
    let url = format!("http://127.0.0.1:{}/label/{code}", server.port);
    let expected = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .unwrap()
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    assert_eq!(svg, expected);
    let res = server.get("/api/labels/0/qr.svg").await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn a_member_reads_back_their_ratings() {
    let server = Server::start().await;
    let (member, _) = server.login(PHONE, "demo-password-1").await;
    let (order, product) = collected(&server, PHONE).await;
    let path = format!("/api/orders/{order}/feedback");
    let (status, put) = common::put(
        &server,
        &member,
        &path,
        &json!({"ratings": [{"product_id": product, "rating": "so_so", "comment": "还行"}]}),
    )
    .await;
    assert_eq!(status, 200, "{put}");
    let (status, got) = common::get(&server, &member, &path).await;
    assert_eq!((status, &got), (200, &put));
    // Someone else's order is answered like a missing one; nobody logged in: 401.
    let (other, _) = collected(&server, "13800000003").await;
    let (status, _) = common::get(&server, &member, &format!("/api/orders/{other}/feedback")).await;
    assert_eq!(status, 404);
    let (status, _) = common::get(&server, &common::browser(), &path).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn an_order_never_collected_cannot_be_refunded() {
    let server = Server::start().await;
    let (member, _) = server.login(PHONE, "demo-password-1").await;
    let v = server.village("liu").await;
    let open = v.open_round.clone().unwrap();
    let stocked = open
        .stock
        .iter()
        .find(|s| s.remaining > 0)
        .unwrap()
        .product_id;
    let (fresh, _) = place(
        &server,
        &member,
        &order_body(open.round.id, v.distribution_points[0].id, &[(stocked, 1)]),
    )
    .await;
    let organiser = server.liu_organiser().await;
    let refunds = format!("/api/organise/orders/{fresh}/refunds");
    let (status, body) = organiser
        .post(&refunds, &json!({"amount_fen": 100, "reason": "坏了"}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_field(&body, "order_id", "not been collected");
    assert!(
        body["error_zh"].as_str().unwrap().contains("取货"),
        "{body}"
    );

    // Marked "not collected" is no better (set up directly: marks need an
    // allocated round, which this open one is not).
    let pool = server.pool().await;
    sqlx::query(
        "INSERT INTO pickup_mark (mark_uuid, order_id, state, organiser_id, marked_at, recorded_at)
         VALUES ('5f0c2d1e-8a4b-4c3d-9e2f-1a2b3c4d5e6f', ?, 'absent',
                 (SELECT MIN(id) FROM organiser), 1700000000, 1700000000)",
    )
    .bind(&fresh)
    .execute(&pool)
    .await
    .unwrap();
    let (status, body) = organiser
        .post(&refunds, &json!({"amount_fen": 100, "reason": "坏了"}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_field(&body, "order_id", "not been collected");
    let (refunded,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM refund WHERE order_id = ?")
        .bind(&fresh)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(refunded, 0, "nothing written");
}

/// Sends a photo for a rated line as the member's browser would.
async fn upload_line_photo(
    server: &Server,
    member: &reqwest::Client,
    order: &str,
    product: i64,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let path = format!("/api/orders/{order}/feedback/{product}/photo");
    let res = member
        .post(server.url(&path))
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let answer: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    common::check_answer("POST", &path, status, &answer);
    (status, answer)
}

#[tokio::test]
async fn a_rating_carries_a_photo_without_its_metadata_and_the_household_shows_it() {
    use crate::fixtures::{contains, gps_latitude, phone_jpeg, COMMENT};
    let server = Server::start().await;
    let (member, _) = server.login(PHONE, "demo-password-1").await;
    let (order, product) = collected(&server, PHONE).await;
    let photo = phone_jpeg(1600, 1200, 1);
    assert!(gps_latitude(&photo).is_some() && contains(&photo, COMMENT));
    let pool = server.pool().await;
    let photos = || common::scalar(&pool, "SELECT COUNT(*) FROM rating_photo");
    let before = photos().await;

    // Not rated yet: the line is named, nothing stored.
    common::execute(
        &pool,
        &[&format!(
            "DELETE FROM rating WHERE order_id = '{order}' AND product_id = {product}"
        )],
    )
    .await;
    let (status, body) = upload_line_photo(&server, &member, &order, product, photo.clone()).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(common::fields(&body), ["product"]);
    assert_eq!(photos().await, before);

    let path = format!("/api/orders/{order}/feedback");
    let body =
        json!({"ratings": [{"product_id": product, "rating": "bad", "comment": "核桃发霉了"}]});
    let (status, answer) = common::put(&server, &member, &path, &body).await;
    assert_eq!(status, 200, "{answer}");
    let (status, stored) =
        upload_line_photo(&server, &member, &order, product, photo.clone()).await;
    assert_eq!(status, 201, "{stored}");
    let url = stored["versions"][0]["url"].as_str().unwrap().to_owned();
    let served = server.get(&url).await;
    assert_eq!(served.status(), 200);
    let bytes = served.bytes().await.unwrap();
    assert!(gps_latitude(&bytes).is_none(), "GPS position kept");
    assert!(!contains(&bytes, COMMENT), "comment kept");

    // Sent again: replaces the old one.
    let (status, again) = upload_line_photo(&server, &member, &order, product, photo.clone()).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(photos().await, before + 1);
    assert_ne!(again["id"], stored["id"]);

    // The member's ratings and the household's public summary show it,
    // still without the member's name.
    let (_, rated) = common::get(&server, &member, &path).await;
    let line = rated["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["product_id"] == product)
        .unwrap();
    assert_eq!(line["photo"]["id"], again["id"]);
    let (household,): (i64,) = sqlx::query_as(
        "SELECT household_id FROM packed_line WHERE order_id = ? AND product_id = ? LIMIT 1",
    )
    .bind(&order)
    .bind(product)
    .fetch_one(&pool)
    .await
    .unwrap();
    let page: Value = server.json(&format!("/api/households/{household}")).await;
    let recent = page["feedback"]["recent"].as_array().unwrap();
    let shown = recent
        .iter()
        .find(|c| c["comment"] == "核桃发霉了")
        .unwrap();
    assert_eq!(shown["photo"]["id"], again["id"]);
    no_member("the household page", &page);

    // Another member's order, a malformed id, no session: refused.
    let (other, other_product) = collected(&server, "13800000003").await;
    let (status, _) =
        upload_line_photo(&server, &member, &other, other_product, photo.clone()).await;
    assert_eq!(status, 404);
    let (status, body) = upload_line_photo(&server, &member, &order, 0, photo.clone()).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) =
        upload_line_photo(&server, &reqwest::Client::new(), &order, product, photo).await;
    assert_eq!(status, 401);
    // Not an image: named as the photo.
    let (status, body) =
        upload_line_photo(&server, &member, &order, product, b"hello".to_vec()).await;
    assert!(status == 415 || status == 422, "{status} {body}");
    assert_eq!(common::fields(&body), ["photo"]);
    assert_eq!(photos().await, before + 1);
}
