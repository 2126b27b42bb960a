//! The sender: delivers the orders and bookings waiting on the phone, one
//! at a time, and stores each answer, by the retry rules of `outbox`. Runs
//! now, whenever the browser comes back online, and on a backoff timer.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, WriteError};
use crate::orders::LocalState;
use crate::outbox::{mark_retry, next_wakeup, Outgoing, Retry, PARKED_MS};
use crate::state::AppState;
use crate::trips::{LocalTrip, TripState};

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
                    state.send_trip(trip).await;
                    continue;
                }
                let Some(next) = state
                    .outbox
                    .get_untracked()
                    .into_iter()
                    .find(|o| o.is_due(now))
                else {
                    break;
                };
                let result = api::put_order(&next.id, &next.request).await;
                let id = next.id.clone();
                state.update_outbox(|all| {
                    let Some(o) = all.iter_mut().find(|o| o.id == id) else {
                        return;
                    };
                    match result {
                        Ok(order) => o.state = LocalState::Confirmed { order },
                        Err(WriteError::Refused {
                            message,
                            short,
                            fields,
                            ..
                        }) => {
                            o.state = LocalState::Refused {
                                reason: message.en,
                                reason_zh: message.zh,
                                short,
                                fields,
                            }
                        }
                        // Sent again once logged in.
                        Err(WriteError::Unauthorized(m)) => {
                            o.state = LocalState::Waiting(Retry::parked(m))
                        }
                        // No answer at all: the page says "no connection" in the
                        // shopper's language rather than the browser's words.
                        Err(WriteError::Network(_)) => mark_retry(o, now_ms(), None),
                        Err(e) => mark_retry(o, now_ms(), Some(e.message())),
                    }
                });
            }
            state.sender.sending.set_value(false);
            state.schedule();
        });
    }

    async fn send_trip(&self, trip: LocalTrip) {
        let result = api::put_booking(&trip.id, &trip.request).await;
        self.update_trips(|all| {
            let Some(t) = all.iter_mut().find(|t| t.id == trip.id) else {
                return;
            };
            match result {
                Ok(booking) => t.state = TripState::Booked { booking },
                Err(WriteError::Refused {
                    message,
                    fields,
                    no_room,
                    ..
                }) => {
                    t.state = TripState::Refused {
                        reason: message.en,
                        reason_zh: message.zh,
                        fields,
                        no_room,
                    }
                }
                // The id is someone else's: nothing of ours was booked.
                Err(WriteError::NotFound(message)) | Err(WriteError::Unauthorized(message)) => {
                    t.state = TripState::Refused {
                        reason: message.en,
                        reason_zh: message.zh,
                        fields: vec![],
                        no_room: None,
                    }
                }
                Err(WriteError::Network(_)) => mark_retry(t, now_ms(), None),
                Err(e) => mark_retry(t, now_ms(), Some(e.message())),
            }
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
