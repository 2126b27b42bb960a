//! Visit bookings kept on the phone ("My trips"), and the pure logic of the
//! visit form. Plain data and functions, unit-tested natively; `state`
//! does the sending.
//!
//! Like an order, a booking is written here under the UUID the phone made
//! *before* it is sent; the server treats a repeat of the same id and
//! content as the same booking, so a resend never books twice.

use domain::dto::{AvailabilityMonth, Booking, BookingRequest, DayAvailability, NoRoom};
use domain::visit::{self, DayMeals, DayStatus, HostOffer, MealSet, PriceSummary, VisitPolicy};
use domain::{FieldError, LocalText};
use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime};

use crate::kept::Kept;
use crate::store::{missing, Outgoing, Retry};

/// localStorage key of the trips. Versioned so a future shape can migrate.
pub const TRIPS_KEY: &str = "storefront.trips.v1";

/// Where a booking stands, as the phone knows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", try_from = "TripStateWire")]
// A handful per phone: boxing would only add noise.
#[allow(clippy::large_enum_variant)]
pub enum TripState {
    /// Saved here, not yet answered by the server.
    Waiting(Retry),
    /// The server's latest answer (confirmed or cancelled).
    Booked { booking: Kept<Booking> },
    /// The server said no; nothing was booked.
    Refused {
        /// English; `reason_zh` in Chinese, as for orders.
        reason: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason_zh: String,
        #[serde(default)]
        fields: Vec<FieldError>,
        #[serde(default)]
        no_room: Option<NoRoom>,
    },
}

/// `TripState` as it is read: one plain struct, like `LocalStateWire`.
#[derive(Deserialize)]
struct TripStateWire {
    state: TripStateTag,
    // Waiting: the fields of its `Retry`.
    attempts: Option<u32>,
    next_attempt_ms: Option<f64>,
    last_error: Option<String>,
    #[serde(default)]
    last_error_zh: String,
    // Booked.
    booking: Option<Kept<Booking>>,
    // Refused.
    reason: Option<String>,
    #[serde(default)]
    reason_zh: String,
    #[serde(default)]
    fields: Vec<FieldError>,
    #[serde(default)]
    no_room: Option<NoRoom>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum TripStateTag {
    Waiting,
    Booked,
    Refused,
}

impl TryFrom<TripStateWire> for TripState {
    type Error = String;
    fn try_from(w: TripStateWire) -> Result<Self, String> {
        Ok(match w.state {
            TripStateTag::Waiting => TripState::Waiting(Retry::read(
                w.attempts,
                w.next_attempt_ms,
                w.last_error,
                w.last_error_zh,
            )?),
            TripStateTag::Booked => TripState::Booked {
                booking: w.booking.ok_or(missing("booking"))?,
            },
            TripStateTag::Refused => TripState::Refused {
                reason: w.reason.ok_or(missing("reason"))?,
                reason_zh: w.reason_zh,
                fields: w.fields,
                no_room: w.no_room,
            },
        })
    }
}

/// A booking as kept on the phone: the request and what to show while it
/// waits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalTrip {
    pub id: String,
    pub created_ms: f64,
    pub request: BookingRequest,
    pub village_name: LocalText,
    /// `None` for "any host with room".
    pub host_name: Option<LocalText>,
    /// The price the form showed; `None` when the host is not chosen yet.
    pub estimate_fen: Option<i64>,
    pub policy_text: LocalText,
    pub state: TripState,
}

impl LocalTrip {
    pub fn new(
        id: String,
        now_ms: f64,
        request: BookingRequest,
        offer_name: LocalText,
        host_name: Option<LocalText>,
        estimate_fen: Option<i64>,
        policy_text: LocalText,
    ) -> Self {
        LocalTrip {
            id,
            created_ms: now_ms,
            request,
            village_name: offer_name,
            host_name,
            estimate_fen,
            policy_text,
            state: TripState::Waiting(Retry::now()),
        }
    }

    /// The phone's copy of a booking it did not make (e.g. one the member
    /// made on another phone and cancels here).
    pub fn from_booking(b: &Booking, now_ms: f64) -> Self {
        LocalTrip {
            id: b.id.clone(),
            created_ms: now_ms,
            request: BookingRequest {
                village_slug: b.village_slug.clone(),
                arrival: b.arrival,
                nights: b.nights,
                adults: b.adults,
                children: b.children,
                host_id: Some(b.host.id),
                meals: b.meals.clone(),
                name: b.name.clone(),
                phone: b.phone.clone(),
            },
            village_name: b.village_name.clone(),
            host_name: Some(b.host.name.clone()),
            estimate_fen: Some(b.total_fen),
            policy_text: b.policy_text.clone(),
            state: TripState::Booked {
                booking: Kept::new(b),
            },
        }
    }

    /// Stores the server's answer: updates the phone's copy, or keeps a new
    /// one.
    pub fn keep(all: &mut Vec<LocalTrip>, b: &Booking, now_ms: f64) {
        if !refresh(all, std::slice::from_ref(b)) && !all.iter().any(|t| t.id == b.id) {
            all.push(LocalTrip::from_booking(b, now_ms));
        }
    }

    pub fn booking(&self) -> Option<&Booking> {
        match &self.state {
            TripState::Booked { booking } => booking.get(),
            _ => None,
        }
    }
}

impl Outgoing for LocalTrip {
    fn retry(&self) -> Option<&Retry> {
        match &self.state {
            TripState::Waiting(r) => Some(r),
            _ => None,
        }
    }

    fn retry_mut(&mut self) -> Option<&mut Retry> {
        match &mut self.state {
            TripState::Waiting(r) => Some(r),
            _ => None,
        }
    }
}

/// Takes the server's newer copies of bookings the phone keeps (an
/// organiser may have cancelled one), so My trips reads right offline.
/// Returns whether anything changed.
pub fn refresh(local: &mut [LocalTrip], server: &[Booking]) -> bool {
    let mut changed = false;
    for t in local.iter_mut() {
        if let Some(b) = server.iter().find(|b| b.id == t.id) {
            if t.booking() != Some(b) {
                t.state = TripState::Booked {
                    booking: Kept::new(b),
                };
                changed = true;
            }
        }
    }
    changed
}

/// One row of My trips.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum ListedTrip {
    /// Known only here: waiting or refused.
    Local(LocalTrip),
    Booked(Booking),
}

impl ListedTrip {
    pub fn id(&self) -> &str {
        match self {
            ListedTrip::Local(t) => &t.id,
            ListedTrip::Booked(b) => &b.id,
        }
    }

    pub fn arrival(&self) -> Date {
        match self {
            ListedTrip::Local(t) => t.request.arrival,
            ListedTrip::Booked(b) => b.arrival,
        }
    }
}

/// The member's bookings from the server plus those on this phone, each
/// once, the server's copy winning. Coming trips first (soonest first),
/// then past ones (latest first).
pub fn merge_trips(local: &[LocalTrip], server: &[Booking], today: Date) -> Vec<ListedTrip> {
    let mut out: Vec<ListedTrip> = server.iter().cloned().map(ListedTrip::Booked).collect();
    for t in local {
        if server.iter().any(|b| b.id == t.id) {
            continue;
        }
        out.push(match t.booking() {
            Some(booking) => ListedTrip::Booked(booking.clone()),
            None => ListedTrip::Local(t.clone()),
        });
    }
    out.sort_by(|a, b| {
        let (da, db) = (a.arrival(), b.arrival());
        match (da >= today, db >= today) {
            (true, true) => da.cmp(&db),
            (false, false) => db.cmp(&da),
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
        }
        .then_with(|| a.id().cmp(b.id()))
    });
    out
}

// ---- the visit form ----

/// `YYYY-MM` of a date, as the availability endpoint takes it.
pub fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

pub fn first_of_month(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

/// The first day of the next (`+1`) or previous (`-1`) month.
pub fn add_months(first: Date, delta: i32) -> Date {
    let index = first.year() * 12 + i32::from(u8::from(first.month())) - 1 + delta;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u8 + 1);
    Month::try_from(month)
        .ok()
        .and_then(|m| Date::from_calendar_date(year, m, 1).ok())
        .unwrap_or(first)
}

/// The cells of a month grid, weeks starting on Monday: `None` pads the
/// first week.
pub fn month_cells(first: Date) -> Vec<Option<Date>> {
    let pad = first.weekday().number_days_from_monday() as usize;
    let mut cells = vec![None; pad];
    let mut d = first;
    while d.month() == first.month() {
        cells.push(Some(d));
        match d.next_day() {
            Some(n) => d = n,
            None => break,
        }
    }
    cells
}

/// Whether a day can be picked as the arrival.
pub fn can_arrive(status: DayStatus) -> bool {
    matches!(status, DayStatus::Open | DayStatus::FewLeft)
}

fn day(days: &[DayAvailability], d: Date) -> Option<&DayAvailability> {
    days.iter().find(|a| a.date == d)
}

/// The longest stay from `arrival` the calendar allows: the policy's
/// maximum, cut at the first night known to be closed or full. Nights in
/// months not loaded are left to the server.
pub fn max_nights(policy: &VisitPolicy, days: &[DayAvailability], arrival: Date) -> u32 {
    let limit = policy.max_nights.min(visit::NIGHTS_LIMIT);
    let mut n = 0;
    for night in visit::stay_nights(arrival, limit) {
        if !policy.is_open(night) {
            break;
        }
        if day(days, night).is_some_and(|a| !can_arrive(a.status)) {
            break;
        }
        n += 1;
    }
    n.max(1)
}

/// A host's fewest free beds over the nights of the stay that the loaded
/// calendar knows; `None` when it knows none of them.
pub fn host_beds_left(days: &[DayAvailability], host_id: i64, nights: &[Date]) -> Option<u32> {
    nights
        .iter()
        .filter_map(|n| day(days, *n))
        .filter_map(|a| a.hosts.iter().find(|h| h.host_id == host_id))
        .map(|h| h.beds_left)
        .min()
}

/// The days meals can be had: arrival to departure, both included.
pub fn meal_days(arrival: Date, nights: u32) -> Vec<Date> {
    (0..=i64::from(nights))
        .filter_map(|i| arrival.checked_add(Duration::days(i)))
        .collect()
}

/// Meals any of these hosts serves.
pub fn meals_offered<'a>(hosts: impl IntoIterator<Item = &'a HostOffer>) -> MealSet {
    hosts
        .into_iter()
        .fold(MealSet::default(), |acc, h| MealSet {
            breakfast: acc.breakfast || h.meals.breakfast,
            lunch: acc.lunch || h.meals.lunch,
            dinner: acc.dinner || h.meals.dinner,
        })
}

/// The meals of the stay's days, dropping what `offered` does not serve
/// and days outside the stay.
pub fn clip_meals(
    meals: &[DayMeals],
    arrival: Date,
    nights: u32,
    offered: MealSet,
) -> Vec<DayMeals> {
    let days = meal_days(arrival, nights);
    meals
        .iter()
        .filter(|m| days.contains(&m.date))
        .map(|m| DayMeals {
            date: m.date,
            breakfast: m.breakfast && offered.breakfast,
            lunch: m.lunch && offered.lunch,
            dinner: m.dinner && offered.dinner,
        })
        .filter(|m| !m.meals().is_empty())
        .collect()
}

/// What the stay costs: with one host, its price summary; with "any host",
/// the cheapest and dearest totals among hosts that can take the party
/// and serve the meals.
#[derive(Clone, Debug, PartialEq)]
pub enum Estimate {
    Exact(PriceSummary),
    Range {
        low_fen: i64,
        high_fen: i64,
    },
    /// No host fits.
    None,
}

pub fn estimate(
    hosts: &[HostOffer],
    host_id: Option<i64>,
    days: &[DayAvailability],
    req: &BookingRequest,
) -> Estimate {
    let summary = |h: &HostOffer| {
        visit::price_summary(&h.prices, req.nights, req.adults, req.children, &req.meals)
    };
    match host_id {
        Some(id) => hosts
            .iter()
            .find(|h| h.id == id)
            .map_or(Estimate::None, |h| Estimate::Exact(summary(h))),
        None => {
            let nights = visit::stay_nights(req.arrival, req.nights);
            let party = req.adults + req.children;
            let totals: Vec<i64> = hosts
                .iter()
                .filter(|h| {
                    h.beds >= party
                        && host_beds_left(days, h.id, &nights).is_none_or(|b| b >= party)
                        && req.meals.iter().all(|m| m.meals().within(h.meals))
                })
                .map(|h| summary(h).total_fen)
                .collect();
            match (totals.iter().min(), totals.iter().max()) {
                (Some(&low_fen), Some(&high_fen)) => Estimate::Range { low_fen, high_fen },
                _ => Estimate::None,
            }
        }
    }
}

/// Whether the visitor may still cancel for free, by the phone's clock
/// (the server decides when the request arrives).
pub fn can_cancel(b: &Booking, now: OffsetDateTime) -> bool {
    b.can_cancel && now < b.free_cancel_until
}

/// The availability of a month, when loaded.
pub fn days_of(month: &Option<AvailabilityMonth>) -> Vec<DayAvailability> {
    month.as_ref().map(|m| m.days.clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::dto::{BookingStatus, HostBeds, HouseholdRef};
    use domain::visit::{CancellationPolicy, HostPrices};
    use time::macros::{date, datetime};

    fn policy() -> VisitPolicy {
        VisitPolicy {
            open_from: date!(2026 - 11 - 22),
            open_until: date!(2027 - 02 - 19),
            closed_days: vec![date!(2026 - 12 - 01)],
            max_party: 8,
            max_nights: 3,
            cancellation: CancellationPolicy {
                free_cancel_days_before: 3,
            },
        }
    }

    fn host(id: i64, beds: u32, lunch: bool, adult_night_fen: i64) -> HostOffer {
        HostOffer {
            id,
            household: HouseholdRef {
                id,
                name: LocalText::new("户", "Host"),
                demo: true,
            },
            beds,
            meals: MealSet {
                breakfast: true,
                lunch,
                dinner: true,
            },
            prices: HostPrices {
                adult_night_fen,
                child_night_fen: adult_night_fen / 2,
                meal_adult_fen: 2000,
                meal_child_fen: 1000,
            },
            description: LocalText::new("", ""),
            rules: LocalText::new("", ""),
        }
    }

    fn avail(d: Date, status: DayStatus, hosts: &[(i64, u32)]) -> DayAvailability {
        DayAvailability {
            date: d,
            status,
            beds_left: hosts.iter().map(|h| h.1).sum(),
            hosts: hosts
                .iter()
                .map(|&(host_id, beds_left)| HostBeds { host_id, beds_left })
                .collect(),
        }
    }

    fn request(arrival: Date, nights: u32, adults: u32, children: u32) -> BookingRequest {
        BookingRequest {
            village_slug: "liu".into(),
            arrival,
            nights,
            adults,
            children,
            host_id: None,
            meals: vec![],
            name: "Demo".into(),
            phone: "13800000009".into(),
        }
    }

    fn booking(id: &str, arrival: Date) -> Booking {
        Booking {
            id: id.into(),
            reference: "ABCDEFGH".into(),
            status: BookingStatus::Confirmed,
            village_slug: "liu".into(),
            village_name: LocalText::new("刘村", "Liu Village"),
            host: HouseholdRef {
                id: 1,
                name: LocalText::new("户", "Host"),
                demo: true,
            },
            arrival,
            departure: arrival + Duration::days(1),
            nights: 1,
            adults: 2,
            children: 0,
            meals: vec![],
            name: "Demo".into(),
            phone: "13800000009".into(),
            lines: vec![],
            total_fen: 16000,
            cancellation: CancellationPolicy {
                free_cancel_days_before: 3,
            },
            policy_text: LocalText::new("", ""),
            free_cancel_until: datetime!(2026-12-01 00:00 +8),
            can_cancel: true,
            cancelled_by: None,
            cancel_reason: None,
            created_at: datetime!(2026-11-22 10:00 UTC),
            updated_at: datetime!(2026-11-22 10:00 UTC),
        }
    }

    #[test]
    fn month_grid_starts_on_monday() {
        // 1 December 2026 is a Tuesday.
        let cells = month_cells(date!(2026 - 12 - 01));
        assert_eq!(cells[0], None);
        assert_eq!(cells[1], Some(date!(2026 - 12 - 01)));
        assert_eq!(cells.len(), 1 + 31);
        assert_eq!(add_months(date!(2026 - 12 - 01), 1), date!(2027 - 01 - 01));
        assert_eq!(add_months(date!(2027 - 01 - 01), -1), date!(2026 - 12 - 01));
        assert_eq!(month_key(date!(2027 - 01 - 01)), "2027-01");
    }

    #[test]
    fn only_open_days_can_be_arrivals() {
        assert!(can_arrive(DayStatus::Open));
        assert!(can_arrive(DayStatus::FewLeft));
        assert!(!can_arrive(DayStatus::Full));
        assert!(!can_arrive(DayStatus::Closed));
    }

    #[test]
    fn stays_stop_before_a_closed_or_full_night() {
        let days = vec![
            avail(date!(2026 - 11 - 28), DayStatus::Open, &[(1, 6)]),
            avail(date!(2026 - 11 - 29), DayStatus::Full, &[(1, 0)]),
        ];
        assert_eq!(max_nights(&policy(), &days, date!(2026 - 11 - 28)), 1);
        // 1 December is closed.
        assert_eq!(max_nights(&policy(), &days, date!(2026 - 11 - 30)), 1);
        assert_eq!(max_nights(&policy(), &days, date!(2026 - 12 - 05)), 3);
    }

    #[test]
    fn host_beds_are_the_tightest_known_night() {
        let days = vec![
            avail(date!(2026 - 11 - 28), DayStatus::Open, &[(1, 6), (2, 4)]),
            avail(date!(2026 - 11 - 29), DayStatus::Open, &[(1, 2), (2, 4)]),
        ];
        let nights = visit::stay_nights(date!(2026 - 11 - 28), 3);
        assert_eq!(host_beds_left(&days, 1, &nights), Some(2));
        assert_eq!(host_beds_left(&days, 2, &nights), Some(4));
        assert_eq!(host_beds_left(&days, 3, &nights), None);
    }

    #[test]
    fn meals_cover_arrival_to_departure_and_what_is_served() {
        let days = meal_days(date!(2026 - 11 - 28), 2);
        assert_eq!(days.len(), 3);
        let meals = vec![
            DayMeals {
                date: date!(2026 - 11 - 28),
                breakfast: false,
                lunch: true,
                dinner: true,
            },
            DayMeals {
                date: date!(2026 - 12 - 05),
                breakfast: true,
                lunch: false,
                dinner: false,
            },
        ];
        let no_lunch = host(1, 3, false, 6000).meals;
        let clipped = clip_meals(&meals, date!(2026 - 11 - 28), 2, no_lunch);
        assert_eq!(clipped.len(), 1);
        assert!(!clipped[0].lunch && clipped[0].dinner);
        assert_eq!(
            meals_offered(&[host(1, 3, false, 1), host(2, 3, true, 1)]),
            MealSet::ALL
        );
    }

    #[test]
    fn estimates_use_the_domain_price_summary() {
        let hosts = vec![host(1, 6, true, 8000), host(2, 3, true, 6000)];
        let mut req = request(date!(2026 - 11 - 28), 2, 2, 1);
        req.meals = vec![DayMeals {
            date: date!(2026 - 11 - 28),
            breakfast: false,
            lunch: false,
            dinner: true,
        }];
        // 2 nights × (2 × 80 + 40) + dinner (2 × 20 + 10) = 400 + 50 yuan.
        match estimate(&hosts, Some(1), &[], &req) {
            Estimate::Exact(s) => assert_eq!(s.total_fen, 45000),
            other => panic!("expected an exact price, got {other:?}"),
        }
        // Any host: both fit a party of 3.
        assert_eq!(
            estimate(&hosts, None, &[], &req),
            Estimate::Range {
                low_fen: 2 * (12000 + 3000) + 5000,
                high_fen: 45000
            }
        );
        // Host 1 has one bed left on the first night: only host 2 fits.
        let days = vec![avail(
            date!(2026 - 11 - 28),
            DayStatus::FewLeft,
            &[(1, 1), (2, 3)],
        )];
        assert_eq!(
            estimate(&hosts, None, &days, &req),
            Estimate::Range {
                low_fen: 35000,
                high_fen: 35000
            }
        );
        req.adults = 7;
        assert_eq!(estimate(&hosts, None, &[], &req), Estimate::None);
    }

    #[test]
    fn my_trips_merge_without_doubles_and_coming_first() {
        let today = date!(2026 - 11 - 22);
        let mut waiting = LocalTrip::new(
            "w".into(),
            0.0,
            request(date!(2026 - 12 - 10), 1, 2, 0),
            LocalText::new("刘村", "Liu Village"),
            None,
            None,
            LocalText::new("", ""),
        );
        let mut kept = waiting.clone();
        kept.id = "a".into();
        kept.state = TripState::Booked {
            booking: Kept::new(&booking("a", date!(2026 - 12 - 01))),
        };
        let server = vec![
            booking("a", date!(2026 - 12 - 01)),
            booking("past", date!(2026 - 11 - 01)),
            booking("soon", date!(2026 - 11 - 25)),
        ];
        let merged = merge_trips(&[waiting.clone(), kept.clone()], &server, today);
        let ids: Vec<&str> = merged.iter().map(|t| t.id()).collect();
        assert_eq!(ids, vec!["soon", "a", "w", "past"]);
        assert!(matches!(merged[2], ListedTrip::Local(_)));

        // A cancellation by the server reaches the phone's copy.
        let mut cancelled = booking("a", date!(2026 - 12 - 01));
        cancelled.status = BookingStatus::Cancelled;
        let mut local = vec![kept, waiting.clone()];
        assert!(refresh(&mut local, &[cancelled.clone()]));
        assert_eq!(local[0].booking(), Some(&cancelled));
        assert!(!refresh(&mut local, &[cancelled]));

        // Kept as JSON in localStorage, waiting or booked.
        waiting.state = TripState::Waiting(Retry::parked(LocalText::new("请登录", "log in")));
        local.push(waiting);
        let json = serde_json::to_string(&local).unwrap();
        assert_eq!(
            serde_json::from_str::<Vec<LocalTrip>>(&json).unwrap(),
            local
        );
    }

    #[test]
    fn a_refused_booking_reads_back_with_what_is_free() {
        let refused = TripState::Refused {
            reason: "no room".into(),
            reason_zh: "没有空床".into(),
            fields: vec![FieldError::new("host_id", "没有空床", "no room")],
            no_room: Some(NoRoom {
                beds_needed: 3,
                host_id: Some(1),
                nights: vec![],
                other_hosts: vec![],
            }),
        };
        let json = serde_json::to_string(&refused).unwrap();
        assert_eq!(serde_json::from_str::<TripState>(&json).unwrap(), refused);
        // As versions before bilingual messages and `no_room` wrote it.
        let old: TripState =
            serde_json::from_str(r#"{"reason":"closed","state":"refused"}"#).unwrap();
        assert!(matches!(old, TripState::Refused { no_room: None, .. }));
        for (bad, says) in [
            (r#"{"state":"booked"}"#, "missing field `booking`"),
            (
                r#"{"state":"waiting","next_attempt_ms":0}"#,
                "missing field `attempts`",
            ),
            (r#"{"state":"gone"}"#, "unknown variant `gone`"),
        ] {
            let err = serde_json::from_str::<TripState>(bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn a_booking_from_elsewhere_is_kept_once() {
        let mut all = vec![];
        let b = booking("x", date!(2026 - 12 - 04));
        LocalTrip::keep(&mut all, &b, 5.0);
        LocalTrip::keep(&mut all, &b, 6.0);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].booking(), Some(&b));
        assert_eq!(all[0].request.host_id, Some(1));
        let mut cancelled = b.clone();
        cancelled.status = BookingStatus::Cancelled;
        LocalTrip::keep(&mut all, &cancelled, 7.0);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].booking(), Some(&cancelled));
    }

    #[test]
    fn cancelling_follows_the_policy_instant() {
        let b = booking("a", date!(2026 - 12 - 04));
        assert!(can_cancel(&b, datetime!(2026-11-30 23:59 +8)));
        assert!(!can_cancel(&b, datetime!(2026-12-01 00:00 +8)));
        let mut cancelled = b.clone();
        cancelled.can_cancel = false;
        assert!(!can_cancel(&cancelled, datetime!(2026-11-22 00:00 +8)));
    }
}
