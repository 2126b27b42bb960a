//! Distribution rounds: when a round takes orders. Orders are accepted from
//! `opens_at` up to, but not including, the `deadline` (server time; both
//! instants carry their Asia/Shanghai offset).

use time::OffsetDateTime;

use crate::dto::Round;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundPhase {
    /// Orders are not open yet.
    NotYetOpen,
    /// Orders are being taken.
    Open,
    /// The deadline has passed; the round is being packed or delivered.
    Closed,
}

impl Round {
    pub fn phase(&self, now: OffsetDateTime) -> RoundPhase {
        if now < self.opens_at {
            RoundPhase::NotYetOpen
        } else if now < self.deadline {
            RoundPhase::Open
        } else {
            RoundPhase::Closed
        }
    }
}

/// The round a shopper can order for now, or else the next one to open.
pub fn next_orderable(rounds: &[Round], now: OffsetDateTime) -> Option<&Round> {
    rounds
        .iter()
        .filter(|r| r.phase(now) != RoundPhase::Closed)
        .min_by_key(|r| (r.phase(now) != RoundPhase::Open, r.deadline))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn round(id: i64, opens: OffsetDateTime, deadline: OffsetDateTime) -> Round {
        Round {
            id,
            opens_at: opens,
            deadline,
            distribution_day: date!(2026 - 12 - 01),
        }
    }

    #[test]
    fn phases_around_the_deadline() {
        let r = round(
            1,
            datetime!(2026-11-10 20:00 +8),
            datetime!(2026-11-28 20:00 +8),
        );
        assert_eq!(
            r.phase(datetime!(2026-11-10 19:59:59 +8)),
            RoundPhase::NotYetOpen
        );
        assert_eq!(r.phase(datetime!(2026-11-10 20:00 +8)), RoundPhase::Open);
        assert_eq!(r.phase(datetime!(2026-11-28 19:59:59 +8)), RoundPhase::Open);
        // The deadline itself is too late.
        assert_eq!(r.phase(datetime!(2026-11-28 20:00 +8)), RoundPhase::Closed);
        // The same instant written in UTC.
        assert_eq!(r.phase(datetime!(2026-11-28 12:00 UTC)), RoundPhase::Closed);
        assert_eq!(r.phase(datetime!(2026-11-28 11:59 UTC)), RoundPhase::Open);
    }

    #[test]
    fn next_orderable_prefers_the_open_round() {
        let closed = round(
            1,
            datetime!(2026-11-01 0:00 +8),
            datetime!(2026-11-20 20:00 +8),
        );
        let open = round(
            2,
            datetime!(2026-11-20 20:00 +8),
            datetime!(2026-12-10 20:00 +8),
        );
        let later = round(
            3,
            datetime!(2026-12-10 20:00 +8),
            datetime!(2026-12-30 20:00 +8),
        );
        let now = datetime!(2026-11-23 9:00 +8);
        let all = [closed.clone(), later.clone(), open.clone()];
        assert_eq!(next_orderable(&all, now).map(|r| r.id), Some(2));
        // Between rounds, the next to open.
        assert_eq!(
            next_orderable(&[closed.clone(), later.clone()], now).map(|r| r.id),
            Some(3)
        );
        assert_eq!(next_orderable(&[closed], now), None);
    }
}
