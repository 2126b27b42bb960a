//! The sender: delivers the orders and bookings waiting on the phone, one
//! at a time, and stores each answer, by the retry rules of `outbox`. Runs
//! now, whenever the browser comes back online, and on a backoff timer.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::outbox::{next_wakeup, Outgoing, PARKED_MS};
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
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl AppState {
    /// Sends every waiting order and booking that is due, one at a time,
    /// then sets a timer for the next retry. Only one run at a time.
    pub fn send_due(&self) {
        if self.sender.sending.get_value() {
            return;
        }
        self.sender.sending.set_value(true);
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
                            t.take_answer(result, now_ms());
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
                        o.take_answer(result, now_ms());
                    }
                });
            }
            state.sender.sending.set_value(false);
            state.schedule();
        });
    }

    fn schedule(&self) {
        if let Some(h) = self.sender.timer.get_value() {
            h.clear();
        }
        let orders = next_wakeup(&self.outbox.get_untracked());
        let trips = next_wakeup(&self.trips.get_untracked());
        let Some(at) = [orders, trips]
            .into_iter()
            .flatten()
            .reduce(f64::min)
            .filter(|t| *t < PARKED_MS)
        else {
            return;
        };
        let delay = (at - now_ms()).max(0.0) as u64;
        let state = *self;
        let handle =
            set_timeout_with_handle(move || state.send_due(), Duration::from_millis(delay)).ok();
        self.sender.timer.set_value(handle);
    }
}
