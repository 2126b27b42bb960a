//! Bookings: members and non-members may book; a booking made with a
//! live session is linked to the member. The phone makes the booking's
//! UUID, so a resent request finds the booking it made. A booking runs in
//! one write transaction that takes SQLite's write lock first
//! ([`crate::db::WriteTx`]), so the beds it counts cannot be taken before
//! it commits; a trigger on `booking_night` refuses any overbooking
//! besides. A refused booking writes nothing.
//!
//! Privacy: a booking is read or cancelled only with its secret reference
//! or by the member who made it; anyone else gets 404. Organisers of the
//! village read and cancel (with a reason) any of its bookings through
//! `/api/organise/...` (see `organise::visits`).

use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    Json,
};
use domain::{
    dto::{
        Booking, BookingRequest, BookingStatus, CancelledBy, HostRoom, HouseholdRef, NightBeds,
        NoRoom,
    },
    visit::{
        beds_left, fits, pick_host, price_summary, stay_nights, validate_booking,
        CancellationPolicy, DayMeals, HostOffer, PriceLine,
    },
    FieldError, LocalText,
};
use sqlx::{FromRow, SqliteConnection};
use time::{Duration, OffsetDateTime};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{booked, date_of, hosts, policy, village, Hosts};
use crate::{
    db::{format_date, WriteTx},
    http::{
        auth::random_code,
        error::{Error, Result},
        json::JsonBody,
        params::{query_param, OrderId},
    },
    shop::{
        rounds::{moment, shanghai_text, shanghai_text_zh},
        session::{CurrentMember, MaybeMember},
        villages::to_u32,
    },
    AppState,
};

pub const ID_REUSED: &str = "this booking id was already used for a different booking";
pub const ID_REUSED_ZH: &str = "这个预订号已经用在另一个预订上了";
/// Letters of a booking reference.
pub const REFERENCE_LEN: usize = 10;

/// The booking routes (personal: the shop keeps them out of caches).
pub fn bookings_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one, book, cancel))
}

pub(crate) fn not_found(id: &str) -> Error {
    Error::not_found(
        format!("没有这个预订：{id}"),
        format!("no booking with id {id}"),
    )
}

/// What is stored about a booking, with its village and host.
#[derive(Debug, FromRow)]
pub(crate) struct BookingRow {
    id: String,
    reference: String,
    village_slug: String,
    village_name_zh: String,
    village_name_en: String,
    host_id: i64,
    host_name_zh: String,
    host_name_en: String,
    host_demo: i64,
    arrival: String,
    nights: i64,
    adults: i64,
    children: i64,
    meals: String,
    name: String,
    phone: String,
    member_id: Option<i64>,
    status: String,
    cancelled_by: Option<String>,
    cancel_reason: Option<String>,
    lines: String,
    total_fen: i64,
    free_cancel_days_before: i64,
    free_cancel_until: i64,
    placed_request: String,
    created_at: i64,
    updated_at: i64,
}

pub(crate) const BOOKING_SELECT: &str = "SELECT b.id, b.reference, v.slug AS village_slug,
        v.name_zh AS village_name_zh, v.name_en AS village_name_en, b.host_id,
        hh.name_zh AS host_name_zh, hh.name_en AS host_name_en, hh.demo AS host_demo,
        b.arrival, b.nights, b.adults, b.children, b.meals, b.name, b.phone, b.member_id,
        b.status, b.cancelled_by, b.cancel_reason, b.lines, b.total_fen,
        b.free_cancel_days_before, b.free_cancel_until, b.placed_request, b.created_at, b.updated_at
    FROM booking b
    JOIN village v ON v.id = b.village_id
    JOIN household hh ON hh.id = b.host_id";

pub(crate) async fn row(conn: &mut SqliteConnection, id: &str) -> Result<Option<BookingRow>> {
    Ok(sqlx::query_as(&format!("{BOOKING_SELECT} WHERE b.id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// Commits the write of booking `id` and answers it as it now is.
pub(crate) async fn commit_answer(
    mut tx: WriteTx,
    id: &str,
    now: OffsetDateTime,
) -> Result<Json<Booking>> {
    let r = row(tx.conn(), id)
        .await?
        .ok_or_else(|| Error::internal(format_args!("booking {id} vanished in its write")))?;
    tx.commit().await?;
    Ok(Json(r.into_booking(now)?))
}

impl BookingRow {
    pub(crate) fn confirmed(&self) -> bool {
        self.status == "confirmed"
    }

    /// Whether the request may see this booking: its reference, or the
    /// member who made it.
    fn readable_by(&self, reference: Option<&str>, member: Option<i64>) -> bool {
        let by_ref = reference.is_some_and(|r| r.eq_ignore_ascii_case(&self.reference));
        let by_member = member.is_some() && member == self.member_id;
        by_ref || by_member
    }

    pub(crate) fn into_booking(self, now: OffsetDateTime) -> Result<Booking> {
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            Error::internal(format_args!("booking {}: {what}: {e}", self.id))
        };
        let arrival = date_of("arrival", &self.arrival)?;
        let nights = to_u32("nights", self.nights)?;
        let meals: Vec<DayMeals> =
            serde_json::from_str(&self.meals).map_err(|e| bad("meals", &e))?;
        let lines: Vec<PriceLine> =
            serde_json::from_str(&self.lines).map_err(|e| bad("lines", &e))?;
        let status = match self.status.as_str() {
            "confirmed" => BookingStatus::Confirmed,
            "cancelled" => BookingStatus::Cancelled,
            other => return Err(bad("status", &other)),
        };
        let cancelled_by = match self.cancelled_by.as_deref() {
            None => None,
            Some("visitor") => Some(CancelledBy::Visitor),
            Some("organiser") => Some(CancelledBy::Organiser),
            Some(other) => return Err(bad("cancelled_by", &other)),
        };
        let cancellation = CancellationPolicy {
            free_cancel_days_before: to_u32(
                "free_cancel_days_before",
                self.free_cancel_days_before,
            )?,
        };
        let free_cancel_until = moment(self.free_cancel_until)?;
        Ok(Booking {
            reference: self.reference,
            status,
            village_slug: self.village_slug,
            village_name: LocalText::new(self.village_name_zh, self.village_name_en),
            host: HouseholdRef {
                id: self.host_id,
                name: LocalText::new(self.host_name_zh, self.host_name_en),
                demo: self.host_demo != 0,
                photo: None,
            },
            arrival,
            departure: arrival + Duration::days(i64::from(nights)),
            nights,
            adults: to_u32("adults", self.adults)?,
            children: to_u32("children", self.children)?,
            meals,
            name: self.name,
            phone: self.phone,
            lines,
            total_fen: self.total_fen,
            cancellation,
            policy_text: cancellation.text(),
            free_cancel_until,
            can_cancel: status == BookingStatus::Confirmed && now < free_cancel_until,
            cancelled_by,
            cancel_reason: self.cancel_reason,
            created_at: moment(self.created_at)?,
            updated_at: moment(self.updated_at)?,
            id: self.id,
        })
    }
}

fn canonical(req: &BookingRequest) -> Result<String> {
    serde_json::to_string(req).map_err(Error::internal)
}

fn new_reference() -> String {
    random_code(REFERENCE_LEN)
}

/// Better words for a `host_id` that is not a host of the village: unknown
/// everywhere, or a host of another village.
async fn explain_host(
    conn: &mut SqliteConnection,
    errors: &mut [FieldError],
    host_id: Option<i64>,
) -> Result<()> {
    let Some(id) = host_id else { return Ok(()) };
    let Some(e) = errors.iter_mut().find(|e| e.field == "host_id") else {
        return Ok(());
    };
    let elsewhere: Option<(String,)> = sqlx::query_as(
        "SELECT v.slug FROM host h JOIN household hh ON hh.id = h.household_id
         JOIN village v ON v.id = hh.village_id WHERE h.household_id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    (e.message_zh, e.message) = match elsewhere {
        Some((slug,)) => (
            format!("接待农户 {id} 属于另一个村子（{slug}）"),
            format!("host {id} is a host household of another village ({slug})"),
        ),
        None => (
            format!("没有这个接待农户：{id}"),
            format!("no host household with id {id}"),
        ),
    };
    Ok(())
}

/// `PUT /api/bookings/{uuid}`.
#[utoipa::path(
    put,
    path = "/bookings/{id}",
    tag = "shop",
    summary = "Book a visit (members and non-members); the same id and content again gives the same booking",
    params(
        ("id" = String, Path, description = "The booking's id: the UUID the phone made")
    ),
    request_body = BookingRequest,
    responses(
        (status = 201, description = "Created", body = Booking),
        (status = 200, description = "The same booking was made before: it, unchanged", body = Booking)
    ),
    security((), ("member" = []))
)]
async fn book(
    State(state): State<AppState>,
    MaybeMember(member): MaybeMember,
    OrderId(id): OrderId,
    JsonBody(raw): JsonBody<BookingRequest>,
) -> Result<(StatusCode, Json<Booking>)> {
    let norm = raw.normalized();
    let wanted = canonical(&norm)?;
    // Whole seconds, as stored: the answer equals what a GET shows later.
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let today = domain::shanghai_date(now);
    let mut tx = state.write().await?;

    if let Some(existing) = row(tx.conn(), &id).await? {
        // Someone else's booking is not revealed, even to a repeat.
        if existing.member_id.is_some() && member.is_some() && existing.member_id != member {
            return Err(not_found(&id));
        }
        if existing.placed_request == wanted {
            return Ok((StatusCode::OK, Json(existing.into_booking(now)?)));
        }
        return Err(Error::conflict(ID_REUSED_ZH, ID_REUSED));
    }

    let Some(v) = village(tx.conn(), &norm.village_slug).await? else {
        return Err(Error::field(
            "village_slug",
            "没有这个村子",
            "no village with this slug",
        ));
    };
    let Some(policy) = policy(tx.conn(), v.id).await? else {
        return Err(Error::field(
            "village_slug",
            "这个村子还不接待访客",
            "this village does not take visitors yet",
        ));
    };
    let hosts = hosts(tx.conn(), v.id, Hosts::Offered).await?;
    let req = match validate_booking(&norm, &policy, &hosts, today) {
        Ok(r) => r,
        Err(mut errors) => {
            explain_host(tx.conn(), &mut errors, norm.host_id).await?;
            return Err(Error::Validation(errors));
        }
    };

    let nights = stay_nights(req.arrival, req.nights);
    let (Some(&first), Some(&last)) = (nights.first(), nights.last()) else {
        return Err(Error::field("nights", "至少住 1 晚", "must be at least 1"));
    };
    let held = booked(tx.conn(), v.id, first, last).await?;
    let free = |h: &HostOffer| -> Vec<u32> {
        nights
            .iter()
            .map(|n| beds_left(h.beds, *held.get(&(h.id, *n)).unwrap_or(&0)))
            .collect()
    };
    let beds = req.adults + req.children;
    let serves = |h: &HostOffer| req.meals.iter().all(|m| m.meals().within(h.meals));
    let chosen = match req.host_id {
        Some(id) => hosts
            .iter()
            .find(|h| h.id == id && fits(&free(h), beds))
            .map(|h| h.id),
        None => pick_host(
            &hosts
                .iter()
                .map(|h| (h.id, free(h), h.meals))
                .collect::<Vec<_>>(),
            beds,
            &req.meals,
        ),
    };
    let Some(host) = chosen.and_then(|c| hosts.iter().find(|h| h.id == c)) else {
        let other_hosts = hosts
            .iter()
            .filter(|h| Some(h.id) != req.host_id && serves(h) && fits(&free(h), beds))
            .map(|h| HostRoom {
                host_id: h.id,
                name: h.household.name.clone(),
                beds_left: free(h).into_iter().min().unwrap_or(0),
            })
            .collect();
        let per_night =
            |n: usize| match req.host_id.and_then(|id| hosts.iter().find(|h| h.id == id)) {
                Some(h) => free(h)[n],
                None => hosts.iter().map(|h| free(h)[n]).sum(),
            };
        return Err(Error::NoRoom(NoRoom {
            beds_needed: beds,
            host_id: req.host_id,
            nights: nights
                .iter()
                .enumerate()
                .map(|(i, &date)| NightBeds {
                    date,
                    beds_left: per_night(i),
                })
                .collect(),
            other_hosts,
        }));
    };

    let summary = price_summary(
        &host.prices,
        req.nights,
        req.adults,
        req.children,
        &req.meals,
    );
    let free_cancel_until = policy.cancellation.free_cancel_until(req.arrival);
    let mut reference = new_reference();
    while sqlx::query_as::<_, (i64,)>("SELECT 1 FROM booking WHERE reference = ?")
        .bind(&reference)
        .fetch_optional(tx.conn())
        .await?
        .is_some()
    {
        reference = new_reference();
    }
    sqlx::query(
        "INSERT INTO booking (id, reference, village_id, host_id, arrival, nights, adults, children,
                              meals, name, phone, member_id, status, lines, total_fen,
                              free_cancel_days_before, free_cancel_until, placed_request,
                              created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'confirmed', ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&reference)
    .bind(v.id)
    .bind(host.id)
    .bind(format_date(req.arrival))
    .bind(req.nights)
    .bind(req.adults)
    .bind(req.children)
    .bind(serde_json::to_string(&req.meals).map_err(Error::internal)?)
    .bind(&req.name)
    .bind(&req.phone)
    .bind(member)
    .bind(serde_json::to_string(&summary.lines).map_err(Error::internal)?)
    .bind(summary.total_fen)
    .bind(policy.cancellation.free_cancel_days_before)
    .bind(free_cancel_until.unix_timestamp())
    .bind(&wanted)
    .bind(now.unix_timestamp())
    .bind(now.unix_timestamp())
    .execute(tx.conn())
    .await?;
    for night in &nights {
        sqlx::query(
            "INSERT INTO booking_night (booking_id, host_id, night, beds) VALUES (?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(host.id)
        .bind(format_date(*night))
        .bind(beds)
        .execute(tx.conn())
        .await?;
    }
    Ok((StatusCode::CREATED, commit_answer(tx, &id, now).await?))
}

/// `GET /api/bookings/{uuid}?ref=...` (or the member's session).
#[utoipa::path(
    get,
    path = "/bookings/{id}",
    tag = "shop",
    summary = "A booking, by its reference (`ref`) or the member's session",
    params(
        ("id" = String, Path, description = "The booking's id: the UUID the phone made"),
        ("ref" = Option<String>, Query, description = "The booking reference: reads a booking without the member session")
    ),
    responses(
        (status = 200, description = "OK", body = Booking)
    ),
    security((), ("member" = []))
)]
async fn one(
    State(state): State<AppState>,
    MaybeMember(member): MaybeMember,
    OrderId(id): OrderId,
    RawQuery(query): RawQuery,
) -> Result<Json<Booking>> {
    let mut conn = state.db.acquire().await?;
    let r = row(&mut conn, &id)
        .await?
        .filter(|r| r.readable_by(query_param(&query, "ref"), member))
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(r.into_booking(OffsetDateTime::now_utc())?))
}

/// `DELETE /api/bookings/{uuid}?ref=...`: the visitor cancels, free until
/// the policy's deadline (server time, Asia/Shanghai). Cancelling a
/// cancelled booking answers it as it is.
#[utoipa::path(
    delete,
    path = "/bookings/{id}",
    tag = "shop",
    params(
        ("id" = String, Path, description = "The booking's id: the UUID the phone made"),
        ("ref" = Option<String>, Query, description = "The booking reference: cancels a booking without the member session")
    ),
    responses(
        (status = 200, description = "OK", body = Booking)
    ),
    security((), ("member" = []))
)]
async fn cancel(
    State(state): State<AppState>,
    MaybeMember(member): MaybeMember,
    OrderId(id): OrderId,
    RawQuery(query): RawQuery,
) -> Result<Json<Booking>> {
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    let r = row(tx.conn(), &id)
        .await?
        .filter(|r| r.readable_by(query_param(&query, "ref"), member))
        .ok_or_else(|| not_found(&id))?;
    if !r.confirmed() {
        return Ok(Json(r.into_booking(now)?));
    }
    let until = moment(r.free_cancel_until)?;
    if now >= until {
        let policy = CancellationPolicy {
            free_cancel_days_before: to_u32("free_cancel_days_before", r.free_cancel_days_before)?,
        };
        let text = policy.text();
        return Err(Error::conflict(
            format!(
                "免费取消已于 {} 截止：{}请联系村里的组织者",
                shanghai_text_zh(until),
                text.zh
            ),
            format!(
                "free cancellation ended at {}: {} Please contact the village's organisers.",
                shanghai_text(until),
                text.en
            ),
        ));
    }
    sqlx::query(
        "UPDATE booking SET status = 'cancelled', cancelled_by = 'visitor', updated_at = ?
         WHERE id = ?",
    )
    .bind(now.unix_timestamp())
    .bind(&id)
    .execute(tx.conn())
    .await?;
    commit_answer(tx, &id, now).await
}

/// `GET /api/bookings`: the member's bookings, newest first.
#[utoipa::path(
    get,
    path = "/bookings",
    tag = "shop",
    responses(
        (status = 200, description = "OK", body = Vec<Booking>)
    ),
    security(("member" = []))
)]
async fn list(State(state): State<AppState>, member: CurrentMember) -> Result<Json<Vec<Booking>>> {
    let rows: Vec<BookingRow> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE b.member_id = ? ORDER BY b.created_at DESC, b.id"
    ))
    .bind(member.id)
    .fetch_all(&state.db)
    .await?;
    let now = OffsetDateTime::now_utc();
    rows.into_iter()
        .map(|r| r.into_booking(now))
        .collect::<Result<_>>()
        .map(Json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::auth::CODE_ALPHABET;

    #[test]
    fn references_use_the_code_alphabet() {
        let r = new_reference();
        assert_eq!(r.len(), REFERENCE_LEN);
        assert!(r.bytes().all(|b| CODE_ALPHABET.contains(&b)));
    }
}
