//! The visit offer: organisers change the policy and hosts; confirmed
//! bookings keep what they were priced with; beds never drop below what
//! is booked.

use reqwest::{Client, Method};
use serde_json::{json, Value};

use super::household_of;
use crate::common::{
    self, assert_field, booking_body, browser, call, fields, new_id, put, scalar, Http, Server,
};

const URL: &str = "/api/organise/villages/liu/visit";

async fn offer_of(o: &common::Organiser) -> Value {
    let (status, body) = o.get(URL).await;
    assert_eq!(status, 200, "{body}");
    body["offer"].clone()
}

/// A booking of `adults` adults with the host `host`, one night `offset`
/// days from now; returns (id, reference, answer).
async fn book_with(server: &Http, offset: i64, adults: u32, host: i64) -> (String, String, Value) {
    let id = new_id();
    let body = booking_body("liu", offset, 1, adults, 0, Some(host));
    let (status, answer) = put(server, &browser(), &format!("/api/bookings/{id}"), &body).await;
    assert_eq!(status, 201, "{answer}");
    let reference = answer["reference"].as_str().unwrap().to_owned();
    (id, reference, answer)
}

fn lodging_unit(booking: &Value) -> i64 {
    booking["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["item"] == "lodging" && l["guest"] == "adult")
        .unwrap_or_else(|| panic!("a lodging line in {booking}"))["unit_fen"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_price_change_reaches_new_bookings_only_and_is_logged() {
    let server = Server::start().await;
    let o = server.liu_organiser().await;
    let (status, form) = o.get(URL).await;
    assert_eq!(status, 200, "{form}");
    assert_eq!(form["takes_visitors"], true);
    assert_eq!(form["households"].as_array().unwrap().len(), 16);
    let offer = form["offer"].clone();
    let host = offer["hosts"][0]["household_id"].as_i64().unwrap();
    let old_price = offer["hosts"][0]["prices"]["adult_night_fen"]
        .as_i64()
        .unwrap();

    let (id, reference, booked) = book_with(&server, 3, 2, host).await;
    assert_eq!(lodging_unit(&booked), old_price);

    let mut changed = offer.clone();
    changed["hosts"][0]["prices"]["adult_night_fen"] = json!(old_price + 1234);
    changed["free_cancel_days_before"] = json!(10);
    changed["max_party"] = json!(4);
    let (status, body) = o.put(URL, &changed).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["offer"]["hosts"][0]["prices"]["adult_night_fen"],
        old_price + 1234
    );

    // The confirmed booking is as it was: lines, total and window.
    let seen = format!("/api/bookings/{id}?ref={reference}");
    let (status, again) = common::get(&server, &Client::new(), &seen).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["lines"], booked["lines"]);
    assert_eq!(again["total_fen"], booked["total_fen"]);
    assert_eq!(again["free_cancel_until"], booked["free_cancel_until"]);
    assert_eq!(again["cancellation"], booked["cancellation"]);

    // A new booking is priced and windowed anew; the public offer shows it.
    let (_, _, fresh) = book_with(&server, 4, 2, host).await;
    assert_eq!(lodging_unit(&fresh), old_price + 1234);
    assert_eq!(fresh["cancellation"]["free_cancel_days_before"], 10);
    let (_, public) = common::get(&server, &Client::new(), "/api/villages/liu/visit").await;
    assert_eq!(public["policy"]["max_party"], 4);

    // One log entry with before and after.
    let log = o.log("liu").await;
    let e = &log.entries[0];
    assert_eq!(
        (e.entity.as_str(), e.action.as_str()),
        ("visit_offer", "update")
    );
    assert_eq!(e.entity_id, "liu");
    let before = e.before.as_ref().unwrap();
    let after = e.after.as_ref().unwrap();
    assert_eq!(before["hosts"][0]["prices"]["adult_night_fen"], old_price);
    assert_eq!(
        after["hosts"][0]["prices"]["adult_night_fen"],
        old_price + 1234
    );
    assert_eq!(before["free_cancel_days_before"], 3);
    assert_eq!(after["free_cancel_days_before"], 10);

    // Saving the same offer again logs nothing.
    let (status, _) = o.put(URL, &changed).await;
    assert_eq!(status, 200);
    assert_eq!(o.log("liu").await.entries.len(), log.entries.len());
}

#[tokio::test]
async fn bad_offers_name_the_field_and_write_nothing() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let offer = offer_of(&o).await;
    let logged = scalar(&pool, "SELECT COUNT(*) FROM change_log").await;

    let mut bad = offer.clone();
    bad["max_party"] = json!(0);
    bad["hosts"][1]["prices"]["meal_adult_fen"] = json!(0);
    bad["hosts"][2]["rules"]["en"] = json!("  ");
    let (status, body) = o.put(URL, &bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        fields(&body),
        [
            "max_party",
            "hosts[1].prices.meal_adult_fen",
            "hosts[2].rules.en"
        ]
    );
    assert!(body["fields"][0]["message_zh"]
        .as_str()
        .unwrap()
        .contains("之间"));

    // A household of another village cannot host here.
    let song_household = household_of(&pool, "song", 0).await;
    let mut bad = offer.clone();
    bad["hosts"][0]["household_id"] = json!(song_household);
    let (status, body) = o.put(URL, &bad).await;
    assert_eq!(status, 422, "{body}");
    assert_field(
        &body,
        "hosts[0].household_id",
        "not a household of this village",
    );

    let mut bad = offer.clone();
    bad["open_until"] = json!("2020-01-01");
    let (status, body) = o.put(URL, &bad).await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "open_until", "before");

    let (status, body) = o.put(URL, &json!({"max_party": 3})).await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "open_from", "missing");

    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM change_log").await,
        logged
    );
    assert_eq!(offer_of(&o).await, offer);
}

#[tokio::test]
async fn beds_stay_above_future_bookings_and_booked_hosts_stay() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let offer = offer_of(&o).await;
    let host = offer["hosts"][1]["household_id"].as_i64().unwrap();
    book_with(&server, 5, 3, host).await;

    let mut fewer = offer.clone();
    fewer["hosts"][1]["beds"] = json!(2);
    let (status, body) = o.put(URL, &fewer).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(fields(&body), ["hosts[1].beds"]);
    let night = common::day(5);
    assert!(body["error"].as_str().unwrap().contains(&night), "{body}");
    assert!(
        body["error_zh"].as_str().unwrap().contains(&night),
        "{body}"
    );
    // Exactly what is booked is fine.
    fewer["hosts"][1]["beds"] = json!(3);
    let (status, body) = o.put(URL, &fewer).await;
    assert_eq!(status, 200, "{body}");

    // A booked host cannot be taken off the offer.
    let mut gone = fewer.clone();
    gone["hosts"].as_array_mut().unwrap().remove(1);
    let (status, body) = o.put(URL, &gone).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(fields(&body), ["hosts"]);

    // A new host joins, and one without bookings leaves.
    let newcomer = household_of(&pool, "liu", 10).await;
    let mut next = fewer.clone();
    let mut h = next["hosts"][2].clone();
    h["household_id"] = json!(newcomer);
    h["beds"] = json!(2);
    let hosts = next["hosts"].as_array_mut().unwrap();
    hosts.remove(2);
    hosts.push(h);
    let (status, body) = o.put(URL, &next).await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<i64> = body["offer"]["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["household_id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&newcomer), "{ids:?}");
    assert_eq!(ids.len(), 3);
    let (_, public) = common::get(&server, &Client::new(), "/api/villages/liu/visit").await;
    assert!(public["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["id"] == newcomer));
}

#[tokio::test]
async fn the_offer_needs_a_session_its_village_and_the_csrf_header() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let offer = offer_of(&o).await;
    let logged = scalar(&pool, "SELECT COUNT(*) FROM change_log").await;
    let url = server.url(URL);
    let anonymous = browser();
    assert_eq!(
        call(&anonymous, Method::GET, &url, None, false).await.0,
        401
    );
    let (status, _) = call(&anonymous, Method::PUT, &url, Some(&offer), true).await;
    assert_eq!(status, 401);
    let (status, body) = call(&o.client, Method::PUT, &url, Some(&offer), false).await;
    assert_eq!(status, 403, "{body}");
    let song = server
        .organiser("song-organiser-1", "demo-organiser-4")
        .await;
    let (status, body) = song.put(URL, &offer).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(song.get(URL).await.0, 403);
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM change_log").await,
        logged
    );
}
