//! The village's own administration: households (with photos and the
//! poverty flag that never leaves the workspace), the village page and
//! its organising percent, and distribution points.

use reqwest::Method;
use serde_json::{json, Value};

use super::{household_of, round_body};
use crate::{
    common::{
        self, assert_field, call, fields, member_via_sql, new_id, order_body, put, scalar, Server,
    },
    fixtures::{jpeg, phone_jpeg},
};
use domain::organise::{CSRF_HEADER, CSRF_VALUE};

fn household_body(products: &[i64]) -> Value {
    json!({
        "name": {"zh": "王秀英（示例）", "en": "Wang Xiuying (demo)"},
        "story": {"zh": "养了三十只土鸡。", "en": "Keeps thirty hens."},
        "joined_year": 2015,
        "product_ids": products,
        "registered_poor": false,
    })
}

fn point_body() -> Value {
    json!({
        "name": {"zh": "望京小区（示例）", "en": "Wangjing estate (demo)"},
        "address": {"zh": "北京朝阳区望京西路 1 号", "en": "1 Wangjing West Rd, Chaoyang, Beijing"},
        "pickup_from": "09:00",
        "pickup_to": "11:30",
    })
}

async fn village_body(o: &common::Organiser, slug: &str) -> Value {
    let (status, page) = o.get(&format!("/api/organise/villages/{slug}")).await;
    assert_eq!(status, 200, "{page}");
    json!({
        "tagline": page["tagline"],
        "story": page["story"],
        "region": page["region"],
        "organising_percent": page["organising_percent"],
    })
}

async fn first_product(pool: &sqlx::SqlitePool, slug: &str) -> i64 {
    common::first_product(pool, slug).await
}

async fn upload(
    server: &Server,
    o: &common::Organiser,
    path: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let res = o
        .client
        .post(server.url(path))
        .header(CSRF_HEADER, CSRF_VALUE)
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let answer: Value = res.json().await.unwrap();
    common::check_answer("POST", path, status, &answer);
    (status, answer)
}

#[tokio::test]
async fn a_household_is_created_shown_with_its_photo_edited_and_retired() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let product = first_product(&pool, "liu").await;
    let (status, created) = o
        .post(
            "/api/organise/villages/liu/households",
            &household_body(&[product]),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["joined_year"], 2015);
    assert_eq!(created["product_ids"], json!([product]));
    assert_eq!(
        scalar(
            &pool,
            &format!("SELECT member_since = '2015-01-01' FROM household WHERE id = {id}")
        )
        .await,
        1
    );

    // A photo: metadata stripped, three sizes, on the page and the card.
    let (status, photo) = upload(
        &server,
        &o,
        &format!("/api/organise/households/{id}/photos"),
        phone_jpeg(1600, 1200, 1),
    )
    .await;
    assert_eq!(status, 201, "{photo}");
    let widths: Vec<i64> = photo["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["width"].as_i64().unwrap())
        .collect();
    assert_eq!(widths, [320, 640, 1280]);
    let url = photo["versions"][0]["url"].as_str().unwrap().to_owned();
    let res = server.get(&url).await;
    assert_eq!(res.status(), 200);
    assert_eq!(common::header(&res, "content-type"), "image/jpeg");
    let bytes = res.bytes().await.unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "metadata kept");
    let page: Value = server.json(&format!("/api/households/{id}")).await;
    assert_eq!(page["photos"][0], photo);
    assert_eq!(page["retired"], false);
    let village: Value = server.json("/api/villages/liu").await;
    let card = village["households"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == id)
        .expect("the card");
    assert_eq!(card["photo"], photo);
    assert_eq!(card["name"]["zh"], "王秀英（示例）");

    // Edited: a new story; the join day stays while the year does.
    let mut body = household_body(&[product]);
    body["story"]["en"] = json!("Keeps forty hens.");
    let (status, edited) = o
        .put(&format!("/api/organise/households/{id}"), &body)
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["story"]["en"], "Keeps forty hens.");
    let actions = o.log_actions("liu").await;
    assert_eq!(
        actions[..3],
        [
            ("household".to_owned(), "update".to_owned()),
            ("village_photo".to_owned(), "upload".to_owned()),
            ("household".to_owned(), "create".to_owned()),
        ]
    );
    let entry = &o.log("liu").await.entries[0];
    assert_eq!(
        entry.before.as_ref().unwrap()["story"]["en"],
        "Keeps thirty hens."
    );
    assert_eq!(
        entry.after.as_ref().unwrap()["story"]["en"],
        "Keeps forty hens."
    );

    // Retired: gone from the village page and the product's households,
    // its own page kept for past labels.
    body["retired"] = json!(true);
    let (status, retired) = o
        .put(&format!("/api/organise/households/{id}"), &body)
        .await;
    assert_eq!(status, 200, "{retired}");
    assert_eq!(retired["retired"], true);
    let village = server.village("liu").await;
    assert!(village.households.iter().all(|h| h.id != id));
    let product_page: Value = server.json(&format!("/api/products/{product}")).await;
    assert!(product_page["households"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["id"] != id));
    let page: Value = server.json(&format!("/api/households/{id}")).await;
    assert_eq!(page["retired"], true);
    // The organisers still see it.
    let (_, list) = o.get("/api/organise/villages/liu/households").await;
    assert!(list.as_array().unwrap().iter().any(|h| h["id"] == id));

    // No new products or supply for a retired household.
    let other: i64 = scalar(
        &pool,
        &format!(
            "SELECT p.id FROM product p JOIN village v ON v.id = p.village_id
             WHERE v.slug = 'liu' AND p.id != {product} ORDER BY p.id LIMIT 1"
        ),
    )
    .await;
    body["product_ids"] = json!([product, other]);
    let (status, answer) = o
        .put(&format!("/api/organise/households/{id}"), &body)
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_field(&answer, "product_ids[1]", "retired");
    let (status, product_json) = o.get(&format!("/api/organise/products/{other}")).await;
    assert_eq!(status, 200);
    let mut p = product_json.clone();
    let mut ids: Vec<Value> = p["household_ids"].as_array().unwrap().clone();
    ids.push(json!(id));
    p["household_ids"] = Value::Array(ids);
    for k in ["id", "village_slug", "photos"] {
        p.as_object_mut().unwrap().remove(k);
    }
    let (status, answer) = o.put(&format!("/api/organise/products/{other}"), &p).await;
    assert_eq!(status, 422, "{answer}");
    assert!(fields(&answer)[0].starts_with("household_ids["), "{answer}");
    let round: Value = server.open_round("liu").await.round.id.into();
    let (status, answer) = o
        .put(
            &format!("/api/organise/rounds/{round}/supply"),
            &json!({"supplies": [{"household_id": id, "product_id": product, "quantity": 5}]}),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_field(&answer, "supplies[0].household_id", "retired");
}

#[tokio::test]
async fn household_input_is_checked_field_by_field_and_nothing_is_written() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let song_product = first_product(&pool, "song").await;
    let households = scalar(&pool, "SELECT COUNT(*) FROM household").await;
    let logs = scalar(&pool, "SELECT COUNT(*) FROM change_log").await;
    let mut body = household_body(&[song_product]);
    body["name"]["zh"] = json!("  ");
    body["joined_year"] = json!(1890);
    let (status, answer) = o.post("/api/organise/villages/liu/households", &body).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        fields(&answer),
        ["name.zh", "joined_year", "product_ids[0]"]
    );
    assert!(answer["fields"][1]["message_zh"]
        .as_str()
        .unwrap()
        .contains("年份"));
    let (status, answer) = o
        .post(
            "/api/organise/villages/liu/households",
            &json!({"name": "x"}),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM household").await,
        households
    );
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM change_log").await, logs);
    // Unknown household: 404.
    let (status, _) = o
        .put("/api/organise/households/999999", &household_body(&[]))
        .await;
    assert_eq!(status, 404);
}

/// Every JSON answer of the public API worth scanning, for `household`.
async fn public_answers(
    server: &Server,
    pool: &sqlx::SqlitePool,
    household: i64,
) -> Vec<(String, String)> {
    let mut paths = vec![
        "/api/villages".to_owned(),
        "/api/villages/liu".to_owned(),
        format!("/api/households/{household}"),
        format!("/api/households/{household}/price-history"),
    ];
    let products: Vec<(i64,)> =
        sqlx::query_as("SELECT product_id FROM product_household WHERE household_id = ?")
            .bind(household)
            .fetch_all(pool)
            .await
            .unwrap();
    paths.extend(products.iter().map(|(p,)| format!("/api/products/{p}")));
    let labels: Vec<(String,)> =
        sqlx::query_as("SELECT label_code FROM packed_line WHERE household_id = ? LIMIT 3")
            .bind(household)
            .fetch_all(pool)
            .await
            .unwrap();
    paths.extend(labels.iter().map(|(c,)| format!("/api/labels/{c}")));
    let mut out = Vec::new();
    for p in paths {
        let res = server.get(&p).await;
        assert_eq!(res.status(), 200, "{p}");
        out.push((p, res.text().await.unwrap()));
    }
    out
}

#[tokio::test]
async fn the_poverty_flag_never_appears_in_a_public_answer() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let product = first_product(&pool, "liu").await;
    let mut body = household_body(&[product]);
    body["registered_poor"] = json!(true);
    let (status, created) = o.post("/api/organise/villages/liu/households", &body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    // The organisers see it.
    assert_eq!(created["registered_poor"], true);
    let (_, one) = o.get(&format!("/api/organise/households/{id}")).await;
    assert_eq!(one["registered_poor"], true);
    // Every demo household flagged too, one with an order and labels.
    let open = server.open_round("liu").await;
    let point = open.point_ids[0];
    let product = open
        .stock
        .iter()
        .find(|s| s.remaining > 0)
        .unwrap()
        .product_id;
    let member = member_via_sql(&pool, &server, "林静", "13900000001", point).await;
    let (status, answer) = put(
        &server,
        &member,
        &format!("/api/orders/{}", new_id()),
        &order_body(open.round.id, point, &[(product, 1)]),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    sqlx::query("UPDATE distribution_round SET deadline = opens_at + 1 WHERE id = ?")
        .bind(open.round.id)
        .execute(&pool)
        .await
        .unwrap();
    let (status, answer) = o
        .post(
            &format!("/api/organise/rounds/{}/allocation", open.round.id),
            &Value::Null,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    sqlx::query("UPDATE household SET registered_poor = 1")
        .execute(&pool)
        .await
        .unwrap();
    let seeded = scalar(&pool, "SELECT household_id FROM packed_line LIMIT 1").await;
    let mut scanned = 0;
    for h in [id, seeded] {
        for (path, text) in public_answers(&server, &pool, h).await {
            let lower = text.to_lowercase();
            for word in ["registered_poor", "poor", "贫困"] {
                assert!(!lower.contains(word), "{path} mentions {word}: {text}");
            }
            scanned += 1;
        }
    }
    // Both pages, the village list and page, a product page and a label.
    assert!(scanned >= 9, "only {scanned} answers scanned");
}

#[tokio::test]
async fn the_village_page_is_edited_and_a_new_percent_waits_for_the_next_round() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let before = server.village("liu").await;
    let old_percent = before.organising_percent;
    let open = server.open_round("liu").await;
    // A round made before the change, not open yet.
    let point = before.distribution_points[0].id;
    let (status, later) = o
        .post("/api/organise/villages/liu/rounds", &round_body(&[point]))
        .await;
    assert_eq!(status, 201, "{later}");
    let later = later["round"]["id"].as_i64().unwrap();

    let mut body = village_body(&o, "liu").await;
    let new_percent = if old_percent == 20 {
        12
    } else {
        old_percent + 2
    };
    body["tagline"]["zh"] = json!("太行山里的新标语");
    body["tagline"]["en"] = json!("A new tagline from the Taihang hills");
    body["region"]["en"] = json!("Taihang Mountains, Hebei");
    body["organising_percent"] = json!(new_percent);
    let (status, page) = o.put("/api/organise/villages/liu", &body).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["organising_percent"], new_percent);
    let shop = server.village("liu").await;
    assert_eq!(shop.tagline.en, "A new tagline from the Taihang hills");
    assert_eq!(shop.region.en, "Taihang Mountains, Hebei");
    // The open round keeps its percent, and so do the shop's prices now.
    assert_eq!(shop.organising_percent, old_percent);
    let percent_of =
        |r: i64| format!("SELECT organising_percent FROM distribution_round WHERE id = {r}");
    assert_eq!(
        scalar(&pool, &percent_of(open.round.id)).await,
        i64::from(old_percent)
    );
    assert_eq!(
        scalar(&pool, &percent_of(later)).await,
        i64::from(new_percent)
    );
    // An order placed in the open round is priced with its percent.
    let product = open
        .stock
        .iter()
        .find(|s| s.remaining > 0)
        .unwrap()
        .product_id;
    let member = member_via_sql(&pool, &server, "林静", "13900000001", point).await;
    let order_id = new_id();
    let (status, _) = put(
        &server,
        &member,
        &format!("/api/orders/{order_id}"),
        &order_body(open.round.id, point, &[(product, 1)]),
    )
    .await;
    assert_eq!(status, 201);
    let (total, household): (i64, i64) =
        sqlx::query_as("SELECT total_fen, household_fen FROM order_line WHERE order_id = ?")
            .bind(&order_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    let expected = domain::PriceBreakdown::new(total, old_percent).unwrap();
    assert_eq!(household, expected.household_fen, "{total}");
    // A round made after the change takes the new percent.
    let mut b = round_body(&[point]);
    b["distribution_day"] = json!(common::day(48));
    let (status, made) = o.post("/api/organise/villages/liu/rounds", &b).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(
        scalar(&pool, &percent_of(made["round"]["id"].as_i64().unwrap())).await,
        i64::from(new_percent)
    );
    // The log has the page's before and after, and the round repriced.
    let log = o.log("liu").await;
    let village = log.entries.iter().find(|e| e.entity == "village").unwrap();
    assert_eq!(village.action, "update");
    assert_eq!(
        village.before.as_ref().unwrap()["organising_percent"],
        old_percent
    );
    assert_eq!(
        village.after.as_ref().unwrap()["tagline"]["en"],
        "A new tagline from the Taihang hills"
    );
    assert!(log
        .entries
        .iter()
        .any(|e| e.entity == "round_percent" && e.entity_id == later.to_string()));

    // Bad input: named fields, nothing written.
    let logs = scalar(&pool, "SELECT COUNT(*) FROM change_log").await;
    let mut bad = body.clone();
    bad["organising_percent"] = json!(21);
    bad["tagline"]["zh"] = json!("");
    let (status, answer) = o.put("/api/organise/villages/liu", &bad).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(fields(&answer), ["tagline.zh", "organising_percent"]);
    bad = body.clone();
    bad["organising_percent"] = json!(9);
    let (status, answer) = o.put("/api/organise/villages/liu", &bad).await;
    assert_eq!(status, 422);
    assert_field(&answer, "organising_percent", "10 to 20");
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM change_log").await, logs);
    assert_eq!(
        server.village("liu").await.tagline.en,
        "A new tagline from the Taihang hills"
    );

    // The village photo shows on the shop's village page.
    let (status, photo) = upload(
        &server,
        &o,
        "/api/organise/villages/liu/photos",
        jpeg(800, 600),
    )
    .await;
    assert_eq!(status, 201, "{photo}");
    let shop: Value = server.json("/api/villages/liu").await;
    assert_eq!(shop["photo"], photo);
}

#[tokio::test]
async fn points_are_created_edited_and_closed_unless_an_open_round_uses_them() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let (status, created) = o
        .post("/api/organise/villages/liu/points", &point_body())
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["closed"], false);
    let shop = server.village("liu").await;
    assert!(shop.distribution_points.iter().any(|p| p.id == id));

    let mut body = point_body();
    body["pickup_to"] = json!("12:00");
    let (status, edited) = o.put(&format!("/api/organise/points/{id}"), &body).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["pickup_to"], "12:00");
    let entry = &o.log("liu").await.entries[0];
    assert_eq!(
        (entry.entity.as_str(), entry.action.as_str()),
        ("point", "update")
    );
    assert_eq!(entry.before.as_ref().unwrap()["pickup_to"], "11:30");
    assert_eq!(entry.after.as_ref().unwrap()["pickup_to"], "12:00");

    // Bad windows and names.
    let logs = scalar(&pool, "SELECT COUNT(*) FROM change_log").await;
    let mut bad = point_body();
    bad["pickup_from"] = json!("12:00");
    bad["name"]["en"] = json!("");
    let (status, answer) = o.post("/api/organise/villages/liu/points", &bad).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(fields(&answer), ["name.en", "pickup_to"]);
    bad = point_body();
    bad["pickup_from"] = json!("25:00");
    let (status, answer) = o.put(&format!("/api/organise/points/{id}"), &bad).await;
    assert_eq!(status, 422);
    assert_field(&answer, "pickup_from", "HH:MM");
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM change_log").await, logs);

    // A point an open round uses cannot close: 409 naming the round.
    let open = server.open_round("liu").await;
    let used = open.point_ids[0];
    let (status, used_point) = o.get(&format!("/api/organise/points/{used}")).await;
    assert_eq!(status, 200);
    let mut close = used_point.clone();
    close["closed"] = json!(true);
    let (status, answer) = o.put(&format!("/api/organise/points/{used}"), &close).await;
    assert_eq!(status, 409, "{answer}");
    let day = domain::wire::format_date(open.round.distribution_day);
    assert!(answer["error"].as_str().unwrap().contains(&day), "{answer}");
    assert!(
        answer["error_zh"].as_str().unwrap().contains(&day),
        "{answer}"
    );
    assert_eq!(
        scalar(
            &pool,
            &format!("SELECT closed_at IS NULL FROM distribution_point WHERE id = {used}")
        )
        .await,
        1
    );

    // The new point is used by no round (they list their points): it closes.
    let has_open_all = scalar(
        &pool,
        "SELECT COUNT(*) FROM distribution_round r JOIN village v ON v.id = r.village_id
         WHERE v.slug = 'liu' AND NOT EXISTS (SELECT 1 FROM round_point WHERE round_id = r.id)
           AND r.distribution_day >= date('now', '+8 hours')",
    )
    .await;
    if has_open_all > 0 {
        sqlx::query(
            "INSERT INTO round_point (round_id, point_id)
             SELECT r.id, d.id FROM distribution_round r JOIN distribution_point d ON d.village_id = r.village_id
             WHERE d.id != ? AND NOT EXISTS (SELECT 1 FROM round_point WHERE round_id = r.id)",
        )
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    }
    body["closed"] = json!(true);
    let (status, closed) = o.put(&format!("/api/organise/points/{id}"), &body).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["closed"], true);
    // Kept, but offered nowhere: not on the village page, not for a round.
    let shop = server.village("liu").await;
    assert!(shop.distribution_points.iter().all(|p| p.id != id));
    let (_, list) = o.get("/api/organise/villages/liu/points").await;
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == id && p["closed"] == true));
    let (status, answer) = o
        .post("/api/organise/villages/liu/rounds", &round_body(&[id]))
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_field(&answer, "point_ids[0]", "distribution point");
    // Nor for an order.
    let member = member_via_sql(&pool, &server, "何平", "13900000003", used).await;
    let product = open
        .stock
        .iter()
        .find(|s| s.remaining > 0)
        .unwrap()
        .product_id;
    let (status, answer) = put(
        &server,
        &member,
        &format!("/api/orders/{}", new_id()),
        &order_body(open.round.id, id, &[(product, 1)]),
    )
    .await;
    assert!(status == 422 || status == 409, "{status} {answer}");
}

/// Song Village's household, point and village photo, for the 403 checks.
async fn song_things(server: &Server, pool: &sqlx::SqlitePool) -> (i64, i64, i64) {
    let household = household_of(pool, "song", 0).await;
    let point = scalar(
        pool,
        "SELECT d.id FROM distribution_point d JOIN village v ON v.id = d.village_id
         WHERE v.slug = 'song' ORDER BY d.id LIMIT 1",
    )
    .await;
    let song = server
        .organiser("song-organiser-1", "demo-organiser-4")
        .await;
    let (status, photo) = upload(
        server,
        &song,
        &format!("/api/organise/households/{household}/photos"),
        jpeg(100, 100),
    )
    .await;
    assert_eq!(status, 201, "{photo}");
    (household, point, photo["id"].as_i64().unwrap())
}

#[tokio::test]
async fn every_village_endpoint_says_401_403_and_needs_the_csrf_header() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let (household, point, photo) = song_things(&server, &pool).await;
    let endpoints: Vec<(Method, String, Value)> = vec![
        (
            Method::GET,
            "/api/organise/villages/song/households".into(),
            Value::Null,
        ),
        (
            Method::POST,
            "/api/organise/villages/song/households".into(),
            household_body(&[]),
        ),
        (
            Method::GET,
            format!("/api/organise/households/{household}"),
            Value::Null,
        ),
        (
            Method::PUT,
            format!("/api/organise/households/{household}"),
            household_body(&[]),
        ),
        (
            Method::POST,
            format!("/api/organise/households/{household}/photos"),
            Value::Null,
        ),
        (
            Method::POST,
            "/api/organise/villages/song/photos".into(),
            Value::Null,
        ),
        (
            Method::DELETE,
            format!("/api/organise/village-photos/{photo}"),
            Value::Null,
        ),
        (
            Method::GET,
            "/api/organise/villages/song".into(),
            Value::Null,
        ),
        (
            Method::PUT,
            "/api/organise/villages/song".into(),
            json!({"tagline": {"zh": "a", "en": "a"}, "story": {"zh": "a", "en": "a"},
                   "region": {"zh": "a", "en": "a"}, "organising_percent": 15}),
        ),
        (
            Method::GET,
            "/api/organise/villages/song/points".into(),
            Value::Null,
        ),
        (
            Method::POST,
            "/api/organise/villages/song/points".into(),
            point_body(),
        ),
        (
            Method::GET,
            format!("/api/organise/points/{point}"),
            Value::Null,
        ),
        (
            Method::PUT,
            format!("/api/organise/points/{point}"),
            point_body(),
        ),
    ];
    let anonymous = common::browser();
    let liu = server.liu_organiser().await;
    let logs = scalar(&pool, "SELECT COUNT(*) FROM change_log").await;
    for (method, path, body) in &endpoints {
        let url = server.url(path);
        let body = (!body.is_null()).then_some(body);
        let (status, answer) = call(&anonymous, method.clone(), &url, body, true).await;
        assert_eq!(status, 401, "{method} {path}: {answer}");
        let (status, answer) = call(&liu.client, method.clone(), &url, body, true).await;
        assert_eq!(status, 403, "{method} {path}: {answer}");
        assert!(answer["error"]
            .as_str()
            .unwrap()
            .contains("you do not organise village 'song'"));
        if method != Method::GET {
            let (status, answer) = call(&liu.client, method.clone(), &url, body, false).await;
            assert_eq!(status, 403, "{method} {path} without CSRF: {answer}");
            assert!(answer["error"]
                .as_str()
                .unwrap()
                .contains("X-Requested-With"));
        }
    }
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM change_log").await, logs);
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM village_photo").await, 1);
    // Song's own organiser may.
    let song = server
        .organiser("song-organiser-1", "demo-organiser-4")
        .await;
    let (status, _) = song.get(&format!("/api/organise/points/{point}")).await;
    assert_eq!(status, 200);
    let (status, _) = song
        .write(
            Method::DELETE,
            &format!("/api/organise/village-photos/{photo}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        song.log_actions("song").await[0],
        ("village_photo".to_owned(), "delete".to_owned())
    );
}
