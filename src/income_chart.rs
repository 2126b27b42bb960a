//! The geometry of the income bar chart on an organiser's household page:
//! one bar per round (or year), drawn as plain SVG by the page, so no chart
//! library enters the wasm. Pure, so it is tested natively.

/// The drawing's size in SVG units; the page scales it to the screen.
pub const WIDTH: f64 = 360.0;
pub const HEIGHT: f64 = 180.0;
/// Room under the bars for their labels, and above them for the values.
const LABEL_ROOM: f64 = 22.0;
const VALUE_ROOM: f64 = 16.0;
const GAP: f64 = 6.0;
/// Bars wider than this look like blocks when there are only one or two.
const MAX_BAR: f64 = 48.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub x: f64,
    /// Top of the bar; the bottom is [`baseline`].
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub label: String,
    pub value_fen: i64,
}

/// Where the bars stand.
pub fn baseline() -> f64 {
    HEIGHT - LABEL_ROOM
}

/// Bars for `(label, fen)` in order, scaled to the largest. A value at or
/// below zero gets no height (the page says the figure in words too).
pub fn bars(values: &[(String, i64)]) -> Vec<Bar> {
    if values.is_empty() {
        return Vec::new();
    }
    let max = values.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let n = values.len() as f64;
    let slot = WIDTH / n;
    let width = (slot - GAP).clamp(1.0, MAX_BAR);
    let tallest = baseline() - VALUE_ROOM;
    values
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let height = (*v).max(0) as f64 / max * tallest;
            Bar {
                x: i as f64 * slot + (slot - width) / 2.0,
                y: baseline() - height,
                width,
                height,
                label: label.clone(),
                value_fen: *v,
            }
        })
        .collect()
}

/// "¥1.2k"-style short yuan for the top of a bar, where room is tight:
/// whole yuan under a thousand, then thousands with one decimal.
pub fn short_yuan(fen: i64) -> String {
    let yuan = fen / 100;
    if yuan.abs() < 1000 {
        format!("¥{yuan}")
    } else {
        let tenths = (yuan.abs() + 50) / 100;
        let sign = if yuan < 0 { "-" } else { "" };
        format!("{sign}¥{}.{}k", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(values: &[i64]) -> Vec<(String, i64)> {
        values.iter().map(|v| (format!("r{v}"), *v)).collect()
    }

    #[test]
    fn the_largest_bar_is_full_height_and_the_rest_in_proportion() {
        let b = bars(&v(&[50_000, 100_000, 0]));
        let full = baseline() - VALUE_ROOM;
        assert!((b[1].height - full).abs() < 1e-9);
        assert!((b[0].height - full / 2.0).abs() < 1e-9);
        assert_eq!(b[2].height, 0.0);
        for bar in &b {
            assert!((bar.y + bar.height - baseline()).abs() < 1e-9);
            assert!(bar.x >= 0.0 && bar.x + bar.width <= WIDTH);
        }
        assert!(b[0].x < b[1].x && b[1].x < b[2].x);
    }

    #[test]
    fn nothing_earned_or_a_loss_draws_no_height_and_no_nan() {
        let b = bars(&v(&[0, -300]));
        assert!(b.iter().all(|bar| bar.height == 0.0 && bar.y.is_finite()));
        assert!(bars(&[]).is_empty());
    }

    #[test]
    fn one_bar_is_not_a_block() {
        let b = bars(&v(&[1234]));
        assert!(b[0].width <= MAX_BAR);
        assert!((b[0].x + b[0].width / 2.0 - WIDTH / 2.0).abs() < 1e-9);
    }

    #[test]
    fn short_yuan_rounds_to_tenths_of_thousands() {
        assert_eq!(short_yuan(0), "¥0");
        assert_eq!(short_yuan(99_999), "¥999");
        assert_eq!(short_yuan(123_456), "¥1.2k");
        assert_eq!(short_yuan(1_000_000), "¥10.0k");
        assert_eq!(short_yuan(-250_000), "-¥2.5k");
    }
}
