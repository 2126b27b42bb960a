//! `/organise/v/{slug}/visits`: bookings per night and host, closing and
//! reopening nights, cancelling a booking with a reason.

use crate::api::{self, WriteError};
use crate::components::FieldError as FieldNote;
use crate::components::{
    local_note, send, today_shanghai, use_lang, ErrorPanel, Loading, OrganiseVillageShell, Part,
    Reason, ReasonAsk, ReasonBox, SendStatus, Sent,
};
use crate::drafts::{cancel_booking_input, visit_range};
use crate::format;
use crate::i18n::*;
use domain::dto::{Booking, BookingStatus};
use domain::organise::{BookingDay, ClosedDayInput, OrganiseBookings};
use domain::wire;
use leptos::prelude::*;
use std::future::Future;
use time::Date;

/// `/organise/v/{slug}/visits`.
#[component]
pub fn OrganiseVisitsPage() -> impl IntoView {
    view! {
        <OrganiseVillageShell title=keys::org_visits body=|s| view! { <Visits slug=s /> }.into_any() />
    }
}

/// The page's writes: one status line, shown at the card of the night the
/// last write came from (or above the nights), and the one booking whose
/// reason box is open.
#[derive(Clone, Copy)]
struct Writes {
    sent: RwSignal<Sent>,
    /// The night whose card shows the status of the last write.
    status_at: RwSignal<Option<String>>,
    cancelling: RwSignal<Option<String>>,
    /// Loads the nights again after a write.
    refresh: Callback<()>,
}

impl Writes {
    /// Sends a write from the card at `at`; `busy` keeps that card's button
    /// from sending it twice until the answer.
    fn send<T: 'static>(
        self,
        at: String,
        busy: RwSignal<bool>,
        call: impl Future<Output = Result<T, WriteError>> + 'static,
        done: impl FnOnce(Result<T, WriteError>) -> Sent + 'static,
    ) {
        busy.set(true);
        self.status_at.set(Some(at));
        send(self.sent, call, move |answer| {
            let status = done(answer);
            busy.set(false);
            status
        });
    }
}

#[component]
fn Visits(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let today = today_shanghai();
    let from = RwSignal::new(wire::format_date(today));
    let to = RwSignal::new(wire::format_date(today + time::Duration::days(13)));
    // The range asked for: changes only when both dates read well.
    let range = Memo::new(move |_| visit_range(&from.get(), &to.get()));
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
    let w = Writes {
        sent: RwSignal::new(Sent::Idle),
        status_at: RwSignal::new(None),
        cancelling: RwSignal::new(None),
        refresh: Callback::new(move |_| data.refetch()),
    };

    view! {
        <p class="muted small">{t!(i18n, orgv_intro)}</p>
        <a class="button secondary wide" href=format!("/organise/v/{}/visits/offer", slug.get_value()) data-testid="offer-link">{t!(i18n, orgo_link)}</a>
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
        <Show when=move || w.status_at.get().is_none()>
            <SendStatus state=w.sent />
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
                            <Night day=d bookings=bookings slug=slug w=w />
                        }).collect_view()}
                    </ul>
                    {(!cancelled.is_empty()).then(|| view! {
                        <h2>{t!(i18n, orgv_cancelled_title)}</h2>
                        <ul class="cards" data-testid="cancelled-bookings">
                            {cancelled.into_iter().map(|bk| view! { <BookingLine b=bk at=String::from("cancelled") w=w /> }).collect_view()}
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
    w: Writes,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let date: Date = day.date;
    let closed = day.closed;
    let busy = RwSignal::new(false);
    let toggle =
        move |_| {
            if busy.get_untracked() {
                return;
            }
            let body = ClosedDayInput {
                date,
                closed: !closed,
            };
            let slug = slug.get_value();
            let call = async move { api::set_closed_day(&slug, &body).await };
            w.send(wire::format_date(date), busy, call, move |answer| match answer {
            Ok(c) => {
                w.refresh.run(());
                Sent::Saved(if c.closed {
                    both!(for l => orgv_closed_saved,
                        date = format::format_date(c.date, l),
                        count = c.bookings_that_night)
                } else {
                    both!(for l => orgv_reopened_saved, date = format::format_date(c.date, l))
                })
            }
            Err(e) => Sent::failed(&e),
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
            <Show when=move || w.status_at.with(|s| s.as_deref() == Some(iso3.as_str()))>
                <SendStatus state=w.sent />
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
                        {night_bookings.into_iter().map(|b| view! { <BookingLine b=b at=iso2.clone() w=w /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </li>
    }
}

const CANCEL: ReasonAsk = ReasonAsk {
    open: Part {
        testid: "cancel-open",
        words: keys::orgv_cancel,
    },
    question: Part {
        testid: "cancel-box",
        words: keys::orgv_cancel_confirm,
    },
    reason: Part {
        testid: "cancel-reason-input",
        words: keys::orgv_reason,
    },
    confirm: Part {
        testid: "cancel-confirm",
        words: keys::orgv_cancel_do,
    },
    keep: Part {
        testid: "cancel-keep",
        words: keys::orgv_keep,
    },
};

/// One booking: who, how many, which nights, the reference; cancelling
/// with a reason for a confirmed one.
#[component]
fn BookingLine(b: Booking, at: String, w: Writes) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let id = b.id.clone();
    let confirmed = b.status == BookingStatus::Confirmed;
    let host = b.host.name.clone();
    let arrival = b.arrival;
    let departure = b.departure;
    let (adults, children, nights) = (b.adults, b.children, b.nights);
    let reason = Reason::new();
    let busy = RwSignal::new(false);
    // The same booking shows under each of its nights: open one box only.
    let box_key = format!("{at}/{id}");
    let open_key = box_key.clone();
    let is_open = Signal::derive(move || {
        w.cancelling
            .with(|c| c.as_deref() == Some(open_key.as_str()))
    });
    let confirm = {
        let id = id.clone();
        move |_| {
            if busy.get_untracked() {
                return;
            }
            let Some(body) = reason.input(cancel_booking_input, both!(orgv_err_reason)) else {
                return;
            };
            let id = id.clone();
            let call = async move { api::org_cancel_booking(&id, &body).await };
            w.send(at.clone(), busy, call, move |answer| match answer {
                Ok(bk) => {
                    w.cancelling.set(None);
                    w.refresh.run(());
                    Sent::Saved(both!(
                        orgv_cancel_saved,
                        name = bk.name.clone(),
                        reference = bk.reference.clone()
                    ))
                }
                Err(e) => reason.failed(&e),
            });
        }
    };
    let open = move |_| {
        w.sent.set(Sent::Idle);
        w.cancelling.set(Some(box_key.clone()));
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
                <ReasonBox
                    ask=CANCEL
                    is_open=is_open
                    reason=reason
                    busy=busy
                    on_open=Callback::new(open)
                    on_confirm=Callback::new(confirm)
                    on_keep=Callback::new(move |_| w.cancelling.set(None))
                >
                    <FieldNote text=local_note(reason.error) />
                </ReasonBox>
            })}
        </li>
    }
}
