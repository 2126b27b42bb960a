//! Rounds in the order an organiser works through them. Pure,
//! unit-tested natively.

use domain::dto::Round;
use time::Date;

/// An organiser's rounds in working order. First those still to be
/// distributed (today or later, Asia/Shanghai), soonest first: the nearest
/// is the one being packed or taking orders. Then past rounds, latest first.
pub fn rounds_in_working_order<T>(
    list: Vec<T>,
    today: Date,
    round: impl Fn(&T) -> &Round,
) -> (Vec<T>, Vec<T>) {
    let (mut ahead, mut past): (Vec<T>, Vec<T>) = list
        .into_iter()
        .partition(|r| round(r).distribution_day >= today);
    ahead.sort_by_key(|r| (round(r).distribution_day, round(r).id));
    past.sort_by_key(|r| std::cmp::Reverse((round(r).distribution_day, round(r).id)));
    (ahead, past)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rounds_to_come_soonest_first_then_past_latest_first() {
        use super::*;
        use time::macros::{date, datetime};
        let r = |id, day| Round {
            id,
            opens_at: datetime!(2026-01-01 0:00 +8),
            deadline: datetime!(2026-01-02 0:00 +8),
            distribution_day: day,
        };
        let list = vec![
            r(1, date!(2026 - 10 - 20)),
            r(5, date!(2026 - 12 - 18)),
            r(2, date!(2026 - 11 - 08)),
            r(3, date!(2026 - 11 - 23)),
            r(4, date!(2026 - 11 - 28)),
            r(6, date!(2026 - 11 - 28)),
        ];
        let (ahead, past) = rounds_in_working_order(list, date!(2026 - 11 - 23), |r| r);
        let ids = |l: &[Round]| l.iter().map(|r| r.id).collect::<Vec<_>>();
        // Distribution today is still ahead: it is being handed out.
        assert_eq!(ids(&ahead), [3, 4, 6, 5]);
        assert_eq!(ids(&past), [2, 1]);
    }
}
