//! Pickup at the distribution point: what the person handing out marks for
//! each order, and the lists they hand out from.
//!
//! - `GET /api/organise/rounds/{id}/pickup?point={id}` → [`PickupList`]
//! - `PUT /api/organise/orders/{uuid}/pickup` ([`PickupMarkInput`]) →
//!   [`PickupMarkAnswer`]
//!
//! The rule: every mark an organiser makes is kept, under the UUID the
//! phone made for it, so a mark sent again is the same mark and is kept
//! once. An order's pickup is its latest mark, by the time it was marked
//! on the phone (then by when the server got it): two people marking at
//! one point both keep their marks, and the last one made wins, whichever
//! phone reached the server first. A paid mark says how much and how; the
//! others say neither.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{
    dto::{DistributionPoint, Round},
    organise::OrganiserRef,
    packing::PointLine,
    text::LocalText,
    validate::FieldError,
};

/// What happened to an order at the point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PickupState {
    /// Collected and paid.
    Paid,
    /// Collected, not paid.
    Unpaid,
    /// Not collected.
    Absent,
}

impl PickupState {
    pub const ALL: [PickupState; 3] = [PickupState::Paid, PickupState::Unpaid, PickupState::Absent];

    /// As stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            PickupState::Paid => "paid",
            PickupState::Unpaid => "unpaid",
            PickupState::Absent => "absent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// For lists and CSV files.
    pub fn text(self) -> LocalText {
        match self {
            PickupState::Paid => LocalText::new("已取已付", "collected, paid"),
            PickupState::Unpaid => LocalText::new("已取未付", "collected, not paid"),
            PickupState::Absent => LocalText::new("未取", "not collected"),
        }
    }
}

/// How a paid order was paid. The storefront records payment; it does not
/// process it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    /// A transfer, e.g. in WeChat.
    Transfer,
    Other,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 3] = [
        PaymentMethod::Cash,
        PaymentMethod::Transfer,
        PaymentMethod::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn text(self) -> LocalText {
        match self {
            PaymentMethod::Cash => LocalText::new("现金", "cash"),
            PaymentMethod::Transfer => LocalText::new("转账", "transfer"),
            PaymentMethod::Other => LocalText::new("其他", "other"),
        }
    }
}

/// `PUT /api/organise/orders/{uuid}/pickup`: one mark, as the phone made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PickupMarkInput {
    /// The UUID the phone made for this mark.
    pub mark_uuid: String,
    pub state: PickupState,
    /// What was paid, in fen: for `paid` only, and then required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_fen: Option<i64>,
    /// How it was paid: for `paid` only, and then required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<PaymentMethod>,
    /// When it was marked on the phone.
    #[serde(with = "crate::wire::datetime")]
    pub marked_at: OffsetDateTime,
}

/// A phone's clock may run a little fast; a mark further ahead of the
/// server's time than this is a wrong clock, and would win over every
/// real mark made after it.
pub const MARK_CLOCK_SLACK_SECONDS: i64 = 3600;
/// ¥100,000 for one order is far above anything a round sells; more is a typo.
pub const AMOUNT_MAX_FEN: i64 = 10_000_000;

/// A mark's UUID in its hyphenated form (any case), returned lower-case as
/// it is stored.
pub fn mark_uuid(field: &str, value: &str) -> Result<String, FieldError> {
    let b = value.as_bytes();
    let ok = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    if ok {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(FieldError::new(
            field,
            "必须是 UUID 格式，例如 3f2b6c1e-8d4a-4b7e-9c0d-2a1b3c4d5e6f",
            "must be a UUID like 3f2b6c1e-8d4a-4b7e-9c0d-2a1b3c4d5e6f",
        ))
    }
}

impl PickupMarkInput {
    /// Every field at fault. `now` is the server's time; `earliest` the
    /// first moment a mark of this round can be (its orders opening).
    pub fn validate(&self, now: OffsetDateTime, earliest: OffsetDateTime) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Err(e) = mark_uuid("mark_uuid", &self.mark_uuid) {
            errors.push(e);
        }
        if self.state == PickupState::Paid {
            match self.amount_fen {
                None => errors.push(FieldError::new(
                    "amount_fen",
                    "已付款时要填写收了多少钱",
                    "is missing: a paid pickup says how much was paid",
                )),
                Some(a) if a <= 0 => errors.push(FieldError::new(
                    "amount_fen",
                    "必须是大于 0 的金额；没收钱请选“已取未付”",
                    "must be a positive number of fen; if nothing was paid, mark it collected, not paid",
                )),
                Some(a) if a > AMOUNT_MAX_FEN => errors.push(FieldError::new(
                    "amount_fen",
                    format!("最多 {}", crate::money::format_yuan(AMOUNT_MAX_FEN)),
                    format!("must be at most {AMOUNT_MAX_FEN} fen"),
                )),
                Some(_) => {}
            }
            if self.method.is_none() {
                errors.push(FieldError::new(
                    "method",
                    "已付款时要选付款方式：现金、转账或其他",
                    "is missing: a paid pickup says how it was paid (cash, transfer or other)",
                ));
            }
        } else {
            if self.amount_fen.is_some() {
                errors.push(FieldError::new(
                    "amount_fen",
                    "只有已付款时才填写金额",
                    "is only for a paid pickup",
                ));
            }
            if self.method.is_some() {
                errors.push(FieldError::new(
                    "method",
                    "只有已付款时才选付款方式",
                    "is only for a paid pickup",
                ));
            }
        }
        let ahead = (self.marked_at - now).whole_seconds();
        if ahead > MARK_CLOCK_SLACK_SECONDS {
            errors.push(FieldError::new(
                "marked_at",
                "时间在将来：请检查手机的时间设置",
                "is in the future: check the phone's clock",
            ));
        } else if self.marked_at < earliest {
            errors.push(FieldError::new(
                "marked_at",
                "早于这一轮开始订购的时间：请检查手机的时间设置",
                "is before this round's orders opened: check the phone's clock",
            ));
        }
        errors
    }

    /// The same mark (the UUID in any case): what makes a repeat a repeat.
    pub fn same_mark(&self, other: &PickupMarkInput) -> bool {
        self.mark_uuid.eq_ignore_ascii_case(&other.mark_uuid)
            && self.state == other.state
            && self.amount_fen == other.amount_fen
            && self.method == other.method
            && self.marked_at == other.marked_at
    }
}

/// Whether a mark made at `a` wins over one made at `b`: the later one
/// made on the phone. (The server breaks a tie by when it got them; a
/// phone showing its own unsent mark lets the tie go to that one.)
pub fn later_mark(a: OffsetDateTime, b: OffsetDateTime) -> bool {
    a >= b
}

/// What the person handing out chose on the phone, as typed: the amount
/// in yuan (prefilled with the order's total), the method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickupDraft {
    pub state: PickupState,
    pub amount: String,
    pub method: Option<PaymentMethod>,
}

impl PickupDraft {
    /// The mark to send, or every field at fault. Amount and method are
    /// left out unless paid, whatever was typed.
    pub fn to_input(
        &self,
        mark_uuid: String,
        marked_at: OffsetDateTime,
    ) -> Result<PickupMarkInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let (amount_fen, method) = if self.state == PickupState::Paid {
            let amount = match crate::money::parse_yuan("amount_fen", &self.amount) {
                Ok(a) if a > 0 => Some(a),
                Ok(_) => {
                    errors.push(FieldError::new(
                        "amount_fen",
                        "必须是大于 0 的金额；没收钱请选“已取未付”",
                        "must be more than 0; if nothing was paid, mark it collected, not paid",
                    ));
                    None
                }
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
            if self.method.is_none() {
                errors.push(FieldError::new(
                    "method",
                    "请选付款方式",
                    "choose how it was paid",
                ));
            }
            (amount, self.method)
        } else {
            (None, None)
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PickupMarkInput {
            mark_uuid,
            state: self.state,
            amount_fen,
            method,
            marked_at,
        })
    }
}

/// An order's pickup as the organisers see it: the latest mark, with who
/// made it and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PickupMark {
    pub mark_uuid: String,
    pub state: PickupState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_fen: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<PaymentMethod>,
    #[serde(with = "crate::wire::datetime")]
    pub marked_at: OffsetDateTime,
    pub marked_by: OrganiserRef,
    /// When the server got it.
    #[serde(with = "crate::wire::datetime")]
    pub recorded_at: OffsetDateTime,
}

/// The answer to a mark: the mark as recorded, the same however often it
/// is sent (the order's pickup may be a later mark someone else made).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PickupMarkAnswer {
    pub order_id: String,
    pub mark: PickupMark,
}

/// `GET /api/organise/rounds/{id}/pickup`: what to hand out, per point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PickupList {
    pub village_slug: String,
    pub village_name: LocalText,
    pub round: Round,
    /// The point asked for, or every point with something to hand out;
    /// by point id.
    pub points: Vec<PointPickup>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointPickup {
    pub point: DistributionPoint,
    /// By member name (pinyin), then order number, as on the packing list.
    pub orders: Vec<PickupOrder>,
}

/// One order to hand out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PickupOrder {
    /// The order's UUID, for the mark.
    pub order_id: String,
    /// As the packing list shows it.
    pub member_name: String,
    /// e.g. `LIU-000123`.
    pub order_number: String,
    /// One line per piece, with its label; by product, then household.
    pub lines: Vec<PointLine>,
    /// What the member owes for the order.
    pub total_fen: i64,
    /// `None` until someone marks it.
    #[serde(default)]
    pub pickup: Option<PickupMark>,
}

/// An order's pickup as its member sees it on the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderPickup {
    pub state: PickupState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_fen: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<PaymentMethod>,
    #[serde(with = "crate::wire::datetime")]
    pub marked_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-05 10:00 +8);
    const OPENED: OffsetDateTime = datetime!(2026-11-20 08:00 +8);
    const UUID: &str = "3f2b6c1e-8d4a-4b7e-9c0d-2a1b3c4d5e6f";

    fn paid(amount: Option<i64>, method: Option<PaymentMethod>) -> PickupMarkInput {
        PickupMarkInput {
            mark_uuid: UUID.into(),
            state: PickupState::Paid,
            amount_fen: amount,
            method,
            marked_at: datetime!(2026-12-05 09:30 +8),
        }
    }

    fn fields(e: &[FieldError]) -> Vec<&str> {
        e.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_paid_mark_says_how_much_and_how() {
        assert!(paid(Some(4500), Some(PaymentMethod::Cash))
            .validate(NOW, OPENED)
            .is_empty());
        assert_eq!(
            fields(&paid(None, None).validate(NOW, OPENED)),
            ["amount_fen", "method"]
        );
        assert_eq!(
            fields(&paid(Some(0), Some(PaymentMethod::Other)).validate(NOW, OPENED)),
            ["amount_fen"]
        );
        assert_eq!(
            fields(
                &paid(Some(AMOUNT_MAX_FEN + 1), Some(PaymentMethod::Transfer))
                    .validate(NOW, OPENED)
            ),
            ["amount_fen"]
        );
    }

    #[test]
    fn other_marks_carry_neither_amount_nor_method() {
        for state in [PickupState::Unpaid, PickupState::Absent] {
            let plain = PickupMarkInput {
                state,
                amount_fen: None,
                method: None,
                ..paid(None, None)
            };
            assert!(plain.validate(NOW, OPENED).is_empty(), "{state:?}");
            let extra = PickupMarkInput {
                amount_fen: Some(100),
                method: Some(PaymentMethod::Cash),
                ..plain
            };
            assert_eq!(
                fields(&extra.validate(NOW, OPENED)),
                ["amount_fen", "method"]
            );
        }
    }

    #[test]
    fn the_uuid_and_the_phone_clock_are_checked() {
        let mut m = paid(Some(100), Some(PaymentMethod::Cash));
        for bad in [
            "",
            "3f2b6c1e8d4a4b7e9c0d2a1b3c4d5e6f",
            "3f2b6c1e-8d4a-4b7e-9c0d-2a1b3c4d5e6g",
            "{3f2b6c1e-8d4a-4b7e-9c0d-2a1b3c4d5e6}",
        ] {
            m.mark_uuid = bad.into();
            assert_eq!(fields(&m.validate(NOW, OPENED)), ["mark_uuid"], "{bad}");
        }
        assert_eq!(mark_uuid("m", &UUID.to_uppercase()).unwrap(), UUID);
        m.mark_uuid = UUID.into();
        m.marked_at = NOW + time::Duration::seconds(MARK_CLOCK_SLACK_SECONDS);
        assert!(m.validate(NOW, OPENED).is_empty());
        m.marked_at = NOW + time::Duration::seconds(MARK_CLOCK_SLACK_SECONDS + 1);
        assert_eq!(fields(&m.validate(NOW, OPENED)), ["marked_at"]);
        m.marked_at = OPENED - time::Duration::seconds(1);
        assert_eq!(fields(&m.validate(NOW, OPENED)), ["marked_at"]);
    }

    #[test]
    fn every_message_comes_in_both_languages() {
        let mut all = paid(None, None).validate(NOW, OPENED);
        all.extend(
            PickupMarkInput {
                mark_uuid: "x".into(),
                state: PickupState::Absent,
                amount_fen: Some(1),
                method: Some(PaymentMethod::Cash),
                marked_at: NOW + time::Duration::days(1),
            }
            .validate(NOW, OPENED),
        );
        assert_eq!(all.len(), 6);
        for e in all {
            assert!(
                e.message_zh
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{e}"
            );
            assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn a_repeat_is_the_same_mark_whatever_the_uuid_case() {
        let a = paid(Some(100), Some(PaymentMethod::Cash));
        let b = PickupMarkInput {
            mark_uuid: UUID.to_uppercase(),
            ..a.clone()
        };
        assert!(a.same_mark(&b));
        let c = PickupMarkInput {
            amount_fen: Some(200),
            ..a.clone()
        };
        assert!(!a.same_mark(&c));
        let d = PickupMarkInput {
            marked_at: a.marked_at + time::Duration::seconds(1),
            ..a.clone()
        };
        assert!(!a.same_mark(&d));
    }

    #[test]
    fn the_later_mark_wins() {
        let t = datetime!(2026-12-05 09:30 +8);
        assert!(later_mark(t + time::Duration::seconds(1), t));
        assert!(!later_mark(t, t + time::Duration::seconds(1)));
        // The same instant in another zone is the same moment.
        assert!(later_mark(datetime!(2026-12-05 01:30 UTC), t));
    }

    #[test]
    fn the_draft_becomes_the_mark_with_every_fault() {
        let at = datetime!(2026-12-05 09:30 +8);
        let draft = PickupDraft {
            state: PickupState::Paid,
            amount: "45.50".into(),
            method: Some(PaymentMethod::Transfer),
        };
        let input = draft.to_input(UUID.into(), at).unwrap();
        assert_eq!(
            (input.amount_fen, input.method),
            (Some(4550), Some(PaymentMethod::Transfer))
        );
        assert!(input.validate(NOW, OPENED).is_empty());

        let bad = PickupDraft {
            amount: "abc".into(),
            method: None,
            ..draft.clone()
        };
        assert_eq!(
            fields(&bad.to_input(UUID.into(), at).unwrap_err()),
            ["amount_fen", "method"]
        );
        let zero = PickupDraft {
            amount: "0".into(),
            ..draft.clone()
        };
        assert_eq!(
            fields(&zero.to_input(UUID.into(), at).unwrap_err()),
            ["amount_fen"]
        );

        // What was typed for the amount does not matter unless paid.
        let absent = PickupDraft {
            state: PickupState::Absent,
            ..bad
        };
        let input = absent.to_input(UUID.into(), at).unwrap();
        assert_eq!((input.amount_fen, input.method), (None, None));
        assert!(input.validate(NOW, OPENED).is_empty());
    }

    #[test]
    fn marks_travel_as_json_with_their_zone() {
        let json = serde_json::to_value(paid(Some(4500), Some(PaymentMethod::Cash))).unwrap();
        assert_eq!(json["state"], "paid");
        assert_eq!(json["method"], "cash");
        assert_eq!(json["marked_at"], "2026-12-05T09:30:00+08:00");
        let absent: PickupMarkInput = serde_json::from_value(serde_json::json!({
            "mark_uuid": UUID, "state": "absent", "marked_at": "2026-12-05T01:30:00Z"
        }))
        .unwrap();
        assert_eq!(absent.amount_fen, None);
        assert_eq!(absent.marked_at, datetime!(2026-12-05 09:30 +8));
        assert!(
            serde_json::from_value::<PickupMarkInput>(serde_json::json!({
                "mark_uuid": UUID, "state": "gone", "marked_at": "2026-12-05T01:30:00Z"
            }))
            .is_err()
        );
        for s in PickupState::ALL {
            assert_eq!(PickupState::parse(s.as_str()), Some(s));
        }
        for m in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::parse(m.as_str()), Some(m));
        }
    }
}
