//! Shared types and rules of the nested market.
//!
//! Every rule (price breakdown, calendar, validation) lives here once and is
//! used by both the API and the wasm app. No web or server dependencies, so it
//! compiles for native and wasm alike.

pub mod allocation;
pub mod bundle;
pub mod calendar;
pub mod dto;
pub mod feedback;
pub mod income;
pub mod label;
pub mod money;
pub mod order;
pub mod organise;
pub mod packing;
pub mod pickup;
pub mod richtext;
pub mod round;
pub mod settlement;
pub mod text;
pub mod validate;
pub mod visit;
pub mod wire;

pub use calendar::{season_status, MonthSet, Season, SeasonStatus};
pub use money::{format_yuan, premium_percent, PriceBreakdown};
pub use round::{next_orderable, RoundPhase};
pub use text::{Lang, LocalText};
pub use validate::FieldError;

/// The villages are on Asia/Shanghai. China has kept UTC+8 without daylight
/// saving since 1991, so a fixed offset is exact for every date we handle.
pub const SHANGHAI: time::UtcOffset = time::macros::offset!(+8);

/// Today's date in Asia/Shanghai for a given instant.
pub fn shanghai_date(now: time::OffsetDateTime) -> time::Date {
    now.to_offset(SHANGHAI).date()
}
