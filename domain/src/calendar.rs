//! The seasonal product calendar: which months a product is available, and
//! what that means on a given day in Asia/Shanghai.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::validate::FieldError;

/// A set of calendar months (1–12), serialized as a sorted list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = Vec<u8>))]
#[serde(try_from = "Vec<u8>", into = "Vec<u8>")]
pub struct MonthSet(u16);

impl MonthSet {
    /// Builds a set, refusing months outside 1–12, repeats and an empty list.
    pub fn from_months(months: &[u8]) -> Result<Self, FieldError> {
        crate::validate::months("months", months)?;
        Ok(Self(months.iter().fold(0, |acc, m| acc | 1 << m)))
    }

    /// From the bit mask stored in the database (bit n = month n).
    pub fn from_mask(mask: u16) -> Result<Self, FieldError> {
        if mask == 0 || mask & !0b1_1111_1111_1110 != 0 {
            return Err(FieldError::new(
                "months",
                "月份必须在 1 到 12 之间",
                "month mask must name months 1–12",
            ));
        }
        Ok(Self(mask))
    }

    pub fn mask(self) -> u16 {
        self.0
    }

    pub fn contains(self, month: u8) -> bool {
        (1..=12).contains(&month) && self.0 & (1 << month) != 0
    }

    pub fn months(self) -> Vec<u8> {
        (1..=12).filter(|m| self.contains(*m)).collect()
    }
}

impl TryFrom<Vec<u8>> for MonthSet {
    type Error = String;
    fn try_from(v: Vec<u8>) -> Result<Self, String> {
        Self::from_months(&v).map_err(|e| e.message)
    }
}

impl From<MonthSet> for Vec<u8> {
    fn from(s: MonthSet) -> Self {
        s.months()
    }
}

/// When a product can be had. Durable goods (meat, eggs, grain, dried fruit)
/// are all-year; fresh fruit and vegetables have a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "SeasonWire")]
pub enum Season {
    AllYear,
    Months { months: MonthSet },
}

/// `Season` as it is read: the same JSON as a plain struct. serde reads a
/// tagged enum by buffering the whole value first, which costs every wasm
/// bundle that reads products several KB.
#[derive(Deserialize)]
struct SeasonWire {
    kind: SeasonKind,
    #[serde(default)]
    months: Option<Vec<u8>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum SeasonKind {
    AllYear,
    Months,
}

impl TryFrom<SeasonWire> for Season {
    type Error = String;
    fn try_from(w: SeasonWire) -> Result<Self, String> {
        match (w.kind, w.months) {
            (SeasonKind::AllYear, _) => Ok(Season::AllYear),
            (SeasonKind::Months, Some(months)) => {
                MonthSet::try_from(months).map(|months| Season::Months { months })
            }
            (SeasonKind::Months, None) => Err("missing field `months`".to_string()),
        }
    }
}

impl Season {
    pub fn is_available_in(self, month: u8) -> bool {
        match self {
            Season::AllYear => (1..=12).contains(&month),
            Season::Months { months } => months.contains(month),
        }
    }
}

/// Where a product stands on a given day (computed on each side, never sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeasonStatus {
    AllYear,
    InSeason,
    /// Its season starts within the look-ahead window.
    ComingSoon {
        starts: Date,
    },
    /// Its season starts later than the look-ahead window.
    OutOfSeason {
        next_start: Date,
    },
}

impl SeasonStatus {
    /// Order on the village page: in season now, coming soon, all year, later.
    pub fn sort_rank(self) -> u8 {
        match self {
            SeasonStatus::InSeason => 0,
            SeasonStatus::ComingSoon { .. } => 1,
            SeasonStatus::AllYear => 2,
            SeasonStatus::OutOfSeason { .. } => 3,
        }
    }
}

/// The status of a product with `season` on `today` (a date in
/// Asia/Shanghai), looking `within_weeks` weeks ahead for "coming soon".
pub fn season_status(season: Season, today: Date, within_weeks: u8) -> SeasonStatus {
    let months = match season {
        Season::AllYear => return SeasonStatus::AllYear,
        Season::Months { months } => months,
    };
    let this_month = today.month() as u8;
    if months.contains(this_month) {
        return SeasonStatus::InSeason;
    }
    // The set is never empty, so some month within the next 12 matches.
    let next_start = (1..=12u8)
        .map(|ahead| {
            let m0 = (this_month - 1 + ahead) % 12; // 0-based month
            let year = today.year() + i32::from((this_month - 1 + ahead) / 12);
            (m0 + 1, year)
        })
        .find(|(m, _)| months.contains(*m))
        .map(|(m, year)| {
            let month = Month::try_from(m).expect("1..=12");
            Date::from_calendar_date(year, month, 1).expect("first of month is valid")
        })
        .expect("month set is never empty");
    let days = (next_start - today).whole_days();
    if days <= i64::from(within_weeks) * 7 {
        SeasonStatus::ComingSoon { starts: next_start }
    } else {
        SeasonStatus::OutOfSeason { next_start }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn months(m: &[u8]) -> Season {
        Season::Months {
            months: MonthSet::from_months(m).unwrap(),
        }
    }

    #[test]
    fn all_year_is_all_year() {
        assert_eq!(
            season_status(Season::AllYear, date!(2026 - 11 - 22), 4),
            SeasonStatus::AllYear
        );
    }

    #[test]
    fn in_season_this_month() {
        let persimmon = months(&[10, 11, 12]);
        assert_eq!(
            season_status(persimmon, date!(2026 - 11 - 22), 4),
            SeasonStatus::InSeason
        );
    }

    #[test]
    fn coming_soon_within_window_across_year_end() {
        let s = months(&[1, 2]);
        assert_eq!(
            season_status(s, date!(2026 - 12 - 10), 4),
            SeasonStatus::ComingSoon {
                starts: date!(2027 - 01 - 01)
            }
        );
        // 22 days ahead is outside a 2-week window.
        assert_eq!(
            season_status(s, date!(2026 - 12 - 10), 2),
            SeasonStatus::OutOfSeason {
                next_start: date!(2027 - 01 - 01)
            }
        );
    }

    #[test]
    fn out_of_season_names_next_start() {
        let peaches = months(&[7, 8]);
        assert_eq!(
            season_status(peaches, date!(2026 - 11 - 22), 4),
            SeasonStatus::OutOfSeason {
                next_start: date!(2027 - 07 - 01)
            }
        );
        assert_eq!(
            season_status(peaches, date!(2026 - 03 - 05), 4),
            SeasonStatus::OutOfSeason {
                next_start: date!(2026 - 07 - 01)
            }
        );
    }

    #[test]
    fn edge_of_window_counts_as_coming() {
        // 2026-06-03 to 2026-07-01 is exactly 28 days.
        let s = months(&[7]);
        assert_eq!(
            season_status(s, date!(2026 - 06 - 03), 4),
            SeasonStatus::ComingSoon {
                starts: date!(2026 - 07 - 01)
            }
        );
        assert!(matches!(
            season_status(s, date!(2026 - 06 - 02), 4),
            SeasonStatus::OutOfSeason { .. }
        ));
    }

    #[test]
    fn month_set_round_trips_and_validates() {
        let s = MonthSet::from_months(&[12, 1, 6]).unwrap();
        assert_eq!(s.months(), vec![1, 6, 12]);
        assert_eq!(MonthSet::from_mask(s.mask()).unwrap(), s);
        assert_eq!(serde_json::to_string(&s).unwrap(), "[1,6,12]");
        assert!(serde_json::from_str::<MonthSet>("[0]").is_err());
        assert!(serde_json::from_str::<MonthSet>("[13]").is_err());
        assert!(serde_json::from_str::<MonthSet>("[]").is_err());
        assert!(MonthSet::from_mask(0).is_err());
        assert!(MonthSet::from_mask(1).is_err()); // bit 0 is not a month
    }

    #[test]
    fn season_json_shape() {
        let s = months(&[5, 6]);
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"kind":"months","months":[5,6]}"#
        );
        assert_eq!(
            serde_json::to_string(&Season::AllYear).unwrap(),
            r#"{"kind":"all_year"}"#
        );
        assert!(s.is_available_in(6) && !s.is_available_in(7));
    }

    #[test]
    fn season_reads_its_own_json_and_refuses_bad_shapes() {
        for s in [Season::AllYear, months(&[5, 6]), months(&[1, 12])] {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<Season>(&json).unwrap(), s, "{json}");
        }
        // Key order does not matter, nor stray months on an all-year product.
        assert_eq!(
            serde_json::from_str::<Season>(r#"{"months":[3],"kind":"months"}"#).unwrap(),
            months(&[3])
        );
        assert_eq!(
            serde_json::from_str::<Season>(r#"{"kind":"all_year","months":[3]}"#).unwrap(),
            Season::AllYear
        );
        for (bad, says) in [
            (r#"{"kind":"months"}"#, "missing field `months`"),
            (r#"{"kind":"months","months":[13]}"#, "13"),
            (r#"{"kind":"months","months":[]}"#, ""),
            (r#"{"kind":"summer"}"#, "unknown variant `summer`"),
            (r#"{"months":[3]}"#, "missing field `kind`"),
            (r#""all_year""#, ""),
        ] {
            let err = serde_json::from_str::<Season>(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn every_day_of_a_year_has_a_sane_status() {
        let s = months(&[3, 9]);
        let mut d = date!(2026 - 01 - 01);
        while d.year() == 2026 {
            match season_status(s, d, 4) {
                SeasonStatus::InSeason => assert!(s.is_available_in(d.month() as u8)),
                SeasonStatus::ComingSoon { starts }
                | SeasonStatus::OutOfSeason { next_start: starts } => {
                    assert!(starts > d);
                    assert_eq!(starts.day(), 1);
                    assert!(s.is_available_in(starts.month() as u8));
                }
                SeasonStatus::AllYear => panic!("not all-year"),
            }
            d = d.next_day().unwrap();
        }
    }
}
