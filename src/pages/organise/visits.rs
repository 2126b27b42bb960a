//! `/organise/v/{slug}/visits`: bookings per night and host, closing and
//! reopening nights, cancelling a booking with a reason.

use crate::api;
use crate::components::FieldError as FieldNote;
use crate::components::{today_shanghai, use_lang, ErrorPanel, Loading, PageTitle};
use crate::format;
use crate::i18n::*;
use crate::nav::use_params_map;
use crate::pages::organise::rounds::{write_error_text, SendStatus, Sent};
use crate::pages::organise::{OrganiseCrumbs, OrganiseGate};
use domain::dto::{Booking, BookingStatus};
use domain::organise::{reason, BookingDay, CancelBookingInput, ClosedDayInput, OrganiseBookings};
use domain::wire;
use domain::LocalText;
use leptos::prelude::*;
use leptos::task::spawn_local;
use time::Date;

/// `/organise/v/{slug}/visits`.
#[component]
pub fn OrganiseVisitsPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let slug = Signal::derive(move || params.read().get("slug").unwrap_or_default());
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, org_visits).to_string()) />
        <OrganiseGate village=slug>
            {move || {
                let s = slug.get();
                view! {
                    <OrganiseCrumbs slug=s.clone() />
                    <h1>{t!(i18n, org_visits)}</h1>
                    <Visits slug=s />
                }
            }}
        </OrganiseGate>
    }
}

#[component]
fn Visits(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let today = today_shanghai();
    let from = RwSignal::new(wire::format_date(today));
    let to = RwSignal::new(wire::format_date(today + time::Duration::days(13)));
    // The range asked for: changes only when both dates read well.
    let range = Memo::new(move |_| {
        let f = wire::parse_date(from.get().trim())?;
        let t = wire::parse_date(to.get().trim())?;
        (f <= t && (t - f).whole_days() <= 92).then_some((f, t))
    });
    let slug = StoredValue::new(slug);
    let data = crate::load::Load::new(move || {
        let r = range.get();
        let slug = slug.get_value();
        async move {
            match r {
                Some((f, t)) => api::org_bookings(slug, wire::format_date(f), wire::format_date(t))
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
    });
    // Keep the last answer on screen while a new one loads.
    let shown = RwSignal::new(None::<OrganiseBookings>);
    Effect::new(move |_| {
        if let Some(Ok(Some(b))) = data.get() {
            shown.set(Some(b));
        }
    });
    let sent = RwSignal::new(Sent::Idle);
    // The night whose card shows the status of the last write.
    let status_at = RwSignal::new(None::<String>);
    let cancelling = RwSignal::new(None::<String>);

    view! {
        <p class="muted small">{t!(i18n, orgv_intro)}</p>
        <div class="range-row" data-testid="visit-range">
            <label class="field">
                <span>{t!(i18n, orgv_from)}</span>
                <input type="date" name="from" bind:value=from />
            </label>
            <label class="field">
                <span>{t!(i18n, orgv_to)}</span>
                <input type="date" name="to" bind:value=to />
            </label>
        </div>
        <Show when=move || range.get().is_none()>
            <p class="field-error" role="alert">{t!(i18n, orgv_bad_range)}</p>
        </Show>
        <Show when=move || status_at.get().is_none()>
            <SendStatus state=sent />
        </Show>
        {move || match (data.get(), shown.get()) {
            (Some(Err(_)), _) => view! { <ErrorPanel retry=Callback::new(move |_| data.refetch()) /> }.into_any(),
            (_, None) => view! { <Loading /> }.into_any(),
            (_, Some(b)) => {
                let bookings = StoredValue::new(b.bookings.clone());
                let cancelled: Vec<Booking> = b.bookings.iter().filter(|x| x.status == BookingStatus::Cancelled).cloned().collect();
                view! {
                    <ul class="nights" data-testid="nights">
                        {b.days.into_iter().map(|d| view! {
                            <Night day=d bookings=bookings slug=slug sent=sent status_at=status_at cancelling=cancelling refresh=Callback::new(move |_| data.refetch()) />
                        }).collect_view()}
                    </ul>
                    {(!cancelled.is_empty()).then(|| view! {
                        <h2>{t!(i18n, orgv_cancelled_title)}</h2>
                        <ul class="cards" data-testid="cancelled-bookings">
                            {cancelled.into_iter().map(|bk| view! { <BookingLine b=bk at=String::from("cancelled") sent=sent status_at=status_at cancelling=cancelling refresh=Callback::new(move |_| data.refetch()) /> }).collect_view()}
                        </ul>
                    })}
                }.into_any()
            }
        }}
    }
}

#[component]
fn Night(
    day: BookingDay,
    bookings: StoredValue<Vec<Booking>>,
    slug: StoredValue<String>,
    sent: RwSignal<Sent>,
    status_at: RwSignal<Option<String>>,
    cancelling: RwSignal<Option<String>>,
    refresh: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let date: Date = day.date;
    let closed = day.closed;
    let busy = RwSignal::new(false);
    let toggle = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        status_at.set(Some(wire::format_date(date)));
        sent.set(Sent::Sending);
        let body = ClosedDayInput {
            date,
            closed: !closed,
        };
        let slug = slug.get_value();
        spawn_local(async move {
            match api::set_closed_day(&slug, &body).await {
                Ok(c) => {
                    let msg = if c.closed {
                        both!(for l => orgv_closed_saved,
                            date = format::format_date(c.date, l),
                            count = c.bookings_that_night)
                    } else {
                        both!(for l => orgv_reopened_saved, date = format::format_date(c.date, l))
                    };
                    sent.set(Sent::Saved(msg));
                    refresh.run(());
                }
                Err(e) => sent.set(Sent::Failed(write_error_text(&e))),
            }
            busy.set(false);
        });
    };
    let ids: Vec<String> = day
        .hosts
        .iter()
        .flat_map(|h| h.booking_ids.iter().cloned())
        .collect();
    let night_bookings: Vec<Booking> = bookings.with_value(|all| {
        let mut seen = Vec::new();
        for id in &ids {
            if let Some(b) = all.iter().find(|b| &b.id == id) {
                if !seen.iter().any(|x: &Booking| x.id == b.id) {
                    seen.push(b.clone());
                }
            }
        }
        seen
    });
    let iso = wire::format_date(date);
    let iso2 = iso.clone();
    let iso3 = iso.clone();
    view! {
        <li class=if closed { "card night closed" } else { "card night" } data-testid="night" data-date=iso>
            <div class="night-head">
                <strong>{move || format::format_date(date, lang())}</strong>
                {closed.then(|| view! { <span class="badge refused" data-testid="night-closed">{t!(i18n, orgv_closed)}</span> })}
                <button class=if closed { "button secondary small-button" } else { "button danger small-button" } type="button"
                    data-testid=if closed { "reopen-day" } else { "close-day" }
                    disabled=move || busy.get() on:click=toggle>
                    {move || if closed { t_string!(i18n, orgv_reopen) } else { t_string!(i18n, orgv_close) }}
                </button>
            </div>
            <Show when=move || status_at.with(|s| s.as_deref() == Some(iso3.as_str()))>
                <SendStatus state=sent />
            </Show>
            <ul class="host-nights">
                {day.hosts.into_iter().map(|h| {
                    let name = h.host_name.clone();
                    let full = h.beds_booked >= h.beds;
                    view! {
                        <li data-testid="host-night" data-host-id=h.host_id>
                            <span>{move || name.get(lang()).to_string()}</span>
                            <span class=if full { "beds full" } else { "beds" } data-testid="beds">
                                {move || t_string!(i18n, orgv_beds, booked = h.beds_booked, beds = h.beds)}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {if night_bookings.is_empty() {
                view! { <p class="muted small">{t!(i18n, orgv_no_bookings)}</p> }.into_any()
            } else {
                view! {
                    <ul class="night-bookings">
                        {night_bookings.into_iter().map(|b| view! { <BookingLine b=b at=iso2.clone() sent=sent status_at=status_at cancelling=cancelling refresh=refresh /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </li>
    }
}

/// One booking: who, how many, which nights, the reference; cancelling
/// with a reason for a confirmed one.
#[component]
fn BookingLine(
    b: Booking,
    at: String,
    sent: RwSignal<Sent>,
    status_at: RwSignal<Option<String>>,
    cancelling: RwSignal<Option<String>>,
    refresh: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let id = b.id.clone();
    let confirmed = b.status == BookingStatus::Confirmed;
    let host = b.host.name.clone();
    let arrival = b.arrival;
    let departure = b.departure;
    let (adults, children, nights) = (b.adults, b.children, b.nights);
    let reason_text = RwSignal::new(String::new());
    let reason_error = RwSignal::new(None::<LocalText>);
    let busy = RwSignal::new(false);
    // The same booking shows under each of its nights: open one box only.
    let box_key = format!("{at}/{id}");
    let at_night = at.clone();
    let open_key = box_key.clone();
    let is_open = move || cancelling.with(|c| c.as_deref() == Some(open_key.as_str()));
    let do_cancel = {
        let id = id.clone();
        move |_| {
            if busy.get_untracked() {
                return;
            }
            let text = reason_text.get_untracked();
            if reason("reason", &text).is_err() {
                reason_error.set(Some(both!(orgv_err_reason)));
                return;
            }
            reason_error.set(None);
            busy.set(true);
            status_at.set(Some(at_night.clone()));
            sent.set(Sent::Sending);
            let id = id.clone();
            let body = CancelBookingInput {
                reason: text.trim().to_string(),
            };
            spawn_local(async move {
                match api::org_cancel_booking(&id, &body).await {
                    Ok(bk) => {
                        cancelling.set(None);
                        sent.set(Sent::Saved(both!(
                            orgv_cancel_saved,
                            name = bk.name.clone(),
                            reference = bk.reference.clone()
                        )));
                        refresh.run(());
                    }
                    Err(e) => {
                        if let Some(m) = e.field("reason") {
                            reason_error.set(Some(m));
                        }
                        sent.set(Sent::Failed(write_error_text(&e)));
                    }
                }
                busy.set(false);
            });
        }
    };
    let open = move |_| {
        sent.set(Sent::Idle);
        cancelling.set(Some(box_key.clone()));
    };
    let cancel_reason = b.cancel_reason.clone();
    let reference = b.reference.clone();
    let tel = format!("tel:{}", b.phone);
    view! {
        <li class="booking" data-testid="booking" data-booking-id=id.clone() data-reference=b.reference.clone()>
            <div class="booking-who">
                <strong>{b.name.clone()}</strong>
                " · "
                <a href=tel>{b.phone.clone()}</a>
                {(!confirmed).then(|| view! { <span class="badge refused" data-testid="booking-cancelled">{t!(i18n, orgv_cancelled)}</span> })}
            </div>
            <div class="small">
                {move || t_string!(i18n, orgv_party, adults = adults, children = children)}
                " · "
                {move || t_string!(i18n, orgv_stay, nights = nights, from = format::format_date(arrival, lang()), to = format::format_date(departure, lang()))}
            </div>
            <div class="small muted">
                {move || host.get(lang()).to_string()}
                " · "
                {move || t_string!(i18n, orgv_reference, reference = reference.clone())}
            </div>
            {cancel_reason.map(|r| view! { <p class="small" data-testid="cancel-reason">{move || t_string!(i18n, orgv_reason_line, reason = r.clone())}</p> })}
            {confirmed.then(|| view! {
                {move || if is_open() {
                    view! {
                        <div class="confirm-box" data-testid="cancel-box">
                            <p>{t!(i18n, orgv_cancel_confirm)}</p>
                            <label class="field wide-field">
                                <span>{t!(i18n, orgv_reason)}</span>
                                <textarea rows="3" maxlength="500" data-testid="cancel-reason-input"
                                    prop:value=move || reason_text.get()
                                    on:input=move |ev| reason_text.set(event_target_value(&ev))></textarea>
                                <FieldNote text=Signal::derive(move || reason_error.get().map(|m| m.get(lang()).to_string())) />
                            </label>
                            <button class="button danger" type="button" data-testid="cancel-confirm"
                                disabled=move || busy.get() on:click=do_cancel.clone()>
                                {move || if busy.get() { t_string!(i18n, working) } else { t_string!(i18n, orgv_cancel_do) }}
                            </button>
                            <button class="button secondary" type="button" data-testid="cancel-keep"
                                on:click=move |_| cancelling.set(None)>{t!(i18n, orgv_keep)}</button>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <button class="button secondary small-button" type="button" data-testid="cancel-open" on:click=open.clone()>
                            {t!(i18n, orgv_cancel)}
                        </button>
                    }.into_any()
                }}
            })}
        </li>
    }
}
