//! The organisers' workspace, by area: logins, CSRF and access
//! (`session`), product pages, rounds and supplies, and visits. The
//! request bodies and fixtures more than one area uses are here.

mod people;
mod pickup;
mod products;
mod round_dates;
mod rounds;
mod session;
mod village;
mod visit_offer;
mod visits;

use serde_json::{json, Value};

use crate::common::{booking_body, browser, new_id, put, scalar, Http};

/// A new product of `household`, hidden.
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

/// The village's `nth` household by id.
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

/// `hour` o'clock in Shanghai, `days` from today.
fn at(days: i64, hour: u8) -> time::OffsetDateTime {
    let d = domain::shanghai_date(time::OffsetDateTime::now_utc()) + time::Duration::days(days);
    d.with_hms(hour, 0, 0)
        .unwrap()
        .assume_offset(domain::SHANGHAI)
}

/// A round 40 to 47 days from now, served at `points`.
fn round_body(points: &[i64]) -> Value {
    json!({
        "opens_at": domain::wire::format_datetime(at(40, 8)),
        "deadline": domain::wire::format_datetime(at(45, 20)),
        "distribution_day": domain::wire::format_date(at(47, 0).date()),
        "point_ids": points,
    })
}

/// An anonymous booking for 2 adults; returns its id and reference.
async fn book(server: &Http, slug: &str, offset: i64, nights: u32) -> (String, String) {
    let id = new_id();
    let body = booking_body(slug, offset, nights, 2, 0, None);
    let (status, body) = put(server, &browser(), &format!("/api/bookings/{id}"), &body).await;
    assert_eq!(status, 201, "{body}");
    (id, body["reference"].as_str().unwrap().to_owned())
}
