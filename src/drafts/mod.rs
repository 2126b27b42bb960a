//! The organisers' forms as typed (strings and ticks), one module a form,
//! each with its way to the API's input: `to_input()` gives the input or
//! every field at fault. Pure, so plain `cargo test` checks them.

mod feedback;
mod money;
mod people;
mod product;
mod reason;
mod refund;
mod round;
mod supply;
mod village;
mod visit_offer;
mod visits;

pub use feedback::{RatingDraft, ReportDraft};
pub use money::{PaymentDraft, SpendingDraft};
pub use people::{password_ok, suspension_input, InvitationDraft, JoinDraft, PasswordDraft};
pub use product::ProductDraft;
pub use reason::{cancel_booking_input, withdrawal_input};
pub use refund::RefundDraft;
pub use round::{parse_shanghai_input, points_input, shanghai_input_value, RoundDraft};
pub use supply::{cells, SupplyDraft, SupplyKey};
pub use village::{HouseholdDraft, PointDraft, VillageDraft};
pub use visit_offer::{HostDraft, OfferDraft};
pub use visits::visit_range;
