//! Visits: bookings per day, cancelling with a reason, closing days.

use reqwest::Client;
use serde_json::{json, Value};

use super::book;
use crate::common::{self, day, fields, new_id, Server};

#[tokio::test]
async fn organisers_see_bookings_per_day_cancel_with_a_reason_and_close_days() {
    let server = Server::start().await;
    let (id, reference) = book(&server, "liu", 3, 2).await;
    let o = server.liu_organiser().await;

    let path = format!(
        "/api/organise/villages/liu/bookings?from={}&to={}",
        day(3),
        day(5)
    );
    let (status, plan) = o.get(&path).await;
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
    let (status, one) = o.get(&format!("/api/organise/bookings/{id}")).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["phone"], "13912345678");

    // Bad ranges name the parameter.
    let (status, body) = o
        .get("/api/organise/villages/liu/bookings?from=2026-02-30")
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(fields(&body), ["from"]);
    let (status, body) = o
        .get(&format!(
            "/api/organise/villages/liu/bookings?from={}&to={}",
            day(5),
            day(3)
        ))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(fields(&body), ["to"]);

    // Cancelling needs a reason; the visitor then sees it.
    let cancel = format!("/api/organise/bookings/{id}/cancel");
    let (status, body) = o.post(&cancel, &json!({"reason": ""})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["reason"]);
    let why = "the host family has a funeral that week; we are sorry";
    let (status, body) = o.post(&cancel, &json!({"reason": why})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    let seen_at = format!("/api/bookings/{id}?ref={reference}");
    let (status, seen) = common::get(&server, &Client::new(), &seen_at).await;
    assert_eq!(status, 200);
    assert_eq!(seen["status"], "cancelled");
    assert_eq!(seen["cancelled_by"], "organiser");
    assert_eq!(seen["cancel_reason"], why);
    let (_, plan) = o.get(&path).await;
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
    let (status, body) = o.put(url, &json!({"date": day(4), "closed": true})).await;
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
    let (status, _) = common::put(
        &server,
        &Client::new(),
        &format!("/api/bookings/{}", new_id()),
        &json!({"village_slug": "liu", "arrival": day(4), "nights": 1, "adults": 1,
                "name": "周小燕", "phone": "13912345678"}),
    )
    .await;
    assert_eq!(status, 422);
    let (_, plan) = o.get(&path).await;
    assert_eq!(plan["days"][1]["closed"], true);
    let (status, body) = o.put(url, &json!({"date": day(4), "closed": false})).await;
    assert_eq!(status, 200, "{body}");
    assert!(!body["closed_days"]
        .as_array()
        .unwrap()
        .contains(&json!(day(4))));
    let (status, body) = o.put(url, &json!({"date": day(-1), "closed": true})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["date"]);

    assert_eq!(
        o.log_actions("liu").await,
        [
            ("closed_day".into(), "reopen".into()),
            ("closed_day".into(), "close".into()),
            ("booking".into(), "cancel".into())
        ]
    );
}
