//! Visit bookings kept on the phone ("My trips"): plain data and pure
//! functions, unit-tested natively; `sender` does the sending.
//!
//! Like an order, a booking is written here under the UUID the phone made
//! *before* it is sent; the server treats a repeat of the same id and
//! content as the same booking, so a resend never books twice.

use domain::dto::{Booking, BookingRequest, BookingStatus, NoRoom};
use domain::{FieldError, LocalText};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::api::WriteError;
use crate::kept::{Keepable, Kept};
use crate::outbox::{missing, retry_later, Outgoing, Retry};
use crate::raw_answer::RawAnswer;

/// localStorage key of the trips. Versioned so a future shape can migrate.
pub const TRIPS_KEY: &str = "storefront.trips.v1";

/// Where a booking stands, as the phone knows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", try_from = "TripStateWire")]
// A handful per phone: boxing would only add noise.
#[allow(clippy::large_enum_variant)]
pub enum TripState {
    /// Saved here, not yet answered by the server.
    Waiting(Retry),
    /// The server's latest answer (confirmed or cancelled).
    Booked { booking: RawAnswer<Booking> },
    /// The server said no; nothing was booked.
    Refused {
        /// English; `reason_zh` in Chinese, as for orders.
        reason: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason_zh: String,
        #[serde(default)]
        fields: Vec<FieldError>,
        #[serde(default)]
        no_room: Option<NoRoom>,
    },
}

/// `TripState` as it is read: one plain struct, like `LocalStateWire`.
#[derive(Deserialize)]
struct TripStateWire {
    state: TripStateTag,
    // Waiting: the fields of its `Retry`.
    attempts: Option<u32>,
    next_attempt_ms: Option<f64>,
    last_error: Option<String>,
    #[serde(default)]
    last_error_zh: String,
    // Booked.
    booking: Option<RawAnswer<Booking>>,
    // Refused.
    reason: Option<String>,
    #[serde(default)]
    reason_zh: String,
    #[serde(default)]
    fields: Vec<FieldError>,
    #[serde(default)]
    no_room: Option<NoRoom>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum TripStateTag {
    Waiting,
    Booked,
    Refused,
}

impl TryFrom<TripStateWire> for TripState {
    type Error = String;
    fn try_from(w: TripStateWire) -> Result<Self, String> {
        Ok(match w.state {
            TripStateTag::Waiting => TripState::Waiting(Retry::read(
                w.attempts,
                w.next_attempt_ms,
                w.last_error,
                w.last_error_zh,
            )?),
            TripStateTag::Booked => TripState::Booked {
                booking: w.booking.ok_or(missing("booking"))?,
            },
            TripStateTag::Refused => TripState::Refused {
                reason: w.reason.ok_or(missing("reason"))?,
                reason_zh: w.reason_zh,
                fields: w.fields,
                no_room: w.no_room,
            },
        })
    }
}

/// A booking as kept on the phone: the request and what to show while it
/// waits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalTrip {
    pub id: String,
    pub created_ms: f64,
    pub request: BookingRequest,
    pub village_name: LocalText,
    /// `None` for "any host with room".
    pub host_name: Option<LocalText>,
    /// The price the form showed; `None` when the host is not chosen yet.
    pub estimate_fen: Option<i64>,
    pub policy_text: LocalText,
    pub state: TripState,
}

impl LocalTrip {
    pub fn new(
        id: String,
        now_ms: f64,
        request: BookingRequest,
        offer_name: LocalText,
        host_name: Option<LocalText>,
        estimate_fen: Option<i64>,
        policy_text: LocalText,
    ) -> Self {
        LocalTrip {
            id,
            created_ms: now_ms,
            request,
            village_name: offer_name,
            host_name,
            estimate_fen,
            policy_text,
            state: TripState::Waiting(Retry::now()),
        }
    }

    /// The phone's copy of a booking it did not make (e.g. one the member
    /// made on another phone and cancels here).
    pub fn from_booking(b: &Booking, now_ms: f64) -> Self {
        LocalTrip {
            id: b.id.clone(),
            created_ms: now_ms,
            request: BookingRequest {
                village_slug: b.village_slug.clone(),
                arrival: b.arrival,
                nights: b.nights,
                adults: b.adults,
                children: b.children,
                host_id: Some(b.host.id),
                meals: b.meals.clone(),
                name: b.name.clone(),
                phone: b.phone.clone(),
            },
            village_name: b.village_name.clone(),
            host_name: Some(b.host.name.clone()),
            estimate_fen: Some(b.total_fen),
            policy_text: b.policy_text.clone(),
            state: TripState::Booked {
                booking: RawAnswer::new(b),
            },
        }
    }

    /// Stores the server's answer: updates the phone's copy, or keeps a new
    /// one.
    pub fn keep(all: &mut Vec<Kept<LocalTrip>>, b: &Booking, now_ms: f64) {
        if !refresh(all, std::slice::from_ref(b)) && !all.iter().any(|t| t.id == b.id) {
            all.push(Kept::new(&LocalTrip::from_booking(b, now_ms)));
        }
    }

    pub fn booking(&self) -> Option<&Booking> {
        self.state.booking()
    }
}

impl TripState {
    /// The server's copy, once it has one.
    pub fn booking(&self) -> Option<&Booking> {
        match self {
            TripState::Booked { booking } => booking.get(),
            _ => None,
        }
    }
}

impl TripState {
    /// Keeps what came of sending it: the server's booking, its refusal,
    /// or a later try.
    pub fn take_answer(&mut self, result: Result<RawAnswer<Booking>, WriteError>, now_ms: f64) {
        let refused = |message: LocalText, fields, no_room| TripState::Refused {
            reason: message.en,
            reason_zh: message.zh,
            fields,
            no_room,
        };
        *self = match result {
            Ok(booking) => TripState::Booked { booking },
            Err(WriteError::Refused {
                message,
                fields,
                no_room,
                ..
            }) => refused(message, fields, no_room),
            // The id is someone else's: nothing of ours was booked.
            Err(WriteError::NotFound(message)) | Err(WriteError::Unauthorized(message)) => {
                refused(message, vec![], None)
            }
            Err(e) => return retry_later(self, &e, now_ms),
        };
    }
}

impl Outgoing for TripState {
    fn retry(&self) -> Option<&Retry> {
        match self {
            TripState::Waiting(r) => Some(r),
            _ => None,
        }
    }

    fn retry_mut(&mut self) -> Option<&mut Retry> {
        match self {
            TripState::Waiting(r) => Some(r),
            _ => None,
        }
    }
}

impl Outgoing for LocalTrip {
    fn retry(&self) -> Option<&Retry> {
        self.state.retry()
    }

    fn retry_mut(&mut self) -> Option<&mut Retry> {
        self.state.retry_mut()
    }
}

impl Keepable for LocalTrip {
    type State = TripState;
}

impl Kept<LocalTrip> {
    pub fn booking(&self) -> Option<&Booking> {
        self.state.booking()
    }
}

/// Takes the server's newer copies of bookings the phone keeps (an
/// organiser may have cancelled one), so My trips reads right offline.
/// Returns whether anything changed.
pub fn refresh(local: &mut [Kept<LocalTrip>], server: &[Booking]) -> bool {
    let mut changed = false;
    for t in local.iter_mut() {
        if let Some(b) = server.iter().find(|b| b.id == t.id) {
            if t.booking() != Some(b) {
                t.state = TripState::Booked {
                    booking: RawAnswer::new(b),
                };
                changed = true;
            }
        }
    }
    changed
}

/// One row of My trips.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum ListedTrip {
    /// Known only here: waiting or refused.
    Local(LocalTrip),
    Booked(Booking),
}

impl ListedTrip {
    pub fn id(&self) -> &str {
        match self {
            ListedTrip::Local(t) => &t.id,
            ListedTrip::Booked(b) => &b.id,
        }
    }

    pub fn arrival(&self) -> Date {
        match self {
            ListedTrip::Local(t) => t.request.arrival,
            ListedTrip::Booked(b) => b.arrival,
        }
    }
}

/// The member's bookings from the server plus those on this phone, each
/// once, the server's copy winning. Coming trips first (soonest first),
/// then past ones (latest first).
pub fn merge_trips(local: &[LocalTrip], server: &[Booking], today: Date) -> Vec<ListedTrip> {
    let mut out: Vec<ListedTrip> = server.iter().cloned().map(ListedTrip::Booked).collect();
    for t in local {
        if server.iter().any(|b| b.id == t.id) {
            continue;
        }
        out.push(match t.booking() {
            Some(booking) => ListedTrip::Booked(booking.clone()),
            None => ListedTrip::Local(t.clone()),
        });
    }
    out.sort_by(|a, b| {
        let (da, db) = (a.arrival(), b.arrival());
        match (da >= today, db >= today) {
            (true, true) => da.cmp(&db),
            (false, false) => db.cmp(&da),
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
        }
        .then_with(|| a.id().cmp(b.id()))
    });
    out
}

/// Whether the visitor may still cancel for free, by the phone's clock
/// (the server decides when the request arrives).
pub fn can_cancel(b: &Booking, now: OffsetDateTime) -> bool {
    b.can_cancel && now < b.free_cancel_until
}

/// What a visitor needs to know about a trip at a glance.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TripShown {
    Waiting,
    Confirmed,
    Refused,
    Cancelled,
}

pub fn trip_shown(t: &ListedTrip) -> TripShown {
    match t {
        ListedTrip::Local(l) => match l.state {
            TripState::Waiting(_) => TripShown::Waiting,
            TripState::Refused { .. } => TripShown::Refused,
            // Unreadable as a booking: shown as on its way, not lost.
            TripState::Booked { ref booking } => {
                booking.get().map_or(TripShown::Waiting, booked_shown)
            }
        },
        ListedTrip::Booked(b) => booked_shown(b),
    }
}

fn booked_shown(b: &Booking) -> TripShown {
    match b.status {
        BookingStatus::Confirmed => TripShown::Confirmed,
        BookingStatus::Cancelled => TripShown::Cancelled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visit_calendar::tests::request;
    use domain::dto::{BookingStatus, HouseholdRef};
    use domain::visit::CancellationPolicy;
    use time::macros::{date, datetime};
    use time::Duration;

    fn booking(id: &str, arrival: Date) -> Booking {
        Booking {
            id: id.into(),
            reference: "ABCDEFGH".into(),
            status: BookingStatus::Confirmed,
            village_slug: "liu".into(),
            village_name: LocalText::new("刘村", "Liu Village"),
            host: HouseholdRef {
                id: 1,
                name: LocalText::new("户", "Host"),
                demo: true,
                photo: None,
            },
            arrival,
            departure: arrival + Duration::days(1),
            nights: 1,
            adults: 2,
            children: 0,
            meals: vec![],
            name: "Demo".into(),
            phone: "13800000009".into(),
            lines: vec![],
            total_fen: 16000,
            cancellation: CancellationPolicy {
                free_cancel_days_before: 3,
            },
            policy_text: LocalText::new("", ""),
            free_cancel_until: datetime!(2026-12-01 00:00 +8),
            can_cancel: true,
            cancelled_by: None,
            cancel_reason: None,
            created_at: datetime!(2026-11-22 10:00 UTC),
            updated_at: datetime!(2026-11-22 10:00 UTC),
        }
    }

    /// A booking for 10 December made on this phone, not sent yet.
    fn waiting_trip(id: &str) -> LocalTrip {
        LocalTrip::new(
            id.into(),
            0.0,
            request(date!(2026 - 12 - 10), 1, 2, 0),
            LocalText::new("刘村", "Liu Village"),
            None,
            None,
            LocalText::new("", ""),
        )
    }

    #[test]
    fn my_trips_merge_without_doubles_and_coming_first() {
        let today = date!(2026 - 11 - 22);
        let mut waiting = waiting_trip("w");
        let mut kept = waiting.clone();
        kept.id = "a".into();
        kept.state = TripState::Booked {
            booking: RawAnswer::new(&booking("a", date!(2026 - 12 - 01))),
        };
        let server = vec![
            booking("a", date!(2026 - 12 - 01)),
            booking("past", date!(2026 - 11 - 01)),
            booking("soon", date!(2026 - 11 - 25)),
        ];
        let merged = merge_trips(&[waiting.clone(), kept.clone()], &server, today);
        let ids: Vec<&str> = merged.iter().map(|t| t.id()).collect();
        assert_eq!(ids, vec!["soon", "a", "w", "past"]);
        assert!(matches!(merged[2], ListedTrip::Local(_)));

        // A cancellation by the server reaches the phone's copy.
        let mut cancelled = booking("a", date!(2026 - 12 - 01));
        cancelled.status = BookingStatus::Cancelled;
        let mut local = vec![Kept::new(&kept), Kept::new(&waiting)];
        assert!(refresh(&mut local, &[cancelled.clone()]));
        assert_eq!(local[0].booking(), Some(&cancelled));
        assert!(!refresh(&mut local, &[cancelled.clone()]));

        // RawAnswer as JSON in localStorage, waiting or booked.
        waiting.state = TripState::Waiting(Retry::parked(LocalText::new("请登录", "log in")));
        local.push(Kept::new(&waiting));
        let json = serde_json::to_string(&local).unwrap();
        assert_eq!(
            serde_json::from_str::<Vec<Kept<LocalTrip>>>(&json).unwrap(),
            local
        );
        // The same JSON as the whole values', with the state of now.
        let whole: Vec<LocalTrip> = serde_json::from_str(&json).unwrap();
        assert_eq!(whole, crate::kept::values(&local));
        assert_eq!(whole[0].booking(), Some(&cancelled));
    }

    #[test]
    fn a_refused_booking_reads_back_with_what_is_free() {
        let refused = TripState::Refused {
            reason: "no room".into(),
            reason_zh: "没有空床".into(),
            fields: vec![FieldError::new("host_id", "没有空床", "no room")],
            no_room: Some(NoRoom {
                beds_needed: 3,
                host_id: Some(1),
                nights: vec![],
                other_hosts: vec![],
            }),
        };
        let json = serde_json::to_string(&refused).unwrap();
        assert_eq!(serde_json::from_str::<TripState>(&json).unwrap(), refused);
        // As versions before bilingual messages and `no_room` wrote it.
        let old: TripState =
            serde_json::from_str(r#"{"reason":"closed","state":"refused"}"#).unwrap();
        assert!(matches!(old, TripState::Refused { no_room: None, .. }));
        for (bad, says) in [
            (r#"{"state":"booked"}"#, "missing field `booking`"),
            (
                r#"{"state":"waiting","next_attempt_ms":0}"#,
                "missing field `attempts`",
            ),
            (r#"{"state":"gone"}"#, "unknown variant `gone`"),
        ] {
            let err = serde_json::from_str::<TripState>(bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn a_booking_from_elsewhere_is_kept_once() {
        let mut all = vec![];
        let b = booking("x", date!(2026 - 12 - 04));
        LocalTrip::keep(&mut all, &b, 5.0);
        LocalTrip::keep(&mut all, &b, 6.0);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].booking(), Some(&b));
        assert_eq!(all[0].get().unwrap().request.host_id, Some(1));
        let mut cancelled = b.clone();
        cancelled.status = BookingStatus::Cancelled;
        LocalTrip::keep(&mut all, &cancelled, 7.0);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].booking(), Some(&cancelled));
    }

    #[test]
    fn cancelling_follows_the_policy_instant() {
        let b = booking("a", date!(2026 - 12 - 04));
        assert!(can_cancel(&b, datetime!(2026-11-30 23:59 +8)));
        assert!(!can_cancel(&b, datetime!(2026-12-01 00:00 +8)));
        let mut cancelled = b.clone();
        cancelled.can_cancel = false;
        assert!(!can_cancel(&cancelled, datetime!(2026-11-22 00:00 +8)));
    }

    #[test]
    fn what_came_of_sending_a_booking_is_kept() {
        let new = || waiting_trip("t");
        let mut t = new();
        t.state
            .take_answer(Err(WriteError::Server(LocalText::new("忙", "busy"))), 0.0);
        assert_eq!(
            t.retry().unwrap().error_text(),
            Some(LocalText::new("忙", "busy"))
        );
        // Someone else's id: refused, not retried.
        let mut t = new();
        t.state.take_answer(
            Err(WriteError::NotFound(LocalText::new("没有", "gone"))),
            0.0,
        );
        assert_eq!(
            t.state,
            TripState::Refused {
                reason: "gone".into(),
                reason_zh: "没有".into(),
                fields: vec![],
                no_room: None,
            }
        );
        let mut t = new();
        let b = booking("t", date!(2026 - 12 - 10));
        t.state.take_answer(Ok(RawAnswer::new(&b)), 0.0);
        assert_eq!(t.booking(), Some(&b));
    }
}
