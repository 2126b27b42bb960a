//! Money forms of the workspace: what a household was paid for a round,
//! and an entry of the organising share's ledger. Yuan and days as typed;
//! `to_input(today)` gives the API's input or every field at fault, with
//! the same checks the server makes (it checks again).

use domain::income::{PaymentInput, ShareCategory, SpendingInput};
use domain::FieldError;
use time::Date;

fn day(field: &str, raw: &str) -> Result<Date, FieldError> {
    domain::wire::parse_date(raw.trim()).ok_or_else(|| {
        FieldError::new(
            field,
            "请选择日期，例如 2026-12-01",
            "choose a day, like 2026-12-01",
        )
    })
}

/// Paying a household for a round.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentDraft {
    /// Yuan as typed, prefilled with what settlement says it is owed.
    pub amount: String,
    /// `YYYY-MM-DD` from the date input, prefilled with today.
    pub paid_on: String,
}

impl PaymentDraft {
    pub fn to_input(
        &self,
        today: Date,
        round_opened: Date,
    ) -> Result<PaymentInput, Vec<FieldError>> {
        let amount = domain::money::parse_yuan("amount_fen", &self.amount);
        let paid_on = day("paid_on", &self.paid_on);
        let mut errors: Vec<FieldError> = [amount.clone().err(), paid_on.clone().err()]
            .into_iter()
            .flatten()
            .collect();
        if let (Ok(amount_fen), Ok(paid_on)) = (amount, paid_on) {
            let input = PaymentInput {
                amount_fen,
                paid_on,
            };
            errors = input.validate(today, round_opened);
            if errors.is_empty() {
                return Ok(input);
            }
        }
        Err(errors)
    }
}

/// An entry of what the organising share paid for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpendingDraft {
    pub spent_on: String,
    pub category: ShareCategory,
    pub amount: String,
    pub note_zh: String,
    pub note_en: String,
}

impl SpendingDraft {
    /// A new entry for today.
    pub fn new(today: Date) -> Self {
        Self {
            spent_on: domain::wire::format_date(today),
            category: ShareCategory::Packing,
            amount: String::new(),
            note_zh: String::new(),
            note_en: String::new(),
        }
    }

    pub fn to_input(&self, today: Date) -> Result<SpendingInput, Vec<FieldError>> {
        let amount = domain::money::parse_yuan("amount_fen", &self.amount);
        let spent_on = day("spent_on", &self.spent_on);
        let input = SpendingInput {
            spent_on: spent_on.clone().unwrap_or(today),
            category: self.category,
            amount_fen: amount.clone().unwrap_or(1),
            note_zh: self.note_zh.clone(),
            note_en: self.note_en.clone(),
        };
        let mut errors: Vec<FieldError> = [amount.err(), spent_on.err()]
            .into_iter()
            .flatten()
            .collect();
        match input.validate(today) {
            Ok(input) if errors.is_empty() => Ok(input),
            Ok(_) => Err(errors),
            Err(more) => {
                // A field that did not parse is named once.
                let named: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
                errors.extend(more.into_iter().filter(|m| !named.contains(&m.field)));
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 01);

    fn fields(e: Vec<FieldError>) -> Vec<String> {
        e.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_payment_is_sent_in_fen_for_its_day() {
        let d = PaymentDraft {
            amount: "¥123.40".into(),
            paid_on: "2026-11-30".into(),
        };
        let input = d.to_input(TODAY, date!(2026 - 11 - 01)).unwrap();
        assert_eq!(input.amount_fen, 12_340);
        assert_eq!(input.paid_on, date!(2026 - 11 - 30));
    }

    #[test]
    fn a_payment_names_every_field_at_fault() {
        let d = PaymentDraft {
            amount: "abc".into(),
            paid_on: "".into(),
        };
        let e = d.to_input(TODAY, date!(2026 - 11 - 01)).unwrap_err();
        assert_eq!(fields(e), ["amount_fen", "paid_on"]);
        let future = PaymentDraft {
            amount: "1".into(),
            paid_on: "2026-12-02".into(),
        };
        let e = future.to_input(TODAY, date!(2026 - 11 - 01)).unwrap_err();
        assert_eq!(fields(e), ["paid_on"]);
    }

    #[test]
    fn a_spending_entry_names_each_field_once() {
        let mut d = SpendingDraft::new(TODAY);
        d.amount = "86".into();
        d.note_zh = " 纸箱 ".into();
        let input = d.to_input(TODAY).unwrap();
        assert_eq!((input.amount_fen, input.note_zh.as_str()), (8_600, "纸箱"));
        d.amount = "x".into();
        d.spent_on = "2027-01-01".into();
        assert_eq!(
            fields(d.to_input(TODAY).unwrap_err()),
            ["amount_fen", "spent_on"]
        );
        d.amount = "0".into();
        d.spent_on = "nope".into();
        assert_eq!(
            fields(d.to_input(TODAY).unwrap_err()),
            ["spent_on", "amount_fen"]
        );
    }
}
