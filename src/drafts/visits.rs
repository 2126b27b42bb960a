//! The nights the visits page shows, as typed in its two date inputs.

use domain::wire;
use time::Date;

/// Longest range of nights one page asks for.
const MAX_DAYS: i64 = 92;

/// The first and last night asked for, when both dates read, in order and
/// at most [`MAX_DAYS`] apart.
pub fn visit_range(from: &str, to: &str) -> Option<(Date, Date)> {
    let f = wire::parse_date(from.trim())?;
    let t = wire::parse_date(to.trim())?;
    (f <= t && (t - f).whole_days() <= MAX_DAYS).then_some((f, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_reads_in_order_and_within_three_months() {
        let (f, t) = visit_range(" 2026-12-01", "2026-12-14 ").unwrap();
        assert_eq!((t - f).whole_days(), 13);
        assert!(visit_range("2026-12-01", "2026-12-01").is_some());
        assert!(visit_range("2026-12-01", "2027-03-03").is_some());
        assert!(visit_range("2026-12-01", "2027-03-04").is_none());
        assert!(visit_range("2026-12-14", "2026-12-01").is_none());
        assert!(visit_range("", "2026-12-01").is_none());
    }
}
