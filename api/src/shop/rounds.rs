//! Distribution rounds as stored: which one is taking orders now, which
//! distribution points serve one, and how its times read in messages.

use domain::{
    dto::{DistributionPoint, Round},
    RoundPhase, SHANGHAI,
};
use sqlx::{FromRow, SqliteConnection};
use time::OffsetDateTime;

use crate::{
    db::parse_date,
    http::error::{Error, Result},
    shop::villages::{PointRow, POINT_COLUMNS},
};

/// `SELECT id, opens_at, deadline, distribution_day FROM distribution_round` rows.
#[derive(Debug, FromRow)]
pub(crate) struct RoundRow {
    pub id: i64,
    pub opens_at: i64,
    pub deadline: i64,
    pub distribution_day: String,
}

/// Unix seconds as a moment in Asia/Shanghai.
pub(crate) fn moment(secs: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(secs)
        .map(|t| t.to_offset(SHANGHAI))
        .map_err(|e| Error::internal(format_args!("bad timestamp {secs}: {e}")))
}

impl RoundRow {
    pub(crate) fn into_round(self) -> Result<Round> {
        Ok(Round {
            id: self.id,
            opens_at: moment(self.opens_at)?,
            deadline: moment(self.deadline)?,
            distribution_day: parse_date(&self.distribution_day).ok_or_else(|| {
                Error::internal(format_args!(
                    "round {}: bad distribution_day '{}'",
                    self.id, self.distribution_day
                ))
            })?,
        })
    }
}

/// The organising percent round `round_id` is priced with.
pub(crate) async fn round_percent(conn: &mut SqliteConnection, round_id: i64) -> Result<u8> {
    let (p,): (i64,) =
        sqlx::query_as("SELECT organising_percent FROM distribution_round WHERE id = ?")
            .bind(round_id)
            .fetch_one(conn)
            .await?;
    u8::try_from(p).map_err(|_| Error::internal(format_args!("round {round_id}: bad percent {p}")))
}

/// The village's round taking orders at `now` (by [`Round::phase`]); the
/// one closing first if rounds overlap.
pub(crate) async fn open_round(
    conn: &mut SqliteConnection,
    village_id: i64,
    now: OffsetDateTime,
) -> Result<Option<Round>> {
    let rows: Vec<RoundRow> = sqlx::query_as(
        "SELECT id, opens_at, deadline, distribution_day FROM distribution_round
         WHERE village_id = ? AND opens_at <= ? AND deadline > ?
         ORDER BY deadline, id",
    )
    .bind(village_id)
    .bind(now.unix_timestamp())
    .bind(now.unix_timestamp())
    .fetch_all(conn)
    .await?;
    for row in rows {
        let round = row.into_round()?;
        if round.phase(now) == RoundPhase::Open {
            return Ok(Some(round));
        }
    }
    Ok(None)
}

/// The open points serving the round: those chosen, or all of the village's.
pub(crate) async fn round_points(
    conn: &mut SqliteConnection,
    round_id: i64,
    village_id: i64,
) -> Result<Vec<DistributionPoint>> {
    let rows: Vec<PointRow> = sqlx::query_as(&format!(
        "SELECT {POINT_COLUMNS} FROM distribution_point d
         WHERE d.village_id = ?2 AND d.closed_at IS NULL
           AND (NOT EXISTS (SELECT 1 FROM round_point WHERE round_id = ?1)
                OR d.id IN (SELECT point_id FROM round_point WHERE round_id = ?1))
         ORDER BY d.id"
    ))
    .bind(round_id)
    .bind(village_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(PointRow::into_point).collect())
}

/// The rule of [`serves`] for an open point, as an SQL condition on `?1`
/// (the round) and `?2` (the point), for queries that check it in passing:
/// any point of the round's village when none were chosen.
pub(crate) const ROUND_SERVES_POINT: &str =
    "(NOT EXISTS (SELECT 1 FROM round_point WHERE round_id = ?1)
      OR EXISTS (SELECT 1 FROM round_point WHERE round_id = ?1 AND point_id = ?2))";

/// Whether `point_id` is open and serves `round_id`.
pub(crate) async fn serves(
    conn: &mut SqliteConnection,
    round_id: i64,
    point_id: i64,
) -> Result<bool> {
    let (ok,): (i64,) = sqlx::query_as(&format!(
        "SELECT NOT EXISTS (SELECT 1 FROM distribution_point WHERE id = ?2 AND closed_at IS NOT NULL)
                AND {ROUND_SERVES_POINT}"
    ))
    .bind(round_id)
    .bind(point_id)
    .fetch_one(conn)
    .await?;
    Ok(ok != 0)
}

/// "2026-11-28 20:00 (Asia/Shanghai)".
pub(crate) fn shanghai_text(t: OffsetDateTime) -> String {
    format!("{} (Asia/Shanghai)", shanghai_clock(t))
}

/// "2026-11-28 20:00（北京时间）": the same moment for the Chinese message.
pub(crate) fn shanghai_text_zh(t: OffsetDateTime) -> String {
    format!("{}（北京时间）", shanghai_clock(t))
}

/// "2026-11-28 20:00", in Asia/Shanghai.
fn shanghai_clock(t: OffsetDateTime) -> String {
    let t = t.to_offset(SHANGHAI);
    format!(
        "{} {:02}:{:02}",
        domain::wire::format_date(t.date()),
        t.hour(),
        t.minute()
    )
}

/// When what the village's pages show next changes with no write: the
/// soonest of a round opening, a round's deadline, and the next midnight in
/// Asia/Shanghai (the rounds still to come are those from today on).
/// The next midnight in Shanghai after `now`: what shows "today" changes.
pub(crate) fn next_midnight(now: OffsetDateTime) -> OffsetDateTime {
    domain::shanghai_date(now)
        .next_day()
        .map(|d| d.midnight().assume_offset(SHANGHAI))
        .unwrap_or(now)
}

pub(crate) async fn next_change(
    conn: &mut SqliteConnection,
    village_id: i64,
    now: OffsetDateTime,
) -> Result<OffsetDateTime> {
    let (soonest,): (Option<i64>,) = sqlx::query_as(
        "SELECT MIN(t) FROM (
           SELECT opens_at AS t FROM distribution_round WHERE village_id = ?1 AND opens_at > ?2
           UNION ALL
           SELECT deadline FROM distribution_round WHERE village_id = ?1 AND deadline > ?2)",
    )
    .bind(village_id)
    .bind(now.unix_timestamp())
    .fetch_one(conn)
    .await?;
    let midnight = next_midnight(now);
    Ok(match soonest {
        Some(t) => moment(t)?.min(midnight),
        None => midnight,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn deadline_text_is_in_shanghai_time() {
        assert_eq!(
            shanghai_text(datetime!(2026-11-28 12:00 UTC)),
            "2026-11-28 20:00 (Asia/Shanghai)"
        );
        assert_eq!(
            shanghai_text_zh(datetime!(2026-11-28 12:00 UTC)),
            "2026-11-28 20:00（北京时间）"
        );
    }
}
