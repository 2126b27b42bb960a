//! Pickup marks as the phone keeps them: the outbox of marks (written
//! before they are sent, by the retry rules of `outbox`), the last pickup
//! list the phone got (so the page works with no signal), and what each
//! order shows: the newest of the server's pickup and the phone's own
//! marks. Plain data and pure functions, unit-tested natively, and the
//! marks' signal ([`PickupOutbox`]) that `sender` sends from, like the
//! shop's order outbox.

use domain::pickup::{later_mark, PickupList, PickupMark, PickupMarkAnswer, PickupMarkInput};
use domain::LocalText;
use serde::{Deserialize, Serialize};

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use crate::api::WriteError;
use crate::outbox::{make_all_due, retry_later, Outgoing, Retry};
use crate::sender::Sender;

/// localStorage key of the marks. Versioned so a future shape can migrate.
pub const MARKS_KEY: &str = "storefront.pickup-marks.v1";

/// localStorage key of the last pickup list of a round.
pub fn list_key(round_id: i64) -> String {
    format!("storefront.pickup-list.v1.{round_id}")
}

/// Marks the server has (or refused) are kept this long, so the list shows
/// them until it is loaded again.
const KEEP_DONE_MS: f64 = 3.0 * 24.0 * 3600.0 * 1000.0;

/// A mark as kept on the phone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalMark {
    pub order_id: String,
    pub round_id: i64,
    pub created_ms: f64,
    pub input: PickupMarkInput,
    /// `Some` while it waits to be sent.
    #[serde(default)]
    pub retry: Option<Retry>,
    /// The server's record of it, once sent.
    #[serde(default)]
    pub recorded: Option<PickupMark>,
    /// Why the server refused it; nothing was recorded.
    #[serde(default)]
    pub refused: Option<LocalText>,
}

impl LocalMark {
    /// A new mark, waiting to be sent now.
    pub fn new(order_id: String, round_id: i64, input: PickupMarkInput, now_ms: f64) -> Self {
        LocalMark {
            order_id,
            round_id,
            created_ms: now_ms,
            input,
            retry: Some(Retry::now()),
            recorded: None,
            refused: None,
        }
    }

    /// Keeps what came of sending it: the server's record, its refusal, a
    /// wait for a login, or a later try.
    pub fn take_answer(&mut self, result: Result<PickupMarkAnswer, WriteError>, now_ms: f64) {
        match result {
            Ok(answer) => {
                self.retry = None;
                self.recorded = Some(answer.mark);
            }
            Err(WriteError::Refused { message, .. }) => {
                self.retry = None;
                self.refused = Some(message);
            }
            // Sent again once logged in.
            Err(WriteError::Unauthorized(m)) => self.retry = Some(Retry::parked(m)),
            Err(e) => retry_later(self, &e, now_ms),
        }
    }
}

impl Outgoing for LocalMark {
    fn retry(&self) -> Option<&Retry> {
        self.retry.as_ref()
    }

    fn retry_mut(&mut self) -> Option<&mut Retry> {
        self.retry.as_mut()
    }
}

/// Drops marks long done (sent or refused); waiting ones always stay.
pub fn prune(marks: &mut Vec<LocalMark>, now_ms: f64) {
    marks.retain(|m| m.retry.is_some() || now_ms - m.created_ms < KEEP_DONE_MS);
}

/// What an order shows.
#[derive(Clone, Debug, PartialEq)]
pub enum ShownPickup {
    /// Nobody has marked it.
    Unmarked,
    /// The server's pickup (maybe another organiser's mark).
    Server(PickupMark),
    /// This phone's own mark, newer than what the server's list said:
    /// waiting to be sent, sent, or refused.
    Local(LocalMark),
}

/// The newest mark of the order: the phone's latest own mark (refused ones
/// left out) when it is as new as the server's pickup or newer and not
/// that very mark, the server's otherwise. The same rule the server applies, so the page
/// agrees with the list once it is loaded again.
pub fn shown_pickup(
    order_id: &str,
    server: Option<&PickupMark>,
    marks: &[LocalMark],
) -> ShownPickup {
    let local = marks
        .iter()
        .filter(|m| m.order_id == order_id && m.refused.is_none())
        .reduce(|a, b| {
            if later_mark(b.input.marked_at, a.input.marked_at) {
                b
            } else {
                a
            }
        });
    match (server, local) {
        // The server's list already has it (with who marked it), or a newer one.
        (Some(s), Some(l))
            if s.mark_uuid.eq_ignore_ascii_case(&l.input.mark_uuid)
                || !later_mark(l.input.marked_at, s.marked_at) =>
        {
            ShownPickup::Server(s.clone())
        }
        (_, Some(l)) => ShownPickup::Local(l.clone()),
        (Some(s), None) => ShownPickup::Server(s.clone()),
        (None, None) => ShownPickup::Unmarked,
    }
}

/// The phone's last refused mark of the order, if it is its newest mark.
pub fn refusal(order_id: &str, marks: &[LocalMark]) -> Option<LocalText> {
    marks
        .iter()
        .filter(|m| m.order_id == order_id)
        .max_by(|a, b| a.created_ms.total_cmp(&b.created_ms))
        .and_then(|m| m.refused.clone())
}

/// How many of the round's marks wait on this phone.
pub fn waiting(round_id: i64, marks: &[LocalMark]) -> usize {
    marks
        .iter()
        .filter(|m| m.round_id == round_id && m.is_waiting())
        .count()
}

/// The marks waiting on this phone, kept in localStorage, and their sender.
#[derive(Clone, Copy)]
pub struct PickupOutbox {
    pub marks: RwSignal<Vec<LocalMark>>,
    pub(crate) sender: Sender,
}

impl PickupOutbox {
    /// What the phone kept; sending starts with [`PickupOutbox::start`].
    pub fn load() -> Self {
        let mut marks: Vec<LocalMark> = LocalStorage::get(MARKS_KEY).unwrap_or_default();
        prune(&mut marks, js_sys::Date::now());
        PickupOutbox {
            marks: RwSignal::new(marks),
            sender: Sender::new(),
        }
    }

    /// Sends what waits now, whenever the browser comes back online, and
    /// on the backoff timer, for as long as the page is open.
    pub fn start(self) {
        let online = window_event_listener(leptos::ev::online, move |_| {
            self.update(|m| make_all_due(m));
            self.send_due();
        });
        on_cleanup(move || online.remove());
        self.update(|m| make_all_due(m));
        self.send_due();
    }

    /// Changes the marks and writes them to the phone at once, before any
    /// request is made.
    pub fn update(&self, f: impl FnOnce(&mut Vec<LocalMark>)) {
        self.marks.update(f);
        let _ = LocalStorage::set(MARKS_KEY, self.marks.get_untracked());
    }

    /// Keeps a new mark and starts sending it.
    pub fn mark(&self, mark: LocalMark) {
        self.update(|m| m.push(mark));
        self.send_due();
    }
}

/// A pickup list as kept on the phone, with when it was loaded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptList {
    pub loaded_ms: f64,
    pub list: PickupList,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::{NO_CONNECTION, PARKED_MS};
    use domain::organise::OrganiserRef;
    use domain::pickup::{PaymentMethod, PickupState};
    use time::macros::datetime;
    use time::OffsetDateTime;

    fn input(uuid: &str, state: PickupState, at: OffsetDateTime) -> PickupMarkInput {
        let paid = state == PickupState::Paid;
        PickupMarkInput {
            mark_uuid: uuid.into(),
            state,
            amount_fen: paid.then_some(4500),
            method: paid.then_some(PaymentMethod::Cash),
            marked_at: at,
        }
    }

    fn server_mark(state: PickupState, at: OffsetDateTime) -> PickupMark {
        PickupMark {
            mark_uuid: "00000000-0000-4000-8000-000000000001".into(),
            state,
            amount_fen: None,
            method: None,
            marked_at: at,
            marked_by: OrganiserRef {
                id: 2,
                name: LocalText::new("赵秀梅", "Zhao Xiumei"),
            },
            recorded_at: at,
        }
    }

    const T: OffsetDateTime = datetime!(2026-12-05 09:30 +8);

    #[test]
    fn a_mark_waits_survives_a_reload_and_is_done_once_answered() {
        let mut m = LocalMark::new("o1".into(), 7, input("u1", PickupState::Paid, T), 1000.0);
        assert!(m.is_due(1000.0));
        m.take_answer(Err(WriteError::Network("offline".into())), 1000.0);
        assert!(m.is_waiting());
        assert!(!m.is_due(1500.0), "backs off");
        assert_eq!(
            m.retry.as_ref().unwrap().last_error.as_deref(),
            Some(NO_CONNECTION)
        );
        // Kept as JSON in localStorage, read back the same.
        let kept: Vec<LocalMark> =
            serde_json::from_str(&serde_json::to_string(&vec![m.clone()]).unwrap()).unwrap();
        assert_eq!(kept, vec![m.clone()]);
        let mut all = vec![m];
        make_all_due(&mut all);
        assert!(all[0].is_due(1001.0), "due at once when back online");

        let recorded = server_mark(PickupState::Paid, T);
        all[0].take_answer(
            Ok(PickupMarkAnswer {
                order_id: "o1".into(),
                mark: recorded.clone(),
            }),
            2000.0,
        );
        assert!(!all[0].is_waiting(), "not sent again");
        assert_eq!(all[0].recorded, Some(recorded));
        assert_eq!(waiting(7, &all), 0);
    }

    #[test]
    fn a_refusal_is_kept_and_a_logged_out_phone_waits_for_a_login() {
        let mut m = LocalMark::new("o1".into(), 7, input("u1", PickupState::Absent, T), 0.0);
        m.take_answer(
            Err(WriteError::Unauthorized(LocalText::new(
                "请登录",
                "please log in",
            ))),
            0.0,
        );
        assert_eq!(m.retry.as_ref().unwrap().next_attempt_ms, PARKED_MS);
        m.take_answer(
            Err(WriteError::Refused {
                status: 422,
                message: LocalText::new("时间在将来", "is in the future"),
                fields: vec![],
                short: vec![],
                no_room: None,
                below_ordered: vec![],
                retry_after_minutes: None,
            }),
            0.0,
        );
        assert!(!m.is_waiting());
        let all = vec![m];
        assert_eq!(refusal("o1", &all).unwrap().en, "is in the future");
        assert_eq!(shown_pickup("o1", None, &all), ShownPickup::Unmarked);
    }

    #[test]
    fn the_newest_mark_shows_whoever_made_it() {
        let early = T - time::Duration::minutes(5);
        let late = T + time::Duration::minutes(5);
        let mine = LocalMark::new("o1".into(), 7, input("u1", PickupState::Unpaid, T), 0.0);
        let marks = vec![mine.clone()];
        assert_eq!(
            shown_pickup("o1", None, &marks),
            ShownPickup::Local(mine.clone())
        );
        assert_eq!(shown_pickup("o2", None, &marks), ShownPickup::Unmarked);
        // Another organiser's older mark: mine shows.
        let older = server_mark(PickupState::Absent, early);
        assert_eq!(
            shown_pickup("o1", Some(&older), &marks),
            ShownPickup::Local(mine.clone())
        );
        // Their newer mark wins over mine.
        let newer = server_mark(PickupState::Paid, late);
        assert_eq!(
            shown_pickup("o1", Some(&newer), &marks),
            ShownPickup::Server(newer)
        );
        // My second mark wins over my first.
        let again = LocalMark::new("o1".into(), 7, input("u2", PickupState::Paid, late), 1.0);
        let marks = vec![mine, again.clone()];
        assert_eq!(
            shown_pickup("o1", Some(&older), &marks),
            ShownPickup::Local(again)
        );
        // Once the server's list has my mark, it shows with who made it.
        let mut listed = server_mark(PickupState::Paid, late);
        listed.mark_uuid = "u2".into();
        assert_eq!(
            shown_pickup("o1", Some(&listed), &marks),
            ShownPickup::Server(listed)
        );
        assert_eq!(waiting(7, &marks), 2);
        assert_eq!(waiting(8, &marks), 0);
    }

    #[test]
    fn done_marks_are_dropped_after_a_while_waiting_ones_never() {
        let mut done = LocalMark::new("o1".into(), 7, input("u1", PickupState::Absent, T), 0.0);
        done.retry = None;
        let waiting_one = LocalMark::new("o2".into(), 7, input("u2", PickupState::Absent, T), 0.0);
        let mut marks = vec![done, waiting_one];
        prune(&mut marks, 1000.0);
        assert_eq!(marks.len(), 2);
        prune(&mut marks, KEEP_DONE_MS + 1.0);
        assert_eq!(marks.len(), 1);
        assert_eq!(marks[0].order_id, "o2");
    }
}
