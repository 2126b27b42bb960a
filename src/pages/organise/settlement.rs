//! `/organise/rounds/{id}/settlement`: after the pickup, what each
//! household earned in the round and whether it has been paid, the
//! organising share, how the sums reconcile, and the orders not paid yet.
//! Organisers record each household's payment here.

use crate::api::{self, money, WriteError};
use crate::components::{
    send, today_shanghai, use_lang, Drafted, ErrorPanel, FieldError as FieldNote, Loading,
    OrganiseShell, SendStatus, Sent,
};
use crate::drafts::PaymentDraft;
use crate::format;
use crate::i18n::*;
use crate::nav::use_params_map;
use domain::income::{RoundSettlement, SettlementHousehold};
use domain::money::{format_yuan, yuan_input};
use domain::settlement::Pickup;
use leptos::prelude::*;

#[component]
pub fn SettlementPage() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    });
    view! {
        <OrganiseShell title=keys::stl_title>
            {move || view! { <SettlementLoader round_id=id.get() /> }}
        </OrganiseShell>
    }
}

#[component]
fn SettlementLoader(round_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let s = crate::load::Load::new(move || money::settlement(round_id));
    let back = format!("/organise/rounds/{round_id}");
    move || {
        match s.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Ok(data)) => {
            view! { <Settlement s=data round_id=round_id reload=Callback::new(move |_| s.refetch()) /> }
                .into_any()
        }
        Some(Err(WriteError::Refused { status: 409, .. })) => view! {
            <h1>{t!(i18n, stl_title)}</h1>
            <p data-testid="settlement-not-allocated">{t!(i18n, stl_not_allocated)}</p>
            <p class="center"><a href=back.clone()>{t!(i18n, pack_back)}</a></p>
        }
        .into_any(),
        Some(Err(_)) => {
            view! { <ErrorPanel retry=Callback::new(move |_| s.refetch()) /> }.into_any()
        }
    }
    }
}

#[component]
fn Settlement(s: RoundSettlement, round_id: i64, reload: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let day = s.round.distribution_day;
    let opened = domain::shanghai_date(s.round.opens_at);
    let percent = s.organising_percent;
    let reconciles = s.reconciles;
    let owed = s.households_fen;
    let paid_out = s.paid_out_fen;
    let empty = s.households.is_empty();
    let unpaid = s.unpaid.clone();
    view! {
        <p class="crumbs"><a href=format!("/organise/rounds/{round_id}")>{t!(i18n, pack_back)}</a></p>
        <h1>{t!(i18n, stl_title)}</h1>
        <p class="pack-head">{move || t_string!(i18n, pack_round_day, day = format::format_date(day, lang()))}</p>
        <dl class="facts" data-testid="settlement-totals">
            <div><dt>{t!(i18n, stl_collected)}</dt><dd data-testid="stl-collected">{format_yuan(s.collected_fen)}</dd></div>
            <div><dt>{t!(i18n, stl_refunds)}</dt><dd data-testid="stl-refunds">{format_yuan(s.refunds_fen)}</dd></div>
            <div><dt>{t!(i18n, stl_households_total)}</dt><dd data-testid="stl-households">{format_yuan(s.households_fen)}</dd></div>
            <div><dt>{move || t_string!(i18n, stl_organising, percent = percent)}</dt><dd data-testid="stl-organising">{format_yuan(s.organising_fen)}</dd></div>
            <div><dt>{t!(i18n, stl_paid_out)}</dt><dd data-testid="stl-paid-out">{format!("{} / {}", format_yuan(paid_out), format_yuan(owed))}</dd></div>
        </dl>
        {if reconciles {
            view! { <p class="note saved" data-testid="stl-reconciles">"✓ " {t!(i18n, stl_reconciles)}</p> }.into_any()
        } else {
            view! { <p class="form-error" role="alert" data-testid="stl-reconciles">{t!(i18n, stl_not_reconciled)}</p> }.into_any()
        }}
        {(s.difference_fen != 0).then(|| {
            let d = s.difference_fen;
            view! { <p class="muted small" data-testid="stl-difference">{move || t_string!(i18n, stl_difference, amount = format_yuan(d))}</p> }
        })}
        <a class="button secondary wide" data-testid="settlement-csv" download
            href=move || api::pickup::csv_url(round_id, "settlement", lang(), None)>{t!(i18n, stl_csv)}</a>
        <h2>{t!(i18n, stl_households)}</h2>
        {empty.then(|| view! { <p class="muted" data-testid="stl-empty">{t!(i18n, stl_no_households)}</p> })}
        <ul class="cards">
            {s.households.into_iter().map(|h| view! { <HouseholdLine h=h round_id=round_id opened=opened reload=reload /> }).collect_view()}
        </ul>
        {(!unpaid.is_empty()).then(|| view! {
            <h2>{t!(i18n, stl_unpaid)}</h2>
            <p class="muted small">{t!(i18n, stl_unpaid_hint)}</p>
            <ul class="order-lines" data-testid="stl-unpaid">
                {unpaid.into_iter().map(|u| {
                    let state = match u.pickup {
                        Pickup::Unpaid => keys::stl_state_unpaid,
                        Pickup::Absent => keys::stl_state_absent,
                        _ => keys::stl_state_none,
                    };
                    view! {
                        <li>
                            <span>{u.order_number.clone()} " · " {move || state(i18n.get_locale())}</span>
                            <span class="price">{format_yuan(u.value_fen)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
    }
}

/// One household: what it earned, and its payment or the form to record it.
#[component]
fn HouseholdLine(
    h: SettlementHousehold,
    round_id: i64,
    opened: time::Date,
    reload: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let e = h.earned.clone();
    let household_id = e.household_id;
    let name = h.name.clone();
    let today = today_shanghai();
    let f = Drafted::new(PaymentDraft {
        amount: yuan_input(e.total_fen.max(0)),
        paid_on: domain::wire::format_date(today),
    });
    let status = RwSignal::new(Sent::Idle);
    let payment = RwSignal::new(h.payment.clone());
    let pay = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if crate::components::busy(status) {
            return;
        }
        let input = match f.draft.get_untracked().to_input(today, opened) {
            Ok(i) => i,
            Err(errors) => {
                f.errors.set(errors);
                status.set(Sent::Failed(both!(visit_fix_errors)));
                return;
            }
        };
        f.errors.set(vec![]);
        send(
            status,
            async move { money::put_payment(round_id, household_id, &input).await },
            move |answer| match answer {
                Ok(p) => {
                    payment.set(Some(p));
                    reload.run(());
                    Sent::Saved(both!(stl_paid_saved))
                }
                Err(e) if f.take_refusal(&e) => Sent::Failed(both!(visit_fix_errors)),
                Err(e) => Sent::failed(&e),
            },
        );
    };
    let undo = move |_| {
        if crate::components::busy(status) {
            return;
        }
        send(
            status,
            async move { money::delete_payment(round_id, household_id).await },
            move |answer| match answer {
                Ok(()) => {
                    payment.set(None);
                    reload.run(());
                    Sent::Idle
                }
                Err(e) => Sent::failed(&e),
            },
        );
    };
    let poor = h.registered_poor;
    view! {
        <li class="card pad stl-household" data-testid="stl-household" data-household=household_id>
            <h3>{move || name.get(lang()).to_string()} {poor.then(|| view! { <span class="badge later">{t!(i18n, stl_poor_badge)}</span> })}</h3>
            <p class="muted small">
                {move || t_string!(i18n, stl_pieces, pieces = e.pieces, units = e.units, value = format_yuan(e.value_fen))}
            </p>
            <dl class="facts">
                <div><dt>{t!(i18n, stl_share)}</dt><dd>{format_yuan(e.share_fen)}</dd></div>
                {(e.refunds_fen != 0).then(|| view! { <div><dt>{t!(i18n, stl_refunds)}</dt><dd>{format!("−{}", format_yuan(e.refunds_fen))}</dd></div> })}
                <div><dt><strong>{t!(i18n, stl_owed)}</strong></dt><dd data-testid="stl-owed"><strong>{format_yuan(e.total_fen)}</strong></dd></div>
                {(e.pending_fen != 0).then(|| view! { <div><dt>{t!(i18n, stl_pending)}</dt><dd>{format_yuan(e.pending_fen)}</dd></div> })}
            </dl>
            {move || match payment.get() {
                Some(p) => view! {
                    <p class="note saved" data-testid="stl-paid">
                        {move || t_string!(i18n, stl_paid_line, amount = format_yuan(p.amount_fen), date = format::format_date(p.paid_on, lang()), by = p.paid_by.name.get(lang()).to_string())}
                    </p>
                    <button class="button secondary" type="button" data-testid="stl-undo" on:click=undo>{t!(i18n, stl_undo)}</button>
                    <SendStatus state=status />
                }
                .into_any(),
                None => view! {
                    <form class="form stl-pay" on:submit=pay novalidate data-testid="stl-pay-form">
                        <label>
                            <span>{t!(i18n, stl_amount)}</span>
                            <input inputmode="decimal" data-testid="stl-amount" prop:value=move || f.draft.with(|d| d.amount.clone()) on:input=move |ev| { let v = event_target_value(&ev); f.draft.update(|d| d.amount = v); } />
                            <FieldNote text=f.error_of("amount_fen", "") />
                        </label>
                        <label>
                            <span>{t!(i18n, stl_paid_on)}</span>
                            <input type="date" data-testid="stl-paid-on" prop:value=move || f.draft.with(|d| d.paid_on.clone()) on:input=move |ev| { let v = event_target_value(&ev); f.draft.update(|d| d.paid_on = v); } />
                            <FieldNote text=f.error_of("paid_on", "") />
                        </label>
                        <SendStatus state=status />
                        <button class="button primary wide" type="submit" data-testid="stl-pay" disabled=move || status.with(Sent::busy)>{t!(i18n, stl_mark_paid)}</button>
                    </form>
                }
                .into_any(),
            }}
        </li>
    }
}
