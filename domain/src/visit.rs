//! Visits: families stay with host households of a village. The rules
//! shared by the server and the app: what a stay costs, how full a day is,
//! what a valid booking request is, and when it can be cancelled for free.
//!
//! Decisions written down here once:
//! - **Nights.** A stay of `n` nights from `arrival` sleeps the nights of
//!   `arrival ..= arrival + (n - 1)`; the departure day is `arrival + n`.
//!   The village must be open (in its open range, not a closed day) on every
//!   night slept. The departure day may be closed: visitors just leave.
//! - **Beds.** Every guest, child or adult, takes one bed each night.
//! - **Meals** are chosen per day of the stay, arrival day to departure day
//!   inclusive, and are served to the whole party. A meal has its own price
//!   per adult and per child (a host may set them equal).
//! - **Few beds left:** at most [`FEW_BEDS`] beds, or at most a quarter of
//!   all beds, are still free that night.
//! - **Free cancellation** lasts through the whole day (Asia/Shanghai)
//!   `free_cancel_days_before` days before arrival; after that a booking is
//!   not refundable.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, Time};

use crate::{
    dto::{BookingRequest, HouseholdRef},
    text::LocalText,
    validate::{self, FieldError},
    wire, SHANGHAI,
};

/// "Few beds left" when at most this many are free (or at most 25%).
pub const FEW_BEDS: u32 = 2;
/// No village allows a larger party than this, whatever its policy says.
pub const PARTY_LIMIT: u32 = 30;
/// No village allows a longer stay than this.
pub const NIGHTS_LIMIT: u32 = 30;

/// Which meals: offered by a host, or chosen for one day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MealSet {
    #[serde(default)]
    pub breakfast: bool,
    #[serde(default)]
    pub lunch: bool,
    #[serde(default)]
    pub dinner: bool,
}

impl MealSet {
    pub const ALL: MealSet = MealSet {
        breakfast: true,
        lunch: true,
        dinner: true,
    };

    pub fn count(self) -> u32 {
        u32::from(self.breakfast) + u32::from(self.lunch) + u32::from(self.dinner)
    }

    pub fn is_empty(self) -> bool {
        self.count() == 0
    }

    /// True when every meal of `self` is also in `offered`.
    pub fn within(self, offered: MealSet) -> bool {
        (!self.breakfast || offered.breakfast)
            && (!self.lunch || offered.lunch)
            && (!self.dinner || offered.dinner)
    }
}

/// The meals chosen for one day of the stay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayMeals {
    #[serde(with = "crate::wire::date")]
    pub date: Date,
    #[serde(default)]
    pub breakfast: bool,
    #[serde(default)]
    pub lunch: bool,
    #[serde(default)]
    pub dinner: bool,
}

impl DayMeals {
    pub fn meals(&self) -> MealSet {
        MealSet {
            breakfast: self.breakfast,
            lunch: self.lunch,
            dinner: self.dinner,
        }
    }
}

/// A host's prices, integer fen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostPrices {
    pub adult_night_fen: i64,
    pub child_night_fen: i64,
    /// One meal for one adult.
    pub meal_adult_fen: i64,
    /// One meal for one child.
    pub meal_child_fen: i64,
}

/// A host household's offer. Its `id` is the household's id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostOffer {
    pub id: i64,
    pub household: HouseholdRef,
    /// Beds per night.
    pub beds: u32,
    pub meals: MealSet,
    pub prices: HostPrices,
    pub description: LocalText,
    pub rules: LocalText,
}

/// When a booking can be cancelled for free.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CancellationPolicy {
    /// Free through the whole day this many days before arrival; then not
    /// refundable.
    pub free_cancel_days_before: u32,
}

impl CancellationPolicy {
    /// The first instant a booking arriving on `arrival` can no longer be
    /// cancelled for free: midnight (Asia/Shanghai) starting the day after
    /// the last free day.
    pub fn free_cancel_until(self, arrival: Date) -> OffsetDateTime {
        let last_free = arrival - Duration::days(i64::from(self.free_cancel_days_before));
        (last_free + Duration::days(1))
            .with_time(Time::MIDNIGHT)
            .assume_offset(SHANGHAI)
    }

    /// Whether a booking arriving on `arrival` may be cancelled for free at `now`.
    pub fn can_cancel_free(self, arrival: Date, now: OffsetDateTime) -> bool {
        now < self.free_cancel_until(arrival)
    }

    /// The policy in words, as the booking and the app show it.
    pub fn text(self) -> LocalText {
        match self.free_cancel_days_before {
            0 => LocalText::new(
                "到达当天结束前可免费取消，之后不予退款。",
                "Free cancellation until the end of the arrival day; after that, not refundable.",
            ),
            1 => LocalText::new(
                "到达前一天结束前可免费取消，之后不予退款。",
                "Free cancellation until the end of the day before arrival; after that, not refundable.",
            ),
            n => LocalText::new(
                format!("到达前{n}天（含当天）结束前可免费取消，之后不予退款。"),
                format!(
                    "Free cancellation until the end of the day {n} days before arrival; after that, not refundable."
                ),
            ),
        }
    }
}

/// A village's rules for visits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitPolicy {
    /// First night open for visits.
    #[serde(with = "crate::wire::date")]
    pub open_from: Date,
    /// Last night open for visits.
    #[serde(with = "crate::wire::date")]
    pub open_until: Date,
    /// Nights inside the open range when nobody can stay, sorted.
    #[serde(with = "crate::wire::dates")]
    pub closed_days: Vec<Date>,
    /// Most guests (adults and children) in one booking.
    pub max_party: u32,
    /// Most nights in one booking.
    pub max_nights: u32,
    pub cancellation: CancellationPolicy,
}

impl VisitPolicy {
    /// Whether guests may sleep in the village on the night of `date`.
    pub fn is_open(&self, date: Date) -> bool {
        date >= self.open_from
            && date <= self.open_until
            && self.closed_days.binary_search(&date).is_err()
    }
}

/// The nights slept by a stay, in order (empty when it would leave the
/// calendar).
pub fn stay_nights(arrival: Date, nights: u32) -> Vec<Date> {
    let mut out = Vec::with_capacity(nights as usize);
    let mut d = arrival;
    for _ in 0..nights {
        out.push(d);
        match d.next_day() {
            Some(n) => d = n,
            None => return Vec::new(),
        }
    }
    out
}

/// What a price line is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PriceItem {
    Lodging,
    Breakfast,
    Lunch,
    Dinner,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Guest {
    Adult,
    Child,
}

/// One line of a price summary: e.g. lodging for adults, 2 adults × 3
/// nights = quantity 6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceLine {
    pub item: PriceItem,
    pub guest: Guest,
    /// Person-nights for lodging, person-meals for a meal.
    pub quantity: u32,
    pub unit_fen: i64,
    pub total_fen: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceSummary {
    /// Lines with a quantity of 0 are left out.
    pub lines: Vec<PriceLine>,
    pub total_fen: i64,
}

/// What a stay costs: lodging per guest per night, then each meal per
/// guest on every day it is chosen. Exact integer fen.
pub fn price_summary(
    prices: &HostPrices,
    nights: u32,
    adults: u32,
    children: u32,
    meals: &[DayMeals],
) -> PriceSummary {
    let count = |pick: fn(&DayMeals) -> bool| meals.iter().filter(|m| pick(m)).count() as u32;
    let items = [
        (
            PriceItem::Lodging,
            nights,
            prices.adult_night_fen,
            prices.child_night_fen,
        ),
        (
            PriceItem::Breakfast,
            count(|m| m.breakfast),
            prices.meal_adult_fen,
            prices.meal_child_fen,
        ),
        (
            PriceItem::Lunch,
            count(|m| m.lunch),
            prices.meal_adult_fen,
            prices.meal_child_fen,
        ),
        (
            PriceItem::Dinner,
            count(|m| m.dinner),
            prices.meal_adult_fen,
            prices.meal_child_fen,
        ),
    ];
    let mut lines = Vec::new();
    for (item, times, adult_fen, child_fen) in items {
        for (guest, people, unit_fen) in [
            (Guest::Adult, adults, adult_fen),
            (Guest::Child, children, child_fen),
        ] {
            let quantity = times * people;
            if quantity > 0 {
                lines.push(PriceLine {
                    item,
                    guest,
                    quantity,
                    unit_fen,
                    total_fen: unit_fen * i64::from(quantity),
                });
            }
        }
    }
    let total_fen = lines.iter().map(|l| l.total_fen).sum();
    PriceSummary { lines, total_fen }
}

/// How a day looks on the availability calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayStatus {
    Open,
    /// At most [`FEW_BEDS`] beds, or at most a quarter of them, are free.
    FewLeft,
    Full,
    /// Past, outside the open range, a closed day, or no hosts.
    Closed,
}

/// The status of the night of `date`, with `beds_total` beds in the
/// village's hosts of which `beds_left` are free.
pub fn day_status(
    policy: &VisitPolicy,
    today: Date,
    date: Date,
    beds_total: u32,
    beds_left: u32,
) -> DayStatus {
    if date < today || !policy.is_open(date) || beds_total == 0 {
        DayStatus::Closed
    } else if beds_left == 0 {
        DayStatus::Full
    } else if beds_left <= FEW_BEDS || beds_left * 4 <= beds_total {
        DayStatus::FewLeft
    } else {
        DayStatus::Open
    }
}

/// Beds free: `beds` less what bookings hold (never below 0).
pub fn beds_left(beds: u32, booked: u32) -> u32 {
    beds.saturating_sub(booked)
}

/// Whether a party needing `beds` fits a host with `free` beds on each night.
pub fn fits(free_per_night: &[u32], beds: u32) -> bool {
    !free_per_night.is_empty() && free_per_night.iter().all(|&f| f >= beds)
}

/// Picks the host for "any host with room": among `candidates` (id, free
/// beds on each night of the stay, meals offered) those that fit the party
/// and offer every chosen meal, the one with the most beds on its tightest
/// night (spreading guests over households), ties to the lowest id.
pub fn pick_host(
    candidates: &[(i64, Vec<u32>, MealSet)],
    beds: u32,
    meals: &[DayMeals],
) -> Option<i64> {
    candidates
        .iter()
        .filter(|(_, free, offered)| {
            fits(free, beds) && meals.iter().all(|m| m.meals().within(*offered))
        })
        .map(|(id, free, _)| (free.iter().copied().min().unwrap_or(0), *id))
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, id)| id)
}

impl BookingRequest {
    /// The same request in one canonical form: village slug and name
    /// trimmed, phone as its 11 digits when it is valid, meal days sorted
    /// with empty days dropped. Two sends of the same booking compare equal.
    pub fn normalized(&self) -> BookingRequest {
        let mut out = self.clone();
        out.village_slug = self.village_slug.trim().to_owned();
        out.name = self.name.trim().to_owned();
        if let Ok(p) = validate::phone("phone", &self.phone) {
            out.phone = p;
        }
        out.meals.retain(|m| !m.meals().is_empty());
        out.meals.sort_by_key(|m| m.date);
        out
    }
}

/// Checks a booking request against the village's policy and hosts (the
/// hosts of this village only) on `today` (Asia/Shanghai), and returns it
/// normalized: name trimmed, phone as 11 digits, meal days sorted with
/// empty days dropped. Two requests for the same booking then compare equal.
pub fn validate_booking(
    req: &BookingRequest,
    policy: &VisitPolicy,
    hosts: &[HostOffer],
    today: Date,
) -> Result<BookingRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let out = req.normalized();

    let max_nights = policy.max_nights.min(NIGHTS_LIMIT);
    let nights_ok = if req.nights == 0 {
        errors.push(FieldError::new(
            "nights",
            "至少住 1 晚",
            "must be at least 1",
        ));
        false
    } else if req.nights > max_nights {
        errors.push(FieldError::new(
            "nights",
            format!("最多住 {max_nights} 晚"),
            format!("a stay is at most {max_nights} nights"),
        ));
        false
    } else {
        true
    };

    if req.arrival < today {
        errors.push(FieldError::new(
            "arrival",
            format!("日期已过（北京时间今天是 {}）", wire::format_date(today)),
            format!(
                "is in the past (today is {} in Asia/Shanghai)",
                wire::format_date(today)
            ),
        ));
    } else if nights_ok {
        let nights = stay_nights(req.arrival, req.nights);
        let outside: Vec<Date> = nights
            .iter()
            .copied()
            .filter(|d| *d < policy.open_from || *d > policy.open_until)
            .collect();
        let closed: Vec<String> = nights
            .iter()
            .copied()
            .filter(|d| !policy.is_open(*d) && !outside.contains(d))
            .map(wire::format_date)
            .collect();
        if nights.is_empty() || !outside.is_empty() {
            errors.push(FieldError::new(
                "arrival",
                format!(
                    "可以住宿的日期是 {} 到 {}",
                    wire::format_date(policy.open_from),
                    wire::format_date(policy.open_until)
                ),
                format!(
                    "visits are open for nights from {} to {}",
                    wire::format_date(policy.open_from),
                    wire::format_date(policy.open_until)
                ),
            ));
        } else if !closed.is_empty() {
            errors.push(FieldError::new(
                "arrival",
                format!("村里这几天不接待访客：{}", closed.join("、")),
                format!("the village is closed to visitors on {}", closed.join(", ")),
            ));
        }
    }

    let max_party = policy.max_party.min(PARTY_LIMIT);
    if req.adults == 0 {
        errors.push(FieldError::new(
            "adults",
            "至少要有一位成人",
            "a party needs at least one adult",
        ));
    } else if req.adults.saturating_add(req.children) > max_party {
        let field = if req.adults > max_party {
            "adults"
        } else {
            "children"
        };
        errors.push(FieldError::new(
            field,
            format!("一行最多 {max_party} 人（成人和儿童合计）"),
            format!("a party is at most {max_party} people, adults and children together"),
        ));
    }

    let host = match req.host_id {
        None => None,
        Some(id) => match hosts.iter().find(|h| h.id == id) {
            Some(h) => Some(h),
            None => {
                errors.push(FieldError::new(
                    "host_id",
                    "不是这个村的接待农户",
                    "is not a host household of this village",
                ));
                None
            }
        },
    };

    if let Err(e) = validate::name("name", &req.name) {
        errors.push(e);
    }
    if let Err(e) = validate::phone("phone", &req.phone) {
        errors.push(e);
    }

    let meals = &out.meals;
    if nights_ok {
        let last = req
            .arrival
            .checked_add(Duration::days(i64::from(req.nights)));
        let mut problem = None;
        for (i, m) in meals.iter().enumerate() {
            if m.date < req.arrival || last.is_none_or(|l| m.date > l) {
                let d = wire::format_date(m.date);
                problem = Some((
                    format!("{d} 不在住宿日期内"),
                    format!("{d} is not a day of the stay"),
                ));
            } else if i > 0 && meals[i - 1].date == m.date {
                let d = wire::format_date(m.date);
                problem = Some((format!("{d} 重复了"), format!("{d} is listed twice")));
            } else if let Some(h) = host {
                if !m.meals().within(h.meals) {
                    let d = wire::format_date(m.date);
                    problem = Some((
                        format!("这户人家 {d} 不提供所选的全部餐食"),
                        format!("this host does not serve every meal chosen on {d}"),
                    ));
                }
            } else if hosts.iter().all(|h| !m.meals().within(h.meals)) {
                let d = wire::format_date(m.date);
                problem = Some((
                    format!("{d} 没有哪户提供所选的全部餐食"),
                    format!("no host serves every meal chosen on {d}"),
                ));
            }
            if problem.is_some() {
                break;
            }
        }
        if let Some((zh, en)) = problem {
            errors.push(FieldError::new("meals", zh, en));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests;
