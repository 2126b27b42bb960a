//! Demo data: `api/seed/demo.json`, embedded at build time, is loaded into an
//! empty database on start, in one transaction. A database that already has
//! villages is never touched.
//!
//! Every record is checked with the domain rules first; an invalid seed file
//! stops startup with a list of every problem found.

use std::collections::{HashMap, HashSet};

use super::Seeded;
use domain::{
    dto::Category, organise::ProductInput, validate, FieldError, LocalText, Season, SHANGHAI,
};
use serde::Deserialize;
use sqlx::SqlitePool;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

use crate::{
    db::{format_date, parse_date, parse_hhmm},
    organise::products::insert_product,
};

pub const DEMO_JSON: &str = include_str!("../../seed/demo.json");

/// Past rounds generated per village, before the upcoming ones.
pub const PAST_ROUNDS: i64 = 2;
/// Upcoming rounds generated per village.
pub const FUTURE_ROUNDS: i64 = 6;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    pub villages: Vec<SeedVillage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedVillage {
    pub slug: String,
    pub name: LocalText,
    pub region: LocalText,
    pub city: LocalText,
    pub distance_km: u32,
    pub tagline: LocalText,
    pub story: LocalText,
    pub organisers: Vec<LocalText>,
    pub organising_percent: u8,
    pub households: Vec<SeedHousehold>,
    pub products: Vec<SeedProduct>,
    pub distribution_points: Vec<SeedPoint>,
    /// `null` (or absent) for a village without distribution rounds.
    #[serde(default)]
    pub rounds: Option<SeedRounds>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedHousehold {
    /// Links products to households inside the seed file only.
    pub key: String,
    pub name: LocalText,
    pub story: LocalText,
    /// 'YYYY-MM-DD'.
    pub member_since: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedProduct {
    pub name: LocalText,
    pub category: Category,
    pub unit: LocalText,
    pub price_fen: i64,
    /// Local village-market price; 0 or absent when unknown.
    #[serde(default)]
    pub local_price_fen: i64,
    pub season: Season,
    pub description: LocalText,
    /// Keys of the producing households of the same village.
    pub households: Vec<String>,
    /// What one household supplies per round, `[min, max]` units; absent:
    /// a default for the category (see `seed::supply`).
    #[serde(default)]
    pub supply: Option<[i64; 2]>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPoint {
    pub name: LocalText,
    pub address: LocalText,
    /// 'HH:MM', Asia/Shanghai.
    pub pickup_from: String,
    pub pickup_to: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRounds {
    pub every_days: u32,
    pub deadline_days_before: u32,
    /// 'HH:MM', Asia/Shanghai.
    pub deadline_time: String,
}

/// A distribution round as it will be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedRound {
    pub opens_at: OffsetDateTime,
    pub deadline: OffsetDateTime,
    pub distribution_day: Date,
}

/// What was inserted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub villages: usize,
    pub households: usize,
    pub products: usize,
    pub distribution_points: usize,
    pub rounds: usize,
}

impl SeedFile {
    /// Parses and validates; the error lists every problem found.
    pub fn parse(json: &str) -> Result<Self, String> {
        let file: SeedFile = serde_json::from_str(json)
            .map_err(|e| format!("seed file is not valid JSON for the seed schema: {e}"))?;
        let errors = file.validate();
        if errors.is_empty() {
            Ok(file)
        } else {
            let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
            Err(format!(
                "seed file has {} invalid value(s):\n{}",
                errors.len(),
                list.join("\n")
            ))
        }
    }

    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut check = |r: Result<(), FieldError>| {
            if let Err(e) = r {
                errors.push(e);
            }
        };
        let mut slugs = HashSet::new();
        if self.villages.is_empty() {
            check(Err(FieldError::new(
                "villages",
                "至少要有一个村子",
                "must list at least one village",
            )));
        }
        for (vi, v) in self.villages.iter().enumerate() {
            let at = format!("villages[{vi}]");
            check(validate::slug(&format!("{at}.slug"), &v.slug));
            if !slugs.insert(v.slug.as_str()) {
                check(Err(FieldError::new(
                    format!("{at}.slug"),
                    format!("“{}”用了两次", v.slug),
                    format!("'{}' is used twice", v.slug),
                )));
            }
            for (field, text) in [("name", &v.name), ("region", &v.region), ("city", &v.city)] {
                name_pair(&mut check, &format!("{at}.{field}"), text);
            }
            for (field, text) in [("tagline", &v.tagline), ("story", &v.story)] {
                prose_pair(&mut check, &format!("{at}.{field}"), text);
            }
            check(validate::organising_percent(
                &format!("{at}.organising_percent"),
                v.organising_percent,
            ));
            for (i, o) in v.organisers.iter().enumerate() {
                name_pair(&mut check, &format!("{at}.organisers[{i}]"), o);
            }

            let mut keys = HashSet::new();
            for (hi, h) in v.households.iter().enumerate() {
                let at = format!("{at}.households[{hi}]");
                if h.key.trim().is_empty() {
                    check(Err(FieldError::new(
                        format!("{at}.key"),
                        "不能为空",
                        "must not be empty",
                    )));
                } else if !keys.insert(h.key.as_str()) {
                    check(Err(FieldError::new(
                        format!("{at}.key"),
                        format!("“{}”用了两次", h.key),
                        format!("'{}' is used twice", h.key),
                    )));
                }
                name_pair(&mut check, &format!("{at}.name"), &h.name);
                prose_pair(&mut check, &format!("{at}.story"), &h.story);
                if parse_date(&h.member_since).is_none() {
                    check(Err(FieldError::new(
                        format!("{at}.member_since"),
                        "必须是 YYYY-MM-DD 格式的日期",
                        "must be a date YYYY-MM-DD",
                    )));
                }
            }

            for (pi, p) in v.products.iter().enumerate() {
                let at = format!("{at}.products[{pi}]");
                name_pair(&mut check, &format!("{at}.name"), &p.name);
                name_pair(&mut check, &format!("{at}.unit"), &p.unit);
                check(validate::price_fen(&format!("{at}.price_fen"), p.price_fen));
                if p.local_price_fen != 0 {
                    check(validate::price_fen(
                        &format!("{at}.local_price_fen"),
                        p.local_price_fen,
                    ));
                }
                if let Season::Months { months } = p.season {
                    check(validate::months(
                        &format!("{at}.season.months"),
                        &months.months(),
                    ));
                }
                prose_pair(&mut check, &format!("{at}.description"), &p.description);
                if let Some([min, max]) = p.supply {
                    if !(0 <= min && min <= max && max <= crate::seed::supply::MAX_SEED_SUPPLY) {
                        check(Err(FieldError::new(
                            format!("{at}.supply"),
                            format!(
                                "必须是 [min, max]，且 0 <= min <= max <= {}",
                                crate::seed::supply::MAX_SEED_SUPPLY
                            ),
                            format!(
                                "must be [min, max] with 0 <= min <= max <= {}",
                                crate::seed::supply::MAX_SEED_SUPPLY
                            ),
                        )));
                    }
                }
                if p.households.is_empty() {
                    check(Err(FieldError::new(
                        format!("{at}.households"),
                        "至少要写一户农户",
                        "must name at least one household",
                    )));
                }
                let mut seen = HashSet::new();
                for key in &p.households {
                    if !keys.contains(key.as_str()) {
                        check(Err(FieldError::new(
                            format!("{at}.households"),
                            format!("“{key}”不是村子 {} 的农户", v.slug),
                            format!("'{key}' is not a household of village '{}'", v.slug),
                        )));
                    } else if !seen.insert(key) {
                        check(Err(FieldError::new(
                            format!("{at}.households"),
                            format!("“{key}”写了两次"),
                            format!("'{key}' is listed twice"),
                        )));
                    }
                }
            }

            for (di, d) in v.distribution_points.iter().enumerate() {
                let at = format!("{at}.distribution_points[{di}]");
                name_pair(&mut check, &format!("{at}.name"), &d.name);
                prose_pair(&mut check, &format!("{at}.address"), &d.address);
                match (parse_hhmm(&d.pickup_from), parse_hhmm(&d.pickup_to)) {
                    (Some(from), Some(to)) if from < to => {}
                    (Some(_), Some(_)) => check(Err(FieldError::new(
                        format!("{at}.pickup_to"),
                        "必须晚于 pickup_from",
                        "must be later than pickup_from",
                    ))),
                    (from, to) => {
                        for (field, ok) in
                            [("pickup_from", from.is_some()), ("pickup_to", to.is_some())]
                        {
                            if !ok {
                                check(Err(FieldError::new(
                                    format!("{at}.{field}"),
                                    "必须是 HH:MM 格式的时间",
                                    "must be a time HH:MM",
                                )));
                            }
                        }
                    }
                }
            }

            if let Some(r) = &v.rounds {
                let at = format!("{at}.rounds");
                if !(1..=366).contains(&r.every_days) {
                    check(Err(FieldError::new(
                        format!("{at}.every_days"),
                        "必须是 1 到 366 天",
                        "must be from 1 to 366 days",
                    )));
                }
                if r.deadline_days_before >= r.every_days {
                    check(Err(FieldError::new(
                        format!("{at}.deadline_days_before"),
                        "必须小于 every_days，让每一轮都有一段时间可以下单",
                        "must be less than every_days, so each round is open for a while",
                    )));
                }
                if parse_hhmm(&r.deadline_time).is_none() {
                    check(Err(FieldError::new(
                        format!("{at}.deadline_time"),
                        "必须是 HH:MM 格式的时间",
                        "must be a time HH:MM",
                    )));
                }
            }
        }
        errors
    }
}

/// Both languages of a name follow [`validate::name`].
fn name_pair(check: &mut impl FnMut(Result<(), FieldError>), at: &str, text: &LocalText) {
    check(validate::name(&format!("{at}.zh"), &text.zh));
    check(validate::name(&format!("{at}.en"), &text.en));
}

/// Longer text (stories, addresses) must at least be present in both languages.
fn prose_pair(check: &mut impl FnMut(Result<(), FieldError>), at: &str, text: &LocalText) {
    for (lang, value) in [("zh", &text.zh), ("en", &text.en)] {
        if value.trim().is_empty() {
            check(Err(FieldError::new(
                format!("{at}.{lang}"),
                "不能为空",
                "must not be empty",
            )));
        }
    }
}

/// The rounds of the `village_index`-th village seeded on `today` (a date in
/// Asia/Shanghai): [`PAST_ROUNDS`] past ones and [`FUTURE_ROUNDS`] upcoming
/// ones, `every_days` apart. The first upcoming distribution day is 5–10 days
/// from today (varying by village), but always less than `every_days` away so
/// the past rounds are really past. The deadline is `deadline_days_before`
/// days before distribution at `deadline_time`; a round opens at the previous
/// round's deadline, the first at midnight `every_days` before its
/// distribution day. Expects a validated `rounds`.
pub fn plan_rounds(rounds: &SeedRounds, today: Date, village_index: usize) -> Vec<PlannedRound> {
    let every = i64::from(rounds.every_days.max(1));
    let before = Duration::days(i64::from(rounds.deadline_days_before));
    let deadline_time = parse_hhmm(&rounds.deadline_time).unwrap_or(Time::MIDNIGHT);
    let first_future = (5 + (village_index % 6) as i64).min(every - 1);
    let at = |day: Date, t: Time| PrimitiveDateTime::new(day, t).assume_offset(SHANGHAI);

    let mut planned: Vec<PlannedRound> = Vec::new();
    for k in -PAST_ROUNDS..FUTURE_ROUNDS {
        let day = today + Duration::days(first_future + k * every);
        let opens_at = match planned.last() {
            Some(prev) => prev.deadline,
            None => at(day - Duration::days(every), Time::MIDNIGHT),
        };
        planned.push(PlannedRound {
            opens_at,
            deadline: at(day - before, deadline_time),
            distribution_day: day,
        });
    }
    planned
}

/// Counts the rows already there: any, and this step leaves the database alone.
const EMPTY: &str = "SELECT COUNT(*) FROM village";
const FAILED: &str = "seeding failed";

/// Loads the embedded demo data if the database has no village yet.
/// Returns `None` when the database was left alone.
pub async fn seed_if_empty(pool: &SqlitePool, now: OffsetDateTime) -> Seeded<SeedReport> {
    let Some(mut tx) = super::begin_if_empty(pool, EMPTY, FAILED).await? else {
        return Ok(None);
    };
    let db = super::failed(FAILED);
    let file = SeedFile::parse(DEMO_JSON)?;
    let today = domain::shanghai_date(now);
    let mut report = SeedReport::default();

    for (vi, v) in file.villages.iter().enumerate() {
        let village_id = sqlx::query(
            "INSERT INTO village (slug, name_zh, name_en, region_zh, region_en, city_zh, city_en, distance_km,
                tagline_zh, tagline_en, story_zh, story_en, organising_percent)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&v.slug)
        .bind(&v.name.zh)
        .bind(&v.name.en)
        .bind(&v.region.zh)
        .bind(&v.region.en)
        .bind(&v.city.zh)
        .bind(&v.city.en)
        .bind(i64::from(v.distance_km))
        .bind(&v.tagline.zh)
        .bind(&v.tagline.en)
        .bind(&v.story.zh)
        .bind(&v.story.en)
        .bind(i64::from(v.organising_percent))
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .last_insert_rowid();
        report.villages += 1;

        for (position, o) in v.organisers.iter().enumerate() {
            sqlx::query("INSERT INTO village_organiser (village_id, position, name_zh, name_en) VALUES (?, ?, ?, ?)")
                .bind(village_id)
                .bind(position as i64)
                .bind(&o.zh)
                .bind(&o.en)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }

        let mut household_ids: HashMap<&str, i64> = HashMap::new();
        for h in &v.households {
            let id = sqlx::query(
                "INSERT INTO household (village_id, name_zh, name_en, story_zh, story_en, member_since, demo)
                 VALUES (?, ?, ?, ?, ?, ?, 1)",
            )
            .bind(village_id)
            .bind(&h.name.zh)
            .bind(&h.name.en)
            .bind(&h.story.zh)
            .bind(&h.story.en)
            // Re-formatted so the stored text is canonical.
            .bind(parse_date(&h.member_since).map(format_date).unwrap_or_default())
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .last_insert_rowid();
            household_ids.insert(h.key.as_str(), id);
            report.households += 1;
        }

        for p in &v.products {
            let input = ProductInput {
                name: p.name.clone(),
                description: p.description.clone(),
                category: p.category,
                unit: p.unit.clone(),
                price_fen: p.price_fen,
                local_price_fen: p.local_price_fen,
                season: p.season,
                household_ids: Vec::new(),
                published: true,
            };
            let product_id = insert_product(&mut tx, village_id, &input)
                .await
                .map_err(db)?;
            for key in &p.households {
                let household_id = household_ids[key.as_str()]; // checked by validate()
                sqlx::query(
                    "INSERT INTO product_household (product_id, household_id) VALUES (?, ?)",
                )
                .bind(product_id)
                .bind(household_id)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            }
            report.products += 1;
        }

        for d in &v.distribution_points {
            sqlx::query(
                "INSERT INTO distribution_point (village_id, name_zh, name_en, address_zh, address_en, pickup_from, pickup_to)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(village_id)
            .bind(&d.name.zh)
            .bind(&d.name.en)
            .bind(&d.address.zh)
            .bind(&d.address.en)
            .bind(&d.pickup_from)
            .bind(&d.pickup_to)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            report.distribution_points += 1;
        }

        if let Some(rounds) = &v.rounds {
            for r in plan_rounds(rounds, today, vi) {
                sqlx::query(
                    "INSERT INTO distribution_round (village_id, opens_at, deadline, distribution_day, organising_percent)
                     VALUES (?1, ?2, ?3, ?4, (SELECT organising_percent FROM village WHERE id = ?1))",
                )
                .bind(village_id)
                .bind(r.opens_at.unix_timestamp())
                .bind(r.deadline.unix_timestamp())
                .bind(format_date(r.distribution_day))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                report.rounds += 1;
            }
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(Some(report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn embedded_demo_file_is_valid() {
        if let Err(e) = SeedFile::parse(DEMO_JSON) {
            panic!("{e}");
        }
    }

    fn rounds(every_days: u32, deadline_days_before: u32, deadline_time: &str) -> SeedRounds {
        SeedRounds {
            every_days,
            deadline_days_before,
            deadline_time: deadline_time.into(),
        }
    }

    #[test]
    fn rounds_are_spaced_with_two_past_and_six_upcoming() {
        let today = date!(2026 - 11 - 22);
        for vi in 0..8 {
            let plan = plan_rounds(&rounds(20, 3, "20:00"), today, vi);
            assert_eq!(plan.len(), 8);
            assert_eq!(
                plan.iter().filter(|r| r.distribution_day < today).count(),
                2
            );
            let first_future = plan[2].distribution_day;
            assert!(
                (5..=10).contains(&(first_future - today).whole_days()),
                "{first_future}"
            );
            for w in plan.windows(2) {
                assert_eq!(
                    (w[1].distribution_day - w[0].distribution_day).whole_days(),
                    20
                );
                assert_eq!(w[1].opens_at, w[0].deadline);
            }
            for r in &plan {
                assert!(r.opens_at < r.deadline);
                assert_eq!(r.deadline.offset(), SHANGHAI);
                assert_eq!(r.deadline.date(), r.distribution_day - Duration::days(3));
                assert_eq!((r.deadline.hour(), r.deadline.minute()), (20, 0));
            }
            // The first upcoming round can still be ordered from.
            assert!(plan[2].deadline.date() > today);
        }
    }

    #[test]
    fn first_round_opens_a_period_before_its_day() {
        let plan = plan_rounds(&rounds(20, 3, "20:00"), date!(2026 - 11 - 22), 0);
        // Village 0: first upcoming round 5 days ahead.
        assert_eq!(plan[2].distribution_day, date!(2026 - 11 - 27));
        assert_eq!(plan[0].distribution_day, date!(2026 - 10 - 18));
        assert_eq!(plan[0].opens_at, datetime!(2026-09-28 00:00 +8));
        assert_eq!(plan[0].deadline, datetime!(2026-10-15 20:00 +8));
    }

    #[test]
    fn short_cycles_keep_past_rounds_in_the_past() {
        let today = date!(2026 - 01 - 01);
        let plan = plan_rounds(&rounds(7, 2, "18:30"), today, 5);
        assert_eq!(
            plan.iter().filter(|r| r.distribution_day < today).count(),
            2
        );
        assert_eq!(plan[2].distribution_day, date!(2026 - 01 - 07));
        assert_eq!(plan[7].distribution_day, date!(2026 - 02 - 11));
    }

    fn minimal(extra: &str) -> String {
        format!(
            r#"{{"villages":[{{"slug":"x","name":{{"zh":"村","en":"X"}},"region":{{"zh":"省","en":"R"}},
            "city":{{"zh":"京","en":"B"}},"distance_km":10,"tagline":{{"zh":"t","en":"t"}},
            "story":{{"zh":"s","en":"s"}},"organisers":[],"organising_percent":15,
            "households":[{{"key":"a","name":{{"zh":"甲","en":"Jia"}},"story":{{"zh":"s","en":"s"}},"member_since":"2011-05-01"}}],
            "products":[{{"name":{{"zh":"蛋","en":"Eggs"}},"category":"eggs","unit":{{"zh":"斤","en":"jin"}},
              "price_fen":3600,"local_price_fen":2600,"season":{{"kind":"all_year"}},
              "description":{{"zh":"d","en":"d"}},"households":["a"]}}],
            "distribution_points":[{{"name":{{"zh":"点","en":"P"}},"address":{{"zh":"址","en":"A"}},
              "pickup_from":"09:00","pickup_to":"11:30"}}],
            "rounds":{extra}}}]}}"#
        )
    }

    #[test]
    fn minimal_file_parses() {
        SeedFile::parse(&minimal("null")).unwrap();
        SeedFile::parse(&minimal(
            r#"{"every_days":20,"deadline_days_before":3,"deadline_time":"20:00"}"#,
        ))
        .unwrap();
    }

    #[test]
    fn invalid_records_are_all_reported() {
        let json = minimal(r#"{"every_days":5,"deadline_days_before":5,"deadline_time":"8pm"}"#)
            .replace(r#""slug":"x""#, r#""slug":"Bad Slug""#)
            .replace("3600", "-1")
            .replace(r#""organising_percent":15"#, r#""organising_percent":30"#)
            .replace(r#""households":["a"]"#, r#""households":["nobody"]"#)
            .replace("2011-05-01", "2011-13-01")
            .replace(r#""pickup_to":"11:30""#, r#""pickup_to":"08:00""#)
            .replace(
                r#""households":["nobody"]"#,
                r#""households":["nobody"],"supply":[5,2]"#,
            );
        let err = SeedFile::parse(&json).unwrap_err();
        for field in [
            "villages[0].slug",
            "villages[0].organising_percent",
            "villages[0].products[0].price_fen",
            "villages[0].products[0].households",
            "villages[0].products[0].supply",
            "villages[0].households[0].member_since",
            "villages[0].distribution_points[0].pickup_to",
            "villages[0].rounds.deadline_days_before",
            "villages[0].rounds.deadline_time",
        ] {
            assert!(err.contains(field), "{field} missing from:\n{err}");
        }
    }

    #[test]
    fn schema_mistakes_are_refused() {
        let bad_month = minimal("null").replace(
            r#"{"kind":"all_year"}"#,
            r#"{"kind":"months","months":[13]}"#,
        );
        assert!(SeedFile::parse(&bad_month).is_err());
        let unknown_field =
            minimal("null").replace(r#""distance_km":10"#, r#""distance_km":10,"distanse":1"#);
        assert!(SeedFile::parse(&unknown_field).is_err());
        let bad_category = minimal("null").replace(r#""category":"eggs""#, r#""category":"cars""#);
        assert!(SeedFile::parse(&bad_category).is_err());
    }
}
