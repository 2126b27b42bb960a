//! App-wide state: who is logged in, the cart and the outbox of orders,
//! kept in localStorage so they survive reloads and browser restarts, and
//! the sender that delivers waiting orders exactly once.

use std::time::Duration;

use domain::dto::Me;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, WriteError};
use crate::store::{self, Cart, LocalOrder, LocalState, Outgoing, CART_KEY, OUTBOX_KEY};
use crate::trips::{LocalTrip, TripState, TRIPS_KEY};

const ME_KEY: &str = "storefront.me.v1";

/// Who is using the app, as far as we know.
#[derive(Clone, Debug, PartialEq)]
// One per page: boxing the member would only add noise.
#[allow(clippy::large_enum_variant)]
pub enum Session {
    /// Not asked yet (first load, no cached member).
    Unknown,
    Anonymous,
    Member(Me),
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub session: RwSignal<Session>,
    pub cart: RwSignal<Cart>,
    pub outbox: RwSignal<Vec<LocalOrder>>,
    /// Visit bookings made on this phone (My trips).
    pub trips: RwSignal<Vec<LocalTrip>>,
    sending: StoredValue<bool>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Loads what the phone kept, provides the state, and starts the sender:
/// now, whenever the browser comes back online, and on a backoff timer.
pub fn provide_app_state() -> AppState {
    let cached_me: Option<Me> = LocalStorage::get(ME_KEY).ok();
    let state = AppState {
        session: RwSignal::new(cached_me.map_or(Session::Unknown, Session::Member)),
        cart: RwSignal::new(LocalStorage::get(CART_KEY).unwrap_or_default()),
        outbox: RwSignal::new(LocalStorage::get(OUTBOX_KEY).unwrap_or_default()),
        trips: RwSignal::new(LocalStorage::get(TRIPS_KEY).unwrap_or_default()),
        sending: StoredValue::new(false),
        timer: StoredValue::new(None),
    };
    provide_context(state);

    // Ask the server who we are; offline, the cached member stands.
    spawn_local(async move {
        match api::me().await {
            Ok(Some(me)) => state.set_member(Some(me)),
            Ok(None) => state.set_member(None),
            Err(_) => {}
        }
    });

    let _ = window_event_listener(leptos::ev::online, move |_| {
        state.update_outbox(|o| store::make_all_due(o));
        state.update_trips(|t| store::make_all_due(t));
        state.send_due();
    });
    state.send_due();
    state
}

impl AppState {
    pub fn member(&self) -> Option<Me> {
        match self.session.get() {
            Session::Member(me) => Some(me),
            _ => None,
        }
    }

    pub fn set_member(&self, me: Option<Me>) {
        match &me {
            Some(m) => {
                let _ = LocalStorage::set(ME_KEY, m);
            }
            None => LocalStorage::delete(ME_KEY),
        }
        let logged_in = me.is_some();
        self.session
            .set(me.map_or(Session::Anonymous, Session::Member));
        if logged_in {
            // Orders that waited for a login can go now.
            self.update_outbox(|o| store::make_all_due(o));
            self.send_due();
        }
    }

    /// Changes the cart and writes it to the phone at once.
    pub fn update_cart(&self, f: impl FnOnce(&mut Cart)) {
        self.cart.update(f);
        let _ = LocalStorage::set(CART_KEY, self.cart.get_untracked());
    }

    /// Changes the outbox and writes it to the phone at once, before any
    /// request is made.
    pub fn update_outbox(&self, f: impl FnOnce(&mut Vec<LocalOrder>)) {
        self.outbox.update(f);
        let _ = LocalStorage::set(OUTBOX_KEY, self.outbox.get_untracked());
    }

    /// Changes the trips and writes them to the phone at once, before any
    /// request is made.
    pub fn update_trips(&self, f: impl FnOnce(&mut Vec<LocalTrip>)) {
        self.trips.update(f);
        let _ = LocalStorage::set(TRIPS_KEY, self.trips.get_untracked());
    }

    /// Saves a new booking locally and starts sending it.
    pub fn book(&self, trip: LocalTrip) {
        self.update_trips(|t| t.push(trip));
        self.send_due();
    }

    /// Saves a new order locally, empties that village's cart, and starts
    /// sending it.
    pub fn place(&self, order: LocalOrder) {
        let slug = order.village_slug.clone();
        self.update_outbox(|o| o.push(order));
        self.update_cart(|c| {
            c.villages.remove(&slug);
        });
        self.send_due();
    }

    /// Sends every waiting order and booking that is due, one at a time,
    /// then sets a timer for the next retry. Only one run at a time.
    pub fn send_due(&self) {
        if self.sending.get_value() {
            return;
        }
        self.sending.set_value(true);
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
                            o.state = LocalState::Waiting(store::Retry::parked(m))
                        }
                        // No answer at all: the page says "no connection" in the
                        // shopper's language rather than the browser's words.
                        Err(WriteError::Network(_)) => store::mark_retry(o, now_ms(), None),
                        Err(e) => store::mark_retry(o, now_ms(), Some(e.message())),
                    }
                });
            }
            state.sending.set_value(false);
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
                Err(WriteError::Network(_)) => store::mark_retry(t, now_ms(), None),
                Err(e) => store::mark_retry(t, now_ms(), Some(e.message())),
            }
        });
    }

    fn schedule(&self) {
        if let Some(h) = self.timer.get_value() {
            h.clear();
        }
        let orders = store::next_wakeup(&self.outbox.get_untracked());
        let trips = store::next_wakeup(&self.trips.get_untracked());
        let Some(at) = [orders, trips]
            .into_iter()
            .flatten()
            .reduce(f64::min)
            .filter(|t| *t < store::PARKED_MS)
        else {
            return;
        };
        let delay = (at - now_ms()).max(0.0) as u64;
        let state = *self;
        let handle =
            set_timeout_with_handle(move || state.send_due(), Duration::from_millis(delay)).ok();
        self.timer.set_value(handle);
    }
}
