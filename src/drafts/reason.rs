//! Writes that need a reason, which the people affected read: withdrawing
//! a product from a round, cancelling a booking.

use domain::organise::{reason, CancelBookingInput, WithdrawalInput};
use domain::FieldError;

/// The reason as sent (trimmed), or why it cannot be.
fn reason_text(typed: &str) -> Result<String, Vec<FieldError>> {
    reason("reason", typed).map_err(|e| vec![e])?;
    Ok(typed.trim().to_string())
}

pub fn withdrawal_input(product_id: i64, typed: &str) -> Result<WithdrawalInput, Vec<FieldError>> {
    Ok(WithdrawalInput {
        product_id,
        reason: reason_text(typed)?,
    })
}

pub fn cancel_booking_input(typed: &str) -> Result<CancelBookingInput, Vec<FieldError>> {
    Ok(CancelBookingInput {
        reason: reason_text(typed)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_sent_trimmed() {
        let w = withdrawal_input(4, "  hens ill \n").unwrap();
        assert_eq!((w.product_id, w.reason.as_str()), (4, "hens ill"));
        assert_eq!(cancel_booking_input(" 下雪 ").unwrap().reason, "下雪");
    }

    #[test]
    fn an_empty_or_long_reason_is_refused() {
        for typed in [
            "",
            "   \n",
            "x".repeat(domain::organise::REASON_MAX_CHARS + 1).as_str(),
        ] {
            let e = withdrawal_input(4, typed).unwrap_err();
            assert_eq!(e[0].field, "reason", "{typed:?}");
            assert!(cancel_booking_input(typed).is_err(), "{typed:?}");
        }
    }
}
