//! `/organise/rounds/{id}`: one round: its facts, the points serving it,
//! each household's supply per product, and withdrawing a product.

use crate::api::{self, WriteError};
use crate::components::FieldError as FieldNote;
use crate::components::{use_lang, ErrorPanel, Loading, PageTitle};
use crate::format;
use crate::i18n::*;
use crate::nav::use_params_map;
use crate::pages::organise::rounds::{phase_label, write_error_text, SendStatus, Sent};
use crate::pages::organise::{use_organiser, OrganiseCrumbs, OrganiseGate};
use domain::dto::VillageDetail;
use domain::organise::{
    point_list, reason, supply_quantity, BelowOrdered, OrganiseRound, RoundPointsInput,
    RoundProduct, SupplyEntry, SupplyInput, WithdrawalInput,
};
use domain::text::LocalText;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// `/organise/rounds/{id}`.
#[component]
pub fn OrganiseRoundPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|i| *i > 0)
    };
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, orgr_round_title).to_string()) />
        <OrganiseGate>
            {move || match id() {
                None => view! { <crate::pages::not_found::NotFound /> }.into_any(),
                Some(id) => view! { <RoundLoader id=id /> }.into_any(),
            }}
        </OrganiseGate>
    }
}

#[component]
fn RoundLoader(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let round = crate::load::Load::new(move || api::org_round(id));
    move || {
        match round.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(WriteError::NotFound(_))) => view! { <crate::pages::not_found::NotFound /> }.into_any(),
        Some(Err(WriteError::Refused { status: 403, .. })) => view! {
            <p class="form-error" role="alert" data-testid="not-your-village">{t!(i18n, org_not_your_village)}</p>
            <a class="button secondary" href="/organise">{t!(i18n, org_home)}</a>
        }
        .into_any(),
        Some(Err(_)) => view! { <ErrorPanel retry=Callback::new(move |_| round.refetch()) /> }.into_any(),
        Some(Ok(r)) => view! { <RoundBody initial=r /> }.into_any(),
    }
    }
}

#[component]
fn RoundBody(initial: OrganiseRound) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let me = use_organiser();
    let slug = initial.village_slug.clone();
    let id = initial.round.id;
    let mine = me.villages.iter().any(|v| v.slug == slug);
    let round = RwSignal::new(initial);
    let village = crate::load::Load::new({
        let slug = slug.clone();
        move || api::village(slug.clone())
    });
    let created = crate::nav::use_query_map()
        .read_untracked()
        .get("created")
        .is_some();
    if !mine {
        return view! {
            <p class="form-error" role="alert" data-testid="not-your-village">{t!(i18n, org_not_your_village)}</p>
        }
        .into_any();
    }
    view! {
        <OrganiseCrumbs slug=slug.clone() />
        <p class="crumbs"><a href=format!("/organise/v/{slug}/rounds")>{t!(i18n, org_rounds)}</a></p>
        <h1 data-testid="round-title">
            {move || t_string!(i18n, orgr_day_title, date = format::format_date(round.with(|r| r.round.distribution_day), lang()))}
        </h1>
        {created.then(|| view! { <p class="note saved" role="status" data-testid="round-created">"✓ " {t!(i18n, orgr_created)}</p> })}
        <dl class="facts" data-testid="round-facts">
            <div><dt>{t!(i18n, orgr_opens)}</dt><dd>{move || format::format_datetime(round.with(|r| r.round.opens_at), lang())}</dd></div>
            <div><dt>{t!(i18n, orgr_deadline)}</dt><dd>{move || format::format_datetime(round.with(|r| r.round.deadline), lang())}</dd></div>
            <div><dt>{t!(i18n, orgr_phase)}</dt><dd data-testid="round-phase">{move || phase_label(i18n, &round.with(|r| r.phase.clone()))}</dd></div>
            <div><dt>{t!(i18n, orgr_orders)}</dt><dd data-testid="round-orders">{move || round.with(|r| r.order_count)}</dd></div>
        </dl>
        <a class="button secondary wide" href=format!("/organise/rounds/{id}/packing") data-testid="packing-link">{t!(i18n, orgr_packing)}</a>
        {move || match village.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(_)) => view! { <ErrorPanel retry=Callback::new(move |_| village.refetch()) /> }.into_any(),
            Some(Ok(v)) => {
                let v = StoredValue::new(v);
                view! {
                    <Points round=round village=v />
                    <Supplies round=round village=v />
                }.into_any()
            }
        }}
    }
    .into_any()
}

/// Which of the village's points serve the round.
#[component]
fn Points(round: RwSignal<OrganiseRound>, village: StoredValue<VillageDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let chosen =
        RwSignal::new(round.with_untracked(|r| r.points.iter().map(|p| p.id).collect::<Vec<_>>()));
    let sent = RwSignal::new(Sent::Idle);
    let error = RwSignal::new(None::<LocalText>);
    let id = round.with_untracked(|r| r.round.id);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sent.get_untracked().busy() {
            return;
        }
        let body = RoundPointsInput {
            point_ids: chosen.get_untracked(),
        };
        if !point_list("point_ids", &body.point_ids).is_empty() {
            error.set(Some(both!(orgr_err_points)));
            return;
        }
        error.set(None);
        sent.set(Sent::Sending);
        spawn_local(async move {
            match api::set_round_points(id, &body).await {
                Ok(r) => {
                    chosen.set(r.points.iter().map(|p| p.id).collect());
                    round.set(r);
                    sent.set(Sent::Saved(both!(orgr_points_saved)));
                }
                Err(e) => sent.set(Sent::Failed(write_error_text(&e))),
            }
        });
    };
    view! {
        <section class="step-box" aria-labelledby="points-h">
            <h2 id="points-h">{t!(i18n, orgr_points)}</h2>
            <form class="form" on:submit=save data-testid="points-form">
                <fieldset class="checks">
                    <legend class="sr-only">{t!(i18n, orgr_points)}</legend>
                    {village.with_value(|v| v.distribution_points.clone()).into_iter().map(|p| {
                        let pid = p.id;
                        let name = p.name.clone();
                        let window = format!("{}–{}", p.pickup_from, p.pickup_to);
                        view! {
                            <label class="check">
                                <input type="checkbox" data-testid="point-check" value=pid
                                    prop:checked=move || chosen.with(|c| c.contains(&pid))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| { c.retain(|x| *x != pid); if on { c.push(pid); } });
                                        sent.set(Sent::Idle);
                                    } />
                                <span>
                                    <span>{move || name.get(lang()).to_string()}</span>
                                    <span class="muted small">{window.clone()}</span>
                                </span>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <FieldNote text=Signal::derive(move || error.get().map(|m| m.get(lang()).to_string())) />
                <SendStatus state=sent />
                <button class="button primary wide" type="submit" data-testid="save-points" disabled=move || sent.get().busy()>
                    {move || if sent.get().busy() { t_string!(i18n, working) } else { t_string!(i18n, orgr_save_points) }}
                </button>
            </form>
        </section>
    }
}

/// The supply table: per product, ordered / capacity and one number per
/// household; withdrawing a product with a reason.
#[component]
fn Supplies(round: RwSignal<OrganiseRound>, village: StoredValue<VillageDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let id = round.with_untracked(|r| r.round.id);
    // What the organiser typed, by (product, household); the rest shows
    // the server's value.
    let edits = RwSignal::new(BTreeMap::<(i64, i64), String>::new());
    let bad = RwSignal::new(Vec::<(i64, i64)>::new());
    // The server's words for one input, e.g. below what is already packed.
    let refused = RwSignal::new(BTreeMap::<(i64, i64), LocalText>::new());
    let below = RwSignal::new(Vec::<BelowOrdered>::new());
    let sent = RwSignal::new(Sent::Idle);
    let withdrawing = RwSignal::new(None::<i64>);
    let withdraw_sent = RwSignal::new(Sent::Idle);
    // The product whose withdrawal status shows in its card.
    let withdraw_for = RwSignal::new(None::<i64>);
    let filter = RwSignal::new(String::new());

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sent.get_untracked().busy() {
            return;
        }
        let mut supplies = Vec::new();
        let mut wrong = Vec::new();
        round.with_untracked(|r| {
            for p in r.products.iter().filter(|p| p.withdrawal.is_none()) {
                for s in &p.supplies {
                    let key = (p.product_id, s.household_id);
                    let q = match edits.with_untracked(|e| e.get(&key).cloned()) {
                        None => s.quantity,
                        Some(t) => match t.trim().parse::<i64>() {
                            Ok(q) if supply_quantity("q", q).is_ok() => q,
                            _ => {
                                wrong.push(key);
                                continue;
                            }
                        },
                    };
                    supplies.push(SupplyEntry {
                        household_id: s.household_id,
                        product_id: p.product_id,
                        quantity: q,
                    });
                }
            }
        });
        bad.set(wrong.clone());
        below.set(vec![]);
        refused.set(BTreeMap::new());
        let keys: Vec<(i64, i64)> = supplies
            .iter()
            .map(|s| (s.product_id, s.household_id))
            .collect();
        if !wrong.is_empty() {
            sent.set(Sent::Failed(both!(orgr_fix_numbers)));
            return;
        }
        sent.set(Sent::Sending);
        spawn_local(async move {
            match api::set_supply(id, &SupplyInput { supplies }).await {
                Ok(r) => {
                    edits.set(BTreeMap::new());
                    round.set(r);
                    sent.set(Sent::Saved(both!(orgr_supply_saved)));
                }
                Err(WriteError::Refused { below_ordered, .. }) if !below_ordered.is_empty() => {
                    // Name the products, so the organiser knows where to look in a long list.
                    let names: Vec<LocalText> = below_ordered
                        .iter()
                        .map(|b| {
                            both!(for l => orgr_below_item,
                                name = b.product_name.get(l).to_string(),
                                ordered = b.ordered)
                        })
                        .collect();
                    let words = |l: domain::Lang| {
                        let names: Vec<&str> = names.iter().map(|n| n.get(l)).collect();
                        format!(
                            "{} {}",
                            both!(orgr_below_nothing_changed).get(l),
                            names.join(" · ")
                        )
                    };
                    below.set(below_ordered);
                    sent.set(Sent::Failed(LocalText::new(
                        words(domain::Lang::Zh),
                        words(domain::Lang::En),
                    )));
                }
                Err(e) => {
                    if let WriteError::Refused { fields, .. } = &e {
                        refused.set(
                            fields
                                .iter()
                                .filter_map(|f| {
                                    let i = crate::rounds::list_index(&f.field, "supplies")?;
                                    Some((*keys.get(i)?, f.text()))
                                })
                                .collect(),
                        );
                    }
                    sent.set(Sent::Failed(write_error_text(&e)))
                }
            }
        });
    };

    view! {
        <section class="step-box" aria-labelledby="supply-h">
            <h2 id="supply-h">{t!(i18n, orgr_supply)}</h2>
            <p class="muted small">{t!(i18n, orgr_supply_note)}</p>
            <form class="form" on:submit=save data-testid="supply-form" novalidate>
                <label class="field">
                    <span>{t!(i18n, orgr_filter)}</span>
                    <input type="search" data-testid="supply-filter" bind:value=filter />
                </label>
                <ul class="supply-list">
                    {move || round.with(|r| r.products.clone()).into_iter().map(|p| view! {
                        <ProductSupply p=p round=round village=village edits=edits bad=bad refused=refused below=below withdrawing=withdrawing withdraw_sent=withdraw_sent withdraw_for=withdraw_for sent=sent filter=filter />
                    }).collect_view()}
                </ul>
                <div class="sticky-save">
                    <SendStatus state=sent />
                    <button class="button primary wide big" type="submit" data-testid="save-supplies" disabled=move || sent.get().busy()>
                        {move || if sent.get().busy() { t_string!(i18n, working) } else { t_string!(i18n, orgr_save_supplies) }}
                    </button>
                </div>
            </form>
        </section>
    }
}

#[component]
#[allow(clippy::too_many_arguments)]
fn ProductSupply(
    p: RoundProduct,
    round: RwSignal<OrganiseRound>,
    village: StoredValue<VillageDetail>,
    edits: RwSignal<BTreeMap<(i64, i64), String>>,
    bad: RwSignal<Vec<(i64, i64)>>,
    refused: RwSignal<BTreeMap<(i64, i64), LocalText>>,
    below: RwSignal<Vec<BelowOrdered>>,
    withdrawing: RwSignal<Option<i64>>,
    withdraw_sent: RwSignal<Sent>,
    withdraw_for: RwSignal<Option<i64>>,
    sent: RwSignal<Sent>,
    filter: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let pid = p.product_id;
    let name = p.name.clone();
    let names = format!("{}\n{}", p.name.zh, p.name.en).to_lowercase();
    let shown = move || filter.with(|f| names.contains(f.trim().to_lowercase().as_str()));
    let unit = p.unit.clone();
    let unit2 = p.unit.clone();
    let withdrawn = p.withdrawal.clone();
    let is_withdrawn = withdrawn.is_some();
    let household_name = move |hid: i64| -> LocalText {
        village.with_value(|v| {
            v.households
                .iter()
                .find(|h| h.id == hid)
                .map(|h| h.name.clone())
                .unwrap_or_else(|| LocalText::new(format!("#{hid}"), format!("#{hid}")))
        })
    };
    let below_text = move || {
        below.with(|b| {
            b.iter().find(|b| b.product_id == pid).map(|b| {
                t_string!(
                    i18n,
                    orgr_below_ordered,
                    ordered = b.ordered,
                    unit = unit2.get(lang()).to_string()
                )
            })
        })
    };
    let ordered = p.ordered;
    let capacity = p.capacity;
    let reason_text = RwSignal::new(String::new());
    let reason_error = RwSignal::new(None::<LocalText>);
    let round_id = round.with_untracked(|r| r.round.id);
    let do_withdraw = move |_| {
        if withdraw_sent.get_untracked().busy() {
            return;
        }
        let text = reason_text.get_untracked();
        if reason("reason", &text).is_err() {
            reason_error.set(Some(both!(orgr_err_reason)));
            return;
        }
        reason_error.set(None);
        withdraw_for.set(Some(pid));
        withdraw_sent.set(Sent::Sending);
        let body = WithdrawalInput {
            product_id: pid,
            reason: text.trim().to_string(),
        };
        spawn_local(async move {
            match api::withdraw(round_id, &body).await {
                Ok(w) => {
                    withdrawing.set(None);
                    if let Ok(r) = api::org_round(round_id).await {
                        round.set(r);
                    }
                    sent.set(Sent::Idle);
                    withdraw_sent.set(Sent::Saved(both!(
                        orgr_withdrawn_saved,
                        count = w.orders_affected
                    )));
                }
                Err(e) => {
                    if let Some(m) = e.field("reason") {
                        reason_error.set(Some(m));
                    }
                    withdraw_sent.set(Sent::Failed(write_error_text(&e)));
                }
            }
        });
    };
    view! {
        <li class=if is_withdrawn { "card supply-card withdrawn" } else { "card supply-card" } data-testid="round-product" data-product-id=pid
            style:display=move || if shown() { "" } else { "none" }>
            <div class="supply-head">
                <span class="card-title">{move || name.get(lang()).to_string()}</span>
                {(!p.published).then(|| view! { <span class="badge later">{t!(i18n, orgr_hidden)}</span> })}
                {is_withdrawn.then(|| view! { <span class="badge refused" data-testid="withdrawn-badge">{t!(i18n, orgr_withdrawn)}</span> })}
            </div>
            <p class="small" data-testid="capacity">
                {move || t_string!(i18n, orgr_ordered_capacity, ordered = ordered, capacity = capacity, unit = unit.get(lang()).to_string())}
            </p>
            {withdrawn.map(|w| view! {
                <p class="note" data-testid="withdrawn-reason">
                    {move || t_string!(i18n, orgr_withdrawn_reason, reason = w.reason.clone(), when = format::format_datetime(w.withdrawn_at, lang()))}
                </p>
            })}
            {move || below_text().map(|t| view! { <p class="form-error" role="alert" data-testid="below-ordered">{t}</p> })}
            <div class="supply-rows">
                {p.supplies.iter().map(|s| {
                    let key = (pid, s.household_id);
                    let server = s.quantity;
                    let hname = household_name(s.household_id);
                    let input_id = format!("supply-{}-{}", pid, s.household_id);
                    view! {
                        <div class="supply-row">
                            <label for=input_id.clone()>{move || hname.get(lang()).to_string()}</label>
                            <input id=input_id type="number" inputmode="numeric" min="0" step="1"
                                data-testid="supply-input" data-household-id=s.household_id
                                disabled=is_withdrawn
                                aria-invalid=move || bad.with(|b| b.contains(&key)).to_string()
                                prop:value=move || edits.with(|e| e.get(&key).cloned()).unwrap_or_else(|| server.to_string())
                                on:input=move |ev| {
                                    let v = event_target_value(&ev);
                                    edits.update(|e| { e.insert(key, v); });
                                    sent.set(Sent::Idle);
                                } />
                        </div>
                        {move || bad.with(|b| b.contains(&key)).then(|| view! {
                            <span class="field-error" role="alert">{t!(i18n, orgr_err_supply_number)}</span>
                        })}
                        {move || refused.with(|r| r.get(&key).cloned()).map(|t| view! {
                            <span class="field-error" role="alert" data-testid="supply-refused">{move || t.get(lang()).to_string()}</span>
                        })}
                    }
                }).collect_view()}
            </div>
            <Show when=move || withdraw_for.get() == Some(pid)>
                <SendStatus state=withdraw_sent />
            </Show>
            {(!is_withdrawn).then(|| view! {
                {move || if withdrawing.get() == Some(pid) {
                    view! {
                        <div class="confirm-box" data-testid="withdraw-box">
                            <p>{t!(i18n, orgr_withdraw_confirm)}</p>
                            <label class="field wide-field">
                                <span>{t!(i18n, orgr_reason)}</span>
                                <textarea rows="3" maxlength="500" data-testid="withdraw-reason"
                                    prop:value=move || reason_text.get()
                                    on:input=move |ev| reason_text.set(event_target_value(&ev))></textarea>
                                <FieldNote text=Signal::derive(move || reason_error.get().map(|m| m.get(lang()).to_string())) />
                            </label>
                            <button class="button danger" type="button" data-testid="withdraw-confirm"
                                disabled=move || withdraw_sent.get().busy() on:click=do_withdraw>
                                {move || if withdraw_sent.get().busy() { t_string!(i18n, working) } else { t_string!(i18n, orgr_withdraw_do) }}
                            </button>
                            <button class="button secondary" type="button" data-testid="withdraw-cancel"
                                on:click=move |_| withdrawing.set(None)>{t!(i18n, orgr_keep)}</button>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <button class="button secondary small-button" type="button" data-testid="withdraw-open"
                            on:click=move |_| { withdraw_sent.set(Sent::Idle); withdraw_for.set(None); withdrawing.set(Some(pid)); }>
                            {t!(i18n, orgr_withdraw)}
                        </button>
                    }.into_any()
                }}
            })}
        </li>
    }
}
