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
pub struct VisitPolicy {
    /// First night open for visits.
    #[serde(with = "crate::wire::date")]
    pub open_from: Date,
    /// Last night open for visits.
    #[serde(with = "crate::wire::date")]
    pub open_until: Date,
    /// Nights inside the open range when nobody can stay, sorted.
    #[serde(with = "date_list")]
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

mod date_list {
    use serde::{de::Error, Deserialize, Deserializer, Serialize, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(v: &[Date], s: S) -> Result<S::Ok, S::Error> {
        v.iter()
            .map(|d| super::wire::format_date(*d))
            .collect::<Vec<_>>()
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Date>, D::Error> {
        let v = Vec::<String>::deserialize(d)?;
        v.iter()
            .map(|s| {
                super::wire::parse_date(s)
                    .ok_or_else(|| D::Error::custom("expected dates like 2026-12-01"))
            })
            .collect()
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
#[serde(rename_all = "snake_case")]
pub enum PriceItem {
    Lodging,
    Breakfast,
    Lunch,
    Dinner,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Guest {
    Adult,
    Child,
}

/// One line of a price summary: e.g. lodging for adults, 2 adults × 3
/// nights = quantity 6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceLine {
    pub item: PriceItem,
    pub guest: Guest,
    /// Person-nights for lodging, person-meals for a meal.
    pub quantity: u32,
    pub unit_fen: i64,
    pub total_fen: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn prices() -> HostPrices {
        HostPrices {
            adult_night_fen: 8000,
            child_night_fen: 4000,
            meal_adult_fen: 2500,
            meal_child_fen: 1500,
        }
    }

    fn policy() -> VisitPolicy {
        VisitPolicy {
            open_from: date!(2026 - 12 - 01),
            open_until: date!(2026 - 12 - 31),
            closed_days: vec![date!(2026 - 12 - 10), date!(2026 - 12 - 24)],
            max_party: 8,
            max_nights: 3,
            cancellation: CancellationPolicy {
                free_cancel_days_before: 3,
            },
        }
    }

    fn host(id: i64, meals: MealSet) -> HostOffer {
        HostOffer {
            id,
            household: HouseholdRef {
                id,
                name: LocalText::new("刘桂兰", "Liu Guilan"),
                demo: true,
            },
            beds: 4,
            meals,
            prices: prices(),
            description: LocalText::default(),
            rules: LocalText::default(),
        }
    }

    fn day(date: Date, b: bool, l: bool, d: bool) -> DayMeals {
        DayMeals {
            date,
            breakfast: b,
            lunch: l,
            dinner: d,
        }
    }

    fn request() -> BookingRequest {
        BookingRequest {
            village_slug: "liu".into(),
            arrival: date!(2026 - 12 - 05),
            nights: 2,
            adults: 2,
            children: 1,
            host_id: Some(7),
            meals: vec![],
            name: " 陈晓梅 ".into(),
            phone: "138 0000 0001".into(),
        }
    }

    #[test]
    fn price_of_a_family_weekend() {
        let meals = [
            day(date!(2026 - 12 - 05), false, false, true),
            day(date!(2026 - 12 - 06), true, true, true),
            day(date!(2026 - 12 - 07), true, false, false),
        ];
        let s = price_summary(&prices(), 2, 2, 1, &meals);
        // Lodging 2×2×80 + 1×2×40 = 400; breakfast 2 days, lunch 1, dinner 2:
        // 5 meals × (2×25 + 1×15) = 325.
        assert_eq!(s.total_fen, 32000 + 8000 + 5 * (5000 + 1500));
        assert_eq!(s.lines.len(), 8);
        assert_eq!(
            s.lines[0],
            PriceLine {
                item: PriceItem::Lodging,
                guest: Guest::Adult,
                quantity: 4,
                unit_fen: 8000,
                total_fen: 32000
            }
        );
        assert_eq!(
            s.total_fen,
            s.lines.iter().map(|l| l.total_fen).sum::<i64>()
        );
        for l in &s.lines {
            assert_eq!(l.total_fen, l.unit_fen * i64::from(l.quantity));
        }
    }

    #[test]
    fn price_without_children_or_meals_has_only_lodging() {
        let s = price_summary(&prices(), 3, 1, 0, &[]);
        assert_eq!(s.lines.len(), 1);
        assert_eq!(s.total_fen, 24000);
        let odd = HostPrices {
            adult_night_fen: 6666,
            child_night_fen: 3333,
            meal_adult_fen: 1999,
            meal_child_fen: 1,
        };
        let s = price_summary(
            &odd,
            3,
            8,
            7,
            &[day(date!(2026 - 12 - 05), true, true, true)],
        );
        assert_eq!(
            s.total_fen,
            3 * 8 * 6666 + 3 * 7 * 3333 + 3 * (8 * 1999 + 7)
        );
    }

    #[test]
    fn day_statuses() {
        let p = policy();
        let today = date!(2026 - 12 - 03);
        let st = |d, total, left| day_status(&p, today, d, total, left);
        assert_eq!(st(date!(2026 - 12 - 05), 12, 12), DayStatus::Open);
        assert_eq!(st(date!(2026 - 12 - 05), 12, 4), DayStatus::Open);
        assert_eq!(st(date!(2026 - 12 - 05), 12, 3), DayStatus::FewLeft); // 25%
        assert_eq!(st(date!(2026 - 12 - 05), 40, 10), DayStatus::FewLeft);
        assert_eq!(st(date!(2026 - 12 - 05), 40, 11), DayStatus::Open);
        assert_eq!(st(date!(2026 - 12 - 05), 4, 2), DayStatus::FewLeft);
        assert_eq!(st(date!(2026 - 12 - 05), 12, 0), DayStatus::Full);
        assert_eq!(st(date!(2026 - 12 - 02), 12, 12), DayStatus::Closed); // past
        assert_eq!(st(date!(2026 - 12 - 03), 12, 12), DayStatus::Open); // today
        assert_eq!(st(date!(2026 - 12 - 10), 12, 12), DayStatus::Closed);
        assert_eq!(st(date!(2027 - 01 - 01), 12, 12), DayStatus::Closed);
        assert_eq!(st(date!(2026 - 12 - 05), 0, 0), DayStatus::Closed);
        assert_eq!(beds_left(4, 6), 0);
        assert_eq!(beds_left(4, 1), 3);
    }

    #[test]
    fn fitting_and_picking_hosts() {
        assert!(fits(&[2, 3], 2));
        assert!(!fits(&[2, 1], 2));
        assert!(!fits(&[], 1));
        let c = vec![
            (3, vec![4, 2], MealSet::ALL),
            (1, vec![2, 2], MealSet::ALL),
            (
                2,
                vec![5, 5],
                MealSet {
                    breakfast: true,
                    ..MealSet::default()
                },
            ),
        ];
        // Host 2 has the most room but no dinner.
        let dinner = [day(date!(2026 - 12 - 05), false, false, true)];
        assert_eq!(pick_host(&c, 2, &dinner), Some(1));
        assert_eq!(pick_host(&c, 2, &[]), Some(2));
        assert_eq!(pick_host(&c, 3, &dinner), None);
    }

    #[test]
    fn valid_request_is_normalized() {
        let mut r = request();
        r.meals = vec![
            day(date!(2026 - 12 - 07), true, false, false),
            day(date!(2026 - 12 - 06), false, false, false),
            day(date!(2026 - 12 - 05), false, false, true),
        ];
        let n = validate_booking(
            &r,
            &policy(),
            &[host(7, MealSet::ALL)],
            date!(2026 - 12 - 01),
        )
        .unwrap();
        assert_eq!(n.name, "陈晓梅");
        assert_eq!(n.phone, "13800000001");
        assert_eq!(n.meals.len(), 2);
        assert_eq!(n.meals[0].date, date!(2026 - 12 - 05));
    }

    fn fields_of(r: &BookingRequest, hosts: &[HostOffer], today: Date) -> Vec<String> {
        validate_booking(r, &policy(), hosts, today)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn bad_requests_name_their_fields() {
        let hosts = [host(7, MealSet::ALL)];
        let today = date!(2026 - 12 - 01);
        let with = |f: fn(&mut BookingRequest)| {
            let mut r = request();
            f(&mut r);
            r
        };
        let past = with(|r| r.arrival = date!(2026 - 11 - 30));
        assert_eq!(fields_of(&past, &hosts, today), ["arrival"]);
        let closed = with(|r| r.arrival = date!(2026 - 12 - 09));
        let e = validate_booking(&closed, &policy(), &hosts, today).unwrap_err();
        assert_eq!(e[0].field, "arrival");
        assert!(e[0].message.contains("2026-12-10"), "{}", e[0].message);
        // Leaving on a closed day is fine.
        let leave_closed = with(|r| r.arrival = date!(2026 - 12 - 08));
        assert!(validate_booking(&leave_closed, &policy(), &hosts, today).is_ok());
        let beyond = with(|r| r.arrival = date!(2026 - 12 - 31));
        assert_eq!(fields_of(&beyond, &hosts, today), ["arrival"]);
        assert_eq!(
            fields_of(&with(|r| r.nights = 4), &hosts, today),
            ["nights"]
        );
        assert_eq!(
            fields_of(&with(|r| r.nights = 0), &hosts, today),
            ["nights"]
        );
        assert_eq!(
            fields_of(&with(|r| r.nights = u32::MAX), &hosts, today),
            ["nights"]
        );
        assert_eq!(
            fields_of(
                &with(|r| {
                    r.adults = 0;
                    r.children = 0
                }),
                &hosts,
                today
            ),
            ["adults"]
        );
        assert_eq!(
            fields_of(&with(|r| r.adults = 9), &hosts, today),
            ["adults"]
        );
        assert_eq!(
            fields_of(&with(|r| r.children = 7), &hosts, today),
            ["children"]
        );
        assert_eq!(
            fields_of(&with(|r| r.children = u32::MAX), &hosts, today),
            ["children"]
        );
        assert_eq!(
            fields_of(&with(|r| r.host_id = Some(8)), &hosts, today),
            ["host_id"]
        );
        assert_eq!(
            fields_of(&with(|r| r.name = " ".into()), &hosts, today),
            ["name"]
        );
        assert_eq!(
            fields_of(&with(|r| r.phone = "12345".into()), &hosts, today),
            ["phone"]
        );
        let outside_meal = with(|r| r.meals = vec![day(date!(2026 - 12 - 08), true, false, false)]);
        assert_eq!(fields_of(&outside_meal, &hosts, today), ["meals"]);
        let twice = with(|r| {
            r.meals = vec![
                day(date!(2026 - 12 - 06), true, false, false),
                day(date!(2026 - 12 - 06), false, true, false),
            ]
        });
        assert_eq!(fields_of(&twice, &hosts, today), ["meals"]);
        let breakfast_only = [host(
            7,
            MealSet {
                breakfast: true,
                ..MealSet::default()
            },
        )];
        let dinner = with(|r| r.meals = vec![day(date!(2026 - 12 - 06), false, false, true)]);
        assert_eq!(fields_of(&dinner, &breakfast_only, today), ["meals"]);
        let mut any = dinner.clone();
        any.host_id = None;
        assert_eq!(fields_of(&any, &breakfast_only, today), ["meals"]);
        // Every problem at once.
        let all = BookingRequest {
            village_slug: "liu".into(),
            arrival: date!(2020 - 01 - 01),
            nights: 9,
            adults: 0,
            children: 0,
            host_id: Some(1),
            meals: vec![],
            name: String::new(),
            phone: "x".into(),
        };
        assert_eq!(
            fields_of(&all, &hosts, today),
            ["nights", "arrival", "adults", "host_id", "name", "phone"]
        );
    }

    #[test]
    fn free_cancellation_window() {
        let c = CancellationPolicy {
            free_cancel_days_before: 3,
        };
        let arrival = date!(2026 - 12 - 10);
        assert_eq!(c.free_cancel_until(arrival), datetime!(2026-12-08 00:00 +8));
        assert!(c.can_cancel_free(arrival, datetime!(2026-12-07 23:59:59 +8)));
        // The same instant written in UTC.
        assert!(c.can_cancel_free(arrival, datetime!(2026-12-07 15:59:59 UTC)));
        assert!(!c.can_cancel_free(arrival, datetime!(2026-12-07 16:00 UTC)));
        assert!(!c.can_cancel_free(arrival, datetime!(2026-12-09 10:00 +8)));
        let same_day = CancellationPolicy {
            free_cancel_days_before: 0,
        };
        assert!(same_day.can_cancel_free(arrival, datetime!(2026-12-10 23:00 +8)));
        assert!(c.text().en.contains("3 days"));
        assert!(c.text().zh.contains('3'));
    }

    #[test]
    fn policy_json_and_open_days() {
        let p = policy();
        assert!(p.is_open(date!(2026 - 12 - 01)));
        assert!(!p.is_open(date!(2026 - 12 - 10)));
        assert!(!p.is_open(date!(2026 - 11 - 30)));
        let json = serde_json::to_string(&p).unwrap();
        assert!(
            json.contains(r#""closed_days":["2026-12-10","2026-12-24"]"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<VisitPolicy>(&json).unwrap(), p);
        assert_eq!(
            stay_nights(date!(2026 - 12 - 31), 2),
            vec![date!(2026 - 12 - 31), date!(2027 - 01 - 01)]
        );
    }
}
