//! Recording a refund from a reported problem: the amount as typed in yuan,
//! the reason the member reads, and the piece and report it answers.

use domain::feedback::{check_refund, RefundRequest};
use domain::FieldError;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefundDraft {
    /// Yuan as typed, e.g. "12.50".
    pub amount: String,
    pub reason: String,
    pub label_code: Option<String>,
    pub report_id: Option<i64>,
}

impl RefundDraft {
    /// The request, or every field error; `left_fen` is what the piece (or
    /// order) has left to refund, so an amount over it is caught before
    /// sending (the server checks again).
    pub fn to_input(&self, left_fen: i64) -> Result<RefundRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let amount_fen = match domain::money::parse_yuan("amount_fen", &self.amount) {
            Ok(f) => f,
            Err(e) => {
                errors.push(e);
                0
            }
        };
        let req = RefundRequest {
            amount_fen,
            reason: self.reason.trim().to_string(),
            label_code: self.label_code.clone(),
            report_id: self.report_id,
        };
        if let Err(mut e) = check_refund(&req, left_fen, 0) {
            // A typed amount that did not parse is already named once.
            if !errors.is_empty() {
                e.retain(|f| f.field != "amount_fen");
            }
            errors.append(&mut e);
        }
        if errors.is_empty() {
            Ok(req)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(amount: &str, reason: &str) -> RefundDraft {
        RefundDraft {
            amount: amount.into(),
            reason: reason.into(),
            label_code: Some("ABCD2345".into()),
            report_id: Some(3),
        }
    }

    fn fields(r: Result<RefundRequest, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_refund_is_sent_in_fen_with_its_piece() {
        let r = draft("12.50", "  坏了 ").to_input(2000).unwrap();
        assert_eq!((r.amount_fen, r.reason.as_str()), (1250, "坏了"));
        assert_eq!(
            (r.label_code.as_deref(), r.report_id),
            (Some("ABCD2345"), Some(3))
        );
    }

    #[test]
    fn every_field_error_is_named_once() {
        assert_eq!(
            fields(draft("abc", "").to_input(2000)),
            ["amount_fen", "reason"]
        );
        assert_eq!(fields(draft("20.01", "x").to_input(2000)), ["amount_fen"]);
        assert_eq!(fields(draft("0", "x").to_input(2000)), ["amount_fen"]);
        assert!(draft("20", "x").to_input(2000).is_ok());
    }
}
