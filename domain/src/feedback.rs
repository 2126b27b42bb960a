//! Quality feedback: a member's rating of each line of a collected order,
//! a problem anyone reports with a label's code, and the refunds organisers
//! record. What the public sees of it is a household's summary, which never
//! names the member behind a rating.

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// A comment on a rating or report: long enough for "the walnuts were
/// mouldy inside, three of ten", short enough to read on a phone.
pub const COMMENT_MAX_CHARS: usize = 500;
/// A refund's reason, as an organiser types it.
pub const REASON_MAX_CHARS: usize = 200;
/// How many recent comments a household's summary shows.
pub const RECENT_COMMENTS: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Good,
    SoSo,
    Bad,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Good => "good",
            Rating::SoSo => "so_so",
            Rating::Bad => "bad",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "good" => Some(Rating::Good),
            "so_so" => Some(Rating::SoSo),
            "bad" => Some(Rating::Bad),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Spoiled,
    Damaged,
    Wrong,
    Missing,
    Other,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Spoiled => "spoiled",
            Problem::Damaged => "damaged",
            Problem::Wrong => "wrong",
            Problem::Missing => "missing",
            Problem::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "spoiled" => Some(Problem::Spoiled),
            "damaged" => Some(Problem::Damaged),
            "wrong" => Some(Problem::Wrong),
            "missing" => Some(Problem::Missing),
            "other" => Some(Problem::Other),
            _ => None,
        }
    }
}

/// One line's rating in `PUT /api/orders/{uuid}/feedback`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineRating {
    pub product_id: i64,
    pub rating: Rating,
    #[serde(default)]
    pub comment: String,
    /// The photo sent with it (`POST …/feedback/{product}/photo`); in
    /// answers only, ignored in a request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<crate::dto::PhotoRef>,
}

/// `PUT /api/orders/{uuid}/feedback`: ratings for some or all of the
/// order's lines; a line rated again keeps the latest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackRequest {
    pub ratings: Vec<LineRating>,
}

/// `POST /api/labels/{code}/reports`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRequest {
    pub problem: Problem,
    #[serde(default)]
    pub comment: String,
}

/// What the reporter is told: that it arrived, nothing about the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportReceived {
    pub id: i64,
    pub code: String,
}

/// `POST /api/organise/orders/{uuid}/refunds`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundRequest {
    pub amount_fen: i64,
    pub reason: String,
    /// The piece refunded; none: the order as a whole.
    #[serde(default)]
    pub label_code: Option<String>,
    /// The problem report it answers.
    #[serde(default)]
    pub report_id: Option<i64>,
}

/// A refund as the member's order shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderRefund {
    pub id: i64,
    pub amount_fen: i64,
    pub reason: String,
    pub label_code: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// A comment in a household's public summary. `by` is at most the first
/// character of the member's name and "**", never more.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackComment {
    pub rating: Rating,
    pub comment: String,
    pub by: String,
    /// 'YYYY-MM-DD' in Asia/Shanghai.
    pub on: String,
    /// The member's photo of the piece, if they sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<crate::dto::PhotoRef>,
}

/// `feedback` in `GET /api/households/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackSummary {
    pub count: i64,
    /// Share of the ratings that were good, whole percent rounded half up;
    /// none when there are no ratings.
    pub good_percent: Option<i64>,
    #[serde(default)]
    pub recent: Vec<FeedbackComment>,
}

/// A comment: trimmed, at most [`COMMENT_MAX_CHARS`], no control
/// characters except line breaks.
pub fn comment(field: &str, value: &str) -> Result<String, FieldError> {
    let t = value.trim();
    if t.chars().count() > COMMENT_MAX_CHARS {
        return Err(FieldError::new(
            field,
            format!("最多 {COMMENT_MAX_CHARS} 个字"),
            format!("must be at most {COMMENT_MAX_CHARS} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(FieldError::new(
            field,
            "不能含有控制字符",
            "must not contain control characters",
        ));
    }
    Ok(t.to_owned())
}

/// Every field error of a feedback request, given the products on the
/// order: each rated line must be one of them, once, and each comment fit.
pub fn check_feedback(req: &FeedbackRequest, order_products: &[i64]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if req.ratings.is_empty() {
        errors.push(FieldError::new(
            "ratings",
            "至少评一项",
            "must rate at least one line",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, r) in req.ratings.iter().enumerate() {
        if !order_products.contains(&r.product_id) {
            errors.push(FieldError::new(
                format!("ratings[{i}].product_id"),
                "这张订单里没有这件货",
                "is not a line of this order",
            ));
        } else if !seen.insert(r.product_id) {
            errors.push(FieldError::new(
                format!("ratings[{i}].product_id"),
                "同一件货只能评一次",
                "is rated twice",
            ));
        }
        if let Err(e) = comment(&format!("ratings[{i}].comment"), &r.comment) {
            errors.push(e);
        }
    }
    errors
}

/// The rule for refunds: a refund is more than zero and at most what is
/// left to give back, which is the amount it refunds (the order's total, or
/// the one piece's line total) less every earlier refund on it. A refund of
/// the whole order also counts the pieces refunded before, and a piece's
/// refund counts against the order's whole too, so the sum refunded never
/// exceeds what was paid for.
///
/// `limit_fen` is what the refund is against (order total or line total);
/// `earlier_fen` the refunds already counting against it. Returns the
/// remaining amount, or the field error.
pub fn check_refund(
    req: &RefundRequest,
    limit_fen: i64,
    earlier_fen: i64,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let left = remaining_fen(limit_fen, earlier_fen);
    if req.amount_fen <= 0 {
        errors.push(FieldError::new(
            "amount_fen",
            "必须大于零",
            "must be more than zero",
        ));
    } else if req.amount_fen > left {
        errors.push(FieldError::new(
            "amount_fen",
            format!("最多还能退 {}", crate::format_yuan(left)),
            format!(
                "must be at most {}, what is left to refund",
                crate::format_yuan(left)
            ),
        ));
    }
    let reason = req.reason.trim();
    if reason.is_empty() {
        errors.push(FieldError::new(
            "reason",
            "请写明退款原因",
            "must not be empty",
        ));
    } else if reason.chars().count() > REASON_MAX_CHARS {
        errors.push(FieldError::new(
            "reason",
            format!("最多 {REASON_MAX_CHARS} 个字"),
            format!("must be at most {REASON_MAX_CHARS} characters"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// What is left to refund of `limit_fen` after `earlier_fen`; never below 0.
pub fn remaining_fen(limit_fen: i64, earlier_fen: i64) -> i64 {
    (limit_fen - earlier_fen).max(0)
}

/// Share good, in whole percent rounded half up (1 of 8 = 12.5% -> 13%);
/// none for no ratings.
pub fn good_percent(good: i64, count: i64) -> Option<i64> {
    (count > 0).then(|| (good * 200 + count) / (count * 2))
}

/// How a member appears beside a public comment: the first character of
/// their name and "**" ("刘**", "W**"), or nothing when the name is blank.
pub fn masked_name(name: &str) -> String {
    match name.trim().chars().next() {
        Some(c) => format!("{c}**"),
        None => String::new(),
    }
}

/// What is left to refund on an order: of its total less every refund on
/// it, and when the refund is for one piece, also of that piece's value
/// less its earlier refunds; the smaller of the two.
pub fn refund_room(
    order_total_fen: i64,
    order_refunded_fen: i64,
    piece: Option<(i64, i64)>,
) -> i64 {
    let order_left = remaining_fen(order_total_fen, order_refunded_fen);
    match piece {
        Some((value_fen, refunded_fen)) => order_left.min(remaining_fen(value_fen, refunded_fen)),
        None => order_left,
    }
}

/// A reported problem as the organisers' list shows it: the label, what it
/// is, whose product from which round and point, and what was refunded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemReport {
    pub id: i64,
    pub code: String,
    pub problem: Problem,
    pub comment: String,
    /// Unix seconds.
    pub reported_at: i64,
    pub resolved_at: Option<i64>,
    pub order_id: String,
    pub order_number: String,
    pub product_id: i64,
    pub product_name: crate::LocalText,
    pub household_id: i64,
    pub household_name: crate::LocalText,
    pub round_id: i64,
    /// 'YYYY-MM-DD'.
    pub distribution_day: String,
    pub point_name: crate::LocalText,
    /// What the piece cost the member.
    pub piece_fen: i64,
    /// Refunded so far on this piece.
    pub refunded_fen: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refund(amount_fen: i64, reason: &str) -> RefundRequest {
        RefundRequest {
            amount_fen,
            reason: reason.into(),
            label_code: None,
            report_id: None,
        }
    }

    fn fields(r: Result<(), Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_refund_up_to_what_is_left_is_fine() {
        assert_eq!(check_refund(&refund(3000, "mouldy"), 5000, 2000), Ok(()));
        assert_eq!(check_refund(&refund(1, "x"), 5000, 0), Ok(()));
    }

    #[test]
    fn a_refund_over_what_is_left_names_the_amount() {
        assert_eq!(
            fields(check_refund(&refund(3001, "mouldy"), 5000, 2000)),
            ["amount_fen"]
        );
        assert_eq!(
            fields(check_refund(&refund(1, "all gone"), 5000, 5000)),
            ["amount_fen"]
        );
    }

    #[test]
    fn a_refund_of_nothing_or_without_reason_is_refused() {
        assert_eq!(
            fields(check_refund(&refund(0, "  "), 5000, 0)),
            ["amount_fen", "reason"]
        );
        assert_eq!(
            fields(check_refund(&refund(-5, "x"), 5000, 0)),
            ["amount_fen"]
        );
        let long = "长".repeat(REASON_MAX_CHARS + 1);
        assert_eq!(fields(check_refund(&refund(5, &long), 5000, 0)), ["reason"]);
    }

    #[test]
    fn a_piece_refund_is_bounded_by_the_piece_and_the_order() {
        assert_eq!(refund_room(5000, 0, None), 5000);
        assert_eq!(refund_room(5000, 1000, Some((2000, 500))), 1500);
        // Whole-order refunds leave less than the piece is worth.
        assert_eq!(refund_room(5000, 4500, Some((2000, 0))), 500);
        assert_eq!(refund_room(5000, 5000, None), 0);
    }

    #[test]
    fn remaining_never_goes_below_zero() {
        assert_eq!(remaining_fen(5000, 6000), 0);
        assert_eq!(remaining_fen(5000, 1200), 3800);
    }

    #[test]
    fn good_percent_rounds_half_up() {
        assert_eq!(good_percent(0, 0), None);
        assert_eq!(good_percent(1, 8), Some(13));
        assert_eq!(good_percent(1, 3), Some(33));
        assert_eq!(good_percent(2, 3), Some(67));
        assert_eq!(good_percent(5, 5), Some(100));
        assert_eq!(good_percent(0, 5), Some(0));
    }

    #[test]
    fn masked_names_keep_one_character() {
        assert_eq!(masked_name("王小明"), "王**");
        assert_eq!(masked_name(" Wang Li"), "W**");
        assert_eq!(masked_name(""), "");
    }

    #[test]
    fn feedback_names_each_bad_line() {
        let req = FeedbackRequest {
            ratings: vec![
                LineRating {
                    product_id: 1,
                    rating: Rating::Good,
                    comment: String::new(),
                    photo: None,
                },
                LineRating {
                    product_id: 9,
                    rating: Rating::Bad,
                    comment: String::new(),
                    photo: None,
                },
                LineRating {
                    product_id: 1,
                    rating: Rating::Bad,
                    comment: "x".repeat(501),
                    photo: None,
                },
            ],
        };
        let f: Vec<String> = check_feedback(&req, &[1, 2])
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            f,
            [
                "ratings[1].product_id",
                "ratings[2].product_id",
                "ratings[2].comment"
            ]
        );
        assert_eq!(
            check_feedback(&FeedbackRequest { ratings: vec![] }, &[1])[0].field,
            "ratings"
        );
    }

    #[test]
    fn wire_names_are_snake_case() {
        assert_eq!(serde_json::to_string(&Rating::SoSo).unwrap(), "\"so_so\"");
        assert_eq!(Problem::parse("missing"), Some(Problem::Missing));
        assert_eq!(Rating::parse("so_so"), Some(Rating::SoSo));
    }
}
