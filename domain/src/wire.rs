//! How dates and times travel in JSON: `2026-12-01` for a calendar date and
//! RFC 3339 with an explicit offset (`2026-11-28T20:00:00+08:00`) for a
//! moment. Written out here rather than with `time`'s format-description
//! machinery, which would add tens of KB to the wasm for two fixed shapes.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Parses `YYYY-MM-DD` (a real calendar date).
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = digits(&s[0..4])?.try_into().ok()?;
    let month = Month::try_from(u8::try_from(digits(&s[5..7])?).ok()?).ok()?;
    let day = u8::try_from(digits(&s[8..10])?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// RFC 3339 with the moment's own offset, to the second:
/// `2026-11-28T20:00:00+08:00`.
pub fn format_datetime(t: OffsetDateTime) -> String {
    let (h, m, _) = t.offset().as_hms();
    let sign = if t.offset().is_negative() { '-' } else { '+' };
    format!(
        "{}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        format_date(t.date()),
        t.hour(),
        t.minute(),
        t.second(),
        h.unsigned_abs(),
        m.unsigned_abs()
    )
}

/// Parses RFC 3339 `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; the
/// fraction is dropped (the API speaks in whole seconds).
pub fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    if s.len() < 20 || !s.is_char_boundary(10) || !matches!(s.as_bytes()[10], b'T' | b't' | b' ') {
        return None;
    }
    let date = parse_date(&s[..10])?;
    let rest = &s[11..];
    let b = rest.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let hour = u8::try_from(digits(&rest[0..2])?).ok()?;
    let minute = u8::try_from(digits(&rest[3..5])?).ok()?;
    let second = u8::try_from(digits(&rest[6..8])?).ok()?;
    let mut zone = &rest[8..];
    if let Some(frac) = zone.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        zone = &frac[n..];
    }
    let offset = match zone {
        "Z" | "z" => UtcOffset::UTC,
        _ => {
            let zb = zone.as_bytes();
            if zb.len() != 6 || zb[3] != b':' {
                return None;
            }
            let sign: i8 = match zb[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let oh = i8::try_from(digits(&zone[1..3])?).ok()?;
            let om = i8::try_from(digits(&zone[4..6])?).ok()?;
            if oh > 23 || om > 59 {
                return None;
            }
            UtcOffset::from_hms(sign * oh, sign * om, 0).ok()?
        }
    };
    let time = Time::from_hms(hour, minute, second).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `#[serde(with = "domain::wire::date")]`
pub mod date {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_date(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_date(&s).ok_or_else(|| D::Error::custom("expected a date like 2026-12-01"))
    }
}

/// `#[serde(with = "domain::wire::datetime")]`
pub mod datetime {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_datetime(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_datetime(&s).ok_or_else(|| {
            D::Error::custom("expected an RFC 3339 time like 2026-11-28T20:00:00+08:00")
        })
    }
}

/// `#[serde(with = "domain::wire::dates")]`: a list of dates.
pub mod dates {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &[Date], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(d.iter().map(|d| super::format_date(*d)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Date>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| {
                super::parse_date(s)
                    .ok_or_else(|| D::Error::custom("expected dates like 2026-12-01"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn dates_round_trip() {
        for d in [
            date!(2026 - 12 - 01),
            date!(2011 - 05 - 31),
            date!(2028 - 02 - 29),
        ] {
            assert_eq!(parse_date(&format_date(d)), Some(d));
        }
        assert_eq!(format_date(date!(2026 - 01 - 05)), "2026-01-05");
    }

    #[test]
    fn bad_dates_are_refused() {
        for s in [
            "2026-02-30",
            "2026-13-01",
            "2026-1-01",
            "20261201",
            "2026-12-0x",
            "",
            "2026-12-01T",
            "+026-12-01",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn datetimes_keep_offset_and_instant() {
        let t = datetime!(2026-11-28 20:00 +8);
        assert_eq!(format_datetime(t), "2026-11-28T20:00:00+08:00");
        assert_eq!(parse_datetime("2026-11-28T20:00:00+08:00"), Some(t));
        assert_eq!(parse_datetime("2026-11-28T12:00:00Z"), Some(t));
        assert_eq!(
            parse_datetime("2026-11-28T12:00:00.250Z").map(|x| x.unix_timestamp()),
            Some(t.unix_timestamp())
        );
        let west = datetime!(2026-03-01 07:05:09 -05:30);
        assert_eq!(format_datetime(west), "2026-03-01T07:05:09-05:30");
        assert_eq!(parse_datetime(&format_datetime(west)), Some(west));
    }

    #[test]
    fn bad_datetimes_are_refused() {
        for s in [
            "2026-11-28 20:00",
            "2026-11-28T20:00:00",
            "2026-11-28T25:00:00+08:00",
            "2026-11-28T20:00:00+8:00",
            "2026-11-28T20:00:00+08:0",
            "2026-11-28T20:00:00.+08:00",
            "2026-11-28T20:60:00Z",
            "2026-11-28T20:00:00+25:00",
            "ß026-11-28T20:00:00Z",
        ] {
            assert_eq!(parse_datetime(s), None, "{s}");
        }
    }
}
