//! The JSON shapes of the API, shared by the server (which serializes them)
//! and the app (which deserializes them). Times carry their offset
//! (+08:00, Asia/Shanghai); money is integer fen.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::{
    calendar::Season,
    money::PriceBreakdown,
    order::Shortage,
    text::LocalText,
    validate::FieldError,
    visit::{CancellationPolicy, DayMeals, DayStatus, HostOffer, PriceLine, VisitPolicy},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Eggs,
    Meat,
    Grain,
    Fruit,
    Vegetable,
    Processed,
    Other,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Eggs,
        Category::Meat,
        Category::Grain,
        Category::Fruit,
        Category::Vegetable,
        Category::Processed,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Eggs => "eggs",
            Category::Meat => "meat",
            Category::Grain => "grain",
            Category::Fruit => "fruit",
            Category::Vegetable => "vegetable",
            Category::Processed => "processed",
            Category::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// `GET /api/villages` items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageSummary {
    pub slug: String,
    pub name: LocalText,
    pub region: LocalText,
    pub distance_km: u32,
    /// Which city the distance is measured to, e.g. Beijing.
    pub city: LocalText,
    pub tagline: LocalText,
    pub product_count: u32,
    pub household_count: u32,
}

/// `GET /api/villages/{slug}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageDetail {
    pub slug: String,
    pub name: LocalText,
    pub region: LocalText,
    pub distance_km: u32,
    pub city: LocalText,
    pub tagline: LocalText,
    pub story: LocalText,
    /// The village's own photo, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<PhotoRef>,
    /// The villagers' representatives who organise (names, marked demo).
    pub organisers: Vec<LocalText>,
    /// The production team's share of revenue, whole percent 10–20.
    pub organising_percent: u8,
    pub products: Vec<ProductSummary>,
    pub households: Vec<HouseholdRef>,
    pub distribution_points: Vec<DistributionPoint>,
    /// Rounds whose distribution day is today or later, soonest first.
    pub upcoming_rounds: Vec<Round>,
    /// The round taking orders now, with what is left of each product;
    /// absent between rounds.
    #[serde(default)]
    pub open_round: Option<OpenRound>,
}

/// A round taking orders, and the stock of each product in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenRound {
    pub round: Round,
    /// One entry per published product of the village; a product no
    /// household supplies this round has capacity 0.
    pub stock: Vec<Stock>,
    /// The distribution points serving this round (chosen by organisers;
    /// all of the village's points for rounds where none were chosen).
    /// Orders for the round must pick one of these.
    #[serde(default)]
    pub point_ids: Vec<i64>,
}

/// How much of a product a round can supply: the sum of its households'
/// supplies, and what live orders have not yet taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stock {
    pub product_id: i64,
    pub capacity: i64,
    pub remaining: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductSummary {
    pub id: i64,
    pub name: LocalText,
    pub category: Category,
    pub unit: LocalText,
    pub price_fen: i64,
    pub local_price_fen: i64,
    pub season: Season,
    /// The first photo, for the card's thumbnail.
    #[serde(default)]
    pub photo: Option<PhotoRef>,
}

/// A household as listed on village and product pages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdRef {
    pub id: i64,
    /// Real name in Chinese, with its pinyin in `en`.
    pub name: LocalText,
    /// Fictional demo data is always marked as such.
    pub demo: bool,
    /// Its first photo, for household cards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<PhotoRef>,
}

/// `GET /api/households/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdDetail {
    pub id: i64,
    pub name: LocalText,
    pub demo: bool,
    pub village_slug: String,
    pub village_name: LocalText,
    pub story: LocalText,
    /// First day the household took part in the nested market.
    #[serde(with = "crate::wire::date")]
    pub member_since: Date,
    pub products: Vec<ProductSummary>,
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
    /// No longer takes part; the page stays for past orders' labels.
    #[serde(default)]
    pub retired: bool,
    /// Members' ratings of its products, without their names.
    #[serde(default)]
    pub feedback: crate::feedback::FeedbackSummary,
}

/// `GET /api/products/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductDetail {
    pub id: i64,
    pub village_slug: String,
    pub village_name: LocalText,
    pub name: LocalText,
    pub category: Category,
    pub unit: LocalText,
    pub price_fen: i64,
    pub local_price_fen: i64,
    pub season: Season,
    pub description: LocalText,
    pub households: Vec<HouseholdRef>,
    pub breakdown: PriceBreakdown,
    /// Premium over the local market, whole percent; absent without a
    /// reference price.
    pub premium_percent: Option<i64>,
    /// The village's round taking orders now and this product's stock in
    /// it; absent between rounds.
    #[serde(default)]
    pub open_round: Option<ProductRoundStock>,
    /// In page order; empty when the product has none (and from servers
    /// older than photo uploads).
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
}

/// A product photo: its stored sizes, for `srcset`
/// (`{url} {width}w, ...`). Every version is a JPEG without metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoRef {
    pub id: i64,
    /// Smallest first; the last is the largest.
    pub versions: Vec<PhotoVersionRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoVersionRef {
    pub width: u32,
    pub height: u32,
    /// Absolute path, e.g. `/api/photos/12/640.jpg`; cached for good (a
    /// photo never changes; a new upload gets a new id).
    pub url: String,
}

/// The path a photo version is served at.
pub fn photo_url(photo_id: i64, width: u32) -> String {
    format!("/api/photos/{photo_id}/{width}.jpg")
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductRoundStock {
    pub round: Round,
    pub stock: Stock,
}

/// An urban pickup place with its pickup window on distribution day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DistributionPoint {
    pub id: i64,
    pub name: LocalText,
    pub address: LocalText,
    /// "HH:MM", Asia/Shanghai.
    pub pickup_from: String,
    /// "HH:MM", Asia/Shanghai.
    pub pickup_to: String,
}

/// One distribution cycle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Round {
    pub id: i64,
    #[serde(with = "crate::wire::datetime")]
    pub opens_at: OffsetDateTime,
    #[serde(with = "crate::wire::datetime")]
    pub deadline: OffsetDateTime,
    /// In Asia/Shanghai.
    #[serde(with = "crate::wire::date")]
    pub distribution_day: Date,
}

/// `GET /api/health`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    pub database: String,
}

/// The body of every error answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// English.
    pub error: String,
    /// The same in Chinese; empty from an older server.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error_zh: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// With 409 for an order: every product that is short, and what is left.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub short: Vec<Shortage>,
}

/// `POST /api/members`: join with an invitation code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterRequest {
    pub invitation_code: String,
    /// Real name: the circle knows each other by name.
    pub name: String,
    pub phone: String,
    pub default_point_id: i64,
    pub password: String,
}

/// `POST /api/session`: log in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub phone: String,
    pub password: String,
}

/// `GET /api/me`, and the answer to joining and logging in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub default_point: DistributionPoint,
    /// The village whose circle the member joined (through the default
    /// point's village).
    pub village_slug: String,
    pub invited_by: Option<String>,
    pub invitations: Vec<Invitation>,
    /// How many more codes this member may create.
    pub invitations_left: u32,
}

/// An invitation code a member made, and who used it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub code: String,
    #[serde(with = "crate::wire::datetime")]
    pub created_at: OffsetDateTime,
    /// The name of the member who joined with it, once used.
    pub used_by: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Confirmed,
    Cancelled,
}

/// One line of a placed order, priced when it was placed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLine {
    pub product_id: i64,
    pub name: LocalText,
    pub unit: LocalText,
    pub quantity: i64,
    pub unit_price_fen: i64,
    pub total_fen: i64,
    pub household_fen: i64,
}

/// `PUT/PATCH/GET /api/orders/{id}`, and the items of `GET /api/orders`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    /// The UUID the phone made.
    pub id: String,
    /// A short number to say at the pickup point, e.g. "L-000123".
    pub number: String,
    pub status: OrderStatus,
    pub village_slug: String,
    pub village_name: LocalText,
    pub round: Round,
    pub point: DistributionPoint,
    pub lines: Vec<OrderLine>,
    pub total_fen: i64,
    /// How much of the total goes to the producing households.
    pub household_fen: i64,
    pub organising_fen: i64,
    #[serde(with = "crate::wire::datetime")]
    pub created_at: OffsetDateTime,
    #[serde(with = "crate::wire::datetime")]
    pub updated_at: OffsetDateTime,
    /// True once the round's deadline has passed: no more changes.
    pub locked: bool,
    /// Lines an organiser took out because the product was withdrawn from
    /// the round, with the reason; `total_fen` already leaves them out.
    #[serde(default)]
    pub withdrawn: Vec<WithdrawnLine>,
    /// What happened at the pickup point: the latest mark an organiser
    /// made; `None` until then.
    #[serde(default)]
    pub pickup: Option<crate::pickup::OrderPickup>,
    /// Money given back for the order or one of its pieces, oldest first.
    #[serde(default)]
    pub refunds: Vec<crate::feedback::OrderRefund>,
}

/// A line taken out of a member's order because its product was withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawnLine {
    pub product_id: i64,
    pub name: LocalText,
    pub unit: LocalText,
    pub quantity: i64,
    pub unit_price_fen: i64,
    /// No longer part of the order's total.
    pub total_fen: i64,
    pub reason: String,
    #[serde(with = "crate::wire::datetime")]
    pub withdrawn_at: OffsetDateTime,
}

// ---- visits ----

/// `GET /api/villages/{slug}/visit`: what a village offers visitors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitOffer {
    pub village_slug: String,
    pub village_name: LocalText,
    pub policy: VisitPolicy,
    /// The cancellation policy in words.
    pub policy_text: LocalText,
    /// Host households, by id.
    pub hosts: Vec<HostOffer>,
}

/// Free beds of one host on one night.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostBeds {
    pub host_id: i64,
    pub beds_left: u32,
}

/// One night on the availability calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayAvailability {
    #[serde(with = "crate::wire::date")]
    pub date: Date,
    pub status: DayStatus,
    /// Free beds of all hosts together.
    pub beds_left: u32,
    /// Every host of the village, by id (also on closed days).
    pub hosts: Vec<HostBeds>,
}

/// `GET /api/villages/{slug}/visit/availability?month=YYYY-MM`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AvailabilityMonth {
    pub village_slug: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Today in Asia/Shanghai, by the server's clock.
    #[serde(with = "crate::wire::date")]
    pub today: Date,
    /// Every day of the month, in order.
    pub days: Vec<DayAvailability>,
}

/// The body of `PUT /api/bookings/{uuid}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookingRequest {
    /// The village visited.
    pub village_slug: String,
    #[serde(with = "crate::wire::date")]
    pub arrival: Date,
    pub nights: u32,
    pub adults: u32,
    #[serde(default)]
    pub children: u32,
    /// A host household of the village, or `null` for "any host with room".
    #[serde(default)]
    pub host_id: Option<i64>,
    /// Meals per day of the stay (arrival to departure day); days without
    /// meals may be left out.
    #[serde(default)]
    pub meals: Vec<DayMeals>,
    pub name: String,
    pub phone: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Confirmed,
    Cancelled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CancelledBy {
    Visitor,
    Organiser,
}

/// `PUT/GET/DELETE /api/bookings/{uuid}`, and the items of `GET /api/bookings`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Booking {
    /// The UUID the phone made.
    pub id: String,
    /// Short secret code: with the id, it reads and cancels the booking
    /// without logging in. Shown on the confirmation.
    pub reference: String,
    pub status: BookingStatus,
    pub village_slug: String,
    pub village_name: LocalText,
    pub host: HouseholdRef,
    #[serde(with = "crate::wire::date")]
    pub arrival: Date,
    #[serde(with = "crate::wire::date")]
    pub departure: Date,
    pub nights: u32,
    pub adults: u32,
    pub children: u32,
    pub meals: Vec<DayMeals>,
    pub name: String,
    pub phone: String,
    /// Priced when booked.
    pub lines: Vec<PriceLine>,
    pub total_fen: i64,
    pub cancellation: CancellationPolicy,
    pub policy_text: LocalText,
    /// From this instant on, cancelling is no longer free.
    #[serde(with = "crate::wire::datetime")]
    pub free_cancel_until: OffsetDateTime,
    /// Whether the visitor can still cancel (confirmed, within the policy),
    /// by the server's clock when answering.
    pub can_cancel: bool,
    #[serde(default)]
    pub cancelled_by: Option<CancelledBy>,
    /// Given by an organiser who cancels.
    #[serde(default)]
    pub cancel_reason: Option<String>,
    #[serde(with = "crate::wire::datetime")]
    pub created_at: OffsetDateTime,
    #[serde(with = "crate::wire::datetime")]
    pub updated_at: OffsetDateTime,
}

/// A host with room for the whole stay, offered when the asked one is full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostRoom {
    pub host_id: i64,
    pub name: LocalText,
    /// Free beds on the tightest night of the stay.
    pub beds_left: u32,
}

/// Free beds of the asked host on one night of the stay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NightBeds {
    #[serde(with = "crate::wire::date")]
    pub date: Date,
    pub beds_left: u32,
}

/// What is still free when a booking finds no room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoRoom {
    /// The beds the party needs each night.
    pub beds_needed: u32,
    /// The host asked for; `null` for "any host".
    pub host_id: Option<i64>,
    /// That host's free beds on each night of the stay (empty for "any host").
    pub nights: Vec<NightBeds>,
    /// Other hosts of the village with room for the whole stay.
    pub other_hosts: Vec<HostRoom>,
}

/// The body of a 409 for a booking without room: an [`ApiError`] (same
/// `error` and `fields`) with `no_room` added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoRoomError {
    /// English.
    pub error: String,
    /// The same in Chinese; empty from an older server.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error_zh: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    pub no_room: NoRoom,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn round_times_keep_their_offset() {
        let r = Round {
            id: 1,
            opens_at: datetime!(2026-11-20 08:00 +8),
            deadline: datetime!(2026-11-28 20:00 +8),
            distribution_day: time::macros::date!(2026 - 12 - 01),
        };
        let json = serde_json::to_string(&r).unwrap();
        assert!(
            json.contains("\"deadline\":\"2026-11-28T20:00:00+08:00\""),
            "{json}"
        );
        assert!(
            json.contains("\"distribution_day\":\"2026-12-01\""),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Round>(&json).unwrap(), r);
    }

    #[test]
    fn categories_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        assert_eq!(Category::parse("cars"), None);
    }
}
