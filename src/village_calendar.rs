//! The village's seasonal calendar: products grouped by where their season
//! stands today. Pure, unit-tested natively.

use domain::dto::ProductSummary;
use domain::{season_status, SeasonStatus};
use time::Date;

/// How far ahead "coming soon" looks on the village calendar.
pub const COMING_SOON_WEEKS: u8 = 6;

/// The sections of the village calendar, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarGroup {
    InSeason,
    ComingSoon,
    AllYear,
    Later,
}

impl CalendarGroup {
    pub fn of(status: SeasonStatus) -> Self {
        match status {
            SeasonStatus::InSeason => CalendarGroup::InSeason,
            SeasonStatus::ComingSoon { .. } => CalendarGroup::ComingSoon,
            SeasonStatus::AllYear => CalendarGroup::AllYear,
            SeasonStatus::OutOfSeason { .. } => CalendarGroup::Later,
        }
    }

    /// Stable ids for the page's anchors and tests.
    pub fn id(self) -> &'static str {
        match self {
            CalendarGroup::InSeason => "in-season",
            CalendarGroup::ComingSoon => "coming-soon",
            CalendarGroup::AllYear => "all-year",
            CalendarGroup::Later => "later",
        }
    }
}

/// Products grouped for the calendar on `today`; empty groups are left out.
/// Within a group, the soonest season comes first, then the catalogue order.
pub fn group_calendar(
    products: &[ProductSummary],
    today: Date,
) -> Vec<(CalendarGroup, Vec<(ProductSummary, SeasonStatus)>)> {
    let mut with_status: Vec<_> = products
        .iter()
        .map(|p| (p.clone(), season_status(p.season, today, COMING_SOON_WEEKS)))
        .collect();
    with_status.sort_by_key(|(p, s)| {
        (
            s.sort_rank(),
            start_of(*s),
            p.category.as_str() == "other",
            p.id,
        )
    });
    let mut groups: Vec<(CalendarGroup, Vec<(ProductSummary, SeasonStatus)>)> = Vec::new();
    for (p, s) in with_status {
        let g = CalendarGroup::of(s);
        match groups.last_mut() {
            Some((last, items)) if *last == g => items.push((p, s)),
            _ => groups.push((g, vec![(p, s)])),
        }
    }
    groups
}

fn start_of(s: SeasonStatus) -> Option<Date> {
    match s {
        SeasonStatus::ComingSoon { starts } => Some(starts),
        SeasonStatus::OutOfSeason { next_start } => Some(next_start),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::dto::Category;
    use domain::{LocalText, MonthSet, Season};
    use time::macros::date;

    fn product(id: i64, season: Season) -> ProductSummary {
        ProductSummary {
            id,
            name: LocalText::new(format!("产品{id}"), format!("Product {id}")),
            category: Category::Fruit,
            unit: LocalText::new("公斤", "kg"),
            price_fen: 1000,
            local_price_fen: 700,
            season,
            photo: None,
        }
    }

    fn months(m: &[u8]) -> Season {
        Season::Months {
            months: MonthSet::from_months(m).unwrap(),
        }
    }

    #[test]
    fn groups_in_page_order_and_drops_empty_ones() {
        let today = date!(2026 - 11 - 22);
        let ps = vec![
            product(1, months(&[7, 8])),   // later
            product(2, Season::AllYear),   // all year
            product(3, months(&[11, 12])), // in season
            product(4, months(&[12, 1])),  // coming soon
        ];
        let groups = group_calendar(&ps, today);
        let order: Vec<_> = groups.iter().map(|(g, _)| *g).collect();
        assert_eq!(
            order,
            vec![
                CalendarGroup::InSeason,
                CalendarGroup::ComingSoon,
                CalendarGroup::AllYear,
                CalendarGroup::Later
            ]
        );
        assert_eq!(groups[0].1[0].0.id, 3);
        assert_eq!(groups[3].1[0].0.id, 1);

        let only_all_year = group_calendar(&[product(9, Season::AllYear)], today);
        assert_eq!(only_all_year.len(), 1);
        assert_eq!(only_all_year[0].0, CalendarGroup::AllYear);
    }

    #[test]
    fn later_products_sorted_by_next_start() {
        let today = date!(2026 - 11 - 22);
        let ps = vec![
            product(1, months(&[8])),
            product(2, months(&[4])),
            product(3, months(&[6])),
        ];
        let groups = group_calendar(&ps, today);
        let ids: Vec<_> = groups[0].1.iter().map(|(p, _)| p.id).collect();
        assert_eq!(ids, vec![2, 3, 1]);
    }
}
