//! The visit form's calendar maths: month grids, which days can be an
//! arrival, how long a stay may be, the beds a host has left over it, and
//! the days meals can be had. Pure, unit-tested natively.

use domain::dto::{AvailabilityMonth, DayAvailability};
use domain::visit::{self, DayStatus, VisitPolicy};
use time::{Date, Duration, Month};

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

/// The availability of a month, when loaded.
pub fn days_of(month: &Option<AvailabilityMonth>) -> Vec<DayAvailability> {
    month.as_ref().map(|m| m.days.clone()).unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use domain::dto::{BookingRequest, HostBeds};
    use domain::visit::CancellationPolicy;
    use time::macros::date;

    pub(crate) fn policy() -> VisitPolicy {
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

    pub(crate) fn avail(d: Date, status: DayStatus, hosts: &[(i64, u32)]) -> DayAvailability {
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

    pub(crate) fn request(
        arrival: Date,
        nights: u32,
        adults: u32,
        children: u32,
    ) -> BookingRequest {
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
}
