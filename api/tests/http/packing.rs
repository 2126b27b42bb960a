//! Packing: allocation after the deadline, the packing lists, label
//! codes, and the public label page.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{self, assert_field, order_body, place, scalar, Http, Server};
use domain::{label::LabelCode, packing::Packing};
use reqwest::{Client, Method};
use serde_json::{json, Value};

/// Liu Village's products made by at least `n` households (seeded data).
async fn shared_products(pool: &sqlx::SqlitePool, n: i64) -> Vec<(i64, Vec<i64>)> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT ph.product_id, ph.household_id FROM product_household ph
         JOIN product p ON p.id = ph.product_id JOIN village v ON v.id = p.village_id
         WHERE v.slug = 'liu' AND p.published = 1
           AND ph.product_id IN (SELECT product_id FROM product_household
                                 GROUP BY product_id HAVING COUNT(*) >= ?)
         ORDER BY ph.product_id, ph.household_id",
    )
    .bind(n)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut by: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (p, h) in rows {
        by.entry(p).or_default().push(h);
    }
    by.into_iter().collect()
}

/// Replaces the product's supplies in the round by these.
async fn supplies(pool: &sqlx::SqlitePool, round: i64, product: i64, per: &[(i64, i64)]) {
    sqlx::query("DELETE FROM supply WHERE round_id = ? AND product_id = ?")
        .bind(round)
        .bind(product)
        .execute(pool)
        .await
        .unwrap();
    for (h, q) in per {
        sqlx::query(
            "INSERT INTO supply (round_id, household_id, product_id, quantity) VALUES (?, ?, ?, ?)",
        )
        .bind(round)
        .bind(h)
        .bind(product)
        .bind(q)
        .execute(pool)
        .await
        .unwrap();
    }
}

/// Every stored packed line: (order, product, household, quantity, label).
async fn packed(pool: &sqlx::SqlitePool, round: i64) -> Vec<(String, i64, i64, i64, String)> {
    sqlx::query_as(
        "SELECT order_id, product_id, household_id, quantity, label_code FROM packed_line
         WHERE round_id = ? ORDER BY order_id, product_id, household_id",
    )
    .bind(round)
    .fetch_all(pool)
    .await
    .unwrap()
}

const MEMBERS: [(&str, &str); 5] = [
    ("周小燕", "13912345001"),
    ("孙立", "13912345002"),
    ("钱文华", "13912345003"),
    ("吴桂兰", "13912345004"),
    ("郑海涛", "13912345005"),
];

/// The realistic round: two products shared by several households with
/// uneven supplies, five members at two points ordering odd amounts.
struct Round {
    id: i64,
    products: [i64; 2],
    points: Vec<i64>,
}

async fn round_with_orders(server: &Http, pool: &sqlx::SqlitePool) -> Round {
    let open = server.open_round("liu").await;
    let round = open.round.id;
    let shared = shared_products(pool, 2).await;
    assert!(
        shared.len() >= 2,
        "seed has two products made by 2+ households"
    );
    let (a, ha) = &shared[0];
    let (b, hb) = &shared[1];
    // Uneven supplies, so the proportional shares need rounding.
    let sa: Vec<(i64, i64)> = ha.iter().zip([7, 5, 3, 4]).map(|(h, q)| (*h, q)).collect();
    let sb: Vec<(i64, i64)> = hb.iter().zip([4, 9, 2, 6]).map(|(h, q)| (*h, q)).collect();
    supplies(pool, round, *a, &sa).await;
    supplies(pool, round, *b, &sb).await;
    let points: Vec<i64> = server
        .village("liu")
        .await
        .distribution_points
        .iter()
        .map(|p| p.id)
        .collect();
    let orders: [&[(i64, i64)]; 5] = [
        &[(*a, 3), (*b, 1)],
        &[(*a, 4)],
        &[(*a, 2), (*b, 5)],
        &[(*b, 3)],
        &[(*a, 1), (*b, 2)],
    ];
    for (i, ((name, phone), lines)) in MEMBERS.iter().zip(orders).enumerate() {
        let point = points[i % 2];
        let member = common::member_via_sql(pool, server, name, phone, point).await;
        place(server, &member, &order_body(round, point, lines)).await;
    }
    Round {
        id: round,
        products: [*a, *b],
        points,
    }
}

/// Moves the round's deadline into the past, as time would.
async fn close(pool: &sqlx::SqlitePool, round: i64) {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    sqlx::query("UPDATE distribution_round SET deadline = ? WHERE id = ?")
        .bind(now - 60)
        .bind(round)
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn allocation_waits_for_the_deadline_then_covers_every_order_within_every_supply() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let r = round_with_orders(&server, &pool).await;
    let o = server.liu_organiser().await;
    let alloc = format!("/api/organise/rounds/{}/allocation", r.id);
    let packing_path = format!("/api/organise/rounds/{}/packing", r.id);

    // Before the deadline: refused, nothing stored.
    let (status, body) = o.write(Method::POST, &alloc, None).await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "round_id", "only after its deadline");
    // The time zone is named once, by the deadline itself.
    assert_eq!(
        body["fields"][0]["message"]
            .as_str()
            .unwrap()
            .matches("(Asia/Shanghai)")
            .count(),
        1,
        "{body}"
    );
    assert_eq!(
        scalar(
            &pool,
            &format!("SELECT COUNT(*) FROM packed_line WHERE round_id = {}", r.id)
        )
        .await,
        0
    );
    let (status, body) = o.get(&packing_path).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("not been allocated"));

    close(&pool, r.id).await;
    let (status, body) = o.write(Method::POST, &alloc, None).await;
    assert_eq!(status, 200, "{body}");
    let packing: Packing = serde_json::from_value(body).unwrap();

    // In the database: no household over its supply...
    let over = scalar(
        &pool,
        &format!(
            "SELECT COUNT(*) FROM (
                SELECT pl.product_id, pl.household_id, SUM(pl.quantity) AS packed, s.quantity AS supply
                FROM packed_line pl JOIN supply s ON s.round_id = pl.round_id
                     AND s.product_id = pl.product_id AND s.household_id = pl.household_id
                WHERE pl.round_id = {round} GROUP BY pl.product_id, pl.household_id
                HAVING packed > supply)",
            round = r.id
        ),
    )
    .await;
    assert_eq!(over, 0, "a household packs more than it supplied");
    // ... nothing packed by a household without a supply ...
    let unsupplied = scalar(
        &pool,
        &format!(
            "SELECT COUNT(*) FROM packed_line pl WHERE pl.round_id = {} AND NOT EXISTS (
                SELECT 1 FROM supply s WHERE s.round_id = pl.round_id
                AND s.product_id = pl.product_id AND s.household_id = pl.household_id)",
            r.id
        ),
    )
    .await;
    assert_eq!(unsupplied, 0);
    // ... and every order line packed exactly, no more, no less.
    let uncovered = scalar(
        &pool,
        &format!(
            "SELECT COUNT(*) FROM order_line ol JOIN orders o ON o.id = ol.order_id
             WHERE o.round_id = {} AND o.status = 'confirmed'
               AND ol.quantity != (SELECT COALESCE(SUM(pl.quantity), 0) FROM packed_line pl
                                   WHERE pl.order_id = ol.order_id AND pl.product_id = ol.product_id)",
            r.id
        ),
    )
    .await;
    assert_eq!(uncovered, 0, "an order line is not packed exactly");
    let ordered = scalar(
        &pool,
        &format!(
            "SELECT SUM(ol.quantity) FROM order_line ol JOIN orders o ON o.id = ol.order_id
             WHERE o.round_id = {}",
            r.id
        ),
    )
    .await;
    assert_eq!(ordered, 3 + 1 + 4 + 2 + 5 + 3 + 1 + 2);
    // Shares follow supplies: product a (supplies 7/5/3…, 10 ordered)
    // gives the biggest supplier the biggest share.
    let shares: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT s.quantity, COALESCE((SELECT SUM(pl.quantity) FROM packed_line pl
                 WHERE pl.round_id = s.round_id AND pl.product_id = s.product_id
                   AND pl.household_id = s.household_id), 0)
         FROM supply s WHERE s.round_id = ? AND s.product_id = ? ORDER BY s.quantity DESC",
    )
    .bind(r.id)
    .bind(r.products[0])
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(shares.len() >= 2);
    assert!(
        shares.windows(2).all(|w| w[0].1 >= w[1].1),
        "shares follow supplies: {shares:?}"
    );

    // Label codes: unique, valid, shown in display form.
    let rows = packed(&pool, r.id).await;
    let codes: BTreeSet<&str> = rows.iter().map(|r| r.4.as_str()).collect();
    assert_eq!(codes.len(), rows.len(), "label codes are unique");
    for c in &codes {
        let parsed = LabelCode::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
        assert_eq!(parsed.as_str(), *c);
    }

    // The lists say the same as the database.
    assert_eq!(packing.label_count as usize, rows.len());
    let h_lines: Vec<_> = packing.households.iter().flat_map(|h| &h.lines).collect();
    assert_eq!(h_lines.len(), rows.len());
    assert_eq!(
        h_lines.iter().map(|l| l.quantity).sum::<i64>(),
        ordered,
        "per-household list covers every unit"
    );
    for h in &packing.households {
        let from_lines: i64 = h.lines.iter().map(|l| l.quantity).sum();
        let from_totals: i64 = h.totals.iter().map(|t| t.quantity).sum();
        assert_eq!(from_lines, from_totals);
        assert!(!h.household.name.zh.is_empty());
    }
    let shown: BTreeSet<String> = h_lines.iter().map(|l| l.label.clone()).collect();
    let stored: BTreeSet<String> = codes
        .iter()
        .map(|c| LabelCode::parse(c).unwrap().display())
        .collect();
    assert_eq!(shown, stored);
    assert!(h_lines.iter().all(|l| l.order_number.starts_with("LIU-")));
    // Per point: each member's lines at the point the order chose.
    let p_units: i64 = packing
        .points
        .iter()
        .flat_map(|p| &p.members)
        .flat_map(|m| &m.lines)
        .map(|l| l.quantity)
        .sum();
    assert_eq!(p_units, ordered);
    let names: BTreeSet<&str> = packing
        .points
        .iter()
        .flat_map(|p| &p.members)
        .map(|m| m.member_name.as_str())
        .collect();
    assert_eq!(names, MEMBERS.iter().map(|m| m.0).collect());
    let zhou_point = packing
        .points
        .iter()
        .find(|p| p.members.iter().any(|m| m.member_name == MEMBERS[0].0))
        .unwrap();
    assert_eq!(zhou_point.point.id, r.points[0]);
    assert!(!zhou_point.point.address.zh.is_empty());
    // Each point's list is in pinyin order of the members' names (qian,
    // zheng, zhou; sun, wu), not in code-point order (周 < 郑 < 钱).
    let at = |i: usize| -> Vec<&str> {
        packing
            .points
            .iter()
            .find(|p| p.point.id == r.points[i])
            .unwrap()
            .members
            .iter()
            .map(|m| m.member_name.as_str())
            .collect()
    };
    assert_eq!(at(0), ["钱文华", "郑海涛", "周小燕"]);
    assert_eq!(at(1), ["孙立", "吴桂兰"]);

    // GET answers the same; running again changes nothing and keeps labels.
    let (status, again) = o.get(&packing_path).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_value::<Packing>(again).unwrap(), packing);
    let (status, rerun) = o.write(Method::POST, &alloc, None).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_value::<Packing>(rerun).unwrap(), packing);
    assert_eq!(packed(&pool, r.id).await, rows, "same pieces, same labels");
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM change_log WHERE entity = 'allocation' AND action = 'allocate'"
        )
        .await,
        1,
        "a re-run that changes nothing is not logged again"
    );
    let after: Value = serde_json::from_str(
        &sqlx::query_as::<_, (String,)>("SELECT after FROM change_log WHERE entity = 'allocation'")
            .fetch_one(&pool)
            .await
            .unwrap()
            .0,
    )
    .unwrap();
    assert_eq!(after["labels"], rows.len());

    // Withdrawing a product after packing takes its labels away; a re-run
    // keeps every other label.
    let (status, body) = o
        .post(
            &format!("/api/organise/rounds/{}/withdrawals", r.id),
            &json!({"product_id": r.products[1], "reason": "the batch failed a check"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = o.write(Method::POST, &alloc, None).await;
    assert_eq!(status, 200, "{body}");
    let packing: Packing = serde_json::from_value(body).unwrap();
    assert!(packing
        .households
        .iter()
        .flat_map(|h| &h.lines)
        .all(|l| l.product_id == r.products[0]));
    let kept = packed(&pool, r.id).await;
    let expected: Vec<_> = rows
        .iter()
        .filter(|x| x.1 == r.products[0])
        .cloned()
        .collect();
    assert_eq!(kept, expected);

    // After allocation a household's supply cannot drop below the pieces
    // packed with its labels, even when the product's total would allow it.
    let (household, packed_qty) = {
        let mut per: BTreeMap<i64, i64> = BTreeMap::new();
        for x in kept.iter() {
            *per.entry(x.2).or_default() += x.3;
        }
        per.into_iter().max_by_key(|&(_, q)| q).unwrap()
    };
    let supply_url = format!("/api/organise/rounds/{}/supply", r.id);
    let supply_of = |pool: &sqlx::SqlitePool| {
        let pool = pool.clone();
        async move {
            scalar(
                &pool,
                &format!(
                    "SELECT quantity FROM supply WHERE round_id = {} AND household_id = {household} AND product_id = {}",
                    r.id, r.products[0]
                ),
            )
            .await
        }
    };
    let set = |q: i64| json!({"supplies": [{"household_id": household, "product_id": r.products[0], "quantity": q}]});
    let before = supply_of(&pool).await;
    let (status, body) = o.put(&supply_url, &set(packed_qty - 1)).await;
    assert_eq!(status, 409, "{body}");
    assert_field(
        &body,
        "supplies[0].quantity",
        &format!("cannot go below {packed_qty}"),
    );
    assert_eq!(supply_of(&pool).await, before, "nothing changed");
    // Down to exactly what is packed is fine.
    let (status, body) = o.put(&supply_url, &set(packed_qty)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(supply_of(&pool).await, packed_qty);
}

#[tokio::test]
async fn the_label_page_traces_the_household_and_never_the_consumer() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let r = round_with_orders(&server, &pool).await;
    close(&pool, r.id).await;
    let o = server.liu_organiser().await;
    let alloc = format!("/api/organise/rounds/{}/allocation", r.id);
    let (status, body) = o.write(Method::POST, &alloc, None).await;
    assert_eq!(status, 200, "{body}");
    let orders: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT id, number, member_id FROM orders WHERE round_id = ?")
            .bind(r.id)
            .fetch_all(&pool)
            .await
            .unwrap();
    let rows = packed(&pool, r.id).await;
    assert!(!rows.is_empty());
    let anonymous = Client::new();
    for (order_id, product, household, _, code) in &rows {
        let code = LabelCode::parse(code).unwrap();
        let res = anonymous
            .get(server.url(&format!("/api/labels/{}", code.display())))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let raw = res.text().await.unwrap();
        // Nothing of any consumer: names, phones, order ids and numbers.
        for (name, phone) in MEMBERS {
            assert!(!raw.contains(name), "{raw} has {name}");
            assert!(!raw.contains(phone), "{raw} has {phone}");
        }
        for (id, number, _) in &orders {
            assert!(!raw.contains(id.as_str()), "{raw} has the order id");
            assert!(
                !raw.contains(&format!("{number:06}")),
                "{raw} has the order number"
            );
        }
        let v: Value = serde_json::from_str(&raw).unwrap();
        for key in [
            "member",
            "member_id",
            "member_name",
            "phone",
            "order",
            "order_id",
            "order_number",
        ] {
            assert!(v.get(key).is_none(), "{key} in {raw}");
        }
        // What it does say.
        assert_eq!(v["household"]["id"], *household);
        assert_eq!(v["product_id"], *product);
        assert_eq!(v["village_slug"], "liu");
        assert_eq!(v["round"]["id"], r.id);
        assert!(v["round"]["distribution_day"].is_string());
        let point = sqlx::query_as::<_, (i64,)>("SELECT point_id FROM orders WHERE id = ?")
            .bind(order_id)
            .fetch_one(&pool)
            .await
            .unwrap()
            .0;
        assert_eq!(v["point"]["id"], point);
        assert_eq!(v["code"], code.display());
    }
    // Typed leniently: lower case, no dash.
    let code = LabelCode::parse(&rows[0].4).unwrap();
    let info: domain::packing::LabelInfo = server
        .json(&format!("/api/labels/{}", code.as_str().to_lowercase()))
        .await;
    assert_eq!(info.code, code.display());

    // A typo is caught by the check character; a malformed code is named.
    let mut typo = code.as_str().as_bytes().to_vec();
    typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
    let typo = String::from_utf8(typo).unwrap();
    let err = server.error(&format!("/api/labels/{typo}"), 422).await;
    assert_eq!(err.fields[0].field, "code");
    assert!(err.fields[0].message.contains("typo"), "{err:?}");
    let err = server.error("/api/labels/ABC", 422).await;
    assert!(err.fields[0].message.contains("8 characters"), "{err:?}");
    let err = server.error("/api/labels/0OIL2345", 422).await;
    assert!(err.fields[0].message.contains("not used in label codes"));
    // A valid code no item has.
    let unknown = (0u8..)
        .map(|i| LabelCode::from_random([i, 7, 7, 7, 7, 7, 7, 7]))
        .find(|c| !rows.iter().any(|r| r.4 == c.as_str()))
        .unwrap();
    let err = server
        .error(&format!("/api/labels/{}", unknown.as_str()), 404)
        .await;
    assert!(err.error.contains("no packed item"), "{err:?}");
}
