//! A village's visit offer as organisers edit it: the policy and every
//! host, sent whole (`PUT /api/organise/villages/{slug}/visit`).
//!
//! The limits are the database's (migration 0009): party and nights
//! 1–30, free cancellation 0–60 days, beds 0–100, adult prices positive,
//! child prices zero or more. Confirmed bookings keep their own priced
//! lines and cancellation window, so nothing here changes them; the
//! server also refuses beds below what future bookings already hold.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::{
    dto::HouseholdRef,
    organise::{prose, DESCRIPTION_MAX_CHARS},
    text::LocalText,
    validate::{self, FieldError},
    visit::{HostPrices, MealSet, NIGHTS_LIMIT, PARTY_LIMIT},
};

pub const FREE_CANCEL_MAX_DAYS: u32 = 60;
pub const BEDS_MAX: u32 = 100;
pub const HOSTS_MAX: usize = 50;
/// The open range spans at most this many days.
pub const OPEN_RANGE_MAX_DAYS: i64 = 3 * 366;

/// One host household's offer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostInput {
    /// A household of the village.
    pub household_id: i64,
    pub beds: u32,
    pub meals: MealSet,
    pub prices: HostPrices,
    /// What the host offers.
    pub description: LocalText,
    /// House rules.
    pub rules: LocalText,
}

/// The body of `PUT /api/organise/villages/{slug}/visit`. A host of the
/// village left out of `hosts` stops hosting (only when it has no
/// bookings at all; otherwise keep it with 0 beds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitOfferInput {
    /// First and last night open for visits.
    #[serde(with = "crate::wire::date")]
    pub open_from: Date,
    #[serde(with = "crate::wire::date")]
    pub open_until: Date,
    pub max_party: u32,
    pub max_nights: u32,
    pub free_cancel_days_before: u32,
    pub hosts: Vec<HostInput>,
}

/// `GET /api/organise/villages/{slug}/visit` (and the answer of the PUT).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganiseVisitOffer {
    pub village_slug: String,
    /// False while the village takes no visitors: `offer` is then a
    /// starting point with no hosts.
    pub takes_visitors: bool,
    pub offer: VisitOfferInput,
    /// The village's households, any of which can host.
    pub households: Vec<HouseholdRef>,
}

fn push(errors: &mut Vec<FieldError>, r: Result<(), FieldError>) {
    if let Err(e) = r {
        errors.push(e);
    }
}

fn between(field: &str, value: u32, min: u32, max: u32) -> Result<(), FieldError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            format!("必须在 {min} 到 {max} 之间"),
            format!("must be between {min} and {max}"),
        ))
    }
}

/// A child's price: zero (free) or a valid price.
fn child_fen(field: &str, value: i64) -> Result<(), FieldError> {
    if value == 0 {
        Ok(())
    } else {
        validate::price_fen(field, value).map_err(|e| {
            FieldError::new(
                e.field,
                format!("{}（免费时填 0）", e.message_zh),
                format!("{} (or 0 when free)", e.message),
            )
        })
    }
}

impl HostInput {
    /// Every broken rule, each field named `{prefix}.field`.
    pub fn validate(&self, prefix: &str) -> Vec<FieldError> {
        let f = |name: &str| format!("{prefix}.{name}");
        let mut errors = Vec::new();
        push(&mut errors, between(&f("beds"), self.beds, 0, BEDS_MAX));
        let p = &self.prices;
        push(
            &mut errors,
            validate::price_fen(&f("prices.adult_night_fen"), p.adult_night_fen),
        );
        push(
            &mut errors,
            child_fen(&f("prices.child_night_fen"), p.child_night_fen),
        );
        push(
            &mut errors,
            validate::price_fen(&f("prices.meal_adult_fen"), p.meal_adult_fen),
        );
        push(
            &mut errors,
            child_fen(&f("prices.meal_child_fen"), p.meal_child_fen),
        );
        for (name, text) in [("description", &self.description), ("rules", &self.rules)] {
            for (lang, v) in [("zh", &text.zh), ("en", &text.en)] {
                let field = f(&format!("{name}.{lang}"));
                if v.trim().is_empty() {
                    errors.push(FieldError::new(&field, "必须填写", "is required"));
                } else {
                    push(&mut errors, prose(&field, v, DESCRIPTION_MAX_CHARS));
                }
            }
        }
        errors
    }
}

impl VisitOfferInput {
    /// Every broken rule, by field; that each household is the village's
    /// and the beds booked are checked by the server.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.open_until < self.open_from {
            errors.push(FieldError::new(
                "open_until",
                "不能早于开放的第一晚",
                "must not be before the first open night",
            ));
        } else if self.open_until - self.open_from > Duration::days(OPEN_RANGE_MAX_DAYS) {
            errors.push(FieldError::new(
                "open_until",
                "开放时间最长三年",
                "must be at most three years after the first open night",
            ));
        }
        push(
            &mut errors,
            between("max_party", self.max_party, 1, PARTY_LIMIT),
        );
        push(
            &mut errors,
            between("max_nights", self.max_nights, 1, NIGHTS_LIMIT),
        );
        push(
            &mut errors,
            between(
                "free_cancel_days_before",
                self.free_cancel_days_before,
                0,
                FREE_CANCEL_MAX_DAYS,
            ),
        );
        if self.hosts.len() > HOSTS_MAX {
            errors.push(FieldError::new(
                "hosts",
                format!("最多 {HOSTS_MAX} 户"),
                format!("must be at most {HOSTS_MAX} hosts"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, h) in self.hosts.iter().enumerate() {
            let prefix = format!("hosts[{i}]");
            if !seen.insert(h.household_id) {
                errors.push(FieldError::new(
                    format!("{prefix}.household_id"),
                    "这一户重复了",
                    "is listed twice",
                ));
            }
            errors.extend(h.validate(&prefix));
        }
        errors
    }

    /// Texts trimmed of surrounding blanks, hosts by household id.
    pub fn normalized(mut self) -> Self {
        for h in &mut self.hosts {
            for t in [&mut h.description, &mut h.rules] {
                t.zh = t.zh.trim().to_owned();
                t.en = t.en.trim().to_owned();
            }
        }
        self.hosts.sort_by_key(|h| h.household_id);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn host(id: i64) -> HostInput {
        HostInput {
            household_id: id,
            beds: 4,
            meals: MealSet::ALL,
            prices: HostPrices {
                adult_night_fen: 8000,
                child_night_fen: 0,
                meal_adult_fen: 2000,
                meal_child_fen: 1000,
            },
            description: LocalText::new("两间房", "Two rooms"),
            rules: LocalText::new("晚上十点后安静", "Quiet after 10 pm"),
        }
    }

    fn offer() -> VisitOfferInput {
        VisitOfferInput {
            open_from: date!(2026 - 12 - 01),
            open_until: date!(2027 - 03 - 31),
            max_party: 6,
            max_nights: 5,
            free_cancel_days_before: 3,
            hosts: vec![host(1), host(2)],
        }
    }

    fn fields(o: &VisitOfferInput) -> Vec<String> {
        o.validate().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_sound_offer_passes() {
        assert!(offer().validate().is_empty());
    }

    #[test]
    fn policy_limits_are_the_database_ones() {
        let mut o = offer();
        o.max_party = 0;
        o.max_nights = 31;
        o.free_cancel_days_before = 61;
        assert_eq!(
            fields(&o),
            ["max_party", "max_nights", "free_cancel_days_before"]
        );
        o.max_party = 30;
        o.max_nights = 30;
        o.free_cancel_days_before = 60;
        assert!(o.validate().is_empty());
        o.free_cancel_days_before = 0;
        o.max_party = 1;
        o.max_nights = 1;
        assert!(o.validate().is_empty());
    }

    #[test]
    fn the_open_range_is_in_order_and_not_endless() {
        let mut o = offer();
        o.open_until = date!(2026 - 11 - 30);
        assert_eq!(fields(&o), ["open_until"]);
        o.open_until = o.open_from;
        assert!(o.validate().is_empty());
        o.open_until = date!(2030 - 12 - 01);
        assert_eq!(fields(&o), ["open_until"]);
    }

    #[test]
    fn host_fields_are_named_by_position() {
        let mut o = offer();
        let h = &mut o.hosts[1];
        h.beds = 101;
        h.prices.adult_night_fen = 0;
        h.prices.child_night_fen = -1;
        h.prices.meal_adult_fen = validate::PRICE_MAX_FEN + 1;
        h.prices.meal_child_fen = -5;
        h.description.en = "  ".into();
        h.rules.zh = "a\u{7}".into();
        assert_eq!(
            fields(&o),
            [
                "hosts[1].beds",
                "hosts[1].prices.adult_night_fen",
                "hosts[1].prices.child_night_fen",
                "hosts[1].prices.meal_adult_fen",
                "hosts[1].prices.meal_child_fen",
                "hosts[1].description.en",
                "hosts[1].rules.zh",
            ]
        );
        let e = o.validate();
        assert!(e
            .iter()
            .all(|e| !e.message_zh.is_empty() && !e.message.is_empty()));
    }

    #[test]
    fn zero_beds_and_free_children_are_allowed() {
        let mut o = offer();
        o.hosts[0].beds = 0;
        o.hosts[0].prices.meal_child_fen = 0;
        assert!(o.validate().is_empty());
    }

    #[test]
    fn a_household_hosts_once() {
        let mut o = offer();
        o.hosts.push(host(1));
        assert_eq!(fields(&o), ["hosts[2].household_id"]);
    }

    #[test]
    fn too_many_hosts() {
        let mut o = offer();
        o.hosts = (1..=51).map(host).collect();
        assert_eq!(fields(&o), ["hosts"]);
    }

    #[test]
    fn normalized_trims_and_orders_hosts() {
        let mut o = offer();
        o.hosts.reverse();
        o.hosts[0].rules.en = " Quiet \n".into();
        let n = o.normalized();
        assert_eq!(
            n.hosts.iter().map(|h| h.household_id).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(n.hosts[1].rules.en, "Quiet");
    }
}
