//! Distribution rounds as stored, and which one is taking orders now.

use domain::{dto::Round, RoundPhase, SHANGHAI};
use sqlx::{FromRow, SqliteConnection};
use time::OffsetDateTime;

use crate::{
    db::parse_date,
    error::{Error, Result},
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

/// "2026-11-28 20:00 (Asia/Shanghai)".
pub(crate) fn shanghai_text(t: OffsetDateTime) -> String {
    let t = t.to_offset(SHANGHAI);
    format!(
        "{} {:02}:{:02} (Asia/Shanghai)",
        domain::wire::format_date(t.date()),
        t.hour(),
        t.minute()
    )
}

/// "2026-11-28 20:00（北京时间）": the same moment for the Chinese message.
pub(crate) fn shanghai_text_zh(t: OffsetDateTime) -> String {
    let t = t.to_offset(SHANGHAI);
    format!(
        "{} {:02}:{:02}（北京时间）",
        domain::wire::format_date(t.date()),
        t.hour(),
        t.minute()
    )
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
