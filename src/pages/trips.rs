use crate::api;
use crate::components::{today_shanghai, use_lang, ListSwitch, PageTitle};
use crate::format;
use crate::i18n::*;
use crate::kept;
use crate::state::use_app;
use crate::trips::{self, trip_shown, ListedTrip, TripShown, TripState};
use domain::dto::Booking;
use domain::format_yuan;
use leptos::prelude::*;

/// The server's latest copies of the bookings this phone knows: the
/// member's list, and each other booking read by its reference.
pub async fn fetch_server_trips(
    member: bool,
    kept: Vec<(String, String)>,
) -> Result<Vec<Booking>, api::WriteError> {
    let mut out = if member {
        api::bookings().await?
    } else {
        Vec::new()
    };
    for (id, reference) in kept {
        if out.iter().any(|b| b.id == id) {
            continue;
        }
        match api::booking(id, reference).await {
            Ok(b) => out.push(b),
            Err(e) if e.is_retryable() => return Err(e),
            Err(_) => {}
        }
    }
    Ok(out)
}

/// `/trips`: visits booked on this phone merged with the member's bookings
/// on the server; readable offline from the phone's copies.
#[component]
pub fn TripsPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let server = crate::load::Load::new(move || {
        let member = app.member().is_some();
        let kept: Vec<(String, String)> = app.trips.with_untracked(|t| {
            t.iter()
                .filter_map(|t| t.booking().map(|b| (b.id.clone(), b.reference.clone())))
                .collect()
        });
        fetch_server_trips(member, kept)
    });
    // Keep the phone's copies up to date for reading offline.
    Effect::new(move |_| {
        if let Some(Ok(list)) = server.get() {
            if app.trips.with_untracked(|t| {
                t.iter()
                    .any(|t| list.iter().any(|b| b.id == t.id && t.booking() != Some(b)))
            }) {
                app.update_trips(|t| {
                    trips::refresh(t, &list);
                });
            }
        }
    });
    // Refresh when a waiting booking gets through.
    Effect::new(move |prev: Option<usize>| {
        let booked = app.trips.with(|t| {
            t.iter()
                .filter(|t| matches!(t.state, TripState::Booked { .. }))
                .count()
        });
        if prev.is_some_and(|p| p != booked) {
            server.refetch();
        }
        booked
    });
    let offline = move || matches!(server.get(), Some(Err(_)));
    let listed = move || {
        let remote = server.get().and_then(Result::ok).unwrap_or_default();
        app.trips
            .with(|local| trips::merge_trips(&kept::values(local), &remote, today_shanghai()))
    };
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, trips_title).to_string()) />
        <ListSwitch trips=true />
        <h1>{t!(i18n, trips_title)}</h1>
        <Show when=offline>
            <p class="note" data-testid="trips-offline">{t!(i18n, trips_offline_note)}</p>
        </Show>
        <Show
            when=move || !listed().is_empty()
            fallback=move || view! {
                <p class="empty" data-testid="trips-empty">{t!(i18n, trips_empty)}</p>
                <a class="button secondary" href="/">{t!(i18n, nav_villages)}</a>
            }
        >
            <ul class="cards">
                {move || listed().into_iter().map(|t| view! { <TripRow t=t /> }).collect_view()}
            </ul>
        </Show>
    }
}

#[component]
pub fn TripBadge(state: TripShown) -> impl IntoView {
    let i18n = use_i18n();
    let class = match state {
        TripShown::Waiting => "badge coming",
        TripShown::Confirmed => "badge in-season",
        TripShown::Refused => "badge refused",
        TripShown::Cancelled => "badge later",
    };
    let text = move || match state {
        TripShown::Waiting => t_string!(i18n, state_waiting),
        TripShown::Confirmed => t_string!(i18n, state_confirmed),
        TripShown::Refused => t_string!(i18n, trip_refused),
        TripShown::Cancelled => t_string!(i18n, state_cancelled),
    };
    view! { <span class=class data-testid="trip-state">{text}</span> }
}

#[component]
fn TripRow(t: ListedTrip) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let href = format!("/trips/{}", t.id());
    let (village, host, arrival, nights, people, total) = match &t {
        ListedTrip::Local(l) => (
            l.village_name.clone(),
            l.host_name.clone(),
            l.request.arrival,
            l.request.nights,
            l.request.adults + l.request.children,
            l.estimate_fen,
        ),
        ListedTrip::Booked(b) => (
            b.village_name.clone(),
            Some(b.host.name.clone()),
            b.arrival,
            b.nights,
            b.adults + b.children,
            Some(b.total_fen),
        ),
    };
    let state = trip_shown(&t);
    // An organiser's reason for cancelling, right in the list.
    let reason = match &t {
        ListedTrip::Booked(b) => b.cancel_reason.clone(),
        ListedTrip::Local(_) => None,
    };
    view! {
        <li class="card order-row" data-testid="trip-row">
            <a href=href>
                <span class="card-main">
                    <span class="card-title">{move || village.get(lang()).to_string()}</span>
                    <span class="small">
                        {move || t_string!(i18n, trip_when, date = format::format_date(arrival, lang()), nights = nights, people = people)}
                    </span>
                    <span class="meta small">
                        {host.map(|h| view! { <span class="muted">{move || h.get(lang()).to_string()}</span> })}
                        <TripBadge state=state />
                    </span>
                    {reason.map(|r| view! {
                        <span class="small cancel-reason" data-testid="trip-cancel-reason">{move || t_string!(i18n, cancel_reason, reason = r.clone())}</span>
                    })}
                </span>
                <span class="price">{total.map(format_yuan)}</span>
            </a>
        </li>
    }
}
