//! App-wide state: who is logged in, the cart, the outbox of orders and
//! the trips, kept in localStorage so they survive reloads and browser
//! restarts. `sender` delivers what waits.

use domain::dto::Me;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::cart::{Cart, CART_KEY};
use crate::kept::Kept;
use crate::orders::{LocalOrder, OUTBOX_KEY};
use crate::outbox::make_all_due;
use crate::sender::Sender;
use crate::trips::{LocalTrip, TRIPS_KEY};

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
    pub outbox: RwSignal<Vec<Kept<LocalOrder>>>,
    /// Visit bookings made on this phone (My trips).
    pub trips: RwSignal<Vec<Kept<LocalTrip>>>,
    pub(crate) sender: Sender,
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

/// Loads what the phone kept, provides the state, and starts the sender:
/// now, whenever the browser comes back online, and on a backoff timer.
pub fn provide_app_state() -> AppState {
    if !crate::first_screen::IN_BROWSER {
        // The server knows nothing of the phone: nobody, nothing kept.
        let state = AppState {
            session: RwSignal::new(Session::Unknown),
            cart: RwSignal::new(Cart::default()),
            outbox: RwSignal::new(Vec::new()),
            trips: RwSignal::new(Vec::new()),
            sender: Sender::new(),
        };
        provide_context(state);
        return state;
    }
    let cached_me: Option<Me> = LocalStorage::get(ME_KEY).ok();
    let state = AppState {
        session: RwSignal::new(cached_me.map_or(Session::Unknown, Session::Member)),
        cart: RwSignal::new(LocalStorage::get(CART_KEY).unwrap_or_default()),
        outbox: RwSignal::new(LocalStorage::get(OUTBOX_KEY).unwrap_or_default()),
        trips: RwSignal::new(LocalStorage::get(TRIPS_KEY).unwrap_or_default()),
        sender: Sender::new(),
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
        state.update_outbox(|o| make_all_due(o));
        state.update_trips(|t| make_all_due(t));
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
            self.update_outbox(|o| make_all_due(o));
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
    pub fn update_outbox(&self, f: impl FnOnce(&mut Vec<Kept<LocalOrder>>)) {
        self.outbox.update(f);
        let _ = LocalStorage::set(OUTBOX_KEY, self.outbox.get_untracked());
    }

    /// Changes the trips and writes them to the phone at once, before any
    /// request is made.
    pub fn update_trips(&self, f: impl FnOnce(&mut Vec<Kept<LocalTrip>>)) {
        self.trips.update(f);
        let _ = LocalStorage::set(TRIPS_KEY, self.trips.get_untracked());
    }

    /// Saves a new booking locally and starts sending it.
    pub fn book(&self, trip: LocalTrip) {
        self.update_trips(|t| t.push(Kept::new(&trip)));
        self.send_due();
    }

    /// Saves a new order locally, empties that village's cart, and starts
    /// sending it.
    pub fn place(&self, order: LocalOrder) {
        let slug = order.village_slug.clone();
        self.update_outbox(|o| o.push(Kept::new(&order)));
        self.update_cart(|c| {
            c.villages.remove(&slug);
        });
        self.send_due();
    }
}
