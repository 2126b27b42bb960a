//! Visit offers and bookings: every endpoint, beds under concurrent
//! booking races, exactly-once booking, refusals that write nothing,
//! privacy, and cancellation inside and outside the policy. Situations (a
//! host with exactly 4 beds, a free-cancellation deadline in the past) are
//! set up with SQL on the same database file.

use crate::common::{
    self, booking_body as request, day, delete, fields, get, new_id, send, send_raw,
    session_via_sql, Http, Logs, Server, JSON,
};
use domain::{
    dto::{AvailabilityMonth, Booking, BookingStatus, NoRoomError, VisitOffer},
    visit::{price_summary, DayMeals, DayStatus},
};
use reqwest::{Client, Method};
use serde_json::{json, Value};
use time::{Date, Duration, OffsetDateTime};
use tokio::task::JoinSet;

fn today() -> Date {
    domain::shanghai_date(OffsetDateTime::now_utc())
}

async fn offer(server: &Http, slug: &str) -> VisitOffer {
    server.json(&format!("/api/villages/{slug}/visit")).await
}

async fn put(server: &Http, client: &Client, id: &str, body: &Value) -> (u16, Value) {
    common::put(server, client, &format!("/api/bookings/{id}"), body).await
}

/// Liu Village's availability in the month of `d`.
async fn liu_month_of(server: &Http, d: Date) -> AvailabilityMonth {
    let month = format!("{:04}-{:02}", d.year(), d.month() as u8);
    server
        .json(&format!(
            "/api/villages/liu/visit/availability?month={month}"
        ))
        .await
}

/// (bookings, booking nights) rows.
async fn rows(pool: &sqlx::SqlitePool) -> (i64, i64) {
    sqlx::query_as("SELECT (SELECT COUNT(*) FROM booking), (SELECT COUNT(*) FROM booking_night)")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// No host night holds more beds than the host has, by SQL.
async fn assert_no_overbooking(pool: &sqlx::SqlitePool) {
    let (over,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT bn.host_id, bn.night, SUM(bn.beds) AS held
                               FROM booking_night bn GROUP BY bn.host_id, bn.night) x
         JOIN host h ON h.household_id = x.host_id WHERE x.held > h.beds",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(over, 0, "a host night is overbooked");
}

#[tokio::test]
async fn offers_and_availability() {
    let server = Server::start().await;
    for slug in ["liu", "song", "hanyuan", "badagong"] {
        let o = offer(&server, slug).await;
        assert!((2..=4).contains(&o.hosts.len()), "{slug}");
        assert_eq!(o.policy.max_party, 8);
        assert_eq!(o.policy.max_nights, 3);
        assert_eq!(o.policy.cancellation.free_cancel_days_before, 3);
        assert_eq!(o.policy.open_from, today());
        assert!(!o.policy.closed_days.is_empty());
        assert!(o.policy_text.en.contains("3 days"), "{}", o.policy_text.en);
        for h in &o.hosts {
            assert!(h.household.demo && h.beds > 0);
            assert!((6000..=12000).contains(&h.prices.adult_night_fen));
            assert!(!h.description.zh.is_empty() && !h.rules.en.is_empty());
        }
    }
    let e = server.error("/api/villages/conggang/visit", 404).await;
    assert!(e.error.contains("visitors"), "{}", e.error);
    server.error("/api/villages/nowhere/visit", 404).await;

    let liu = offer(&server, "liu").await;
    let closed = liu.policy.closed_days[0];
    let month = format!("{:04}-{:02}", closed.year(), closed.month() as u8);
    let cal: AvailabilityMonth = server
        .json(&format!(
            "/api/villages/liu/visit/availability?month={month}"
        ))
        .await;
    assert_eq!(cal.month, month);
    assert_eq!(cal.today, today());
    assert!((28..=31).contains(&cal.days.len()));
    assert_eq!(cal.days[0].date.day(), 1);
    let total: u32 = liu.hosts.iter().map(|h| h.beds).sum();
    for d in &cal.days {
        assert_eq!(d.hosts.len(), liu.hosts.len());
        let expected = if d.date < today() || !liu.policy.is_open(d.date) {
            DayStatus::Closed
        } else {
            assert_eq!(d.beds_left, total);
            DayStatus::Open
        };
        assert_eq!(d.status, expected, "{}", d.date);
    }
    assert_eq!(
        cal.days.iter().find(|d| d.date == closed).unwrap().status,
        DayStatus::Closed
    );
    for bad in ["2026-13", "2026-1", "december", "2026-12-01", ""] {
        let e = server
            .error(
                &format!("/api/villages/liu/visit/availability?month={bad}"),
                400,
            )
            .await;
        assert_eq!(e.fields[0].field, "month", "{bad:?}");
    }
    let e = server
        .error("/api/villages/liu/visit/availability", 400)
        .await;
    assert_eq!(e.fields[0].field, "month");
}

#[tokio::test]
async fn a_visitor_books_reads_repeats_and_cancels_with_the_reference() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let liu = offer(&server, "liu").await;
    let host = &liu.hosts[0];
    let client = Client::new();
    let id = new_id();
    let mut body = request("liu", 20, 2, 2, 1, Some(host.id));
    body["meals"] = json!([
        {"date": day(20), "dinner": true},
        {"date": day(21), "breakfast": true, "lunch": true, "dinner": true},
        {"date": day(22), "breakfast": true}
    ]);
    let (status, b) = put(&server, &client, &id, &body).await;
    assert_eq!(status, 201, "{b}");
    let b: Booking = serde_json::from_value(b).unwrap();
    assert_eq!(b.id, id);
    assert_eq!(b.status, BookingStatus::Confirmed);
    assert_eq!(b.host.id, host.id);
    assert_eq!(b.phone, "13912345678");
    assert_eq!(b.departure, today() + Duration::days(22));
    let meals: Vec<DayMeals> = serde_json::from_value(body["meals"].clone()).unwrap();
    let expected = price_summary(&host.prices, 2, 2, 1, &meals);
    assert_eq!(b.lines, expected.lines);
    assert_eq!(b.total_fen, expected.total_fen);
    assert!(b.can_cancel);
    assert_eq!(
        b.free_cancel_until,
        b.cancellation.free_cancel_until(b.arrival)
    );
    assert!(b.reference.len() >= 8);

    // The calendar counts the beds.
    let d = today() + Duration::days(20);
    let cal = liu_month_of(&server, d).await;
    let night = cal.days.iter().find(|x| x.date == d).unwrap();
    let hb = night.hosts.iter().find(|h| h.host_id == host.id).unwrap();
    assert_eq!(hb.beds_left, host.beds - 3);

    // A resend is the same booking; other content under the id is refused.
    let (status, again) = put(&server, &client, &id, &body).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["reference"], b.reference.as_str());
    let mut other = body.clone();
    other["adults"] = json!(3);
    let (status, e) = put(&server, &client, &id, &other).await;
    assert_eq!(status, 409, "{e}");
    assert_eq!(rows(&pool).await, (1, 2));

    // Read with the reference only.
    let path = format!("/api/bookings/{id}");
    let (status, got) = get(&server, &client, &format!("{path}?ref={}", b.reference)).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(serde_json::from_value::<Booking>(got).unwrap(), b);
    let lower = b.reference.to_ascii_lowercase();
    assert_eq!(
        get(&server, &client, &format!("{path}?ref={lower}"))
            .await
            .0,
        200
    );
    assert_eq!(get(&server, &client, &path).await.0, 404);
    assert_eq!(
        get(&server, &client, &format!("{path}?ref=WRONGREF23"))
            .await
            .0,
        404
    );
    assert_eq!(
        delete(&server, &client, &format!("{path}?ref=WRONGREF23"))
            .await
            .0,
        404
    );
    assert_eq!(
        get(
            &server,
            &client,
            &format!("/api/bookings/{}?ref={}", new_id(), b.reference)
        )
        .await
        .0,
        404
    );
    // Not listed for anyone: nobody was logged in.
    assert_eq!(get(&server, &client, "/api/bookings").await.0, 401);

    // Cancel within the policy: beds come back.
    let (status, c) = delete(&server, &client, &format!("{path}?ref={}", b.reference)).await;
    assert_eq!(status, 200, "{c}");
    let c: Booking = serde_json::from_value(c).unwrap();
    assert_eq!(c.status, BookingStatus::Cancelled);
    assert!(!c.can_cancel);
    assert_eq!(rows(&pool).await, (1, 0));
    // Cancelling again answers the booking as it is.
    let (status, c2) = delete(&server, &client, &format!("{path}?ref={}", b.reference)).await;
    assert_eq!(status, 200);
    assert_eq!(c2["status"], "cancelled");
}

#[tokio::test]
async fn members_bookings_are_linked_listed_and_private() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let point = server.village("liu").await.distribution_points[0].id;
    let (alice, _) = session_via_sql(&pool, &server, "陈一", "13700000001", point).await;
    let (bob, _) = session_via_sql(&pool, &server, "王二", "13700000002", point).await;
    let song = offer(&server, "song").await;
    let id = new_id();
    // "Any host with room": the one with the most beds free.
    let (status, b) = put(&server, &alice, &id, &request("song", 30, 1, 2, 0, None)).await;
    assert_eq!(status, 201, "{b}");
    let b: Booking = serde_json::from_value(b).unwrap();
    let roomiest = song.hosts.iter().max_by_key(|h| (h.beds, -h.id)).unwrap();
    assert_eq!(b.host.id, roomiest.id);
    let (member_id,): (Option<i64>,) = sqlx::query_as("SELECT member_id FROM booking WHERE id = ?")
        .bind(&id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(member_id.is_some());

    let path = format!("/api/bookings/{id}");
    let (status, got) = get(&server, &alice, &path).await;
    assert_eq!(status, 200, "{got}");
    let (status, list) = get(&server, &alice, "/api/bookings").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());

    // Another member sees nothing, cannot cancel it, cannot take its id.
    assert_eq!(get(&server, &bob, &path).await.0, 404);
    assert_eq!(delete(&server, &bob, &path).await.0, 404);
    assert_eq!(
        put(&server, &bob, &id, &request("song", 30, 1, 2, 0, None))
            .await
            .0,
        404
    );
    let (status, list) = get(&server, &bob, "/api/bookings").await;
    assert_eq!(status, 200);
    assert!(list.as_array().unwrap().is_empty());

    let (status, c) = delete(&server, &alice, &path).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["cancelled_by"], "visitor");
}

#[tokio::test]
async fn families_racing_for_the_last_beds_never_overbook() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let liu = offer(&server, "liu").await;
    let host = liu.hosts[1].id;
    sqlx::query("UPDATE host SET beds = 4 WHERE household_id = ?")
        .bind(host)
        .execute(&pool)
        .await
        .unwrap();
    let mut set = JoinSet::new();
    for _ in 0..20 {
        let url = server.url(&format!("/api/bookings/{}", new_id()));
        let body = request("liu", 40, 2, 2, 0, Some(host));
        set.spawn(async move { send(&Client::new(), Method::PUT, &url, Some(&body)).await });
    }
    let mut won = 0;
    let mut lost = 0;
    while let Some(r) = set.join_next().await {
        let (status, body) = r.unwrap();
        match status {
            201 => won += 1,
            409 => {
                lost += 1;
                let e: NoRoomError = serde_json::from_value(body).unwrap();
                assert_eq!(e.no_room.host_id, Some(host));
                assert_eq!(e.no_room.beds_needed, 2);
                assert_eq!(e.no_room.nights.len(), 2);
                assert!(e.no_room.nights.iter().all(|n| n.beds_left == 0));
                assert!(!e.no_room.other_hosts.is_empty());
                assert!(e
                    .no_room
                    .other_hosts
                    .iter()
                    .all(|h| h.host_id != host && h.beds_left >= 2));
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((won, lost), (2, 18));
    assert_eq!(rows(&pool).await, (2, 4));
    assert_no_overbooking(&pool).await;

    // "Any host" fills the rest of the village, then is refused too.
    let beds: u32 = liu
        .hosts
        .iter()
        .filter(|h| h.id != host)
        .map(|h| h.beds)
        .sum();
    let mut set = JoinSet::new();
    for _ in 0..beds {
        let url = server.url(&format!("/api/bookings/{}", new_id()));
        let body = request("liu", 40, 2, 1, 0, None);
        set.spawn(async move { send(&Client::new(), Method::PUT, &url, Some(&body)).await.0 });
    }
    while let Some(r) = set.join_next().await {
        assert_eq!(r.unwrap(), 201);
    }
    let (status, body) = put(
        &server,
        &Client::new(),
        &new_id(),
        &request("liu", 40, 1, 1, 0, None),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["no_room"]["host_id"], Value::Null);
    assert_no_overbooking(&pool).await;
    let d = today() + Duration::days(40);
    let cal = liu_month_of(&server, d).await;
    assert_eq!(
        cal.days.iter().find(|x| x.date == d).unwrap().status,
        DayStatus::Full
    );
}

#[tokio::test]
async fn ten_resends_of_one_booking_make_one_booking() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let id = new_id();
    let mut set = JoinSet::new();
    for _ in 0..10 {
        let url = server.url(&format!("/api/bookings/{id}"));
        let body = request("hanyuan", 25, 3, 2, 2, None);
        set.spawn(async move { send(&Client::new(), Method::PUT, &url, Some(&body)).await });
    }
    let mut statuses = Vec::new();
    let mut refs = std::collections::HashSet::new();
    while let Some(r) = set.join_next().await {
        let (status, body) = r.unwrap();
        statuses.push(status);
        refs.insert(body["reference"].as_str().unwrap().to_owned());
    }
    statuses.sort();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    assert_eq!(refs.len(), 1);
    assert_eq!(rows(&pool).await, (1, 3));
}

#[tokio::test]
async fn bad_bookings_are_refused_and_write_nothing() {
    let logs = Logs::capture().await;
    let server = Server::start().await;
    let pool = server.pool().await;
    let liu = offer(&server, "liu").await;
    let song = offer(&server, "song").await;
    let host = liu.hosts[0].id;
    let closed = (liu.policy.closed_days[0] - today()).whole_days();
    let client = Client::new();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = request("liu", 20, 2, 2, 0, Some(host));
        f(&mut b);
        b
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        ("past", with(&|b| b["arrival"] = json!(day(-1))), "arrival"),
        (
            "closed day",
            with(&|b| b["arrival"] = json!(day(closed))),
            "arrival",
        ),
        (
            "after the open range",
            with(&|b| b["arrival"] = json!(day(200))),
            "arrival",
        ),
        (
            "too many nights",
            with(&|b| b["nights"] = json!(4)),
            "nights",
        ),
        ("no nights", with(&|b| b["nights"] = json!(0)), "nights"),
        ("empty party", with(&|b| b["adults"] = json!(0)), "adults"),
        (
            "party over max",
            with(&|b| b["adults"] = json!(9)),
            "adults",
        ),
        (
            "children over max",
            with(&|b| b["children"] = json!(7)),
            "children",
        ),
        (
            "negative children",
            with(&|b| b["children"] = json!(-1)),
            "children",
        ),
        (
            "unknown host",
            with(&|b| b["host_id"] = json!(999_999)),
            "host_id",
        ),
        (
            "host of another village",
            with(&|b| b["host_id"] = json!(song.hosts[0].id)),
            "host_id",
        ),
        (
            "malformed phone",
            with(&|b| b["phone"] = json!("12345")),
            "phone",
        ),
        ("blank name", with(&|b| b["name"] = json!("  ")), "name"),
        (
            "meal after the stay",
            with(&|b| b["meals"] = json!([{"date": day(25), "lunch": true}])),
            "meals",
        ),
        (
            "bad date",
            with(&|b| b["arrival"] = json!("2026-02-30")),
            "arrival",
        ),
        (
            "unknown village",
            with(&|b| b["village_slug"] = json!("atlantis")),
            "village_slug",
        ),
        (
            "missing phone",
            with(&|b| {
                b.as_object_mut().unwrap().remove("phone");
            }),
            "phone",
        ),
    ];
    for (what, body, field) in cases {
        let (status, e) = put(&server, &client, &new_id(), &body).await;
        assert_eq!(status, 422, "{what}: {e}");
        assert!(fields(&e).contains(&field.to_owned()), "{what}: {e}");
        if what == "host of another village" {
            assert!(e.to_string().contains("another village"), "{e}");
        }
    }
    assert_eq!(rows(&pool).await, (0, 0));

    // Over the body size limit, not JSON, not an object, a bad id.
    // A body declared over the limit is refused before it is read.
    let answer = {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
            .await
            .unwrap();
        let head = format!(
            "PUT /api/bookings/{} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            new_id(),
            200 * 1024
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        let _ = tcp.read_to_end(&mut buf).await;
        String::from_utf8_lossy(&buf).into_owned()
    };
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("too large"), "{answer}");
    let url = server.url(&format!("/api/bookings/{}", new_id()));
    let res = send_raw(&client, Method::PUT, &url, JSON, "{\"nights\": ").await;
    assert_eq!(res.status(), 400);
    let (status, _) = put(
        &server,
        &client,
        "not-a-uuid",
        &request("liu", 20, 1, 1, 0, None),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        get(&server, &client, "/api/bookings/not-a-uuid").await.0,
        400
    );
    assert_eq!(rows(&pool).await, (0, 0));
    // Nothing above was a server error.
    assert!(!logs.text().contains("internal error"), "{}", logs.text());
}

#[tokio::test]
async fn cancelling_after_the_free_window_is_refused() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let client = Client::new();
    let id = new_id();
    let (status, b) = put(
        &server,
        &client,
        &id,
        &request("badagong", 10, 1, 2, 0, None),
    )
    .await;
    assert_eq!(status, 201, "{b}");
    let reference = b["reference"].as_str().unwrap().to_owned();
    // Arriving the day after tomorrow: the free window (3 days before) is over.
    sqlx::query("UPDATE booking SET arrival = ?, free_cancel_until = ? WHERE id = ?")
        .bind(day(2))
        .bind(OffsetDateTime::now_utc().unix_timestamp() - 60)
        .bind(&id)
        .execute(&pool)
        .await
        .unwrap();
    let path = format!("/api/bookings/{id}?ref={reference}");
    let (status, got) = get(&server, &client, &path).await;
    assert_eq!(status, 200);
    assert_eq!(got["can_cancel"], false);
    let (status, e) = delete(&server, &client, &path).await;
    assert_eq!(status, 409, "{e}");
    let msg = e["error"].as_str().unwrap();
    assert!(
        msg.contains("free cancellation ended") && msg.contains("3 days"),
        "{msg}"
    );
    let (status, got) = get(&server, &client, &path).await;
    assert_eq!(status, 200);
    assert_eq!(got["status"], "confirmed");
    assert_eq!(rows(&pool).await, (1, 1));
}

#[tokio::test]
async fn a_retired_household_takes_no_new_visitors_and_its_bookings_stay_listed() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let host = offer(&server, "liu").await.hosts[0].id;
    let client = Client::new();
    let kept = new_id();
    let (status, b) = put(
        &server,
        &client,
        &kept,
        &request("liu", 20, 1, 1, 0, Some(host)),
    )
    .await;
    assert_eq!(status, 201, "{b}");

    let retire = format!("UPDATE household SET retired_at = unixepoch() WHERE id = {host}");
    common::execute(&pool, &[retire.as_str()]).await;
    let liu = offer(&server, "liu").await;
    assert!(liu.hosts.iter().all(|h| h.id != host), "not offered");
    let (status, e) = put(
        &server,
        &client,
        &new_id(),
        &request("liu", 25, 1, 1, 0, Some(host)),
    )
    .await;
    assert_eq!(status, 422, "{e}");
    assert!(fields(&e).contains(&"host_id".to_string()), "{e}");

    // The organisers still see the booking it holds.
    let o = server.liu_organiser().await;
    let (status, page) = o
        .get(&format!(
            "/api/organise/villages/liu/bookings?from={}&to={}",
            day(0),
            day(40)
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.to_string().contains(&kept), "{page}");
}
