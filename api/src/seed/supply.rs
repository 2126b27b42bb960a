//! Demo supplies: how much each household can deliver of each of its
//! products in every round. Seeded when the `supply` table is empty, also
//! into a database made by an earlier version (villages and rounds already
//! there); existing rows are never touched.
//!
//! Deterministic: the quantity is picked from the product's per-household
//! range (`supply` in `seed/demo.json`, else a default for its category) by
//! a hash of the round, household and product ids. Seasonal products get
//! supply only in rounds whose distribution day falls in their season.

use std::collections::HashMap;

use super::Seeded;
use domain::{dto::Category, MonthSet};
use sqlx::{FromRow, SqlitePool};

use crate::{
    db::parse_date,
    seed::demo::{SeedFile, DEMO_JSON},
};

/// Largest per-household supply a seed file may give.
pub const MAX_SEED_SUPPLY: i64 = 1000;

/// What one household supplies per round by default, `[min, max]` units.
pub fn default_range(category: Category) -> [i64; 2] {
    match category {
        // kg of eggs from a free-range flock
        Category::Eggs => [5, 20],
        // kg of a cut, or whole birds
        Category::Meat => [2, 6],
        Category::Grain => [10, 50],
        Category::Fruit | Category::Vegetable => [10, 40],
        Category::Processed => [3, 15],
        Category::Other => [2, 10],
    }
}

/// A quantity in `range` that depends only on the three ids.
pub fn pick(range: [i64; 2], round_id: i64, household_id: i64, product_id: i64) -> i64 {
    let [min, max] = range;
    let span = (max - min + 1).max(1) as u64;
    let mut x = (round_id as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((household_id as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
        .wrapping_add((product_id as u64).wrapping_mul(0x1656_67B1_9E37_79F9));
    // splitmix64 finalizer
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    min + (x % span) as i64
}

#[derive(Debug, FromRow)]
struct Pair {
    round_id: i64,
    distribution_day: String,
    household_id: i64,
    product_id: i64,
    category: String,
    all_year: i64,
    months_mask: i64,
    product_name_en: String,
    village_slug: String,
}

/// Counts the rows already there: any, and this step leaves the database alone.
const EMPTY: &str = "SELECT COUNT(*) FROM supply";
const FAILED: &str = "seeding supplies failed";

/// Seeds supplies if there are none. Returns the number of rows inserted,
/// `None` when the table already had rows.
pub async fn seed_if_empty(pool: &SqlitePool) -> Seeded<usize> {
    let Some(mut tx) = super::begin_if_empty(pool, EMPTY, FAILED).await? else {
        return Ok(None);
    };
    let db = super::failed(FAILED);
    let file = SeedFile::parse(DEMO_JSON)?;
    let ranges: HashMap<(&str, &str), [i64; 2]> = file
        .villages
        .iter()
        .flat_map(|v| {
            v.products
                .iter()
                .filter_map(move |p| p.supply.map(|r| ((v.slug.as_str(), p.name.en.as_str()), r)))
        })
        .collect();

    // Only pairs where the household makes the product, in the round's village.
    let pairs: Vec<Pair> = sqlx::query_as(
        "SELECT r.id AS round_id, r.distribution_day, ph.household_id, ph.product_id,
                p.category, p.all_year, p.months_mask, p.name_en AS product_name_en,
                v.slug AS village_slug
         FROM distribution_round r
         JOIN village v ON v.id = r.village_id
         JOIN product p ON p.village_id = r.village_id
         JOIN product_household ph ON ph.product_id = p.id
         JOIN household h ON h.id = ph.household_id AND h.village_id = r.village_id
         ORDER BY r.id, ph.product_id, ph.household_id",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;

    let mut inserted = 0;
    for pair in &pairs {
        let Some(day) = parse_date(&pair.distribution_day) else {
            continue;
        };
        if pair.all_year == 0 {
            let in_season = u16::try_from(pair.months_mask)
                .ok()
                .and_then(|m| MonthSet::from_mask(m).ok())
                .is_some_and(|months| months.contains(day.month() as u8));
            if !in_season {
                continue;
            }
        }
        let range = ranges
            .get(&(pair.village_slug.as_str(), pair.product_name_en.as_str()))
            .copied()
            .unwrap_or_else(|| {
                default_range(Category::parse(&pair.category).unwrap_or(Category::Other))
            });
        sqlx::query(
            "INSERT INTO supply (round_id, household_id, product_id, quantity) VALUES (?, ?, ?, ?)",
        )
        .bind(pair.round_id)
        .bind(pair.household_id)
        .bind(pair.product_id)
        .bind(pick(
            range,
            pair.round_id,
            pair.household_id,
            pair.product_id,
        ))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        inserted += 1;
    }
    tx.commit().await.map_err(db)?;
    Ok(Some(inserted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_are_deterministic_and_in_range() {
        let mut seen = std::collections::HashSet::new();
        for round in 1..20 {
            for household in 1..10 {
                for product in 1..10 {
                    let q = pick([5, 20], round, household, product);
                    assert!((5..=20).contains(&q));
                    assert_eq!(q, pick([5, 20], round, household, product));
                    seen.insert(q);
                }
            }
        }
        // Spread over the whole range, not stuck on a few values.
        assert_eq!(seen.len(), 16);
        assert_eq!(pick([1, 1], 3, 4, 5), 1);
        assert_eq!(pick([0, 0], 3, 4, 5), 0);
    }

    #[test]
    fn egg_households_supply_5_to_20_kg() {
        assert_eq!(default_range(Category::Eggs), [5, 20]);
        assert_eq!(default_range(Category::Grain), [10, 50]);
    }
}
