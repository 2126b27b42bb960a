//! Money is integer fen (1 yuan = 100 fen), never floats.

use serde::{Deserialize, Serialize};

use crate::validate::{self, FieldError};

/// Where the price of one unit goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceBreakdown {
    pub price_fen: i64,
    /// What reaches the producing household.
    pub household_fen: i64,
    /// What the village production team keeps for packing, distribution and
    /// organising.
    pub organising_fen: i64,
    pub organising_percent: u8,
}

impl PriceBreakdown {
    /// Splits `price_fen` by the village's organising share (whole percent,
    /// 10–20). The organising part is rounded half up to the fen and the
    /// household gets the rest, so the two parts always sum to the price.
    pub fn new(price_fen: i64, organising_percent: u8) -> Result<Self, FieldError> {
        validate::price_fen("price_fen", price_fen)?;
        validate::organising_percent("organising_percent", organising_percent)?;
        let organising_fen = (price_fen * i64::from(organising_percent) + 50) / 100;
        Ok(Self {
            price_fen,
            household_fen: price_fen - organising_fen,
            organising_fen,
            organising_percent,
        })
    }
}

/// The premium of `price_fen` over the local village-market price, in whole
/// percent rounded half away from zero. `None` when there is no reference
/// price to compare with.
pub fn premium_percent(price_fen: i64, local_fen: i64) -> Option<i64> {
    if local_fen <= 0 || price_fen <= 0 {
        return None;
    }
    let diff = (price_fen - local_fen) * 100;
    let half = local_fen / 2;
    Some(if diff >= 0 {
        (diff + half) / local_fen
    } else {
        -((-diff + half) / local_fen)
    })
}

/// "¥38.00" from 3800 fen.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}¥{}.{:02}", abs / 100, abs % 100)
}

/// Fen from what a person types as yuan: "38", "38.5", "38.50", "¥38.50".
/// At most two decimals; no floats on the way.
pub fn parse_yuan(field: &str, input: &str) -> Result<i64, FieldError> {
    let bad = || {
        FieldError::new(
            field,
            "请填写以元为单位的金额，如 38 或 38.50",
            "must be an amount in yuan like 38 or 38.50",
        )
    };
    let s = input.trim().trim_start_matches(['¥', '￥']).trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (!frac.is_empty() && !digits(frac)) || frac.len() > 2 || whole.len() > 9 {
        return Err(bad());
    }
    let yuan: i64 = whole.parse().map_err(|_| bad())?;
    let fen: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
        _ => frac.parse().map_err(|_| bad())?,
    };
    Ok(yuan * 100 + fen)
}

/// "38.50" for a form field, from 3850 fen.
pub fn yuan_input(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_yuan_become_fen_exactly() {
        assert_eq!(parse_yuan("p", "38"), Ok(3800));
        assert_eq!(parse_yuan("p", " ¥38.5 "), Ok(3850));
        assert_eq!(parse_yuan("p", "0.07"), Ok(7));
        assert_eq!(parse_yuan("p", "19.99"), Ok(1999));
        for bad in ["", "abc", "1.234", "-3", "1,5", ".5", "1e3", "9999999999"] {
            assert_eq!(
                parse_yuan("price", bad).unwrap_err().field,
                "price",
                "{bad:?}"
            );
        }
        assert_eq!(yuan_input(3850), "38.50");
        assert_eq!(parse_yuan("p", &yuan_input(123_456)), Ok(123_456));
    }

    #[test]
    fn example_from_the_product_page() {
        let b = PriceBreakdown::new(3800, 15).unwrap();
        assert_eq!(b.household_fen, 3230);
        assert_eq!(b.organising_fen, 570);
        assert_eq!(format_yuan(b.household_fen), "¥32.30");
        assert_eq!(format_yuan(b.organising_fen), "¥5.70");
    }

    #[test]
    fn parts_always_sum_to_the_price() {
        for pct in 10..=20u8 {
            for price in 1..=20_000i64 {
                let b = PriceBreakdown::new(price, pct).unwrap();
                assert_eq!(
                    b.household_fen + b.organising_fen,
                    price,
                    "{price} @ {pct}%"
                );
                assert!(b.household_fen >= 0 && b.organising_fen >= 0);
                // The rounding error is at most half a fen.
                let exact_times_100 = price * i64::from(pct);
                assert!((b.organising_fen * 100 - exact_times_100).abs() <= 50);
            }
        }
    }

    #[test]
    fn rounds_half_up() {
        // 15% of 1 fen = 0.15 fen -> 0; 15% of 10 fen = 1.5 -> 2.
        assert_eq!(PriceBreakdown::new(1, 15).unwrap().organising_fen, 0);
        assert_eq!(PriceBreakdown::new(10, 15).unwrap().organising_fen, 2);
        assert_eq!(PriceBreakdown::new(10, 14).unwrap().organising_fen, 1);
    }

    #[test]
    fn refuses_bad_share_or_price() {
        assert_eq!(
            PriceBreakdown::new(3800, 9).unwrap_err().field,
            "organising_percent"
        );
        assert_eq!(
            PriceBreakdown::new(3800, 21).unwrap_err().field,
            "organising_percent"
        );
        assert_eq!(PriceBreakdown::new(0, 15).unwrap_err().field, "price_fen");
        assert_eq!(PriceBreakdown::new(-5, 15).unwrap_err().field, "price_fen");
    }

    #[test]
    fn premium_over_local_market() {
        assert_eq!(premium_percent(3800, 2800), Some(36)); // 35.71 -> 36
        assert_eq!(premium_percent(3000, 2000), Some(50));
        assert_eq!(premium_percent(2000, 2000), Some(0));
        assert_eq!(premium_percent(1900, 2000), Some(-5));
        assert_eq!(premium_percent(1000, 0), None);
        // Exactly half rounds away from zero.
        assert_eq!(premium_percent(1005, 1000), Some(1)); // 0.5%
    }

    #[test]
    fn formats_yuan() {
        assert_eq!(format_yuan(0), "¥0.00");
        assert_eq!(format_yuan(5), "¥0.05");
        assert_eq!(format_yuan(123456), "¥1234.56");
        assert_eq!(format_yuan(-250), "-¥2.50");
    }
}
