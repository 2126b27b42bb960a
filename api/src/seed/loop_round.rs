//! Demo of the whole loop in Liu Village's two past rounds, so a new user
//! sees what the workspace does after packing: the demo members' orders,
//! allocated to the households (labels), collected and paid at the point,
//! rated, a problem reported by label and refunded, the households paid
//! what settlement says they earned, and a few entries of
//! what the organising share paid for. Seeded when no pickup mark exists
//! and those rounds have no orders yet; existing rows are never touched.

use std::collections::HashMap;

use domain::{
    order::{line_totals, OrderLineRequest, OrderRequest},
    SHANGHAI,
};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use sqlx::{FromRow, SqliteConnection, SqlitePool};
use time::{Duration, OffsetDateTime, Time};

use super::Seeded;
use crate::{db::parse_date, organise::packing::store_allocation, shop::rounds::serves};

const EMPTY: &str = "SELECT COUNT(*) FROM pickup_mark";
const FAILED: &str = "seeding the demo of a past round failed";

/// The village whose past rounds show the loop.
const VILLAGE: &str = "liu";
/// Lines per demo order, and units per line at most.
const LINES_PER_ORDER: usize = 5;
const MAX_UNITS: i64 = 3;

#[derive(Debug, Default)]
pub struct LoopReport {
    pub rounds: usize,
    pub orders: usize,
    pub labels: i64,
}

#[derive(FromRow)]
struct PastRound {
    id: i64,
    opens_at: i64,
    distribution_day: String,
    organising_percent: i64,
}

#[derive(FromRow)]
struct Offer {
    product_id: i64,
    supplied: i64,
    price_fen: i64,
}

/// A UUID from the OS random generator, in the form orders use.
fn fresh_uuid() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// Seeds the demo loop if no pickup has been marked yet.
pub async fn seed_if_empty(pool: &SqlitePool, now: OffsetDateTime) -> Seeded<LoopReport> {
    let Some(mut tx) = super::begin_if_empty(pool, EMPTY, FAILED).await? else {
        return Ok(None);
    };
    let report = seed(&mut tx, now)
        .await
        .map_err(|e| format!("{FAILED}: {e}"))?;
    tx.commit().await.map_err(super::failed(FAILED))?;
    Ok(Some(report))
}

async fn seed(conn: &mut SqliteConnection, now: OffsetDateTime) -> Result<LoopReport, String> {
    let db = |e: sqlx::Error| e.to_string();
    let mut report = LoopReport::default();
    let Some((village_id,)): Option<(i64,)> =
        sqlx::query_as("SELECT id FROM village WHERE slug = ?")
            .bind(VILLAGE)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?
    else {
        return Ok(report);
    };
    let organiser: Option<(i64,)> = sqlx::query_as(
        "SELECT o.id FROM organiser o JOIN organiser_village ov ON ov.organiser_id = o.id
         WHERE ov.village_id = ? AND o.demo = 1 ORDER BY o.id LIMIT 1",
    )
    .bind(village_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let members: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT m.id, m.default_point_id FROM member m
         JOIN distribution_point d ON d.id = m.default_point_id
         WHERE d.village_id = ? AND m.suspended_at IS NULL ORDER BY m.id",
    )
    .bind(village_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let (Some((organiser_id,)), false) = (organiser, members.is_empty()) else {
        return Ok(report);
    };
    // Oldest first, so order numbers follow the calendar.
    let rounds: Vec<PastRound> = sqlx::query_as(
        "SELECT * FROM (
             SELECT r.id, r.opens_at, r.distribution_day, r.organising_percent
             FROM distribution_round r
             WHERE r.village_id = ? AND r.deadline < ?
               AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.round_id = r.id)
               AND NOT EXISTS (SELECT 1 FROM allocation a WHERE a.round_id = r.id)
             ORDER BY r.distribution_day DESC LIMIT 2)
         ORDER BY distribution_day",
    )
    .bind(village_id)
    .bind(now.unix_timestamp())
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;

    let latest = rounds.last().map(|r| r.id);
    for round in &rounds {
        let Some(day) = parse_date(&round.distribution_day) else {
            continue;
        };
        // Handed out at 10:30 on the day, Asia/Shanghai.
        let handed_out = day
            .with_time(Time::from_hms(10, 30, 0).expect("a valid time"))
            .assume_offset(SHANGHAI)
            .unix_timestamp();
        let offers: Vec<Offer> = sqlx::query_as(
            "SELECT s.product_id, SUM(s.quantity) AS supplied, p.price_fen
             FROM supply s JOIN product p ON p.id = s.product_id
             WHERE s.round_id = ? AND s.quantity > 0 AND p.published = 1
             GROUP BY s.product_id ORDER BY s.product_id",
        )
        .bind(round.id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let mut left: HashMap<i64, i64> =
            offers.iter().map(|o| (o.product_id, o.supplied)).collect();
        let percent = u8::try_from(round.organising_percent).map_err(|e| e.to_string())?;
        let mut orders = Vec::new();
        for (i, (member_id, default_point)) in members.iter().enumerate() {
            let point = if serves(conn, round.id, *default_point)
                .await
                .map_err(|e| format!("{e:?}"))?
            {
                *default_point
            } else {
                continue;
            };
            // Each member takes every other product, starting apart.
            let mut lines = Vec::new();
            for offer in offers.iter().skip(i % 2).step_by(2).take(LINES_PER_ORDER) {
                let quantity =
                    (1 + (offer.product_id + i as i64) % MAX_UNITS).min(left[&offer.product_id]);
                if quantity > 0 {
                    *left.get_mut(&offer.product_id).expect("offered") -= quantity;
                    lines.push((offer, quantity));
                }
            }
            if lines.is_empty() {
                continue;
            }
            let id = fresh_uuid();
            let request = OrderRequest {
                round_id: round.id,
                point_id: point,
                lines: lines
                    .iter()
                    .map(|(o, q)| OrderLineRequest {
                        product_id: o.product_id,
                        quantity: *q,
                    })
                    .collect(),
            };
            let placed = round.opens_at + 86_400 + 3_600 * i as i64;
            sqlx::query(
                "INSERT INTO orders (id, number, member_id, round_id, point_id, status, placed_request, created_at, updated_at)
                 VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM orders), ?, ?, ?, 'confirmed', ?, ?, ?)",
            )
            .bind(&id)
            .bind(member_id)
            .bind(round.id)
            .bind(point)
            .bind(serde_json::to_string(&request).map_err(|e| e.to_string())?)
            .bind(placed)
            .bind(placed)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
            let mut due = 0;
            for (offer, quantity) in &lines {
                let t = line_totals(offer.price_fen, *quantity, percent)
                    .map_err(|e| format!("{e:?}"))?;
                due += t.total_fen;
                sqlx::query(
                    "INSERT INTO order_line (order_id, product_id, quantity, unit_price_fen, total_fen, household_fen)
                     VALUES (?, ?, ?, ?, ?, ?)",
                )
                .bind(&id)
                .bind(offer.product_id)
                .bind(quantity)
                .bind(offer.price_fen)
                .bind(t.total_fen)
                .bind(t.household_fen)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            }
            orders.push((id, due));
        }
        if orders.is_empty() {
            continue;
        }
        store_allocation(conn, round.id, organiser_id, handed_out - 86_400)
            .await
            .map_err(|e| format!("{e:?}"))?;

        // Everyone collected and paid, by cash or by transfer.
        for (i, (order_id, due)) in orders.iter().enumerate() {
            sqlx::query(
                "INSERT INTO pickup_mark (mark_uuid, order_id, state, amount_fen, method, organiser_id, marked_at, recorded_at)
                 VALUES (?, ?, 'paid', ?, ?, ?, ?, ?)",
            )
            .bind(fresh_uuid())
            .bind(order_id)
            .bind(due)
            .bind(if i % 2 == 0 { "cash" } else { "transfer" })
            .bind(organiser_id)
            .bind(handed_out + 600 * i as i64)
            .bind(handed_out + 600 * i as i64)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
        if Some(round.id) == latest {
            rate_and_refund(conn, &orders, organiser_id, handed_out).await?;
        }
        report.rounds += 1;
        report.orders += orders.len();
    }
    if report.rounds > 0 {
        pay_households(conn, organiser_id, &rounds, now).await?;
        spend_share(conn, village_id, organiser_id, &rounds).await?;
    }
    let (labels,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM packed_line pl JOIN distribution_round r ON r.id = pl.round_id
         WHERE r.village_id = ?",
    )
    .bind(village_id)
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    report.labels = labels;
    Ok(report)
}

/// The first member liked everything; the second found a bad piece,
/// reported it by its label and got its price back.
async fn rate_and_refund(
    conn: &mut SqliteConnection,
    orders: &[(String, i64)],
    organiser_id: i64,
    handed_out: i64,
) -> Result<(), String> {
    let db = |e: sqlx::Error| e.to_string();
    let next_day = handed_out + 86_400;
    for (i, (order_id, _)) in orders.iter().enumerate() {
        let lines: Vec<(i64,)> = sqlx::query_as(
            "SELECT product_id FROM order_line WHERE order_id = ? ORDER BY product_id",
        )
        .bind(order_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        for (j, (product_id,)) in lines.iter().enumerate() {
            let (rating, comment) = match (i, j) {
                (0, 0) => ("good", "（示例）很新鲜，家里人都说好吃。"),
                (1, 0) => ("bad", "（示例）有一份到的时候已经坏了。"),
                (1, 1) => ("so_so", ""),
                _ => ("good", ""),
            };
            sqlx::query(
                "INSERT INTO rating (order_id, product_id, rating, comment, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(order_id)
            .bind(product_id)
            .bind(rating)
            .bind(comment)
            .bind(next_day)
            .bind(next_day)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
    }
    let Some((order_id, _)) = orders.get(1) else {
        return Ok(());
    };
    // The bad line's first piece.
    let piece: Option<(String, i64)> = sqlx::query_as(
        "SELECT pl.label_code, pl.quantity * ol.unit_price_fen
         FROM packed_line pl
         JOIN order_line ol ON ol.order_id = pl.order_id AND ol.product_id = pl.product_id
         WHERE pl.order_id = ? ORDER BY pl.product_id, pl.household_id LIMIT 1",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let Some((label, value)) = piece else {
        return Ok(());
    };
    let address_hash = hex::encode(Sha256::digest(b"demo"));
    let report_id = sqlx::query(
        "INSERT INTO label_report (label_code, problem, comment, address_hash, created_at, resolved_at, resolved_by)
         VALUES (?, 'spoiled', '（示例）打开时已经有一股坏味。', ?, ?, ?, ?)",
    )
    .bind(&label)
    .bind(address_hash)
    .bind(next_day)
    .bind(next_day + 7_200)
    .bind(organiser_id)
    .execute(&mut *conn)
    .await
    .map_err(db)?
    .last_insert_rowid();
    sqlx::query(
        "INSERT INTO refund (order_id, label_code, amount_fen, reason, report_id, organiser_id, created_at)
         VALUES (?, ?, ?, '（示例）到货时已变质，全额退款', ?, ?, ?)",
    )
    .bind(order_id)
    .bind(&label)
    .bind(value)
    .bind(report_id)
    .bind(organiser_id)
    .bind(next_day + 7_200)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// Each household paid what settlement says it is owed, two days after
/// the round (or today, if that is sooner).
async fn pay_households(
    conn: &mut SqliteConnection,
    organiser_id: i64,
    rounds: &[PastRound],
    now: OffsetDateTime,
) -> Result<(), String> {
    let today = domain::shanghai_date(now);
    for round in rounds {
        let Some(day) = parse_date(&round.distribution_day) else {
            continue;
        };
        let paid_on = (day + Duration::days(2)).min(today);
        let settled = crate::organise::settlement::settle_round(conn, round.id)
            .await
            .map_err(|e| format!("settling round {}: {e:?}", round.id))?;
        for h in settled.households.iter().filter(|h| h.total_fen >= 0) {
            sqlx::query(
                "INSERT INTO household_payment (round_id, household_id, amount_fen, paid_on, organiser_id, recorded_at)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(round.id)
            .bind(h.household_id)
            .bind(h.total_fen)
            .bind(crate::db::format_date(paid_on))
            .bind(organiser_id)
            .bind(paid_on.midnight().assume_offset(SHANGHAI).unix_timestamp() + 9 * 3600)
            .execute(&mut *conn)
            .await
            .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// What the organising share paid for around these rounds.
async fn spend_share(
    conn: &mut SqliteConnection,
    village_id: i64,
    organiser_id: i64,
    rounds: &[PastRound],
) -> Result<(), String> {
    const ENTRIES: [(&str, i64, &str, &str); 4] = [
        (
            "packing",
            8_600,
            "（示例）纸箱、蛋托和胶带",
            "(demo) Boxes, egg trays and tape",
        ),
        (
            "transport",
            24_000,
            "（示例）两趟进城的面包车",
            "(demo) Two van trips to the city",
        ),
        (
            "waste",
            3_000,
            "（示例）包装回收",
            "(demo) Taking back the packaging",
        ),
        (
            "culture",
            12_000,
            "（示例）村里的秋收晚会",
            "(demo) The village's harvest evening",
        ),
    ];
    let days: Vec<_> = rounds
        .iter()
        .filter_map(|r| parse_date(&r.distribution_day))
        .collect();
    for (i, (category, amount, zh, en)) in ENTRIES.iter().enumerate() {
        let day = days[i % days.len()] - Duration::days(i as i64 % 2);
        sqlx::query(
            "INSERT INTO share_spending (village_id, spent_on, category, amount_fen, note_zh, note_en, organiser_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(village_id)
        .bind(crate::db::format_date(day))
        .bind(category)
        .bind(amount)
        .bind(zh)
        .bind(en)
        .bind(organiser_id)
        .bind(day.midnight().assume_offset(SHANGHAI).unix_timestamp())
        .execute(&mut *conn)
        .await
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}
