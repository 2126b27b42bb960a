//! Visits for organisers: bookings per day and per host, reading
//! and cancelling any booking of their village with a reason, closing and
//! reopening days.
//!
//! - `GET  /api/organise/villages/{slug}/bookings?from=YYYY-MM-DD&to=YYYY-MM-DD`
//!   → `OrganiseBookings` (default: today and the next 30 days; at most 92 days)
//! - `GET  /api/organise/bookings/{uuid}`         → `Booking`
//! - `POST /api/organise/bookings/{uuid}/cancel`  `CancelBookingInput` → `Booking`
//! - `PUT  /api/organise/villages/{slug}/closed-days`  `ClosedDayInput` → `ClosedDays`
//!
//! A booking cancelled here shows `status: cancelled`,
//! `cancelled_by: organiser` and the reason to the visitor through the
//! ordinary booking endpoints.

use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::{
    extract::{RawQuery, State},
    Json,
};
use domain::{
    dto::Booking,
    organise::{
        reason, BookingDay, CancelBookingInput, ClosedDayInput, ClosedDays, HostNight,
        OrganiseBookings,
    },
    FieldError,
};
use serde_json::json;
use sqlx::SqliteConnection;
use time::{Date, Duration, OffsetDateTime};

use crate::{
    db::{format_date, parse_date},
    http::error::{Error, Result},
    http::json::JsonBody,
    http::params::query_param,
    http::params::{OrderId, Slug},
    organise::{
        change_log::ChangeLog,
        session::{CurrentOrganiser, VillageRef},
    },
    shop::rounds::moment,
    shop::visits::{
        bookings::{commit_answer, not_found},
        hosts, no_visitors, policy, row, BookingRow, Hosts, BOOKING_SELECT,
    },
    AppState,
};

pub const DEFAULT_DAYS: i64 = 30;
pub const MAX_DAYS: i64 = 92;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(per_day))
        .routes(routes!(close_day))
        .routes(routes!(one))
        .routes(routes!(cancel))
}

fn date_param(query: &Option<String>, name: &str) -> Result<Option<Date>> {
    query_param(query, name)
        .map(|raw| {
            domain::wire::parse_date(raw).ok_or_else(|| {
                Error::bad_param(
                    name,
                    "必须是日期，例如 2026-12-01",
                    "must be a date like 2026-12-01",
                )
            })
        })
        .transpose()
}

/// The booking if it is of one of the organiser's villages: 404 / 403.
async fn booking_for(
    conn: &mut SqliteConnection,
    o: &CurrentOrganiser,
    id: &str,
) -> Result<(VillageRef, BookingRow)> {
    let village: Option<(i64,)> = sqlx::query_as("SELECT village_id FROM booking WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let (village_id,) = village.ok_or_else(|| not_found(id))?;
    let v = o.check_village(conn, village_id).await?;
    let r = row(conn, id).await?.ok_or_else(|| not_found(id))?;
    Ok((v, r))
}

/// `GET /api/organise/villages/{slug}/bookings`.
#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/bookings",
    tag = "organise",
    summary = "Bookings per day, host by host",
    params(
        ("slug" = String, Path, description = "The village's slug"),
        ("from" = Option<String>, Query, format = Date, description = "First day (default today)"),
        ("to" = Option<String>, Query, format = Date, description = "Last day")
    ),
    responses(
        (status = 200, description = "OK", body = OrganiseBookings)
    ),
    security(("organiser" = []))
)]
async fn per_day(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    RawQuery(query): RawQuery,
) -> Result<Json<OrganiseBookings>> {
    let today = domain::shanghai_date(OffsetDateTime::now_utc());
    let from = date_param(&query, "from")?.unwrap_or(today);
    let to = date_param(&query, "to")?.unwrap_or(from + Duration::days(DEFAULT_DAYS));
    if to < from {
        return Err(Error::bad_param(
            "to",
            "不能早于 from",
            "must not be before from",
        ));
    }
    if (to - from).whole_days() >= MAX_DAYS {
        return Err(Error::bad_param(
            "to",
            format!("必须在 from 之后 {MAX_DAYS} 天以内"),
            format!("must be less than {MAX_DAYS} days after from"),
        ));
    }
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    let closed: Vec<Date> = match policy(&mut conn, v.id).await? {
        Some(p) => p.closed_days,
        None => Vec::new(),
    };
    let hosts = hosts(&mut conn, v.id, Hosts::All).await?;
    let nights: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT bn.host_id, bn.night, bn.beds, bn.booking_id
         FROM booking_night bn JOIN household hh ON hh.id = bn.host_id
         WHERE hh.village_id = ? AND bn.night BETWEEN ? AND ?
         ORDER BY bn.night, bn.host_id, bn.booking_id",
    )
    .bind(v.id)
    .bind(format_date(from))
    .bind(format_date(to))
    .fetch_all(&mut *conn)
    .await?;
    let mut held: HashMap<(i64, String), (u32, Vec<String>)> = HashMap::new();
    for (host, night, beds, booking) in nights {
        let e = held.entry((host, night)).or_default();
        e.0 += u32::try_from(beds).map_err(Error::internal)?;
        e.1.push(booking);
    }
    let mut days = Vec::new();
    let mut d = from;
    while d <= to {
        let key = format_date(d);
        days.push(BookingDay {
            date: d,
            closed: closed.contains(&d),
            hosts: hosts
                .iter()
                .map(|h| {
                    let (booked, ids) = held.remove(&(h.id, key.clone())).unwrap_or_default();
                    HostNight {
                        host_id: h.id,
                        host_name: h.household.name.clone(),
                        beds: h.beds,
                        beds_booked: booked,
                        booking_ids: ids,
                    }
                })
                .collect(),
        });
        d = d
            .next_day()
            .ok_or_else(|| Error::internal("date overflow"))?;
    }
    // Bookings with a night in the range: arrival <= to, departure > from.
    let rows: Vec<BookingRow> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE b.village_id = ? AND b.arrival <= ?
           AND date(b.arrival, '+' || b.nights || ' days') > ?
         ORDER BY b.arrival, b.host_id, b.created_at, b.id"
    ))
    .bind(v.id)
    .bind(format_date(to))
    .bind(format_date(from))
    .fetch_all(&mut *conn)
    .await?;
    let now = OffsetDateTime::now_utc();
    Ok(Json(OrganiseBookings {
        village_slug: v.slug,
        from,
        to,
        days,
        bookings: rows
            .into_iter()
            .map(|r| r.into_booking(now))
            .collect::<Result<_>>()?,
    }))
}

/// `GET /api/organise/bookings/{uuid}`: any booking of the village.
#[utoipa::path(
    get,
    path = "/organise/bookings/{id}",
    tag = "organise",
    params(
        ("id" = String, Path, description = "The booking's id: the UUID the phone made")
    ),
    responses(
        (status = 200, description = "OK", body = Booking)
    ),
    security(("organiser" = []))
)]
async fn one(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    OrderId(id): OrderId,
) -> Result<Json<Booking>> {
    let mut conn = state.db.acquire().await?;
    let (_, r) = booking_for(&mut conn, &o, &id).await?;
    Ok(Json(r.into_booking(OffsetDateTime::now_utc())?))
}

/// `POST /api/organise/bookings/{uuid}/cancel`: whatever the visitor's
/// free-cancellation window; the reason is shown to the visitor. A
/// booking already cancelled is answered as it is.
#[utoipa::path(
    post,
    path = "/organise/bookings/{id}/cancel",
    tag = "organise",
    params(
        ("id" = String, Path, description = "The booking's id: the UUID the phone made")
    ),
    request_body = CancelBookingInput,
    responses(
        (status = 200, description = "OK", body = Booking)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn cancel(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    OrderId(id): OrderId,
    JsonBody(input): JsonBody<CancelBookingInput>,
) -> Result<Json<Booking>> {
    reason("reason", &input.reason)?;
    let text = input.reason.trim().to_owned();
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    let (v, r) = booking_for(tx.conn(), &o, &id).await?;
    if !r.confirmed() {
        return Ok(Json(r.into_booking(now)?));
    }
    // The booking_cancelled trigger (migration 0009) frees the beds.
    sqlx::query(
        "UPDATE booking SET status = 'cancelled', cancelled_by = 'organiser', cancel_reason = ?,
                updated_at = ?
         WHERE id = ?",
    )
    .bind(&text)
    .bind(now.unix_timestamp())
    .bind(&id)
    .execute(tx.conn())
    .await?;
    ChangeLog::new(&o, v.id, now.unix_timestamp())
        .record(
            tx.conn(),
            ("booking", &id),
            "cancel",
            Some(json!({"status": "confirmed"})),
            Some(json!({
                "status": "cancelled",
                "cancelled_by": "organiser",
                "cancel_reason": text,
            })),
        )
        .await?;
    commit_answer(tx, &id, now).await
}

/// `PUT /api/organise/villages/{slug}/closed-days`: close a night to new
/// bookings, or reopen it. Bookings already made for it stay.
#[utoipa::path(
    put,
    path = "/organise/villages/{slug}/closed-days",
    tag = "organise",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    request_body = ClosedDayInput,
    responses(
        (status = 200, description = "OK", body = ClosedDays)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn close_day(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    JsonBody(input): JsonBody<ClosedDayInput>,
) -> Result<Json<ClosedDays>> {
    let now = OffsetDateTime::now_utc();
    let today = domain::shanghai_date(now);
    let mut tx = state.write().await?;
    let v = o.village(tx.conn(), &slug).await?;
    let Some(p) = policy(tx.conn(), v.id).await? else {
        return Err(no_visitors(&slug));
    };
    if input.date < today {
        return Err(FieldError::new(
            "date",
            "必须是今天或以后的日期（北京时间）",
            "must be today or later (Asia/Shanghai)",
        )
        .into());
    }
    let day = format_date(input.date);
    let was_closed = p.closed_days.contains(&input.date);
    if was_closed != input.closed {
        let (sql, action) = if input.closed {
            (
                "INSERT INTO closed_day (village_id, day) VALUES (?, ?)",
                "close",
            )
        } else {
            (
                "DELETE FROM closed_day WHERE village_id = ? AND day = ?",
                "reopen",
            )
        };
        sqlx::query(sql)
            .bind(v.id)
            .bind(&day)
            .execute(tx.conn())
            .await?;
        ChangeLog::new(&o, v.id, now.unix_timestamp())
            .record(
                tx.conn(),
                ("closed_day", &day),
                action,
                Some(json!({"closed": was_closed})),
                Some(json!({"closed": input.closed})),
            )
            .await?;
    }
    let (staying,): (i64,) = sqlx::query_as(
        "SELECT COUNT(DISTINCT bn.booking_id) FROM booking_night bn
         JOIN household hh ON hh.id = bn.host_id WHERE hh.village_id = ? AND bn.night = ?",
    )
    .bind(v.id)
    .bind(&day)
    .fetch_one(tx.conn())
    .await?;
    let closed: Vec<(String,)> =
        sqlx::query_as("SELECT day FROM closed_day WHERE village_id = ? ORDER BY day")
            .bind(v.id)
            .fetch_all(tx.conn())
            .await?;
    tx.commit().await?;
    Ok(Json(ClosedDays {
        village_slug: v.slug,
        date: input.date,
        closed: input.closed,
        bookings_that_night: u32::try_from(staying).map_err(Error::internal)?,
        closed_days: closed
            .iter()
            .map(|(d,)| parse_date(d).ok_or_else(|| Error::internal("bad closed day")))
            .collect::<Result<_>>()?,
    }))
}
