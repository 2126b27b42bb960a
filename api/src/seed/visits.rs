//! Demo visit offers: host households, each village's visit policy and
//! closed days, from `api/seed/visits.json` (embedded at build time). Seeded
//! when the `host` and `visit_policy` tables are both empty, also into a
//! database made by an earlier version; existing rows are never touched.
//!
//! Hosts are demo households of the same village, found by English name.
//! Open dates run from the seeding day (Asia/Shanghai) for `open_days`
//! days; closed days are offsets from the seeding day.

use super::Seeded;
use domain::{
    validate,
    visit::{HostPrices, MealSet},
    FieldError, LocalText,
};
use serde::Deserialize;
use sqlx::SqlitePool;
use time::{Duration, OffsetDateTime};

use crate::db::format_date;

pub const VISITS_JSON: &str = include_str!("../../seed/visits.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitSeed {
    pub villages: Vec<SeedVisitVillage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedVisitVillage {
    pub slug: String,
    pub open_days: u32,
    pub closed_day_offsets: Vec<u32>,
    pub max_party: u32,
    pub max_nights: u32,
    pub free_cancel_days_before: u32,
    pub hosts: Vec<SeedHost>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedHost {
    /// The household's English name, in the same village.
    pub household: String,
    pub beds: u32,
    pub meals: MealSet,
    pub prices: HostPrices,
    pub description: LocalText,
    pub rules: LocalText,
}

impl VisitSeed {
    pub fn parse(json: &str) -> Result<Self, String> {
        let seed: VisitSeed =
            serde_json::from_str(json).map_err(|e| format!("visit seed is not valid: {e}"))?;
        let mut errors = Vec::new();
        for (vi, v) in seed.villages.iter().enumerate() {
            let at = format!("villages[{vi}]");
            if let Err(e) = validate::slug(&format!("{at}.slug"), &v.slug) {
                errors.push(e);
            }
            if !(1..=30).contains(&v.max_party) || !(1..=30).contains(&v.max_nights) {
                errors.push(FieldError::new(
                    &at,
                    "max_party 和 max_nights 必须在 1–30 之间",
                    "max_party and max_nights must be 1–30",
                ));
            }
            if v.open_days == 0 || v.open_days > 366 || v.free_cancel_days_before > 60 {
                errors.push(FieldError::new(
                    &at,
                    "open_days 必须在 1–366 之间，free_cancel_days_before 最多 60",
                    "open_days must be 1–366, free_cancel_days_before at most 60",
                ));
            }
            for (hi, h) in v.hosts.iter().enumerate() {
                let at = format!("{at}.hosts[{hi}]");
                let p = h.prices;
                for (f, fen) in [
                    ("adult_night_fen", p.adult_night_fen),
                    ("child_night_fen", p.child_night_fen),
                    ("meal_adult_fen", p.meal_adult_fen),
                    ("meal_child_fen", p.meal_child_fen),
                ] {
                    if let Err(e) = validate::price_fen(&format!("{at}.prices.{f}"), fen) {
                        errors.push(e);
                    }
                }
                if !(1..=100).contains(&h.beds) {
                    errors.push(FieldError::new(
                        format!("{at}.beds"),
                        "必须在 1–100 之间",
                        "must be 1–100",
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(seed)
        } else {
            let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
            Err(format!("visit seed is not valid:\n{}", list.join("\n")))
        }
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct VisitsReport {
    pub policies: usize,
    pub hosts: usize,
    pub closed_days: usize,
}

/// Counts the rows already there: any, and this step leaves the database alone.
const EMPTY: &str = "SELECT (SELECT COUNT(*) FROM host) + (SELECT COUNT(*) FROM visit_policy)";
const FAILED: &str = "seeding visit offers failed";

/// Seeds visit offers if there are no hosts and no policies. A village or
/// household of the seed file missing from the database is skipped.
pub async fn seed_if_empty(pool: &SqlitePool, now: OffsetDateTime) -> Seeded<VisitsReport> {
    let seed = VisitSeed::parse(VISITS_JSON)?;
    let Some(mut tx) = super::begin_if_empty(pool, EMPTY, FAILED).await? else {
        return Ok(None);
    };
    let db = super::failed(FAILED);
    let today = domain::shanghai_date(now);
    let mut report = VisitsReport::default();
    for v in &seed.villages {
        let village: Option<(i64,)> = sqlx::query_as("SELECT id FROM village WHERE slug = ?")
            .bind(&v.slug)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let Some((village_id,)) = village else {
            continue;
        };
        let until = today + Duration::days(i64::from(v.open_days) - 1);
        sqlx::query(
            "INSERT INTO visit_policy (village_id, open_from, open_until, max_party, max_nights, free_cancel_days_before)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(village_id)
        .bind(format_date(today))
        .bind(format_date(until))
        .bind(v.max_party)
        .bind(v.max_nights)
        .bind(v.free_cancel_days_before)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        report.policies += 1;
        for &offset in &v.closed_day_offsets {
            let day = today + Duration::days(i64::from(offset));
            let done =
                sqlx::query("INSERT OR IGNORE INTO closed_day (village_id, day) VALUES (?, ?)")
                    .bind(village_id)
                    .bind(format_date(day))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
            report.closed_days += done.rows_affected() as usize;
        }
        for h in &v.hosts {
            let household: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM household WHERE village_id = ? AND name_en = ?")
                    .bind(village_id)
                    .bind(&h.household)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?;
            let Some((household_id,)) = household else {
                tracing::warn!(village = %v.slug, household = %h.household, "visit seed: no such household; skipped");
                continue;
            };
            sqlx::query(
                "INSERT INTO host (household_id, beds, breakfast, lunch, dinner,
                                   adult_night_fen, child_night_fen, meal_adult_fen, meal_child_fen,
                                   description_zh, description_en, rules_zh, rules_en)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(household_id)
            .bind(h.beds)
            .bind(h.meals.breakfast)
            .bind(h.meals.lunch)
            .bind(h.meals.dinner)
            .bind(h.prices.adult_night_fen)
            .bind(h.prices.child_night_fen)
            .bind(h.prices.meal_adult_fen)
            .bind(h.prices.meal_child_fen)
            .bind(&h.description.zh)
            .bind(&h.description.en)
            .bind(&h.rules.zh)
            .bind(&h.rules.en)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            report.hosts += 1;
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(Some(report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::demo::{SeedFile, DEMO_JSON};

    #[test]
    fn the_visit_seed_is_valid_and_names_real_households() {
        let seed = VisitSeed::parse(VISITS_JSON).unwrap();
        let demo = SeedFile::parse(DEMO_JSON).unwrap();
        assert!(seed.villages.len() >= 3);
        for v in &seed.villages {
            let village = demo
                .villages
                .iter()
                .find(|d| d.slug == v.slug)
                .unwrap_or_else(|| panic!("village {} in demo.json", v.slug));
            assert!((2..=4).contains(&v.hosts.len()), "{}", v.slug);
            for h in &v.hosts {
                assert!(
                    village.households.iter().any(|d| d.name.en == h.household),
                    "{} is a household of {}",
                    h.household,
                    v.slug
                );
                assert!(h.prices.child_night_fen <= h.prices.adult_night_fen);
            }
        }
    }
}
