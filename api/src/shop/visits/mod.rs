//! Visits: village offers and the availability calendar (public), and
//! bookings ([`bookings`], personal).
//!
//! - `GET    /api/villages/{slug}/visit`                      policy and hosts
//! - `GET    /api/villages/{slug}/visit/availability?month=YYYY-MM`
//! - `PUT    /api/bookings/{uuid}`   book (201), or repeat a booking (200)
//! - `GET    /api/bookings/{uuid}?ref=REFERENCE`  (or with the member's session)
//! - `DELETE /api/bookings/{uuid}?ref=REFERENCE`  cancel within the free window
//! - `GET    /api/bookings`          the member's own bookings, newest first

pub mod bookings;

use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::{
    extract::{RawQuery, State},
    Json,
};
use domain::{
    dto::{AvailabilityMonth, DayAvailability, HostBeds, HouseholdRef, VisitOffer},
    visit::{
        beds_left, day_status, CancellationPolicy, HostOffer, HostPrices, MealSet, VisitPolicy,
    },
    LocalText,
};
use sqlx::{FromRow, SqliteConnection};
use time::{Date, OffsetDateTime};

use crate::{
    db::{format_date, parse_date},
    http::{
        error::{Error, Result},
        params::{query_param, Slug},
    },
    shop::villages::{no_village, to_u32},
    AppState,
};

pub use bookings::bookings_router;
pub(crate) use bookings::{row, BookingRow, BOOKING_SELECT};

/// The public routes: what a village offers visitors.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(offer))
        .routes(routes!(availability))
}

/// A village as visits need it.
pub(crate) struct Village {
    pub id: i64,
    pub slug: String,
    pub name: LocalText,
}

pub(crate) async fn village(conn: &mut SqliteConnection, slug: &str) -> Result<Option<Village>> {
    let row: Option<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, slug, name_zh, name_en FROM village WHERE slug = ?")
            .bind(slug)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(id, slug, zh, en)| Village {
        id,
        slug,
        name: LocalText::new(zh, en),
    }))
}

pub(crate) fn date_of(what: &str, s: &str) -> Result<Date> {
    parse_date(s).ok_or_else(|| Error::internal(format_args!("{what}: bad date '{s}'")))
}

/// 404 for a village that takes no visitors.
pub(crate) fn no_visitors(slug: &str) -> Error {
    Error::not_found(
        format!("村子 {slug} 还不接待访客"),
        format!("village '{slug}' does not take visitors yet"),
    )
}

/// The village's visit policy; `None` when it takes no visitors.
pub(crate) async fn policy(
    conn: &mut SqliteConnection,
    village_id: i64,
) -> Result<Option<VisitPolicy>> {
    let row: Option<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT open_from, open_until, max_party, max_nights, free_cancel_days_before
         FROM visit_policy WHERE village_id = ?",
    )
    .bind(village_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((from, until, party, nights, free)) = row else {
        return Ok(None);
    };
    let closed: Vec<(String,)> =
        sqlx::query_as("SELECT day FROM closed_day WHERE village_id = ? ORDER BY day")
            .bind(village_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Some(VisitPolicy {
        open_from: date_of("open_from", &from)?,
        open_until: date_of("open_until", &until)?,
        closed_days: closed
            .iter()
            .map(|(d,)| date_of("closed_day", d))
            .collect::<Result<_>>()?,
        max_party: to_u32("max_party", party)?,
        max_nights: to_u32("max_nights", nights)?,
        cancellation: CancellationPolicy {
            free_cancel_days_before: to_u32("free_cancel_days_before", free)?,
        },
    }))
}

#[derive(Debug, FromRow)]
struct HostRow {
    household_id: i64,
    name_zh: String,
    name_en: String,
    demo: i64,
    beds: i64,
    breakfast: i64,
    lunch: i64,
    dinner: i64,
    adult_night_fen: i64,
    child_night_fen: i64,
    meal_adult_fen: i64,
    meal_child_fen: i64,
    description_zh: String,
    description_en: String,
    rules_zh: String,
    rules_en: String,
}

/// Which of a village's hosts [`hosts`] answers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hosts {
    /// Those whose household still takes part: what visitors may book.
    Offered,
    /// Retired households too: organisers still see their bookings.
    All,
}

/// The village's hosts, by id.
pub(crate) async fn hosts(
    conn: &mut SqliteConnection,
    village_id: i64,
    which: Hosts,
) -> Result<Vec<HostOffer>> {
    let rows: Vec<HostRow> = sqlx::query_as(
        "SELECT h.household_id, hh.name_zh, hh.name_en, hh.demo, h.beds, h.breakfast, h.lunch,
                h.dinner, h.adult_night_fen, h.child_night_fen, h.meal_adult_fen, h.meal_child_fen,
                h.description_zh, h.description_en, h.rules_zh, h.rules_en
         FROM host h JOIN household hh ON hh.id = h.household_id
         WHERE hh.village_id = ? AND (? OR hh.retired_at IS NULL) ORDER BY h.household_id",
    )
    .bind(village_id)
    .bind(which == Hosts::All)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(HostOffer {
                id: r.household_id,
                household: HouseholdRef {
                    id: r.household_id,
                    name: LocalText::new(r.name_zh, r.name_en),
                    demo: r.demo != 0,
                    photo: None,
                },
                beds: to_u32("beds", r.beds)?,
                meals: MealSet {
                    breakfast: r.breakfast != 0,
                    lunch: r.lunch != 0,
                    dinner: r.dinner != 0,
                },
                prices: HostPrices {
                    adult_night_fen: r.adult_night_fen,
                    child_night_fen: r.child_night_fen,
                    meal_adult_fen: r.meal_adult_fen,
                    meal_child_fen: r.meal_child_fen,
                },
                description: LocalText::new(r.description_zh, r.description_en),
                rules: LocalText::new(r.rules_zh, r.rules_en),
            })
        })
        .collect()
}

/// Beds held by confirmed bookings per (host, night) of the village's
/// hosts, for nights `from ..= to`.
pub(crate) async fn booked(
    conn: &mut SqliteConnection,
    village_id: i64,
    from: Date,
    to: Date,
) -> Result<HashMap<(i64, Date), u32>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT bn.host_id, bn.night, SUM(bn.beds)
         FROM host h JOIN household hh ON hh.id = h.household_id
         JOIN booking_night bn ON bn.host_id = h.household_id
         WHERE hh.village_id = ? AND bn.night BETWEEN ? AND ?
         GROUP BY bn.host_id, bn.night",
    )
    .bind(village_id)
    .bind(format_date(from))
    .bind(format_date(to))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(h, night, beds)| Ok(((h, date_of("night", &night)?), to_u32("booked beds", beds)?)))
        .collect()
}

async fn visit_village(conn: &mut SqliteConnection, slug: &str) -> Result<(Village, VisitPolicy)> {
    let v = village(conn, slug).await?.ok_or_else(|| no_village(slug))?;
    let p = policy(conn, v.id).await?.ok_or_else(|| no_visitors(slug))?;
    Ok((v, p))
}

/// `GET /api/villages/{slug}/visit`.
#[utoipa::path(
    get,
    path = "/villages/{slug}/visit",
    tag = "shop",
    summary = "A village's visit offer: policy and host households",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 200, description = "OK", body = VisitOffer)
    )
)]
async fn offer(State(state): State<AppState>, Slug(slug): Slug) -> Result<Json<VisitOffer>> {
    let mut conn = state.db.acquire().await?;
    let (v, policy) = visit_village(&mut conn, &slug).await?;
    let hosts = hosts(&mut conn, v.id, Hosts::Offered).await?;
    Ok(Json(VisitOffer {
        village_slug: v.slug,
        village_name: v.name,
        policy_text: policy.cancellation.text(),
        policy,
        hosts,
    }))
}

/// `YYYY-MM` as the first day of that month.
fn parse_month(raw: Option<&str>) -> Result<Date> {
    let raw = raw.ok_or_else(|| {
        Error::bad_param(
            "month",
            "必须填写，例如 2026-12",
            "is required, like 2026-12",
        )
    })?;
    let ok = raw.len() == 7 && raw.as_bytes()[4] == b'-';
    ok.then(|| domain::wire::parse_date(&format!("{raw}-01")))
        .flatten()
        .filter(|d| (2000..=2100).contains(&d.year()))
        .ok_or_else(|| {
            Error::bad_param(
                "month",
                "必须是月份，例如 2026-12",
                "must be a month like 2026-12",
            )
        })
}

/// `GET /api/villages/{slug}/visit/availability?month=YYYY-MM`.
#[utoipa::path(
    get,
    path = "/villages/{slug}/visit/availability",
    tag = "shop",
    summary = "Each day's status and beds left per host, a month at a time",
    params(
        ("slug" = String, Path, description = "The village's slug"),
        ("month" = Option<String>, Query, description = "`YYYY-MM`, the first month shown")
    ),
    responses(
        (status = 200, description = "OK", body = AvailabilityMonth)
    )
)]
async fn availability(
    State(state): State<AppState>,
    Slug(slug): Slug,
    RawQuery(query): RawQuery,
) -> Result<Json<AvailabilityMonth>> {
    let first = parse_month(query_param(&query, "month"))?;
    let mut conn = state.db.acquire().await?;
    let (v, policy) = visit_village(&mut conn, &slug).await?;
    let hosts = hosts(&mut conn, v.id, Hosts::Offered).await?;
    let mut days_of_month = Vec::new();
    let mut d = first;
    while d.month() == first.month() {
        days_of_month.push(d);
        d = d
            .next_day()
            .ok_or_else(|| Error::internal("date overflow"))?;
    }
    let last = *days_of_month.last().unwrap_or(&first);
    let held = booked(&mut conn, v.id, first, last).await?;
    let today = domain::shanghai_date(OffsetDateTime::now_utc());
    let beds_total: u32 = hosts.iter().map(|h| h.beds).sum();
    let days = days_of_month
        .into_iter()
        .map(|date| {
            let per_host: Vec<HostBeds> = hosts
                .iter()
                .map(|h| HostBeds {
                    host_id: h.id,
                    beds_left: beds_left(h.beds, *held.get(&(h.id, date)).unwrap_or(&0)),
                })
                .collect();
            let left = per_host.iter().map(|h| h.beds_left).sum();
            DayAvailability {
                date,
                status: day_status(&policy, today, date, beds_total, left),
                beds_left: left,
                hosts: per_host,
            }
        })
        .collect();
    Ok(Json(AvailabilityMonth {
        village_slug: v.slug,
        month: format!("{:04}-{:02}", first.year(), first.month() as u8),
        today,
        days,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_or_name_the_param() {
        assert_eq!(
            parse_month(Some("2026-12")).unwrap(),
            time::macros::date!(2026 - 12 - 01)
        );
        for bad in [
            None,
            Some(""),
            Some("2026-13"),
            Some("2026-1"),
            Some("2026-12-01"),
            Some("abcd-ef"),
        ] {
            match parse_month(bad) {
                Err(Error::BadParam { param, .. }) => assert_eq!(param, "month"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
