//! The organisers' workspace: the JSON shapes of
//! `/api/organise/...` and the rules their input must follow. Kept apart
//! from `dto.rs` so the shop's shapes stay as they are.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

pub mod people;

use crate::{
    calendar::Season,
    dto::{Booking, Category, DistributionPoint, Round},
    text::LocalText,
    validate::{self, FieldError},
    SHANGHAI,
};

/// The header every organiser write must carry (CSRF protection: a
/// cross-site form or image cannot set it).
pub const CSRF_HEADER: &str = "x-requested-with";
pub const CSRF_VALUE: &str = "storefront";

/// Failed logins allowed per account, and per client address, within
/// [`LOGIN_WINDOW_MINUTES`] before further attempts are refused.
pub const LOGIN_FAILURES_PER_ACCOUNT: u32 = 5;
pub const LOGIN_FAILURES_PER_ADDRESS: u32 = 20;
pub const LOGIN_WINDOW_MINUTES: i64 = 15;

/// How many minutes until the oldest counted failure leaves the window
/// (at least 1), or `None` while fewer than `limit` failures are counted.
/// `failures` are Unix seconds, any order.
pub fn login_lockout(failures: &[i64], limit: u32, now: i64) -> Option<i64> {
    let window = LOGIN_WINDOW_MINUTES * 60;
    let mut recent: Vec<i64> = failures
        .iter()
        .copied()
        .filter(|t| *t > now - window)
        .collect();
    if recent.len() < limit as usize {
        return None;
    }
    // Unlocked once fewer than `limit` remain: when the failure at
    // position len-limit (oldest first) expires.
    recent.sort_unstable();
    let unlock_at = recent[recent.len() - limit as usize] + window;
    Some(((unlock_at - now + 59) / 60).max(1))
}

/// An organiser login name: 3–40 lowercase letters, digits or dashes;
/// returned trimmed and lower-cased.
pub fn login_name(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim().to_ascii_lowercase();
    let ok = (3..=40).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(v)
    } else {
        Err(FieldError::new(
            field,
            "必须是 3–40 个字母、数字或短横线",
            "must be 3–40 letters, digits or dashes",
        ))
    }
}

// ---- access ----

/// `POST /api/organise/session`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganiserLogin {
    pub login: String,
    pub password: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganiserVillage {
    pub slug: String,
    pub name: LocalText,
}

/// `GET /api/organise/me`, and the answer to logging in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganiserMe {
    pub id: i64,
    pub login: String,
    pub name: LocalText,
    pub demo: bool,
    pub villages: Vec<OrganiserVillage>,
    /// Set while a one-time password (from `api admin`) is unchanged:
    /// every other endpoint answers 403 until it is.
    #[serde(default)]
    pub must_change_password: bool,
    /// The header name and value every write must carry.
    pub csrf_header: String,
    pub csrf_value: String,
}

/// The body of a 429 for too many failed logins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateLimitedError {
    /// English.
    pub error: String,
    /// The same in Chinese; empty from an older server.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error_zh: String,
    pub retry_after_minutes: i64,
}

/// The largest photo an organiser may upload (the server and the app
/// both check it).
pub const PHOTO_MAX_BYTES: usize = 10 * 1024 * 1024;

// ---- change log ----

/// Who made a change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganiserRef {
    pub id: i64,
    pub name: LocalText,
}

/// One organiser write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeLogEntry {
    pub id: i64,
    pub organiser: OrganiserRef,
    pub village_slug: String,
    /// `product`, `round`, `round_points`, `supply`, `withdrawal`,
    /// `booking`, `closed_day`.
    pub entity: String,
    pub entity_id: String,
    /// `create`, `update`, `delete`, `cancel`, `close`, `reopen`, `withdraw`.
    pub action: String,
    /// In UTC.
    #[serde(with = "crate::wire::datetime")]
    pub at: OffsetDateTime,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// `GET /api/organise/villages/{slug}/log?before=ID&limit=N`, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeLogPage {
    pub entries: Vec<ChangeLogEntry>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

// ---- products ----

pub const DESCRIPTION_MAX_CHARS: usize = 4000;
pub const UNIT_MAX_CHARS: usize = 20;

/// The body of `POST /api/organise/villages/{slug}/products` and
/// `PUT /api/organise/products/{id}`: the whole product as it should be.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductInput {
    pub name: LocalText,
    /// Raw text with simple formatting (see [`crate::richtext`]).
    pub description: LocalText,
    pub category: Category,
    pub unit: LocalText,
    pub price_fen: i64,
    /// 0 when unknown.
    #[serde(default)]
    pub local_price_fen: i64,
    pub season: Season,
    pub household_ids: Vec<i64>,
    pub published: bool,
}

/// Multi-line text: at most `max` characters, no control characters but
/// line breaks and tabs.
pub fn prose(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("最多 {max} 个字"),
            format!("must be at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(
            field,
            "不能含有控制字符",
            "must not contain control characters",
        ));
    }
    Ok(())
}

impl ProductInput {
    /// Every broken rule, by field; households are checked against the
    /// village by the server.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut check = |r: Result<(), FieldError>| {
            if let Err(e) = r {
                errors.push(e);
            }
        };
        check(validate::name("name.zh", &self.name.zh));
        check(validate::name("name.en", &self.name.en));
        check(prose(
            "description.zh",
            &self.description.zh,
            DESCRIPTION_MAX_CHARS,
        ));
        check(prose(
            "description.en",
            &self.description.en,
            DESCRIPTION_MAX_CHARS,
        ));
        for (f, v) in [("unit.zh", &self.unit.zh), ("unit.en", &self.unit.en)] {
            check(validate::name(f, v).and_then(|()| {
                if v.trim().chars().count() > UNIT_MAX_CHARS {
                    Err(FieldError::new(
                        f,
                        format!("最多 {UNIT_MAX_CHARS} 个字"),
                        format!("must be at most {UNIT_MAX_CHARS} characters"),
                    ))
                } else {
                    Ok(())
                }
            }));
        }
        check(validate::price_fen("price_fen", self.price_fen));
        if self.local_price_fen != 0 {
            check(
                validate::price_fen("local_price_fen", self.local_price_fen).map_err(|e| {
                    FieldError::new(
                        e.field,
                        format!("{}（不清楚时填 0）", e.message_zh),
                        format!("{} (or 0 when unknown)", e.message),
                    )
                }),
            );
        }
        if self.household_ids.is_empty() {
            check(Err(FieldError::new(
                "household_ids",
                "至少选一户生产它的农户",
                "choose at least one household that makes it",
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, id) in self.household_ids.iter().enumerate() {
            if !seen.insert(id) {
                check(Err(FieldError::new(
                    format!("household_ids[{i}]"),
                    "重复了",
                    "is listed twice",
                )));
            }
        }
        errors
    }

    /// Names, units and descriptions trimmed of surrounding blanks.
    pub fn normalized(mut self) -> Self {
        for t in [&mut self.name, &mut self.unit, &mut self.description] {
            t.zh = t.zh.trim().to_owned();
            t.en = t.en.trim().to_owned();
        }
        self
    }
}

/// A product as organisers see it (hidden ones too).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganiseProduct {
    pub id: i64,
    pub village_slug: String,
    pub name: LocalText,
    pub description: LocalText,
    pub category: Category,
    pub unit: LocalText,
    pub price_fen: i64,
    pub local_price_fen: i64,
    pub season: Season,
    pub household_ids: Vec<i64>,
    pub published: bool,
    /// In page order. Added with `POST /api/organise/products/{id}/photos`
    /// (raw image bytes as the body), removed with
    /// `DELETE /api/organise/photos/{id}`; not part of [`ProductInput`].
    #[serde(default)]
    pub photos: Vec<crate::dto::PhotoRef>,
}

/// A price change made by an organiser (`GET /api/households/{id}/price-history`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceChange {
    pub product_id: i64,
    pub product_name: LocalText,
    pub unit: LocalText,
    pub old_price_fen: i64,
    pub new_price_fen: i64,
    #[serde(with = "crate::wire::datetime")]
    pub changed_at: OffsetDateTime,
}

// ---- rounds and supply ----

/// The body of `POST /api/organise/villages/{slug}/rounds`. Times are
/// RFC 3339 with an offset; the distribution day is a date in Asia/Shanghai.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundInput {
    #[serde(with = "crate::wire::datetime")]
    pub opens_at: OffsetDateTime,
    #[serde(with = "crate::wire::datetime")]
    pub deadline: OffsetDateTime,
    #[serde(with = "crate::wire::date")]
    pub distribution_day: Date,
    /// Distribution points of the village serving this round.
    pub point_ids: Vec<i64>,
}

/// Orders open before the deadline; the deadline is in the future and
/// before distribution day starts (Asia/Shanghai), and the round is at
/// most a year ahead. Points: at least one, no repeats.
pub fn validate_round(r: &RoundInput, now: OffsetDateTime) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if r.opens_at >= r.deadline {
        errors.push(FieldError::new(
            "deadline",
            "必须晚于开始订购的时间",
            "must be after the time orders open",
        ));
    }
    if r.deadline <= now {
        errors.push(FieldError::new(
            "deadline",
            "必须是将来的时间",
            "must be in the future",
        ));
    }
    let day_start = r.distribution_day.midnight().assume_offset(SHANGHAI);
    if r.deadline > day_start {
        errors.push(FieldError::new(
            "distribution_day",
            "必须在截止日之后（北京时间）",
            "must be after the day of the deadline (Asia/Shanghai)",
        ));
    }
    if day_start > now + time::Duration::days(366) {
        errors.push(FieldError::new(
            "distribution_day",
            "必须在一年之内",
            "must be within a year from now",
        ));
    }
    errors.extend(point_list("point_ids", &r.point_ids));
    errors
}

/// A list of points: at least one, no repeats.
pub fn point_list(field: &str, ids: &[i64]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if ids.is_empty() {
        errors.push(FieldError::new(
            field,
            "至少选一个取货点",
            "choose at least one distribution point",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        if !seen.insert(id) {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "重复了",
                "is listed twice",
            ));
        }
    }
    errors
}

/// `PUT /api/organise/rounds/{id}/points`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundPointsInput {
    pub point_ids: Vec<i64>,
}

/// Largest supply of one household for one product in one round.
pub const MAX_SUPPLY: i64 = 100_000;

pub fn supply_quantity(field: &str, value: i64) -> Result<(), FieldError> {
    if !(0..=MAX_SUPPLY).contains(&value) {
        return Err(FieldError::new(
            field,
            format!("必须是 0 到 {MAX_SUPPLY} 之间的整数"),
            format!("must be a whole number from 0 to {MAX_SUPPLY}"),
        ));
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupplyEntry {
    pub household_id: i64,
    pub product_id: i64,
    pub quantity: i64,
}

/// `PUT /api/organise/rounds/{id}/supply`: the supplies to set (others
/// stay as they are).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupplyInput {
    pub supplies: Vec<SupplyEntry>,
}

/// A product's supply would fall below what is already ordered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BelowOrdered {
    pub product_id: i64,
    pub product_name: LocalText,
    /// Units confirmed orders of the round already hold.
    pub ordered: i64,
    /// The round's total supply of the product the request would leave.
    pub supply: i64,
}

/// The body of the 409 for [`BelowOrdered`]: nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BelowOrderedError {
    /// English.
    pub error: String,
    /// The same in Chinese; empty from an older server.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error_zh: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    pub below_ordered: Vec<BelowOrdered>,
}

/// Whether a product's round supply may become `new_total`: never below
/// what is already ordered (overselling breaks trust).
pub fn supply_allowed(new_total: i64, ordered: i64) -> bool {
    new_total >= ordered
}

/// One product of a round as organisers see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundProduct {
    pub product_id: i64,
    pub name: LocalText,
    pub unit: LocalText,
    pub published: bool,
    /// Sum of the households' supplies.
    pub capacity: i64,
    /// Units held by confirmed orders.
    pub ordered: i64,
    /// Per household that makes it (0 when not set).
    pub supplies: Vec<SupplyEntry>,
    pub withdrawal: Option<Withdrawal>,
}

/// `GET /api/organise/rounds/{id}` and the items of
/// `GET /api/organise/villages/{slug}/rounds` (those without `products`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganiseRound {
    pub village_slug: String,
    pub round: Round,
    /// `open`, `not_yet_open` or `closed`, by the server's clock.
    pub phase: String,
    /// The points serving the round.
    pub points: Vec<DistributionPoint>,
    /// Confirmed orders in the round.
    pub order_count: i64,
    /// Every product of the village (list answers leave this empty).
    #[serde(default)]
    pub products: Vec<RoundProduct>,
}

/// What the lists of rounds read from an [`OrganiseRound`]: a type of its
/// own, so that a page showing only a list does not carry the wasm to
/// decode every product, supply and point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundSummary {
    pub round: Round,
    pub phase: String,
    pub order_count: i64,
}

// ---- withdrawal ----

/// `POST /api/organise/rounds/{id}/withdrawals`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawalInput {
    pub product_id: i64,
    pub reason: String,
}

pub const REASON_MAX_CHARS: usize = 500;

/// A reason given to people (withdrawal, cancelled booking): not blank,
/// at most 500 characters.
pub fn reason(field: &str, value: &str) -> Result<(), FieldError> {
    if value.trim().is_empty() {
        return Err(FieldError::new(
            field,
            "请写明原因，受影响的人会看到",
            "must say why; the people affected will read it",
        ));
    }
    prose(field, value.trim(), REASON_MAX_CHARS)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withdrawal {
    pub round_id: i64,
    pub product_id: i64,
    pub reason: String,
    #[serde(with = "crate::wire::datetime")]
    pub withdrawn_at: OffsetDateTime,
    /// Confirmed orders whose line of this product was taken out.
    pub orders_affected: i64,
}

pub use crate::dto::WithdrawnLine;

/// What the member's order endpoints answer: an order whose `withdrawn`
/// lists the lines taken out, with the reason.
pub type MemberOrder = crate::dto::Order;

// ---- visits ----

/// `POST /api/organise/bookings/{uuid}/cancel`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CancelBookingInput {
    pub reason: String,
}

/// One host on one night.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostNight {
    pub host_id: i64,
    pub host_name: LocalText,
    pub beds: u32,
    pub beds_booked: u32,
    /// Confirmed bookings staying that night.
    pub booking_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookingDay {
    #[serde(with = "crate::wire::date")]
    pub date: Date,
    pub closed: bool,
    pub hosts: Vec<HostNight>,
}

/// `GET /api/organise/villages/{slug}/bookings?from=YYYY-MM-DD&to=YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganiseBookings {
    pub village_slug: String,
    #[serde(with = "crate::wire::date")]
    pub from: Date,
    #[serde(with = "crate::wire::date")]
    pub to: Date,
    /// Each night from `from` to `to`, per host.
    pub days: Vec<BookingDay>,
    /// Every booking (confirmed or cancelled) with a night in the range,
    /// by arrival.
    pub bookings: Vec<Booking>,
}

/// `PUT /api/organise/villages/{slug}/closed-days`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClosedDayInput {
    #[serde(with = "crate::wire::date")]
    pub date: Date,
    pub closed: bool,
}

/// The answer to closing or reopening a day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClosedDays {
    pub village_slug: String,
    #[serde(with = "crate::wire::date")]
    pub date: Date,
    pub closed: bool,
    /// Confirmed bookings staying that night; closing a day does not
    /// cancel them (cancel each with a reason if needed).
    pub bookings_that_night: u32,
    /// Every closed day of the village, in order.
    #[serde(with = "crate::wire::dates")]
    pub closed_days: Vec<Date>,
}

pub mod visit_offer;

#[cfg(test)]
mod tests;
pub mod village;
