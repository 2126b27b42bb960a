//! A new round as typed: three Asia/Shanghai times and the ticked points;
//! and the points of an existing round.

use domain::organise::{point_list, validate_round, RoundInput, RoundPointsInput};
use domain::{wire, FieldError, SHANGHAI};
use time::OffsetDateTime;

/// The value of an `<input type=datetime-local>` showing `t` in Asia/Shanghai.
pub fn shanghai_input_value(t: OffsetDateTime) -> String {
    let l = t.to_offset(SHANGHAI);
    format!(
        "{}T{:02}:{:02}",
        wire::format_date(l.date()),
        l.hour(),
        l.minute()
    )
}

/// A `datetime-local` value read as Asia/Shanghai time, whatever zone the
/// phone is set to.
pub fn parse_shanghai_input(v: &str) -> Option<OffsetDateTime> {
    let v = v.trim();
    let s = match v.len() {
        16 => format!("{v}:00+08:00"),
        19 => format!("{v}+08:00"),
        _ => return None,
    };
    wire::parse_datetime(&s)
}

#[derive(Clone, Debug, PartialEq)]
pub struct RoundDraft {
    /// `datetime-local` values, Asia/Shanghai.
    pub opens_at: String,
    pub deadline: String,
    /// A `date` value.
    pub distribution_day: String,
    pub point_ids: Vec<i64>,
}

impl RoundDraft {
    /// A new round as the form starts: open from now, orders until 20:00 a
    /// week from today, handed out two days after that.
    pub fn new(now: OffsetDateTime) -> Self {
        let today = domain::shanghai_date(now);
        RoundDraft {
            opens_at: shanghai_input_value(now),
            deadline: format!(
                "{}T20:00",
                wire::format_date(today + time::Duration::days(7))
            ),
            distribution_day: wire::format_date(today + time::Duration::days(9)),
            point_ids: Vec::new(),
        }
    }

    /// What to send, or every field at fault: first the times that do not
    /// read (with no points as well), then the domain's round rules.
    pub fn to_input(&self, now: OffsetDateTime) -> Result<RoundInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let opens_at = parse_shanghai_input(&self.opens_at);
        let deadline = parse_shanghai_input(&self.deadline);
        let day = wire::parse_date(self.distribution_day.trim());
        for (field, missing) in [
            ("opens_at", opens_at.is_none()),
            ("deadline", deadline.is_none()),
            ("distribution_day", day.is_none()),
        ] {
            if missing {
                errors.push(FieldError::new(field, "必填", "required"));
            }
        }
        let (Some(opens_at), Some(deadline), Some(distribution_day)) = (opens_at, deadline, day)
        else {
            if self.point_ids.is_empty() {
                errors.push(FieldError::new("point_ids", "请选择", "choose"));
            }
            return Err(errors);
        };
        let input = RoundInput {
            opens_at,
            deadline,
            distribution_day,
            point_ids: self.point_ids.clone(),
        };
        let errors = validate_round(&input, now);
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

/// The points of a round as ticked, or why not (none ticked).
pub fn points_input(point_ids: Vec<i64>) -> Result<RoundPointsInput, Vec<FieldError>> {
    let errors = point_list("point_ids", &point_ids);
    if errors.is_empty() {
        Ok(RoundPointsInput { point_ids })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        parse_shanghai_input("2026-11-30T09:15").unwrap()
    }

    fn fields(e: Vec<FieldError>) -> Vec<String> {
        e.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn datetime_inputs_are_shanghai_time() {
        let t = parse_shanghai_input("2026-11-30T20:00").unwrap();
        assert_eq!(t.offset(), SHANGHAI);
        assert_eq!(wire::format_datetime(t), "2026-11-30T20:00:00+08:00");
        assert_eq!(
            shanghai_input_value(t.to_offset(time::UtcOffset::UTC)),
            "2026-11-30T20:00"
        );
        assert!(parse_shanghai_input("2026-11-30T20:00:15").is_some());
        assert!(parse_shanghai_input("").is_none());
        assert!(parse_shanghai_input("2026-13-30T20:00").is_none());
    }

    #[test]
    fn a_new_round_starts_now_and_closes_in_a_week() {
        let d = RoundDraft::new(now());
        assert_eq!(d.opens_at, "2026-11-30T09:15");
        assert_eq!(d.deadline, "2026-12-07T20:00");
        assert_eq!(d.distribution_day, "2026-12-09");
        // With a point ticked, the form as it starts can be sent.
        let d = RoundDraft {
            point_ids: vec![2],
            ..d
        };
        let input = d.to_input(now()).unwrap();
        assert_eq!(input.point_ids, [2]);
        assert_eq!(wire::format_date(input.distribution_day), "2026-12-09");
        assert_eq!(
            wire::format_datetime(input.deadline),
            "2026-12-07T20:00:00+08:00"
        );
    }

    #[test]
    fn times_that_do_not_read_are_named_with_missing_points() {
        let d = RoundDraft {
            opens_at: "".into(),
            deadline: "tomorrow".into(),
            ..RoundDraft::new(now())
        };
        assert_eq!(
            fields(d.to_input(now()).unwrap_err()),
            ["opens_at", "deadline", "point_ids"]
        );
    }

    #[test]
    fn the_domain_rules_judge_times_that_read() {
        let d = RoundDraft {
            deadline: "2026-11-29T20:00".into(),
            ..RoundDraft::new(now())
        };
        let f = fields(d.to_input(now()).unwrap_err());
        assert!(f.contains(&"deadline".to_string()), "{f:?}");
        assert!(f.contains(&"point_ids".to_string()), "{f:?}");
    }

    #[test]
    fn a_round_needs_a_point() {
        assert_eq!(fields(points_input(vec![]).unwrap_err()), ["point_ids"]);
        assert_eq!(points_input(vec![1, 3]).unwrap().point_ids, [1, 3]);
    }
}
