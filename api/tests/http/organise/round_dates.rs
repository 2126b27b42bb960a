//! Changing a round's dates before it opens, and deleting a round
//! nobody ordered in.

use reqwest::Method;
use serde_json::json;

use super::{at, round_body};
use crate::common::{self, call, fields, member_via_sql, order_body, place, scalar, Server};

#[tokio::test]
async fn a_round_not_yet_open_changes_its_dates_and_is_deleted() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let liu = server.village("liu").await;
    let p: Vec<i64> = liu.distribution_points.iter().map(|p| p.id).collect();
    let (status, r) = o
        .post("/api/organise/villages/liu/rounds", &round_body(&p[..1]))
        .await;
    assert_eq!(status, 201, "{r}");
    let id = r["round"]["id"].as_i64().unwrap();
    let url = format!("/api/organise/rounds/{id}");

    let moved = json!({
        "opens_at": domain::wire::format_datetime(at(41, 9)),
        "deadline": domain::wire::format_datetime(at(46, 18)),
        "distribution_day": domain::wire::format_date(at(48, 0).date()),
        "point_ids": &p[..2],
    });
    let (status, body) = o.put(&url, &moved).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["round"]["opens_at"], moved["opens_at"]);
    assert_eq!(body["round"]["deadline"], moved["deadline"]);
    assert_eq!(body["round"]["distribution_day"], moved["distribution_day"]);
    assert_eq!(body["points"].as_array().unwrap().len(), 2);
    let log = o.log("liu").await;
    let e = &log.entries[0];
    assert_eq!((e.entity.as_str(), e.action.as_str()), ("round", "update"));
    assert_eq!(e.entity_id, id.to_string());
    assert_eq!(
        e.before.as_ref().unwrap()["round"]["deadline"],
        r["round"]["deadline"]
    );
    assert_eq!(
        e.after.as_ref().unwrap()["round"]["deadline"],
        moved["deadline"]
    );

    // Bad dates name the field and change nothing.
    let logged = scalar(&pool, "SELECT COUNT(*) FROM change_log").await;
    let mut bad = moved.clone();
    bad["deadline"] = bad["opens_at"].clone();
    let (status, body) = o.put(&url, &bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["deadline"]);
    // Another round's distribution day.
    let other = liu.open_round.as_ref().unwrap().round.distribution_day;
    let mut bad = moved.clone();
    bad["distribution_day"] = json!(domain::wire::format_date(other));
    bad["opens_at"] = json!(domain::wire::format_datetime(at(-1, 9)));
    bad["deadline"] = json!(domain::wire::format_datetime(
        other.midnight().assume_offset(domain::SHANGHAI) - time::Duration::hours(4)
    ));
    let (status, body) = o.put(&url, &bad).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(fields(&body), ["distribution_day"]);
    // Without the CSRF header.
    let (status, _) = call(&o.client, Method::PUT, &o.url(&url), Some(&moved), false).await;
    assert_eq!(status, 403);
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM change_log").await,
        logged
    );
    let (_, now) = o.get(&url).await;
    assert_eq!(now["round"]["deadline"], moved["deadline"]);

    // Deleting: the CSRF header, then it is gone and logged.
    let (status, _) = call(&o.client, Method::DELETE, &o.url(&url), None, false).await;
    assert_eq!(status, 403);
    let (status, body) = o.write(Method::DELETE, &url, None).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(o.get(&url).await.0, 404);
    assert_eq!(
        scalar(
            &pool,
            &format!("SELECT COUNT(*) FROM round_point WHERE round_id = {id}")
        )
        .await,
        0
    );
    let log = o.log("liu").await;
    let e = &log.entries[0];
    assert_eq!((e.entity.as_str(), e.action.as_str()), ("round", "delete"));
    assert_eq!(e.before.as_ref().unwrap()["round"]["id"], id);
    assert!(e.after.is_none());
    assert_eq!(o.write(Method::DELETE, &url, None).await.0, 404);
}

#[tokio::test]
async fn an_open_round_keeps_its_dates_and_a_round_with_orders_stays() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let liu = server.village("liu").await;
    let open = liu.open_round.clone().expect("an open round");
    let round = open.round.id;
    let product = open
        .stock
        .iter()
        .find(|s| s.remaining > 0)
        .expect("stock")
        .product_id;
    common::set_supply(&pool, round, product, 10).await;
    let point = liu.distribution_points[0].id;
    let url = format!("/api/organise/rounds/{round}");
    let logged = scalar(&pool, "SELECT COUNT(*) FROM change_log").await;

    let (status, body) = o.put(&url, &round_body(&[point])).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"].as_str().unwrap().contains("opened"), "{body}");
    assert!(
        body["error_zh"].as_str().unwrap().contains("不能再改"),
        "{body}"
    );

    let member = member_via_sql(&pool, &server, "周小燕", "13912345670", point).await;
    place(&server, &member, &order_body(round, point, &[(product, 1)])).await;
    let (status, body) = o.write(Method::DELETE, &url, None).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("1 order"),
        "{body}"
    );
    assert!(
        body["error_zh"].as_str().unwrap().contains("不能删除"),
        "{body}"
    );
    assert_eq!(o.get(&url).await.0, 200);
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM change_log").await,
        logged
    );
}
