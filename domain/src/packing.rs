//! Packing: the JSON shapes of the packing lists organisers print
//! after a round is allocated (see [`crate::allocation`] for the rule), and
//! of the public label page.
//!
//! - `POST /api/organise/rounds/{id}/allocation` → [`Packing`]
//! - `GET  /api/organise/rounds/{id}/packing`    → [`Packing`]
//! - `GET  /api/labels/{code}`                   → [`LabelInfo`] (public)
//!
//! Every packed line is one piece: the part of one order's line that one
//! household prepares. It carries its own label code, shown in its display
//! form (`K7QX-3MPD`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{
    dto::{DistributionPoint, HouseholdRef, Round},
    text::LocalText,
};

/// An order number as people see it, e.g. `LIU-000123` (the same form as
/// in My orders).
pub fn order_number(village_slug: &str, number: i64) -> String {
    format!("{}-{number:06}", village_slug.to_ascii_uppercase())
}

/// Both packing lists of an allocated round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Packing {
    pub village_slug: String,
    pub village_name: LocalText,
    pub round: Round,
    /// When the allocation last ran.
    #[serde(with = "crate::wire::datetime")]
    pub allocated_at: OffsetDateTime,
    /// Number of packed lines (labels) in the round.
    pub label_count: i64,
    /// Every household with something to pack, by household id.
    pub households: Vec<HouseholdPacking>,
    /// Every point with something to hand out, by point id.
    pub points: Vec<PointPacking>,
}

/// What one household prepares: the per-household list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdPacking {
    pub household: HouseholdRef,
    /// Units per product, for preparing before the per-order split.
    pub totals: Vec<ProductTotal>,
    /// Sorted by product, then order number.
    pub lines: Vec<HouseholdLine>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductTotal {
    pub product_id: i64,
    pub product_name: LocalText,
    pub unit: LocalText,
    pub quantity: i64,
}

/// One piece a household packs, and where it goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdLine {
    pub product_id: i64,
    pub product_name: LocalText,
    pub unit: LocalText,
    /// e.g. `LIU-000123`.
    pub order_number: String,
    pub quantity: i64,
    /// Display form, e.g. `K7QX-3MPD`.
    pub label: String,
    pub point_id: i64,
    pub point_name: LocalText,
}

/// What one distribution point hands out: the per-point list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointPacking {
    pub point: DistributionPoint,
    /// One entry per order collected here, by member name then order number.
    pub members: Vec<MemberPacking>,
}

/// One order collected at a point. Organisers see the member's name: they
/// pack for them. (The public label page never shows it.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberPacking {
    pub member_name: String,
    pub order_number: String,
    /// Sorted by product, then household.
    pub lines: Vec<PointLine>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointLine {
    pub product_id: i64,
    pub product_name: LocalText,
    pub unit: LocalText,
    pub quantity: i64,
    pub household_id: i64,
    pub household_name: LocalText,
    /// Display form, e.g. `K7QX-3MPD`.
    pub label: String,
}

/// `GET /api/labels/{code}`: what a label traces to. Deliberately nothing
/// about the consumer (no name, phone, member or order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelInfo {
    /// Display form, e.g. `K7QX-3MPD`.
    pub code: String,
    pub household: HouseholdRef,
    pub village_slug: String,
    pub village_name: LocalText,
    pub product_id: i64,
    pub product_name: LocalText,
    pub unit: LocalText,
    pub round: Round,
    pub point: DistributionPoint,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_read_like_my_orders() {
        assert_eq!(order_number("liu", 123), "LIU-000123");
        assert_eq!(order_number("song", 1_234_567), "SONG-1234567");
    }
}
