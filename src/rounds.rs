//! Rounds in the order an organiser works through them, and the supply
//! line a server's field error points at. Pure, unit-tested natively.

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

/// The entry a server's field name points at in a list it was sent, e.g.
/// 3 for `supplies[3].quantity` when `list` is "supplies".
pub fn list_index(field: &str, list: &str) -> Option<usize> {
    let rest = field.strip_prefix(list)?.strip_prefix('[')?;
    let (n, _) = rest.split_once(']')?;
    n.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_come_soonest_first_then_past_latest_first() {
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

    #[test]
    fn field_names_point_into_the_list_sent() {
        assert_eq!(list_index("supplies[3].quantity", "supplies"), Some(3));
        assert_eq!(list_index("supplies[12]", "supplies"), Some(12));
        assert_eq!(list_index("supplies", "supplies"), None);
        assert_eq!(list_index("lines[0].quantity", "supplies"), None);
        assert_eq!(list_index("supplies[x].quantity", "supplies"), None);
    }
}
