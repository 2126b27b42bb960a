//! The village's visit offer for organisers: its policy and hosts.
//!
//! - `GET /api/organise/villages/{slug}/visit` → `OrganiseVisitOffer`
//! - `PUT /api/organise/villages/{slug}/visit` `VisitOfferInput` → `OrganiseVisitOffer`
//!
//! Confirmed bookings keep the lines, total and free-cancel window they
//! were priced with, so a change here applies to new bookings only. Beds
//! never drop below what confirmed bookings hold on a night from today on
//! (409 naming the night): the bed trigger only guards new nights.

use axum::{extract::State, Json};
use domain::{
    dto::HouseholdRef,
    organise::visit_offer::{HostInput, OrganiseVisitOffer, VisitOfferInput},
    FieldError, LocalText,
};
use sqlx::SqliteConnection;
use time::{Duration, OffsetDateTime};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    db::format_date,
    http::error::{Error, Result},
    http::json::JsonBody,
    http::params::Slug,
    organise::{change_log::ChangeLog, session::CurrentOrganiser},
    shop::visits::{hosts, policy, Hosts},
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(one, save))
}

/// The offer as it is now; `None` while the village takes no visitors.
async fn current(conn: &mut SqliteConnection, village_id: i64) -> Result<Option<VisitOfferInput>> {
    let Some(p) = policy(conn, village_id).await? else {
        return Ok(None);
    };
    let hosts = hosts(conn, village_id, Hosts::All)
        .await?
        .into_iter()
        .map(|h| HostInput {
            household_id: h.id,
            beds: h.beds,
            meals: h.meals,
            prices: h.prices,
            description: h.description,
            rules: h.rules,
        })
        .collect();
    Ok(Some(VisitOfferInput {
        open_from: p.open_from,
        open_until: p.open_until,
        max_party: p.max_party,
        max_nights: p.max_nights,
        free_cancel_days_before: p.cancellation.free_cancel_days_before,
        hosts,
    }))
}

async fn households(conn: &mut SqliteConnection, village_id: i64) -> Result<Vec<HouseholdRef>> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT id, name_zh, name_en, demo FROM household WHERE village_id = ? ORDER BY id",
    )
    .bind(village_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, zh, en, demo)| HouseholdRef {
            id,
            name: LocalText::new(zh, en),
            demo: demo != 0,
            photo: None,
        })
        .collect())
}

async fn answer(
    conn: &mut SqliteConnection,
    village_id: i64,
    slug: String,
) -> Result<OrganiseVisitOffer> {
    let offer = current(conn, village_id).await?;
    let takes_visitors = offer.is_some();
    let offer = match offer {
        Some(o) => o,
        None => {
            let today = domain::shanghai_date(OffsetDateTime::now_utc());
            VisitOfferInput {
                open_from: today,
                open_until: today + Duration::days(365),
                max_party: 6,
                max_nights: 7,
                free_cancel_days_before: 3,
                hosts: Vec::new(),
            }
        }
    };
    Ok(OrganiseVisitOffer {
        village_slug: slug,
        takes_visitors,
        offer,
        households: households(conn, village_id).await?,
    })
}

/// `GET /api/organise/villages/{slug}/visit`.
#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/visit",
    tag = "organise",
    summary = "The village's visit offer as its organisers edit it",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 200, description = "OK", body = OrganiseVisitOffer)
    ),
    security(("organiser" = []))
)]
async fn one(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
) -> Result<Json<OrganiseVisitOffer>> {
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    Ok(Json(answer(&mut conn, v.id, v.slug).await?))
}

/// The most beds confirmed bookings hold on one night from `today` on,
/// and that night.
async fn most_held(
    conn: &mut SqliteConnection,
    host_id: i64,
    today: &str,
) -> Result<Option<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT night, SUM(beds) AS held FROM booking_night
         WHERE host_id = ? AND night >= ? GROUP BY night
         ORDER BY held DESC, night LIMIT 1",
    )
    .bind(host_id)
    .bind(today)
    .fetch_optional(conn)
    .await?)
}

fn conflict(field: String, zh: String, en: String) -> Error {
    Error::Conflict {
        error: LocalText::new(zh.clone(), en.clone()),
        fields: vec![FieldError::new(field, zh, en)],
    }
}

/// `PUT /api/organise/villages/{slug}/visit`: the whole offer.
#[utoipa::path(
    put,
    path = "/organise/villages/{slug}/visit",
    tag = "organise",
    summary = "Save the village's whole visit offer",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    request_body = VisitOfferInput,
    responses(
        (status = 200, description = "OK", body = OrganiseVisitOffer)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn save(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    JsonBody(input): JsonBody<VisitOfferInput>,
) -> Result<Json<OrganiseVisitOffer>> {
    let now = OffsetDateTime::now_utc();
    let today = format_date(domain::shanghai_date(now));
    let mut tx = state.write().await?;
    let v = o.village(tx.conn(), &slug).await?;
    let mut errors = input.validate();
    let own = households(tx.conn(), v.id).await?;
    for (i, h) in input.hosts.iter().enumerate() {
        if !own.iter().any(|o| o.id == h.household_id) {
            errors.push(FieldError::new(
                format!("hosts[{i}].household_id"),
                format!("{} 不是本村的农户", h.household_id),
                format!("{} is not a household of this village", h.household_id),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let input = input.normalized();
    let before = current(tx.conn(), v.id).await?;
    let old_hosts = before.as_ref().map(|b| b.hosts.as_slice()).unwrap_or(&[]);

    for (i, h) in input.hosts.iter().enumerate() {
        if let Some((night, held)) = most_held(tx.conn(), h.household_id, &today).await? {
            if held > i64::from(h.beds) {
                return Err(conflict(
                    format!("hosts[{i}].beds"),
                    format!("{night} 这一晚已有确认的预订占了 {held} 张床，床位不能少于 {held}"),
                    format!(
                        "confirmed bookings hold {held} beds on the night of {night}; beds cannot be fewer than {held}"
                    ),
                ));
            }
        }
    }
    for gone in old_hosts.iter().filter(|old| {
        !input
            .hosts
            .iter()
            .any(|h| h.household_id == old.household_id)
    }) {
        let id = gone.household_id;
        if let Some((night, _)) = most_held(tx.conn(), id, &today).await? {
            return Err(conflict(
                "hosts".into(),
                format!("农户 {id} 在 {night} 有确认的预订，不能取消接待"),
                format!("household {id} has a confirmed booking on the night of {night} and must stay a host"),
            ));
        }
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM booking WHERE host_id = ?")
            .bind(id)
            .fetch_one(tx.conn())
            .await?;
        if n > 0 {
            return Err(conflict(
                "hosts".into(),
                format!("农户 {id} 有 {n} 条预订记录要保留；不再接待请把床位设为 0"),
                format!("household {id} has {n} booking(s) on record; set its beds to 0 to stop new bookings"),
            ));
        }
        sqlx::query("DELETE FROM host WHERE household_id = ?")
            .bind(id)
            .execute(tx.conn())
            .await?;
    }

    sqlx::query(
        "INSERT INTO visit_policy (village_id, open_from, open_until, max_party, max_nights,
                                   free_cancel_days_before)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (village_id) DO UPDATE SET open_from = excluded.open_from,
             open_until = excluded.open_until, max_party = excluded.max_party,
             max_nights = excluded.max_nights,
             free_cancel_days_before = excluded.free_cancel_days_before",
    )
    .bind(v.id)
    .bind(format_date(input.open_from))
    .bind(format_date(input.open_until))
    .bind(i64::from(input.max_party))
    .bind(i64::from(input.max_nights))
    .bind(i64::from(input.free_cancel_days_before))
    .execute(tx.conn())
    .await?;
    for h in &input.hosts {
        sqlx::query(
            "INSERT INTO host (household_id, beds, breakfast, lunch, dinner, adult_night_fen,
                               child_night_fen, meal_adult_fen, meal_child_fen,
                               description_zh, description_en, rules_zh, rules_en)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (household_id) DO UPDATE SET beds = excluded.beds,
                 breakfast = excluded.breakfast, lunch = excluded.lunch, dinner = excluded.dinner,
                 adult_night_fen = excluded.adult_night_fen,
                 child_night_fen = excluded.child_night_fen,
                 meal_adult_fen = excluded.meal_adult_fen, meal_child_fen = excluded.meal_child_fen,
                 description_zh = excluded.description_zh, description_en = excluded.description_en,
                 rules_zh = excluded.rules_zh, rules_en = excluded.rules_en",
        )
        .bind(h.household_id)
        .bind(i64::from(h.beds))
        .bind(h.meals.breakfast)
        .bind(h.meals.lunch)
        .bind(h.meals.dinner)
        .bind(h.prices.adult_night_fen)
        .bind(h.prices.child_night_fen)
        .bind(h.prices.meal_adult_fen)
        .bind(h.prices.meal_child_fen)
        .bind(&h.description.zh)
        .bind(&h.description.en)
        .bind(&h.rules.zh)
        .bind(&h.rules.en)
        .execute(tx.conn())
        .await?;
    }
    let after = current(tx.conn(), v.id).await?;
    if before != after {
        ChangeLog::new(&o, v.id, now.unix_timestamp())
            .updated(tx.conn(), ("visit_offer", &v.slug), &before, &after)
            .await?;
    }
    let out = answer(tx.conn(), v.id, v.slug).await?;
    tx.commit().await?;
    Ok(Json(out))
}
