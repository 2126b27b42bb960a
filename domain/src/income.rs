//! What the money did after the pickup, as answers and inputs: a round's
//! settlement as organisers see it, what they paid each household, each
//! household's income per round and per year, and the organising share's
//! ledger with its public yearly summary.
//!
//! The arithmetic is in [`crate::settlement`]; this module names what is
//! sent and checks what is typed.
//!
//! - `GET /api/organise/rounds/{id}/settlement` → [`RoundSettlement`]
//! - `PUT /api/organise/rounds/{id}/households/{hid}/payment`
//!   ([`PaymentInput`]) → [`HouseholdPayment`]; `DELETE` the same → 204
//! - `GET /api/organise/villages/{slug}/income?year=` → [`IncomeReport`]
//! - `GET /api/organise/households/{id}/income` → [`IncomeHistory`]
//! - `GET|POST /api/organise/villages/{slug}/share-spending?year=` →
//!   [`ShareLedger`] / ([`SpendingInput`]) → [`SpendingEntry`];
//!   `PUT|DELETE /api/organise/share-spending/{id}`
//! - `GET /api/villages/{slug}/share-spending?year=` → [`ShareSummary`],
//!   public: category totals only, nothing of any household.
//!
//! Income is the household's settled total of a round (its share of what
//! paid members bought, less its part of refunds), counted in the year of
//! the round's distribution day. Payment is what organisers recorded
//! handing over; the two are shown side by side, never mixed.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::{
    dto::Round,
    organise::OrganiserRef,
    settlement::{HouseholdSettlement, IncomeBand, Pickup},
    text::LocalText,
    validate::FieldError,
};

/// ¥1,000,000 in one entry or one payment is far above what a village
/// round moves; more is a typo.
pub const AMOUNT_MAX_FEN: i64 = 100_000_000;
/// A note on a ledger entry, per language.
pub const NOTE_MAX_CHARS: usize = 200;
/// Years a report can be asked for.
pub const YEAR_MIN: i32 = 2000;
pub const YEAR_MAX: i32 = 2100;

/// What an organiser recorded paying a household for a round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdPayment {
    pub amount_fen: i64,
    /// In Asia/Shanghai.
    #[serde(with = "crate::wire::date")]
    pub paid_on: Date,
    pub paid_by: OrganiserRef,
    #[serde(with = "crate::wire::datetime")]
    pub recorded_at: OffsetDateTime,
}

/// `PUT …/households/{hid}/payment`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentInput {
    pub amount_fen: i64,
    #[serde(with = "crate::wire::date")]
    pub paid_on: Date,
}

fn amount_error(field: &str, amount_fen: i64, zero_ok: bool) -> Option<FieldError> {
    if amount_fen < 0 || (!zero_ok && amount_fen == 0) {
        Some(FieldError::new(
            field,
            if zero_ok {
                "不能是负数"
            } else {
                "必须大于 0"
            },
            if zero_ok {
                "must not be negative"
            } else {
                "must be more than 0"
            },
        ))
    } else if amount_fen > AMOUNT_MAX_FEN {
        Some(FieldError::new(
            field,
            format!("最多 {}", crate::money::format_yuan(AMOUNT_MAX_FEN)),
            format!("must be at most {AMOUNT_MAX_FEN} fen"),
        ))
    } else {
        None
    }
}

fn day_error(field: &str, day: Date, today: Date, earliest: Option<Date>) -> Option<FieldError> {
    if day > today {
        Some(FieldError::new(
            field,
            "不能是将来的日期",
            "must not be in the future",
        ))
    } else if earliest.is_some_and(|e| day < e) {
        let e = crate::wire::format_date(earliest.unwrap_or(day));
        Some(FieldError::new(
            field,
            format!("不能早于 {e}"),
            format!("must not be before {e}"),
        ))
    } else {
        None
    }
}

impl PaymentInput {
    /// Every field at fault. `today` in Asia/Shanghai; `round_opened` the
    /// day the round's orders opened: no household is paid for it before.
    pub fn validate(&self, today: Date, round_opened: Date) -> Vec<FieldError> {
        let mut errors = Vec::new();
        errors.extend(amount_error("amount_fen", self.amount_fen, true));
        errors.extend(day_error(
            "paid_on",
            self.paid_on,
            today,
            Some(round_opened),
        ));
        errors
    }
}

/// One household's line of a round's settlement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettlementHousehold {
    pub name: LocalText,
    /// Registered as poor: organisers only, as is all of this.
    pub registered_poor: bool,
    pub earned: HouseholdSettlement,
    pub payment: Option<HouseholdPayment>,
}

/// An order left out of settlement because it is not paid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettlementUnpaid {
    pub order_id: String,
    /// As on the labels, e.g. `LIU-000012`.
    pub order_number: String,
    pub pickup: Pickup,
    pub value_fen: i64,
    pub refunds_fen: i64,
}

/// `GET /api/organise/rounds/{id}/settlement`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundSettlement {
    pub round: Round,
    pub organising_percent: u8,
    /// Every household with a piece in the round, by name.
    pub households: Vec<SettlementHousehold>,
    /// What paid members paid.
    pub collected_fen: i64,
    /// Refunds of paid orders.
    pub refunds_fen: i64,
    /// What paid orders' pieces were worth at their prices.
    pub value_fen: i64,
    /// collected − value: kept by the organising share.
    pub difference_fen: i64,
    pub organising_fen: i64,
    pub households_fen: i64,
    /// What organisers recorded paying the households so far.
    pub paid_out_fen: i64,
    pub unpaid: Vec<SettlementUnpaid>,
    /// households + organising share = collected − refunds.
    pub reconciles: bool,
}

/// A household's income from one round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundIncome {
    pub round_id: i64,
    #[serde(with = "crate::wire::date")]
    pub distribution_day: Date,
    /// Settled: its share of paid orders, less its part of refunds.
    pub earned_fen: i64,
    /// Its share of orders not paid yet.
    pub pending_fen: i64,
    /// What organisers recorded paying it, if they have.
    pub paid_fen: Option<i64>,
}

/// One household in the village's yearly report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdIncome {
    pub household_id: i64,
    pub name: LocalText,
    pub registered_poor: bool,
    /// Rounds of the year in which it had a piece, by day.
    pub rounds: Vec<RoundIncome>,
    pub year_fen: i64,
    pub band: IncomeBand,
}

/// How many households fall in a band, and what they earned together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BandCount {
    pub band: IncomeBand,
    pub households: i64,
    pub total_fen: i64,
}

/// The registered-poor households' part, shown apart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoorTotal {
    pub households: i64,
    pub total_fen: i64,
}

/// `GET /api/organise/villages/{slug}/income?year=`: organisers only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomeReport {
    pub year: i32,
    /// Years with a distribution round, newest first: what can be asked.
    pub years: Vec<i32>,
    /// Every current household of the village (none earned: under ¥1,000).
    pub households: Vec<HouseholdIncome>,
    /// All four bands, lowest first.
    pub bands: Vec<BandCount>,
    pub poor: PoorTotal,
    pub total_fen: i64,
}

/// A household's income in one year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearIncome {
    pub year: i32,
    pub earned_fen: i64,
    pub band: IncomeBand,
}

/// `GET /api/organise/households/{id}/income`: every round and year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomeHistory {
    pub household_id: i64,
    pub rounds: Vec<RoundIncome>,
    /// Oldest first.
    pub years: Vec<YearIncome>,
}

/// A household's income per year, oldest first: each round counts in the
/// year of its distribution day (in Asia/Shanghai), whatever order the
/// rounds come in; each year gets its band.
pub fn years_of(rounds: &[RoundIncome]) -> Vec<YearIncome> {
    let mut by_year: std::collections::BTreeMap<i32, i64> = std::collections::BTreeMap::new();
    for r in rounds {
        *by_year.entry(r.distribution_day.year()).or_default() += r.earned_fen;
    }
    by_year
        .into_iter()
        .map(|(year, earned_fen)| YearIncome {
            year,
            earned_fen,
            band: IncomeBand::of(earned_fen),
        })
        .collect()
}

/// Counts households into the four bands, and the poor apart.
pub fn bands(households: &[HouseholdIncome]) -> (Vec<BandCount>, PoorTotal) {
    let mut out: Vec<BandCount> = IncomeBand::ALL
        .into_iter()
        .map(|band| BandCount {
            band,
            households: 0,
            total_fen: 0,
        })
        .collect();
    let mut poor = PoorTotal::default();
    for h in households {
        if let Some(b) = out.iter_mut().find(|b| b.band == h.band) {
            b.households += 1;
            b.total_fen += h.year_fen;
        }
        if h.registered_poor {
            poor.households += 1;
            poor.total_fen += h.year_fen;
        }
    }
    (out, poor)
}

/// The year of `?year=`: four digits in a sensible range.
pub fn year(field: &str, raw: &str) -> Result<i32, FieldError> {
    match raw.parse::<i32>() {
        Ok(y) if raw.len() == 4 && (YEAR_MIN..=YEAR_MAX).contains(&y) => Ok(y),
        _ => Err(FieldError::new(
            field,
            format!("必须是 {YEAR_MIN} 到 {YEAR_MAX} 之间的年份，例如 2026"),
            format!("must be a year from {YEAR_MIN} to {YEAR_MAX}, like 2026"),
        )),
    }
}

/// What the organising share paid for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShareCategory {
    Packing,
    Transport,
    /// Waste disposal.
    Waste,
    /// Cultural activities.
    Culture,
    Other,
}

impl ShareCategory {
    pub const ALL: [ShareCategory; 5] = [
        Self::Packing,
        Self::Transport,
        Self::Waste,
        Self::Culture,
        Self::Other,
    ];

    /// As stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Packing => "packing",
            Self::Transport => "transport",
            Self::Waste => "waste",
            Self::Culture => "culture",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn text(self) -> LocalText {
        match self {
            Self::Packing => LocalText::new("包装", "packing"),
            Self::Transport => LocalText::new("运输", "transport"),
            Self::Waste => LocalText::new("垃圾处理", "waste disposal"),
            Self::Culture => LocalText::new("文化活动", "cultural activities"),
            Self::Other => LocalText::new("其他", "other"),
        }
    }
}

/// `POST …/share-spending`, `PUT /api/organise/share-spending/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpendingInput {
    #[serde(with = "crate::wire::date")]
    pub spent_on: Date,
    pub category: ShareCategory,
    pub amount_fen: i64,
    #[serde(default)]
    pub note_zh: String,
    #[serde(default)]
    pub note_en: String,
}

impl SpendingInput {
    /// Every field at fault; notes come back trimmed. `today` in
    /// Asia/Shanghai.
    pub fn validate(mut self, today: Date) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        errors.extend(amount_error("amount_fen", self.amount_fen, false));
        errors.extend(day_error("spent_on", self.spent_on, today, None));
        for (field, note) in [
            ("note_zh", &mut self.note_zh),
            ("note_en", &mut self.note_en),
        ] {
            *note = note.trim().to_string();
            if note.chars().count() > NOTE_MAX_CHARS {
                errors.push(FieldError::new(
                    field,
                    format!("最多 {NOTE_MAX_CHARS} 个字"),
                    format!("must be at most {NOTE_MAX_CHARS} characters"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// One entry of the ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpendingEntry {
    pub id: i64,
    #[serde(with = "crate::wire::date")]
    pub spent_on: Date,
    pub category: ShareCategory,
    pub amount_fen: i64,
    pub note: LocalText,
    pub by: OrganiserRef,
}

/// A category's total in a year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryTotal {
    pub category: ShareCategory,
    pub amount_fen: i64,
}

/// Totals by category, every category listed, in [`ShareCategory::ALL`] order.
pub fn category_totals<'a>(
    entries: impl IntoIterator<Item = (ShareCategory, i64)> + 'a,
) -> Vec<CategoryTotal> {
    let mut out: Vec<CategoryTotal> = ShareCategory::ALL
        .into_iter()
        .map(|category| CategoryTotal {
            category,
            amount_fen: 0,
        })
        .collect();
    for (category, amount) in entries {
        if let Some(t) = out.iter_mut().find(|t| t.category == category) {
            t.amount_fen += amount;
        }
    }
    out
}

/// `GET /api/organise/villages/{slug}/share-spending?year=`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareLedger {
    pub year: i32,
    pub summary: ShareFigures,
    /// The year's entries, newest first.
    pub entries: Vec<SpendingEntry>,
    /// Since the village began: every settled round's share less every
    /// entry.
    pub balance_all_time_fen: i64,
}

/// A year's figures of the organising share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareFigures {
    /// The village's percent today.
    pub organising_percent: u8,
    /// The organising share of the year's settled rounds.
    pub collected_fen: i64,
    pub spent_fen: i64,
    /// collected − spent.
    pub balance_fen: i64,
    pub by_category: Vec<CategoryTotal>,
    /// Years with a round or an entry, newest first.
    pub years: Vec<i32>,
}

/// `GET /api/villages/{slug}/share-spending?year=`: public.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareSummary {
    pub year: i32,
    pub figures: ShareFigures,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn household(id: i64, poor: bool, year_fen: i64) -> HouseholdIncome {
        HouseholdIncome {
            household_id: id,
            name: LocalText::new("户", "household"),
            registered_poor: poor,
            rounds: vec![],
            year_fen,
            band: IncomeBand::of(year_fen),
        }
    }

    #[test]
    fn years_add_their_rounds_in_any_order_and_take_their_band() {
        let round = |id, day, earned_fen| RoundIncome {
            round_id: id,
            distribution_day: day,
            earned_fen,
            pending_fen: 0,
            paid_fen: None,
        };
        let rounds = [
            round(3, date!(2027 - 01 - 05), 40_000),
            round(1, date!(2026 - 11 - 18), 60_000),
            round(2, date!(2026 - 12 - 31), 50_000),
        ];
        let years = years_of(&rounds);
        assert_eq!(
            years,
            [
                YearIncome {
                    year: 2026,
                    earned_fen: 110_000,
                    band: IncomeBand::From1kTo5k
                },
                YearIncome {
                    year: 2027,
                    earned_fen: 40_000,
                    band: IncomeBand::Under1k
                },
            ]
        );
        assert!(years_of(&[]).is_empty());
    }

    #[test]
    fn bands_count_every_household_once_and_the_poor_apart() {
        let hs = [
            household(1, true, 0),
            household(2, false, 99_999),
            household(3, true, 100_000),
            household(4, false, 1_000_000),
            household(5, false, 2_000_000),
        ];
        let (bands, poor) = bands(&hs);
        let counts: Vec<i64> = bands.iter().map(|b| b.households).collect();
        assert_eq!(counts, [2, 1, 0, 2]);
        assert_eq!(bands[3].total_fen, 3_000_000);
        assert_eq!(bands.iter().map(|b| b.total_fen).sum::<i64>(), 3_199_999);
        assert_eq!(
            poor,
            PoorTotal {
                households: 2,
                total_fen: 100_000
            }
        );
    }

    #[test]
    fn a_payment_may_be_zero_but_not_negative_future_or_before_the_round() {
        let today = date!(2026 - 12 - 01);
        let opened = date!(2026 - 11 - 01);
        let ok = PaymentInput {
            amount_fen: 0,
            paid_on: today,
        };
        assert!(ok.validate(today, opened).is_empty());
        let bad = PaymentInput {
            amount_fen: -1,
            paid_on: date!(2026 - 12 - 02),
        };
        let fields: Vec<String> = bad
            .validate(today, opened)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["amount_fen", "paid_on"]);
        let early = PaymentInput {
            amount_fen: 100,
            paid_on: date!(2026 - 10 - 31),
        };
        let e = early.validate(today, opened);
        assert_eq!(e.len(), 1);
        assert!(e[0].message.contains("2026-11-01"), "{e:?}");
    }

    #[test]
    fn a_spending_entry_needs_a_positive_amount_a_past_day_and_short_notes() {
        let today = date!(2026 - 12 - 01);
        let entry = SpendingInput {
            spent_on: today,
            category: ShareCategory::Transport,
            amount_fen: 12_000,
            note_zh: "  三轮车油费 ".into(),
            note_en: String::new(),
        };
        assert_eq!(entry.clone().validate(today).unwrap().note_zh, "三轮车油费");
        let bad = SpendingInput {
            amount_fen: 0,
            spent_on: date!(2027 - 01 - 01),
            note_en: "x".repeat(NOTE_MAX_CHARS + 1),
            ..entry
        };
        let fields: Vec<String> = bad
            .validate(today)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["amount_fen", "spent_on", "note_en"]);
    }

    #[test]
    fn category_totals_list_every_category_in_order() {
        let t = category_totals([
            (ShareCategory::Culture, 500),
            (ShareCategory::Packing, 200),
            (ShareCategory::Culture, 300),
        ]);
        assert_eq!(t.len(), 5);
        assert_eq!(t[0].amount_fen, 200);
        assert_eq!(t[3].amount_fen, 800);
        assert_eq!(t.iter().map(|c| c.amount_fen).sum::<i64>(), 1000);
    }

    #[test]
    fn years_are_four_digits_in_range() {
        assert_eq!(year("year", "2026"), Ok(2026));
        for bad in ["26", "02026", "1999", "2101", "abcd", "", "-2026"] {
            assert!(year("year", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn categories_round_trip() {
        for c in ShareCategory::ALL {
            assert_eq!(ShareCategory::parse(c.as_str()), Some(c));
        }
        assert_eq!(ShareCategory::parse("fun"), None);
    }
}
