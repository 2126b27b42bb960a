//! Pickup at the distribution point: the list per round and point, marks
//! (idempotent, the latest wins, all in the change log), the member's
//! view of their pickup, and the round's CSV downloads.

use reqwest::{Client, Method};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use crate::common::{
    assert_field, fields, first_product, get, member_via_sql, new_id, order_body, place, scalar,
    set_supply, Organiser, Server,
};
use domain::{
    dto::Order,
    pickup::{PickupList, PickupMarkAnswer, PickupState},
};

/// A Liu round with two members' orders at its first point and one at its
/// second, its deadline passed and allocated.
struct Allocated {
    round: i64,
    points: [i64; 2],
    /// (order id, member's client) of 周小燕, 孙立 (first point), 钱文华 (second).
    orders: Vec<(String, Client)>,
}

async fn allocated(server: &Server, o: &Organiser) -> Allocated {
    let pool = server.pool().await;
    let round = server.open_round("liu").await.round.id;
    let product = first_product(&pool, "liu").await;
    set_supply(&pool, round, product, 30).await;
    let village = server.village("liu").await;
    let points = [
        village.distribution_points[0].id,
        village.distribution_points[1].id,
    ];
    let mut orders = Vec::new();
    for (i, (name, phone)) in [
        ("周小燕", "13912346001"),
        ("孙立", "13912346002"),
        ("钱文华", "13912346003"),
    ]
    .into_iter()
    .enumerate()
    {
        let point = points[usize::from(i == 2)];
        let member = member_via_sql(&pool, server, name, phone, point).await;
        let (id, _) = place(
            server,
            &member,
            &order_body(round, point, &[(product, i as i64 + 1)]),
        )
        .await;
        orders.push((id, member));
    }
    // Before the deadline nothing can be marked.
    let (status, body) = o
        .put(
            &pickup_path(&orders[0].0),
            &mark(new_id(), "unpaid", None, None, 0),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "round_id", "open until");

    let now = OffsetDateTime::now_utc().unix_timestamp();
    sqlx::query("UPDATE distribution_round SET deadline = ? WHERE id = ?")
        .bind(now - 60)
        .bind(round)
        .execute(&pool)
        .await
        .unwrap();
    let (status, body) = o
        .write(
            Method::POST,
            &format!("/api/organise/rounds/{round}/allocation"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    Allocated {
        round,
        points,
        orders,
    }
}

fn pickup_path(order: &str) -> String {
    format!("/api/organise/orders/{order}/pickup")
}

/// A mark body made `minutes_ago` minutes ago.
fn mark(
    uuid: String,
    state: &str,
    amount: Option<i64>,
    method: Option<&str>,
    minutes_ago: i64,
) -> Value {
    let at =
        (OffsetDateTime::now_utc() - Duration::minutes(minutes_ago)).to_offset(domain::SHANGHAI);
    let mut body = json!({
        "mark_uuid": uuid,
        "state": state,
        "marked_at": domain::wire::format_datetime(at),
    });
    if let Some(a) = amount {
        body["amount_fen"] = json!(a);
    }
    if let Some(m) = method {
        body["method"] = json!(m);
    }
    body
}

async fn list(o: &Organiser, round: i64, query: &str) -> PickupList {
    let (status, body) = o
        .get(&format!("/api/organise/rounds/{round}/pickup{query}"))
        .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn marks_of(pool: &sqlx::SqlitePool, order: &str) -> i64 {
    scalar(
        pool,
        &format!("SELECT COUNT(*) FROM pickup_mark WHERE order_id = '{order}'"),
    )
    .await
}

async fn pickup_log_entries(o: &Organiser, order: &str) -> Vec<domain::organise::ChangeLogEntry> {
    o.log("liu")
        .await
        .entries
        .into_iter()
        .filter(|e| e.entity == "order" && e.entity_id == order && e.action == "pickup")
        .collect()
}

#[tokio::test]
async fn the_list_shows_each_order_by_label_with_its_total_and_no_mark_yet() {
    let server = Server::start().await;
    let o = server.liu_organiser().await;
    let r = allocated(&server, &o).await;

    let all = list(&o, r.round, "").await;
    assert_eq!(all.village_slug, "liu");
    assert_eq!(all.points.len(), 2, "both points have orders");
    let first = list(&o, r.round, &format!("?point={}", r.points[0])).await;
    assert_eq!(first.points.len(), 1);
    let orders = &first.points[0].orders;
    // By pinyin: Sun before Zhou.
    let names: Vec<&str> = orders.iter().map(|x| x.member_name.as_str()).collect();
    assert_eq!(names, ["孙立", "周小燕"]);
    for order in orders {
        assert!(order.pickup.is_none());
        assert!(
            order.order_number.starts_with("LIU-"),
            "{}",
            order.order_number
        );
        assert!(order.total_fen > 0);
        assert!(!order.lines.is_empty());
        for l in &order.lines {
            assert!(
                domain::label::LabelCode::parse(&l.label).is_ok(),
                "{}",
                l.label
            );
            assert!(!l.household_name.zh.is_empty());
        }
    }
    let zhou = orders.iter().find(|x| x.member_name == "周小燕").unwrap();
    assert_eq!(zhou.order_id, r.orders[0].0);
    let second = list(&o, r.round, &format!("?point={}", r.points[1])).await;
    assert_eq!(second.points[0].orders[0].member_name, "钱文华");

    // A point that is not the village's, or not an id.
    let song_point = server.village("song").await.distribution_points[0].id;
    let (status, body) = o
        .get(&format!(
            "/api/organise/rounds/{}/pickup?point={song_point}",
            r.round
        ))
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = o
        .get(&format!(
            "/api/organise/rounds/{}/pickup?point=abc",
            r.round
        ))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(fields(&body), ["point"]);
}

#[tokio::test]
async fn bad_marks_name_the_field_and_write_nothing() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let r = allocated(&server, &o).await;
    let order = &r.orders[0].0;
    let path = pickup_path(order);

    let cases = [
        (
            mark(new_id(), "paid", None, None, 1),
            vec!["amount_fen", "method"],
        ),
        (
            mark(new_id(), "paid", Some(0), Some("cash"), 1),
            vec!["amount_fen"],
        ),
        (
            mark(new_id(), "paid", Some(100), Some("wechat"), 1),
            vec!["method"],
        ),
        (
            mark(new_id(), "absent", Some(100), None, 1),
            vec!["amount_fen"],
        ),
        (
            mark(new_id(), "unpaid", None, Some("cash"), 1),
            vec!["method"],
        ),
        (mark(new_id(), "gone", None, None, 1), vec!["state"]),
        (
            mark("not-a-uuid".into(), "absent", None, None, 1),
            vec!["mark_uuid"],
        ),
        (
            mark(new_id(), "absent", None, None, -24 * 60),
            vec!["marked_at"],
        ),
        (
            json!({"mark_uuid": new_id(), "state": "absent"}),
            vec!["marked_at"],
        ),
        (
            json!({"mark_uuid": new_id(), "state": "absent", "marked_at": "yesterday"}),
            vec!["marked_at"],
        ),
    ];
    for (body, want) in cases {
        let (status, answer) = o.put(&path, &body).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(fields(&answer), want, "{body}: {answer}");
        assert!(!answer["error_zh"].as_str().unwrap().is_empty(), "{answer}");
        assert!(
            !answer["fields"][0]["message_zh"]
                .as_str()
                .unwrap()
                .is_empty(),
            "{answer}"
        );
    }
    // The order named by the path.
    let (status, body) = o
        .put(
            &pickup_path("nope"),
            &mark(new_id(), "absent", None, None, 1),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(fields(&body), ["id"]);
    let (status, body) = o
        .put(
            &pickup_path(&new_id()),
            &mark(new_id(), "absent", None, None, 1),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    // A write without the CSRF header.
    let (status, body) = crate::common::send(
        &o.client,
        Method::PUT,
        &o.url(&path),
        Some(&mark(new_id(), "absent", None, None, 1)),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(marks_of(&pool, order).await, 0);
    assert!(pickup_log_entries(&o, order).await.is_empty());
}

#[tokio::test]
async fn a_mark_sent_ten_times_is_recorded_once() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let r = allocated(&server, &o).await;
    let order = &r.orders[0].0;
    let uuid = new_id();
    let body = mark(uuid.clone(), "paid", Some(1234), Some("transfer"), 2);

    let (status, first) = o.put(&pickup_path(order), &body).await;
    assert_eq!(status, 201, "{first}");
    let answer: PickupMarkAnswer = serde_json::from_value(first.clone()).unwrap();
    assert_eq!(answer.order_id, *order);
    assert_eq!(answer.mark.mark_uuid, uuid);
    assert_eq!(answer.mark.state, PickupState::Paid);
    assert_eq!(answer.mark.amount_fen, Some(1234));
    assert_eq!(answer.mark.marked_by.id, o.me.id);
    for _ in 0..9 {
        let (status, again) = o.put(&pickup_path(order), &body).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again, first);
    }
    // The id in capitals is the same mark.
    let mut upper = body.clone();
    upper["mark_uuid"] = json!(uuid.to_uppercase());
    let (status, again) = o.put(&pickup_path(order), &upper).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(marks_of(&pool, order).await, 1);
    assert_eq!(pickup_log_entries(&o, order).await.len(), 1);

    // Its id with other content, or for another order: refused.
    let changed = mark(uuid.clone(), "paid", Some(999), Some("transfer"), 2);
    let (status, body) = o.put(&pickup_path(order), &changed).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(fields(&body), ["mark_uuid"]);
    let (status, body) = o
        .put(
            &pickup_path(&r.orders[1].0),
            &mark(uuid, "paid", Some(1234), Some("transfer"), 2),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(marks_of(&pool, order).await, 1);
    assert_eq!(marks_of(&pool, &r.orders[1].0).await, 0);
}

#[tokio::test]
async fn two_organisers_marking_one_order_keep_both_marks_and_the_later_wins() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let zhao = server.liu_organiser().await;
    let liu = server
        .organiser("liu-organiser-3", "demo-organiser-3")
        .await;
    let r = allocated(&server, &zhao).await;
    let order = &r.orders[1].0;

    // Liu marked it paid 5 minutes ago, and reaches the server first;
    // Zhao had marked it "not collected" 10 minutes ago, on a phone that
    // only now gets signal.
    let (status, body) = liu
        .put(
            &pickup_path(order),
            &mark(new_id(), "paid", Some(800), Some("cash"), 5),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = zhao
        .put(
            &pickup_path(order),
            &mark(new_id(), "absent", None, None, 10),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(marks_of(&pool, order).await, 2);

    let shown = list(&zhao, r.round, &format!("?point={}", r.points[0])).await;
    let o = shown.points[0]
        .orders
        .iter()
        .find(|x| x.order_id == *order)
        .unwrap();
    let p = o.pickup.as_ref().expect("marked");
    assert_eq!((p.state, p.amount_fen), (PickupState::Paid, Some(800)));
    assert_eq!(p.marked_by.id, liu.me.id, "who marked it");
    assert!(p.marked_by.name.zh.contains("刘志强"), "{:?}", p.marked_by);
    assert!(domain::wire::format_datetime(p.marked_at).ends_with("+08:00"));

    // Both marks are in the change log, by who made them.
    let entries = pickup_log_entries(&zhao, order).await;
    assert_eq!(entries.len(), 2);
    let by: Vec<i64> = entries.iter().map(|e| e.organiser.id).collect();
    assert_eq!(by, [zhao.me.id, liu.me.id], "newest first");
    assert_eq!(entries[0].after.as_ref().unwrap()["state"], "absent");
    assert_eq!(entries[0].before.as_ref().unwrap()["state"], "paid");
    assert!(entries[1].before.is_none());

    // A mark made after both wins.
    let (status, body) = zhao
        .put(
            &pickup_path(order),
            &mark(new_id(), "unpaid", None, None, 0),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let shown = list(&zhao, r.round, "").await;
    let now = shown
        .points
        .iter()
        .flat_map(|p| &p.orders)
        .find(|x| x.order_id == *order)
        .unwrap();
    assert_eq!(now.pickup.as_ref().unwrap().state, PickupState::Unpaid);
    assert_eq!(now.pickup.as_ref().unwrap().marked_by.id, zhao.me.id);
}

#[tokio::test]
async fn only_the_villages_organisers_see_or_mark_pickups() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let r = allocated(&server, &o).await;
    let order = &r.orders[0].0;
    let song = server
        .organiser("song-organiser-1", "demo-organiser-4")
        .await;
    let paths = [
        format!("/api/organise/rounds/{}/pickup", r.round),
        format!("/api/organise/rounds/{}/pickup.csv", r.round),
        format!("/api/organise/rounds/{}/packing.csv", r.round),
        format!("/api/organise/rounds/{}/orders.csv", r.round),
    ];
    for path in &paths {
        let (status, body) = song.get(path).await;
        assert_eq!(status, 403, "{path}: {body}");
        // A member and an anonymous caller: not an organiser at all.
        let member = &r.orders[0].1;
        let (status, body) = get(&server, member, path).await;
        assert_eq!(status, 401, "{path}: {body}");
        let (status, body) = get(&server, &Client::new(), path).await;
        assert_eq!(status, 401, "{path}: {body}");
        assert!(!body.to_string().contains("周小燕"));
    }
    let (status, body) = song
        .put(
            &pickup_path(order),
            &mark(new_id(), "absent", None, None, 1),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = crate::common::call(
        &r.orders[0].1,
        Method::PUT,
        &server.url(&pickup_path(order)),
        Some(&mark(new_id(), "absent", None, None, 1)),
        true,
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(marks_of(&pool, order).await, 0);
}

#[tokio::test]
async fn the_member_sees_their_order_paid() {
    let server = Server::start().await;
    let o = server.liu_organiser().await;
    let r = allocated(&server, &o).await;
    let (order, member) = &r.orders[0];
    let srv: &Server = &server;
    let read = |path: String| async move {
        let (status, body) = get(srv, member, &path).await;
        assert_eq!(status, 200, "{body}");
        body
    };
    let before: Order = serde_json::from_value(read(format!("/api/orders/{order}")).await).unwrap();
    assert_eq!(before.pickup, None);

    let (status, body) = o
        .put(
            &pickup_path(order),
            &mark(new_id(), "paid", Some(before.total_fen), Some("cash"), 3),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let body = read(format!("/api/orders/{order}")).await;
    let after: Order = serde_json::from_value(body.clone()).unwrap();
    let p = after.pickup.expect("the pickup is on the order");
    assert_eq!(p.state, PickupState::Paid);
    assert_eq!(p.amount_fen, Some(before.total_fen));
    assert_eq!(p.method, Some(domain::pickup::PaymentMethod::Cash));
    assert!(
        body["pickup"]["marked_at"]
            .as_str()
            .unwrap()
            .ends_with("+08:00"),
        "{body}"
    );
    // Who handed it out is the organisers' business.
    assert!(body["pickup"].get("marked_by").is_none(), "{body}");
    // In the list of orders too; another member's orders are untouched.
    let all: Vec<Order> = serde_json::from_value(read("/api/orders".into()).await).unwrap();
    assert_eq!(all.iter().find(|x| x.id == *order).unwrap().pickup, Some(p));
    let (_, other) = get(
        &server,
        &r.orders[1].1,
        &format!("/api/orders/{}", r.orders[1].0),
    )
    .await;
    assert!(other["pickup"].is_null(), "{other}");
}

/// Status, content type and body of a download.
async fn download(
    o: &Organiser,
    path: &str,
    accept_language: Option<&str>,
) -> (u16, String, Vec<u8>) {
    let mut req = o.client.get(o.url(path));
    if let Some(l) = accept_language {
        req = req.header("accept-language", l);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let ctype = crate::common::header(&res, "content-type");
    (status, ctype, res.bytes().await.unwrap().to_vec())
}

/// The rows of a CSV download after checking its BOM.
fn rows(body: &[u8]) -> Vec<Vec<String>> {
    let text = body
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .expect("starts with the UTF-8 BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn csv_downloads_start_with_the_bom_and_name_their_columns_in_the_organisers_language() {
    let server = Server::start().await;
    let o = server.liu_organiser().await;
    let r = allocated(&server, &o).await;
    let order = &r.orders[0].0;
    let (status, body) = o
        .put(
            &pickup_path(order),
            &mark(new_id(), "paid", Some(1000), Some("transfer"), 1),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let base = format!("/api/organise/rounds/{}", r.round);
    let packing = list(&o, r.round, "").await;
    let label = packing.points[0].orders[0].lines[0].label.clone();

    let (status, ctype, body) = download(&o, &format!("{base}/packing.csv"), None).await;
    assert_eq!(status, 200);
    assert_eq!(ctype, "text/csv; charset=utf-8");
    let t = rows(&body);
    assert_eq!(
        t[0],
        ["农户", "产品", "数量", "单位", "订单号", "标签", "取货点"]
    );
    assert_eq!(t.len(), 1 + 3, "one row per piece");
    assert!(t.iter().any(|row| row[5] == label), "{t:?}");

    let (_, _, body) = download(&o, &format!("{base}/pickup.csv"), Some("en-US,en;q=0.9")).await;
    let t = rows(&body);
    assert_eq!(
        t[0],
        [
            "Pickup point",
            "Member",
            "Order",
            "To hand over",
            "Due (yuan)",
            "Pickup",
            "Paid (yuan)",
            "Payment method",
            "Marked at (Asia/Shanghai)",
            "Marked by"
        ]
    );
    assert_eq!(t.len(), 1 + 3, "one row per order");
    let zhou = t.iter().find(|row| row[1] == "周小燕").unwrap();
    assert_eq!(&zhou[5..8], ["collected, paid", "10.00", "transfer"]);
    let sun = t.iter().find(|row| row[1] == "孙立").unwrap();
    assert_eq!(sun[5], "", "not marked yet");
    assert!(t.iter().any(|row| row[3].contains(&label)), "{t:?}");

    // The app's link says the language; it wins over the browser's.
    let (_, _, body) = download(
        &o,
        &format!("{base}/pickup.csv?lang=zh&point={}", r.points[1]),
        Some("en"),
    )
    .await;
    let t = rows(&body);
    assert_eq!(t[0][0], "取货点");
    assert_eq!(t.len(), 2, "only the second point");
    assert_eq!(t[1][1], "钱文华");

    let (_, _, body) = download(&o, &format!("{base}/orders.csv?lang=en"), None).await;
    let t = rows(&body);
    assert_eq!(
        t[0],
        [
            "Order",
            "Member",
            "Pickup point",
            "Status",
            "Product",
            "Quantity",
            "Unit",
            "Unit price (yuan)",
            "Line total (yuan)",
            "Order total (yuan)",
            "Ordered at (Asia/Shanghai)"
        ]
    );
    assert_eq!(t.len(), 1 + 3);
    assert!(t[1..].iter().all(|row| row[3] == "confirmed"));
    // Money as yuan with two decimals; the totals add up.
    for row in &t[1..] {
        assert!(
            row[8].contains('.') && row[8].split('.').nth(1).unwrap().len() == 2,
            "{row:?}"
        );
    }
}
