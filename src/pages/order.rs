use crate::api;
use crate::cart::VillageCart;
use crate::components::{use_lang, ConfirmCancel, LastError, PageTitle};
use crate::format;
use crate::i18n::*;
use crate::kept::Kept;
use crate::nav::use_param;
use crate::order_view::{changed_order, OrderView};
use crate::orders::{adjusted_lines, shown, LocalOrder, LocalState, Shown};
use crate::outbox::Retry;
use crate::raw_answer::RawAnswer;
use crate::state::use_app;
use domain::dto::{Order, OrderLine, WithdrawnLine};
use domain::feedback::{FeedbackRequest, LineRating, OrderRefund, Rating};
use domain::format_yuan;
use domain::pickup::{OrderPickup, PaymentMethod, PickupState};
use domain::LocalText;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `/orders/{id}`: one order, its state in words no one can miss, and
/// changing or cancelling it until the deadline.
#[component]
pub fn OrderPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let id = use_param("id");
    // The server's copy, when it has one and we can reach it.
    let server = crate::load::Load::new(move || {
        let id = id();
        let member = app.member().is_some();
        async move {
            if member {
                api::order(id).await.ok()
            } else {
                None
            }
        }
    });
    // Refetch when this order's local state changes (e.g. it was just sent).
    Effect::new(move |prev: Option<Option<String>>| {
        let state = app.outbox.with(|o| {
            o.iter()
                .find(|o| o.id == id())
                .map(|o| format!("{:?}", std::mem::discriminant(&o.state)))
        });
        if prev.is_some_and(|p| p != state) {
            server.refetch();
        }
        state
    });
    let view_of = move || {
        let local = app
            .outbox
            .with(|o| o.iter().find(|o| o.id == id()).and_then(Kept::get));
        OrderView::of(local, server.get().flatten().as_ref())
    };
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, order_title).to_string()) />
        {move || match view_of() {
            Some(v) => view! { <OrderDetail v=v /> }.into_any(),
            None if server.get().is_none() => view! { <crate::components::Loading /> }.into_any(),
            None => view! { <crate::components::NotFound /> }.into_any(),
        }}
    }
}

#[component]
fn OrderDetail(v: OrderView) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let state = shown(&v.listed);
    let banner = match (state, v.listed.clone()) {
        (Shown::Waiting, listed) => {
            let last = match listed {
                crate::orders::ListedOrder::Local(LocalOrder {
                    state: LocalState::Waiting(r),
                    ..
                }) => r.last_error.is_some().then_some(r),
                _ => None,
            };
            view! { <WaitingBanner last=last /> }.into_any()
        }
        (Shown::Confirmed, _) => {
            view! { <ConfirmedBanner number=v.number.clone().unwrap_or_default() /> }.into_any()
        }
        (Shown::Cancelled, _) => {
            view! { <CancelledBanner number=v.number.clone() all_withdrawn=v.all_withdrawn() /> }
                .into_any()
        }
        (Shown::Refused, crate::orders::ListedOrder::Local(local)) => {
            view! { <RefusedBanner local=local /> }.into_any()
        }
        (Shown::Refused, _) => unreachable!("only local orders are refused"),
    };
    let (round, point, village_name) = (v.round.clone(), v.point.clone(), v.village_name.clone());
    view! {
        {banner}
        <section class="order-facts">
            <h2>{move || village_name.get(lang()).to_string()}</h2>
            // A cancelled order has nothing to collect.
            {(state != Shown::Cancelled).then(|| view! {
                <p data-testid="collect-at">
                    {move || t_string!(
                        i18n,
                        collect_at,
                        day = format::format_date(round.distribution_day, lang()),
                        from = point.pickup_from.clone(),
                        to = point.pickup_to.clone()
                    )}
                </p>
            })}
            {v.pickup.clone().map(|p| view! { <PickupLine p=p /> })}
            <p><strong>{let n = v.point.name.clone(); move || n.get(lang()).to_string()}</strong></p>
            <p class="muted small">{let a = v.point.address.clone(); move || a.get(lang()).to_string()}</p>
        </section>
        <OrderLines lines=v.lines.clone() withdrawn=v.withdrawn.clone() total_fen=v.total_fen household_fen=v.household_fen />
        {(!v.refunds.is_empty()).then(|| view! { <Refunds refunds=v.refunds.clone() /> })}
        {match (&v.listed, v.collected()) {
            (crate::orders::ListedOrder::Server(o), true) => Some(view! { <RateLines order_id=o.id.clone() lines=v.lines.clone() /> }),
            _ => None,
        }}
        {(state == Shown::Confirmed && v.locked()).then(|| view! { <p class="note">{t!(i18n, locked_note)}</p> })}
        {v.editable().cloned().map(|order| view! { <ChangeOrCancel id=order.id.clone() order=order /> })}
    }
}

/// What happened at the pickup point: "collected · paid ¥X on DATE by
/// METHOD", "collected, not paid" or "not collected".
#[component]
fn PickupLine(p: OrderPickup) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let text = move || match p.state {
        PickupState::Paid => {
            let method = match p.method {
                Some(PaymentMethod::Cash) => t_string!(i18n, order_method_cash),
                Some(PaymentMethod::Transfer) => t_string!(i18n, order_method_transfer),
                Some(PaymentMethod::Other) | None => t_string!(i18n, order_method_other),
            };
            let date = format::format_date(p.marked_at.to_offset(domain::SHANGHAI).date(), lang());
            t_string!(
                i18n,
                order_pickup_paid,
                amount = format_yuan(p.amount_fen.unwrap_or(0)),
                date = date,
                method = method
            )
            .to_string()
        }
        PickupState::Unpaid => t_string!(i18n, order_pickup_unpaid).to_string(),
        PickupState::Absent => t_string!(i18n, order_pickup_absent).to_string(),
    };
    view! { <p class="note" data-testid="order-pickup" data-state=p.state.as_str()><strong>{text}</strong></p> }
}

/// Saved on the phone, not yet accepted: why the last try failed, and
/// trying again now.
#[component]
fn WaitingBanner(last: Option<Retry>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    view! {
        <section class="banner waiting" role="status" data-testid="banner-waiting">
            <h1>{t!(i18n, waiting_banner_title)}</h1>
            <p>{t!(i18n, waiting_banner_body)}</p>
            {last.map(|r| view! { <LastError r=r /> })}
            <button class="button secondary" type="button" on:click=move |_| {
                app.update_outbox(|o| crate::outbox::make_all_due(o));
                app.send_due();
            }>{t!(i18n, send_now)}</button>
        </section>
    }
}

#[component]
fn ConfirmedBanner(number: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="banner confirmed" role="status" data-testid="banner-confirmed">
            <p class="big-check" aria-hidden="true">"✓"</p>
            <h1>{t!(i18n, confirmed_banner_title)}</h1>
            <p class="order-number" data-testid="order-number">
                {move || t_string!(i18n, order_number, number = number.clone())}
            </p>
            <p>{t!(i18n, confirmed_banner_body)}</p>
        </section>
    }
}

#[component]
fn CancelledBanner(number: Option<String>, all_withdrawn: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="banner cancelled" role="status" data-testid="banner-cancelled">
            <h1>{t!(i18n, cancelled_banner_title)}</h1>
            {number.map(|n| view! { <p>{move || t_string!(i18n, order_number, number = n.clone())}</p> })}
            // The village withdrew everything in it; the member did not cancel.
            {all_withdrawn.then(|| view! { <p data-testid="all-withdrawn">{t!(i18n, withdrawn_all)}</p> })}
        </section>
    }
}

/// The server said no: why, what was short, and the cart to adjust.
#[component]
fn RefusedBanner(local: LocalOrder) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let app = use_app();
    let navigate = crate::use_go();
    let LocalState::Refused {
        reason,
        reason_zh,
        short,
        fields,
    } = local.state.clone()
    else {
        unreachable!("shown as refused")
    };
    let round_closed = fields.iter().any(|f| f.field == "round_id");
    // The server's own words, for the detail.
    let reason = LocalText::new(reason_zh, reason);
    let detail = move || format::refusal_detail(&reason, &fields, lang());
    let has_short = !short.is_empty();
    let lines = local.lines.clone();
    let adjust = move |_| {
        let lines = adjusted_lines(&local);
        let village = VillageCart {
            village_name: local.village_name.clone(),
            organising_percent: local.organising_percent,
            lines: vec![],
        };
        app.update_cart(|c| {
            for l in lines {
                c.set_quantity(&local.village_slug, &village, l);
            }
        });
        app.update_outbox(|o| o.retain(|o| o.id != local.id));
        navigate("/cart");
    };
    view! {
        <section class="banner refused" role="alert" data-testid="banner-refused">
            <h1>{t!(i18n, refused_banner_title)}</h1>
            <p data-testid="refused-reason">
                {move || if round_closed {
                    t_string!(i18n, refused_round_closed)
                } else if has_short {
                    t_string!(i18n, refused_short)
                } else {
                    ""
                }}
            </p>
            <p class="small">{detail}</p>
            <ul class="short" data-testid="short">
                {short.into_iter().map(|s| {
                    let name = lines.iter().find(|l| l.product_id == s.product_id).map(|l| l.name.clone()).unwrap_or_default();
                    view! { <li>{move || t_string!(i18n, short_line, name = name.get(lang()).to_string(), requested = s.requested, left = s.remaining)}</li> }
                }).collect_view()}
            </ul>
            <button class="button primary" type="button" data-testid="adjust" on:click=adjust>
                {t!(i18n, adjust_and_resend)}
            </button>
        </section>
    }
}

/// The order's lines, what the village withdrew, and the totals.
#[component]
fn OrderLines(
    lines: Vec<OrderLine>,
    withdrawn: Vec<WithdrawnLine>,
    total_fen: i64,
    household_fen: i64,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    view! {
        <section>
            <ul class="order-lines" data-testid="order-lines">
                {lines.into_iter().map(|l| {
                    let (name, unit, q) = (l.name, l.unit, l.quantity);
                    view! {
                        <li>
                            <span>{move || format!("{} × {} {}", name.get(lang()), q, unit.get(lang()))}</span>
                            <span class="price">{format_yuan(l.total_fen)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(!withdrawn.is_empty()).then(|| view! {
                <div class="note warn" role="alert" data-testid="withdrawn">
                    <p><strong>{t!(i18n, withdrawn_title)}</strong></p>
                    {withdrawn.into_iter().map(|w| {
                        let (name, unit, q, total, reason) = (w.name, w.unit, w.quantity, w.total_fen, w.reason);
                        view! {
                            <p>
                                <s>{move || format!("{} × {} {}", name.get(lang()), q, unit.get(lang()))} " " {format_yuan(total)}</s>
                                <br />
                                {move || t_string!(i18n, withdrawn_reason, reason = reason.clone())}
                            </p>
                        }
                    }).collect_view()}
                    <p class="small">{t!(i18n, withdrawn_total_note)}</p>
                </div>
            })}
            <p class="total-line" data-testid="order-total"><span>{t!(i18n, total)}</span><strong>{format_yuan(total_fen)}</strong></p>
            <p class="muted small">{move || t_string!(i18n, to_households, amount = format_yuan(household_fen))}</p>
        </section>
    }
}

#[component]
fn ChangeOrCancel(order: Order, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let app = use_app();
    let asking = RwSignal::new(false);
    let editing = RwSignal::new(false);
    let error = RwSignal::new(None::<LocalText>);
    let quantities = RwSignal::new(
        order
            .lines
            .iter()
            .map(|l| (l.product_id, l.quantity))
            .collect::<Vec<_>>(),
    );
    let deadline = order.round.deadline;

    // Keep the phone's copy in step with the server's answer.
    let store_answer = move |o: Order| {
        app.update_outbox(|all| {
            if let Some(l) = all.iter_mut().find(|l| l.id == o.id) {
                l.state = LocalState::Confirmed {
                    order: RawAnswer::new(&o),
                };
            }
        });
    };
    let cancel = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            spawn_local(async move {
                match api::cancel_order(id).await {
                    Ok(o) => {
                        store_answer(o);
                        asking.set(false);
                        let _ = web_sys::window().map(|w| w.location().reload());
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        }
    };
    let save = {
        let id = id.clone();
        let order = order.clone();
        move |_| {
            let req = quantities.with_untracked(|q| changed_order(&order, q));
            let id = id.clone();
            spawn_local(async move {
                match api::patch_order(&id, &req).await {
                    Ok(o) => {
                        store_answer(o);
                        let _ = web_sys::window().map(|w| w.location().reload());
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        }
    };
    view! {
        <section class="change" data-testid="change">
            <p class="muted small">{move || t_string!(i18n, can_change_until, deadline = format::format_datetime(deadline, lang()))}</p>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="change-error">{move || error.get().map(|m| m.get(lang()).to_string())}</p>
            </Show>
            <Show when=move || editing.get()>
                <ul class="cart-lines">
                    {order.lines.iter().map(|l| {
                        let pid = l.product_id;
                        let name = l.name.clone();
                        let value = Signal::derive(move || quantities.with(|q| q.iter().find(|(p, _)| *p == pid).map_or(0, |(_, q)| *q)));
                        let set = Callback::new(move |q: i64| quantities.update(|all| {
                            if let Some(e) = all.iter_mut().find(|(p, _)| *p == pid) { e.1 = q; }
                        }));
                        view! {
                            <li class="cart-line">
                                <span class="card-title">{move || name.get(lang()).to_string()}</span>
                                <crate::components::QtyStepper value=value limit=Signal::stored(domain::order::MAX_QUANTITY) on_change=set />
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <button class="button primary wide" type="button" data-testid="save-changes" on:click=save.clone()>{t!(i18n, save_changes)}</button>
            </Show>
            <Show when=move || !editing.get() && !asking.get()>
                <button class="button secondary wide" type="button" data-testid="change-order" on:click=move |_| editing.set(true)>{t!(i18n, change_order)}</button>
                <button class="button danger wide" type="button" data-testid="cancel-order" on:click=move |_| asking.set(true)>{t!(i18n, cancel_order)}</button>
            </Show>
            <ConfirmCancel asking=asking on_yes=Callback::new(cancel)>{t!(i18n, cancel_confirm)}</ConfirmCancel>
        </section>
    }
}

/// Money the village gave back on this order: how much, why and when.
#[component]
fn Refunds(refunds: Vec<OrderRefund>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    view! {
        <section class="note" data-testid="refunds" aria-labelledby="refunds-h">
            <h2 id="refunds-h">{t!(i18n, fb_refunds)}</h2>
            <ul class="order-lines">
                {refunds.into_iter().map(|r| {
                    let day = format::unix_date(r.created_at);
                    let reason = r.reason.clone();
                    view! {
                        <li data-testid="refund">
                            <span>
                                {reason}
                                <br />
                                <span class="muted small">{move || day.map(|d| t_string!(i18n, fb_refund_on, date = format::format_date(d, lang())).to_string())}</span>
                            </span>
                            <strong class="price">{format_yuan(r.amount_fen)}</strong>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// After pickup: each line rated good, so-so or bad, with a comment.
#[component]
fn RateLines(order_id: String, lines: Vec<OrderLine>) -> impl IntoView {
    let i18n = use_i18n();
    let saved = {
        let id = order_id.clone();
        crate::load::Load::new(move || {
            let id = id.clone();
            async move { api::feedback::ratings(&id).await }
        })
    };
    // What the server holds, by product; updated by every answer.
    let ratings = RwSignal::new(None::<Vec<LineRating>>);
    Effect::new(move |_| {
        if let Some(Ok(r)) = saved.get() {
            ratings.set(Some(r.ratings));
        }
    });
    let order_id = StoredValue::new(order_id);
    view! {
        <section class="rate" data-testid="rate-lines" aria-labelledby="rate-h">
            <h2 id="rate-h">{t!(i18n, fb_rate_title)}</h2>
            <p class="muted small">{t!(i18n, fb_rate_hint)}</p>
            {move || match saved.get() {
                None => Some(view! { <crate::components::Loading /> }.into_any()),
                Some(Err(_)) => Some(view! {
                    <p class="form-error" role="alert" data-testid="ratings-error">
                        {t!(i18n, fb_ratings_unavailable)} " "
                        <button class="button secondary" type="button" on:click=move |_| saved.refetch()>{t!(i18n, retry)}</button>
                    </p>
                }.into_any()),
                Some(Ok(_)) => None,
            }}
            <ul class="rate-lines">
                {lines.into_iter().map(|l| view! { <RateLine order_id=order_id line=l ratings=ratings /> }).collect_view()}
            </ul>
        </section>
    }
}

fn rating_words(i18n: I18n, r: Rating) -> &'static str {
    match r {
        Rating::Good => t_string!(i18n, fb_good),
        Rating::SoSo => t_string!(i18n, fb_so_so),
        Rating::Bad => t_string!(i18n, fb_bad),
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Sending {
    Idle,
    Sending,
    Sent,
    Failed(LocalText),
}

#[component]
fn RateLine(
    order_id: StoredValue<String>,
    line: OrderLine,
    ratings: RwSignal<Option<Vec<LineRating>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let pid = line.product_id;
    let draft = RwSignal::new(crate::drafts::RatingDraft::default());
    let state = RwSignal::new(Sending::Idle);
    let mine = move || {
        ratings.with(|r| {
            r.as_ref()
                .and_then(|r| r.iter().find(|x| x.product_id == pid).cloned())
        })
    };
    // A saved rating fills the form, so changing it starts from it.
    Effect::new(move |_| {
        if let Some(m) = mine() {
            draft.set(crate::drafts::RatingDraft {
                rating: Some(m.rating),
                comment: m.comment,
            });
        }
    });
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if state.get_untracked() == Sending::Sending {
            return;
        }
        let input = match draft.with_untracked(|d| d.to_input(pid)) {
            Ok(i) => i,
            Err(es) => {
                state.set(Sending::Failed(es[0].text()));
                return;
            }
        };
        state.set(Sending::Sending);
        let id = order_id.get_value();
        spawn_local(async move {
            let body = FeedbackRequest {
                ratings: vec![input],
            };
            match api::feedback::rate(&id, &body).await {
                Ok(answer) => {
                    ratings.set(Some(answer.ratings));
                    state.set(Sending::Sent);
                }
                Err(e) if e.is_retryable() => state.set(Sending::Failed(both!(offline_error))),
                Err(e) => {
                    let m = match &e {
                        crate::api::WriteError::Refused { fields, .. } if !fields.is_empty() => {
                            fields[0].text()
                        }
                        _ => e.message(),
                    };
                    state.set(Sending::Failed(m))
                }
            }
        });
    };
    let name = line.name.clone();
    view! {
        <li class="rate-line" data-testid="rate-line" data-product-id=pid>
            <p class="card-title">{move || name.get(lang()).to_string()}</p>
            {move || mine().map(|m| {
                let comment = m.comment.clone();
                view! {
                    <p class="note saved" data-testid="my-rating" data-rating=m.rating.as_str()>
                        {move || t_string!(i18n, fb_your_rating, rating = rating_words(i18n, m.rating))}
                        {(!comment.is_empty()).then(|| view! { <br /> "“" {comment.clone()} "”" })}
                    </p>
                    {m.photo.map(|p| view! {
                        <img class="rate-photo" data-testid="my-rating-photo" alt="" sizes="120px"
                            src=p.versions.first().map(|v| v.url.clone()).unwrap_or_default()
                            srcset=crate::format::srcset(&p) />
                    })}
                    <RatePhoto order_id=order_id product_id=pid ratings=ratings />
                }
            })}
            <form class="form" on:submit=send novalidate>
                <div class="rate-buttons" role="group" aria-label=move || t_string!(i18n, fb_rate_title)>
                    {[Rating::Good, Rating::SoSo, Rating::Bad].into_iter().map(|r| {
                        let on = move || draft.with(|d| d.rating == Some(r));
                        view! {
                            <button type="button" class=move || if on() { format!("button rate-{} on", r.as_str()) } else { format!("button secondary rate-{}", r.as_str()) }
                                aria-pressed=move || on().to_string()
                                data-testid=format!("rate-{}", r.as_str())
                                on:click=move |_| { draft.update(|d| d.rating = Some(r)); state.set(Sending::Idle); }>
                                {move || rating_words(i18n, r)}
                            </button>
                        }
                    }).collect_view()}
                </div>
                <label class="field">
                    <span>{t!(i18n, fb_comment)}</span>
                    <textarea rows="2" maxlength="500" data-testid="rate-comment"
                        prop:value=move || draft.with(|d| d.comment.clone())
                        on:input=move |ev| draft.update(|d| d.comment = event_target_value(&ev))></textarea>
                </label>
                {move || match state.get() {
                    Sending::Idle => ().into_any(),
                    Sending::Sending => view! { <p class="muted small" role="status" data-testid="rate-sending">{t!(i18n, fb_sending)}</p> }.into_any(),
                    Sending::Sent => view! { <p class="note saved" role="status" data-testid="rate-saved">"✓ " {t!(i18n, fb_thanks)}</p> }.into_any(),
                    Sending::Failed(m) => view! { <p class="form-error" role="alert" data-testid="rate-error">{m.get(lang()).to_string()}</p> }.into_any(),
                }}
                <button class="button primary" type="submit" data-testid="rate-send" disabled=move || state.get() == Sending::Sending>
                    {move || if state.get() == Sending::Sending { t_string!(i18n, fb_sending) } else { t_string!(i18n, fb_send) }}
                </button>
            </form>
        </li>
    }
}

/// Adding a photo to a saved rating: chosen on the phone, sent at once
/// with its progress; the answer's photo shows in place.
#[component]
fn RatePhoto(
    order_id: StoredValue<String>,
    product_id: i64,
    ratings: RwSignal<Option<Vec<LineRating>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let progress = RwSignal::new(None::<f64>);
    let error = RwSignal::new(None::<LocalText>);
    let chosen = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        error.set(None);
        progress.set(Some(0.0));
        let id = order_id.get_value();
        spawn_local(async move {
            let answer = api::feedback::upload_line_photo(&id, product_id, file, move |p| {
                progress.set(Some(p))
            })
            .await;
            progress.set(None);
            match answer {
                Ok(photo) => ratings.update(|r| {
                    if let Some(line) = r
                        .as_mut()
                        .and_then(|r| r.iter_mut().find(|x| x.product_id == product_id))
                    {
                        line.photo = Some(photo);
                    }
                }),
                Err(e) if e.is_retryable() => error.set(Some(both!(offline_error))),
                Err(e) => error.set(Some(match &e {
                    crate::api::WriteError::Refused { fields, .. } if !fields.is_empty() => {
                        fields[0].text()
                    }
                    _ => e.message(),
                })),
            }
        });
    };
    view! {
        <label class="button secondary small rate-photo-pick">
            {t!(i18n, fb_add_photo)}
            <input type="file" accept="image/jpeg,image/png,image/webp" class="sr-only" data-testid="rate-photo-input" on:change=chosen />
        </label>
        {move || progress.get().map(|p| view! {
            <p class="muted small" role="status" data-testid="rate-photo-progress">{move || t_string!(i18n, fb_photo_sending, percent = (p * 100.0).round() as i64)}</p>
        })}
        {move || error.get().map(|m| view! { <p class="form-error" role="alert" data-testid="rate-photo-error">{m.get(lang()).to_string()}</p> })}
    }
}
