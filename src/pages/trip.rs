use crate::api;
use crate::components::{now, use_lang, ConfirmCancel, LastError, Loading, PageTitle, PriceLines};
use crate::format;
use crate::i18n::*;
use crate::kept::Kept;
use crate::nav::use_param;
use crate::outbox::Retry;
use crate::state::use_app;
use crate::trips::{self, trip_shown, ListedTrip, LocalTrip, TripShown, TripState};
use domain::dto::{Booking, CancelledBy};
use domain::format_yuan;
use domain::LocalText;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `/trips/{id}`: one booking, its state in words no one can miss, and
/// cancelling it within the policy.
#[component]
pub fn TripPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let id = use_param("id");
    let local = move || {
        app.trips
            .with(|t| t.iter().find(|t| t.id == id()).and_then(Kept::get))
    };
    // The server's copy: by reference when the phone has it, else by the
    // member's session. Offline, the phone's copy stands.
    let server = crate::load::Load::new(move || {
        let id = id();
        let reference = app.trips.with_untracked(|t| {
            t.iter()
                .find(|t| t.id == id)
                .and_then(|t| t.booking().map(|b| b.reference.clone()))
        });
        let member = app.member().is_some();
        let waiting = app.trips.with(|t| {
            t.iter()
                .any(|t| t.id == id && !matches!(t.state, TripState::Booked { .. }))
        });
        async move {
            if waiting {
                return None;
            }
            match reference {
                Some(r) => api::booking(id, r).await.ok(),
                None if member => api::booking(id, String::new()).await.ok(),
                None => None,
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Some(b)) = server.get() {
            if app
                .trips
                .with_untracked(|t| t.iter().any(|t| t.id == b.id && t.booking() != Some(&b)))
            {
                app.update_trips(|t| {
                    trips::refresh(t, std::slice::from_ref(&b));
                });
            }
        }
    });
    let listed = move || -> Option<ListedTrip> {
        if let Some(Some(b)) = server.get() {
            if local().is_none() {
                return Some(ListedTrip::Booked(b));
            }
        }
        let l = local()?;
        Some(match l.booking() {
            Some(booking) => ListedTrip::Booked(booking.clone()),
            None => ListedTrip::Local(l),
        })
    };
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, trip_title).to_string()) />
        {move || match listed() {
            Some(t) => view! { <TripDetail t=t /> }.into_any(),
            None if server.get().is_none() => view! { <Loading /> }.into_any(),
            None => view! { <crate::components::NotFound /> }.into_any(),
        }}
    }
}

#[component]
fn TripDetail(t: ListedTrip) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let state = trip_shown(&t);
    let banner = match (&t, state) {
        (ListedTrip::Local(l), TripShown::Waiting) => {
            let last = l.retry_error();
            view! {
                <section class="banner waiting" role="status" data-testid="banner-waiting">
                    <h1>{t!(i18n, trip_waiting_title)}</h1>
                    <p>{t!(i18n, trip_waiting_body)}</p>
                    {last.map(|r| view! { <LastError r=r /> })}
                    <SendNow />
                </section>
            }
            .into_any()
        }
        (ListedTrip::Local(l), _) => view! { <Refused l=l.clone() /> }.into_any(),
        (ListedTrip::Booked(b), TripShown::Cancelled) => {
            let reason = b.cancel_reason.clone();
            let by_organiser = b.cancelled_by == Some(CancelledBy::Organiser);
            view! {
                <section class="banner cancelled" role="status" data-testid="banner-cancelled">
                    <h1>{t!(i18n, trip_cancelled_title)}</h1>
                    {by_organiser.then(|| view! { <p>{t!(i18n, trip_cancelled_by_organiser)}</p> })}
                    {reason.map(|r| view! { <p data-testid="cancel-reason">{move || t_string!(i18n, cancel_reason, reason = r.clone())}</p> })}
                </section>
            }
            .into_any()
        }
        (ListedTrip::Booked(b), _) => {
            let reference = b.reference.clone();
            view! {
                <section class="banner confirmed" role="status" data-testid="banner-confirmed">
                    <p class="big-check" aria-hidden="true">"✓"</p>
                    <h1>{t!(i18n, trip_confirmed_title)}</h1>
                    <p class="order-number" data-testid="booking-reference">{move || t_string!(i18n, booking_reference, reference = reference.clone())}</p>
                    <p>{t!(i18n, trip_confirmed_body)}</p>
                </section>
            }
            .into_any()
        }
    };
    let facts = match &t {
        ListedTrip::Booked(b) => view! { <BookedFacts b=b.clone() /> }.into_any(),
        ListedTrip::Local(l) => {
            let l = l.clone();
            let r = l.request.clone();
            let departure = r.arrival + time::Duration::days(i64::from(r.nights));
            let host = l.host_name.clone();
            let village = l.village_name.clone();
            let policy = l.policy_text.clone();
            view! {
                <section class="order-facts" data-testid="trip-facts">
                    <h2>{move || village.get(lang()).to_string()}</h2>
                    <p>{move || t_string!(i18n, stay_dates, from = format::format_date(r.arrival, lang()), to = format::format_date(departure, lang()))}</p>
                    <p>{move || t_string!(i18n, party_line, adults = r.adults, children = r.children)}</p>
                    <p>{move || match &host { Some(h) => h.get(lang()).to_string(), None => t_string!(i18n, host_any).to_string() }}</p>
                    {l.estimate_fen.map(|f| view! { <p class="total-line"><span>{t!(i18n, total)}</span><strong>{format_yuan(f)}</strong></p> })}
                    <p class="note policy">{move || policy.get(lang()).to_string()}</p>
                </section>
            }
            .into_any()
        }
    };
    view! {
        {banner}
        {facts}
        <p class="center"><a href="/trips" data-testid="to-trips">{t!(i18n, trips_title)}</a></p>
    }
}

impl LocalTrip {
    /// The retry state, once an attempt has failed.
    fn retry_error(&self) -> Option<Retry> {
        match &self.state {
            TripState::Waiting(r) => r.last_error.is_some().then(|| r.clone()),
            _ => None,
        }
    }
}

#[component]
fn SendNow() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    view! {
        <button class="button secondary" type="button" data-testid="send-now" on:click=move |_| {
            app.update_trips(|t| crate::outbox::make_all_due(t));
            app.send_due();
        }>{t!(i18n, send_now)}</button>
    }
}

/// The server said no: why, and a way back to the form.
#[component]
fn Refused(l: LocalTrip) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let app = use_app();
    let TripState::Refused {
        reason,
        reason_zh,
        fields,
        no_room,
    } = l.state.clone()
    else {
        return ().into_any();
    };
    let reason = domain::LocalText::new(reason_zh, reason);
    let detail = move || crate::format::refusal_detail(&reason, &fields, lang());
    let others = no_room
        .as_ref()
        .map(|n| n.other_hosts.clone())
        .unwrap_or_default();
    let is_no_room = no_room.is_some();
    let slug = l.request.village_slug.clone();
    let id = l.id.clone();
    view! {
        <section class="banner refused" role="alert" data-testid="banner-refused">
            <h1>{t!(i18n, trip_refused_title)}</h1>
            {is_no_room.then(|| view! { <p data-testid="no-room">{t!(i18n, trip_no_room)}</p> })}
            <p class="small">{detail}</p>
            {(!others.is_empty()).then(|| view! {
                <p>{t!(i18n, trip_other_hosts)}</p>
                <ul>
                    {others.into_iter().map(|h| {
                        let name = h.name.clone();
                        view! { <li>{move || t_string!(i18n, host_beds_left_short, name = name.get(lang()).to_string(), left = h.beds_left)}</li> }
                    }).collect_view()}
                </ul>
            })}
            <a class="button primary" href=format!("/v/{slug}/visit") data-testid="try-again" on:click=move |_| {
                let id = id.clone();
                app.update_trips(|t| t.retain(|t| t.id != id));
            }>{t!(i18n, trip_try_again)}</a>
        </section>
    }
    .into_any()
}

/// The booking as the server has it, and cancelling it.
#[component]
fn BookedFacts(b: Booking) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let village = b.village_name.clone();
    let host = b.host.name.clone();
    let policy = b.policy_text.clone();
    let (arrival, departure, adults, children) = (b.arrival, b.departure, b.adults, b.children);
    let lines = b.lines.clone();
    let meals = b.meals.clone();
    let until = b.free_cancel_until;
    let cancellable = trips::can_cancel(&b, now());
    let confirmed = b.status == domain::dto::BookingStatus::Confirmed;
    view! {
        <section class="order-facts" data-testid="trip-facts">
            <h2>{move || village.get(lang()).to_string()}</h2>
            <p data-testid="trip-host"><strong>{move || host.get(lang()).to_string()}</strong></p>
            <p data-testid="trip-dates">{move || t_string!(i18n, stay_dates, from = format::format_date(arrival, lang()), to = format::format_date(departure, lang()))}</p>
            <p data-testid="trip-party">{move || t_string!(i18n, party_line, adults = adults, children = children)}</p>
            <p class="muted small">{move || t_string!(i18n, booked_for, name = b.name.clone(), phone = b.phone.clone())}</p>
        </section>
        {(!meals.is_empty()).then(|| view! {
            <section>
                <h3>{t!(i18n, visit_step_meals)}</h3>
                <ul class="order-lines">
                    {meals.into_iter().map(|m| view! {
                        <li><span>{move || format::format_date(m.date, lang())}</span><span>{move || format::meal_names(i18n, m.meals()).join(" · ")}</span></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <section>
            <PriceLines lines=lines testid="trip-lines" />
            <p class="total-line" data-testid="trip-total"><span>{t!(i18n, total)}</span><strong>{format_yuan(b.total_fen)}</strong></p>
            <p class="muted small">{t!(i18n, pay_at_host)}</p>
        </section>
        <p class="note policy" data-testid="policy">{move || policy.get(lang()).to_string()}</p>
        {confirmed.then(|| if cancellable {
            view! { <CancelTrip id=b.id.clone() reference=b.reference.clone() until=until /> }.into_any()
        } else {
            view! {
                <p class="note warn" data-testid="cancel-closed">
                    {move || t_string!(i18n, cancel_closed, until = format::format_datetime(until, lang()))}
                </p>
            }
            .into_any()
        })}
    }
}

#[component]
fn CancelTrip(id: String, reference: String, until: time::OffsetDateTime) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let app = use_app();
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<LocalText>);
    let cancel = move |_| {
        let (id, reference) = (id.clone(), reference.clone());
        busy.set(true);
        spawn_local(async move {
            match api::cancel_booking(id, reference).await {
                Ok(b) => {
                    app.update_trips(|t| LocalTrip::keep(t, &b, js_sys::Date::now()));
                    asking.set(false);
                }
                Err(e) if e.is_retryable() => error.set(Some(both!(offline_error))),
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="change" data-testid="cancel-trip">
            <p class="muted small">{move || t_string!(i18n, cancel_free_until, until = format::format_datetime(until, lang()))}</p>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="cancel-error">{move || error.get().map(|m| m.get(lang()).to_string())}</p>
            </Show>
            <Show when=move || !asking.get()>
                <button class="button danger wide" type="button" data-testid="cancel-booking" on:click=move |_| asking.set(true)>{t!(i18n, cancel_booking)}</button>
            </Show>
            <ConfirmCancel asking=asking on_yes=Callback::new(cancel) busy=busy>{t!(i18n, cancel_booking_confirm)}</ConfirmCancel>
        </section>
    }
}
