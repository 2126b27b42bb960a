//! Rounds and supplies: rounds in Shanghai time with their points, supplies
//! never below what is ordered (also while members order), orders kept to
//! the round's points, and withdrawing a product from a round.

use serde_json::{json, Value};

use super::{at, household_of, round_body};
use crate::common::{
    self, assert_field, fields, member_via_sql, new_id, order_body, place, scalar, Http, Server,
};

#[tokio::test]
async fn rounds_are_created_with_their_points_in_shanghai_time() {
    let server = Server::start().await;
    let o = server.liu_organiser().await;
    let liu = server.village("liu").await;
    let song = server.village("song").await;
    let p: Vec<i64> = liu.distribution_points.iter().map(|p| p.id).collect();
    let url = "/api/organise/villages/liu/rounds";
    let (status, r) = o.post(url, &round_body(&p[..2])).await;
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
    let (status, body) = o.post(url, &round_body(&p[..1])).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(fields(&body), ["distribution_day"]);
    let mut bad = round_body(&[song.distribution_points[0].id]);
    bad["opens_at"] = bad["deadline"].clone();
    bad["distribution_day"] = json!(domain::wire::format_date(at(50, 0).date()));
    let (status, body) = o.post(url, &bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["deadline", "point_ids[0]"]);
    let mut bad = round_body(&p[..1]);
    bad["deadline"] = json!("2026-13-01T20:00:00+08:00");
    let (status, body) = o.post(url, &bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["deadline"]);

    // Points are changed whole; the list shows the round.
    let (status, body) = o
        .put(
            &format!("/api/organise/rounds/{id}/points"),
            &json!({"point_ids": [p[2]]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["points"][0]["id"], p[2]);
    let (_, list) = o.get(url).await;
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["round"]["id"] == id));
    assert_eq!(
        o.log_actions("liu").await,
        [
            ("round_points".into(), "update".into()),
            ("round".into(), "create".into())
        ]
    );
}

/// The open round of Liu Village, its first two points and two products
/// with stock, each supplied `supply` in total by one household.
async fn open_liu(
    server: &Http,
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

/// [`open_liu`] with 10 of each, and a member at the first point who
/// ordered `quantity` of the first product for `points[at]`: the round,
/// the points, that product and the member.
async fn liu_with_an_order(
    server: &Http,
    pool: &sqlx::SqlitePool,
    phone: &str,
    at: usize,
    quantity: i64,
) -> (i64, Vec<i64>, i64, reqwest::Client) {
    let (round, points, [p, _]) = open_liu(server, pool, 10).await;
    let member = member_via_sql(pool, server, "周小燕", phone, points[0]).await;
    place(
        server,
        &member,
        &order_body(round, points[at], &[(p, quantity)]),
    )
    .await;
    (round, points, p, member)
}

/// The row of `product` in a round as organisers see it.
fn product_row(round: &Value, product: i64) -> Value {
    let rows = round["products"].as_array().unwrap();
    let row = rows.iter().find(|x| x["product_id"] == product);
    row.unwrap_or_else(|| panic!("product {product} in {round}"))
        .clone()
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
    let server = Server::start().await;
    let pool = server.pool().await;
    let (round, _, p, _) = liu_with_an_order(&server, &pool, "13912340001", 0, 6).await;
    let o = server.liu_organiser().await;
    let h = supplier(&pool, round, p).await;
    let url = format!("/api/organise/rounds/{round}/supply");
    let set = |q: i64| json!({"supplies": [{"household_id": h, "product_id": p, "quantity": q}]});

    let (status, body) = o.put(&url, &set(4)).await;
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

    let (status, body) = o.put(&url, &set(6)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(server.stock("liu", p).await, (6, 0));
    let row = product_row(&body, p);
    assert_eq!(
        (row["capacity"].as_i64(), row["ordered"].as_i64()),
        (Some(6), Some(6))
    );
    let (status, _) = o.put(&url, &set(20)).await;
    assert_eq!(status, 200);
    assert_eq!(server.stock("liu", p).await, (20, 14));

    // Bad entries are named and nothing is written.
    let other = household_of(&pool, "song", 0).await;
    let (status, body) = o
        .put(
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

    let page = o.log("liu").await;
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
    let server = Server::start().await;
    let pool = server.pool().await;
    let (round, points, p, member) = liu_with_an_order(&server, &pool, "13912340002", 1, 1).await;
    // A seeded round was never given points: all of the village's serve it.
    assert_eq!(server.open_round("liu").await.point_ids, points);
    let o = server.liu_organiser().await;
    let url = format!("/api/organise/rounds/{round}/points");
    // Point 1 has an order: it cannot be taken off.
    let (status, body) = o.put(&url, &json!({"point_ids": [points[0]]})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(fields(&body), ["point_ids"]);
    let (status, _) = o.put(&url, &json!({"point_ids": [points[1]]})).await;
    assert_eq!(status, 200);
    // Shoppers are told which points serve the open round.
    assert_eq!(server.open_round("liu").await.point_ids, [points[1]]);
    // Point 0 no longer serves the round.
    let id = new_id();
    let elsewhere = order_body(round, points[0], &[(p, 1)]);
    let (status, body) =
        common::put(&server, &member, &format!("/api/orders/{id}"), &elsewhere).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["point_id"]);
}

#[tokio::test]
async fn a_withdrawn_product_leaves_the_orders_with_a_notice_and_cannot_be_ordered() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let (round, points, [p, q]) = open_liu(&server, &pool, 10).await;
    let a = member_via_sql(&pool, &server, "周小燕", "13912340003", points[0]).await;
    let b = member_via_sql(&pool, &server, "孙立", "13912340004", points[0]).await;
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

    let o = server.liu_organiser().await;
    let url = format!("/api/organise/rounds/{round}/withdrawals");
    // A reason is required.
    let (status, body) = o
        .post(&url, &json!({"product_id": p, "reason": "  "}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["reason"]);
    let reason = "food-safety worry: the flock is being checked by the vet";
    let (status, w) = o
        .post(&url, &json!({"product_id": p, "reason": reason}))
        .await;
    assert_eq!(status, 201, "{w}");
    assert_eq!(w["orders_affected"], 2);
    assert_eq!(w["reason"], reason);

    // The member sees the notice and a total without the product.
    let (status, mine) = common::get(&server, &a, &format!("/api/orders/{order_a}")).await;
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
    let (_, list) = common::get(&server, &b, "/api/orders").await;
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
    let again = order_body(round, points[0], &[(q, 1), (p, 1)]);
    let (status, body) = common::put(&server, &a, &format!("/api/orders/{id}"), &again).await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "lines[1].product_id", reason);
    // Changing the order to add it back is refused too.
    let back = order_body(round, points[0], &[(p, 2), (q, 1)]);
    let (status, body) = common::patch(&server, &a, &format!("/api/orders/{order_a}"), &back).await;
    assert_eq!(status, 422, "{body}");

    // Twice is a conflict; the round shows the withdrawal; the log has it.
    let (status, body) = o
        .post(&url, &json!({"product_id": p, "reason": "again"}))
        .await;
    assert_eq!(status, 409, "{body}");
    let (_, r) = o.get(&format!("/api/organise/rounds/{round}")).await;
    let row = product_row(&r, p);
    assert_eq!(row["withdrawal"]["reason"], reason);
    assert_eq!(row["ordered"], 0);
    let e = &o.log("liu").await.entries[0];
    assert_eq!(
        (e.entity.as_str(), e.action.as_str()),
        ("withdrawal", "withdraw")
    );
    assert_eq!(e.entity_id, format!("{round}/{p}"));
}

#[tokio::test]
async fn lowering_a_supply_while_members_order_never_oversells() {
    let server = std::sync::Arc::new(Server::start().await);
    let pool = server.pool().await;
    let (round, points, [p, _]) = open_liu(&server, &pool, 20).await;
    let h = supplier(&pool, round, p).await;
    let o = server.liu_organiser().await;
    let mut members = Vec::new();
    for i in 0..24 {
        let phone = format!("1391235{i:04}");
        members.push(member_via_sql(&pool, &server, "周小燕", &phone, points[0]).await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for m in members {
        let server = server.clone();
        let body = order_body(round, points[0], &[(p, 1)]);
        tasks.spawn(async move {
            let id = new_id();
            common::put(&server, &m, &format!("/api/orders/{id}"), &body)
                .await
                .0
        });
    }
    let url = format!("/api/organise/rounds/{round}/supply");
    let lowered = o
        .put(
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
