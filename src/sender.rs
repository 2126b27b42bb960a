//! The sender: delivers the orders and bookings waiting on the phone, one
//! at a time, and stores each answer, by the retry rules of `outbox`. Runs
//! now, whenever the browser comes back online, and on a backoff timer.
//! The pickup page's marks go the same way, with a [`Sender`] of their own.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::outbox::{next_wakeup, Outgoing, PARKED_MS};
use crate::pickup::PickupOutbox;
use crate::state::AppState;

/// Whether a run is going, and the timer of the next one.
#[derive(Clone, Copy)]
pub struct Sender {
    sending: StoredValue<bool>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl Sender {
    pub(crate) fn new() -> Self {
        Sender {
            sending: StoredValue::new(false),
            timer: StoredValue::new(None),
        }
    }

    /// Starts a run: `false` when one is already going.
    fn begin(&self) -> bool {
        if self.sending.get_value() {
            return false;
        }
        self.sending.set_value(true);
        true
    }

    fn end(&self) {
        self.sending.set_value(false);
    }

    /// Calls `run` at the earliest of `wakeups` (replacing the timer set
    /// before); not at all when nothing waits on a timer.
    fn wake_at(&self, wakeups: impl IntoIterator<Item = Option<f64>>, run: impl Fn() + 'static) {
        if let Some(h) = self.timer.get_value() {
            h.clear();
        }
        let Some(at) = wakeups
            .into_iter()
            .flatten()
            .reduce(f64::min)
            .filter(|t| *t < PARKED_MS)
        else {
            return;
        };
        let delay = (at - now_ms()).max(0.0) as u64;
        let handle = set_timeout_with_handle(run, Duration::from_millis(delay)).ok();
        self.timer.set_value(handle);
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl AppState {
    /// Sends every waiting order and booking that is due, one at a time,
    /// then sets a timer for the next retry. Only one run at a time.
    pub fn send_due(&self) {
        if !self.sender.begin() {
            return;
        }
        let state = *self;
        spawn_local(async move {
            loop {
                let now = now_ms();
                let next_trip = state
                    .trips
                    .with_untracked(|t| t.iter().find(|t| t.is_due(now)).cloned());
                if let Some(trip) = next_trip {
                    let result = api::put_booking(&trip.id, &trip.request).await;
                    state.update_trips(|all| {
                        if let Some(t) = all.iter_mut().find(|t| t.id == trip.id) {
                            t.state.take_answer(result, now_ms());
                        }
                    });
                    continue;
                }
                let next_order = state
                    .outbox
                    .with_untracked(|o| o.iter().find(|o| o.is_due(now)).cloned());
                let Some(order) = next_order else {
                    break;
                };
                let result = api::put_order(&order.id, &order.request).await;
                state.update_outbox(|all| {
                    if let Some(o) = all.iter_mut().find(|o| o.id == order.id) {
                        o.state.take_answer(result, now_ms());
                    }
                });
            }
            state.sender.end();
            state.schedule();
        });
    }

    fn schedule(&self) {
        let orders = next_wakeup(&self.outbox.get_untracked());
        let trips = next_wakeup(&self.trips.get_untracked());
        let state = *self;
        self.sender
            .wake_at([orders, trips], move || state.send_due());
    }
}

impl PickupOutbox {
    /// Sends every waiting mark that is due, one at a time, then sets a
    /// timer for the next retry. Only one run at a time.
    pub fn send_due(&self) {
        if !self.sender.begin() {
            return;
        }
        let outbox = *self;
        spawn_local(async move {
            loop {
                let now = now_ms();
                let next = outbox
                    .marks
                    .with_untracked(|m| m.iter().find(|m| m.is_due(now)).cloned());
                let Some(mark) = next else {
                    break;
                };
                let result = api::pickup::put_mark(&mark.order_id, &mark.input).await;
                outbox.update(|all| {
                    if let Some(m) = all
                        .iter_mut()
                        .find(|m| m.input.mark_uuid == mark.input.mark_uuid)
                    {
                        m.take_answer(result, now_ms());
                    }
                });
            }
            outbox.sender.end();
            let wakeup = next_wakeup(&outbox.marks.get_untracked());
            outbox.sender.wake_at([wakeup], move || outbox.send_due());
        });
    }
}
