//! `/organise/rounds/{id}`: one round: its facts, the points serving it,
//! each household's supply per product, and withdrawing a product.

use crate::api::{self, WriteError};
use crate::components::FieldError as FieldNote;
use crate::components::{
    busy, loaded_view, local_note, phase_label, send, use_lang, use_organiser, ErrorPanel, Loading,
    NotYourVillage, OrganiseCrumbs, OrganiseShell, Part, Reason, ReasonAsk, ReasonBox, SendStatus,
    Sent, SubmitWithStatus,
};
use crate::drafts::{
    cells, points_input, shanghai_input_value, withdrawal_input, RoundDraft, SupplyDraft, SupplyKey,
};
use crate::format;
use crate::i18n::*;
use domain::dto::VillageDetail;
use domain::organise::{BelowOrdered, OrganiseRound, RoundProduct};
use domain::text::LocalText;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// `/organise/rounds/{id}`.
#[component]
pub fn OrganiseRoundPage() -> impl IntoView {
    let params = crate::nav::use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|i| *i > 0)
    };
    view! {
        <OrganiseShell title=keys::orgr_round_title>
            {move || match id() {
                None => view! { <crate::components::NotFound /> }.into_any(),
                Some(id) => view! { <RoundLoader id=id /> }.into_any(),
            }}
        </OrganiseShell>
    }
}

#[component]
fn RoundLoader(id: i64) -> impl IntoView {
    let round = crate::load::Load::new(move || api::org_round(id));
    move || match round.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(WriteError::NotFound(_))) => view! { <crate::components::NotFound /> }.into_any(),
        Some(Err(WriteError::Refused { status: 403, .. })) => {
            view! { <NotYourVillage /> }.into_any()
        }
        Some(Err(_)) => {
            view! { <ErrorPanel retry=Callback::new(move |_| round.refetch()) /> }.into_any()
        }
        Some(Ok(r)) => view! { <RoundBody initial=r /> }.into_any(),
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
    let created = crate::nav::use_query_map()
        .read_untracked()
        .get("created")
        .is_some();
    if !mine {
        return view! { <NotYourVillage without_home_link=true /> }.into_any();
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
        <a class="button secondary wide" href=format!("/organise/rounds/{id}/pickup") data-testid="pickup-link">{t!(i18n, pku_open)}</a>
        <a class="button secondary wide" href=format!("/organise/rounds/{id}/settlement") data-testid="settlement-link">{t!(i18n, stl_open)}</a>
        <RoundDates round=round />
        <RoundForms round=round slug=slug.clone() />
        <DeleteRound round=round slug=slug />
    }
    .into_any()
}

/// The forms of the round, once its village's points and households are in.
#[component]
fn RoundForms(round: RwSignal<OrganiseRound>, slug: String) -> impl IntoView {
    let village = crate::load::Load::new(move || api::village(slug.clone()));
    loaded_view(village, move |v| {
        let v = StoredValue::new(v);
        view! {
            <Points round=round village=v />
            <Supplies round=round village=v />
        }
    })
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
        if busy(sent) {
            return;
        }
        let Ok(body) = points_input(chosen.get_untracked()) else {
            error.set(Some(both!(orgr_err_points)));
            return;
        };
        error.set(None);
        send(
            sent,
            async move { api::set_round_points(id, &body).await },
            move |answer| match answer {
                Ok(r) => {
                    chosen.set(r.points.iter().map(|p| p.id).collect());
                    round.set(r);
                    Sent::Saved(both!(orgr_points_saved))
                }
                Err(e) => Sent::failed(&e),
            },
        );
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
                <FieldNote text=local_note(error) />
                <SubmitWithStatus state=sent class="button primary wide" testid="save-points" label=keys::orgr_save_points />
            </form>
        </section>
    }
}

/// The supply form's state, shared by its product cards.
#[derive(Clone, Copy)]
struct SupplyForm {
    round: RwSignal<OrganiseRound>,
    village: StoredValue<VillageDetail>,
    /// What the organiser typed; the rest shows the server's value.
    draft: RwSignal<SupplyDraft>,
    /// The cells whose text is not a supply.
    bad: RwSignal<Vec<SupplyKey>>,
    /// The server's words for one cell, e.g. below what is already packed.
    refused: RwSignal<BTreeMap<SupplyKey, LocalText>>,
    below: RwSignal<Vec<BelowOrdered>>,
    sent: RwSignal<Sent>,
    filter: RwSignal<String>,
    /// The product whose reason box is open.
    withdrawing: RwSignal<Option<i64>>,
    withdraw_sent: RwSignal<Sent>,
    /// The product whose withdrawal status shows in its card.
    withdraw_for: RwSignal<Option<i64>>,
}

/// The failed save's words when supplies would fall below what is ordered:
/// the products by name, so the organiser knows where to look in a long
/// list.
fn below_ordered_text(below: &[BelowOrdered]) -> LocalText {
    let names: Vec<LocalText> = below
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
    LocalText::new(words(domain::Lang::Zh), words(domain::Lang::En))
}

/// The supply table: per product, ordered / capacity and one number per
/// household; withdrawing a product with a reason.
#[component]
fn Supplies(round: RwSignal<OrganiseRound>, village: StoredValue<VillageDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let id = round.with_untracked(|r| r.round.id);
    let f = SupplyForm {
        round,
        village,
        draft: RwSignal::new(SupplyDraft::default()),
        bad: RwSignal::new(Vec::new()),
        refused: RwSignal::new(BTreeMap::new()),
        below: RwSignal::new(Vec::new()),
        sent: RwSignal::new(Sent::Idle),
        filter: RwSignal::new(String::new()),
        withdrawing: RwSignal::new(None),
        withdraw_sent: RwSignal::new(Sent::Idle),
        withdraw_for: RwSignal::new(None),
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy(f.sent) {
            return;
        }
        let typed = round.with_untracked(|r| f.draft.with_untracked(|d| d.to_input(&r.products)));
        f.bad.set(typed.as_ref().err().cloned().unwrap_or_default());
        f.below.set(vec![]);
        f.refused.set(BTreeMap::new());
        let Ok(input) = typed else {
            f.sent.set(Sent::Failed(both!(orgr_fix_numbers)));
            return;
        };
        let keys = cells(&input);
        send(
            f.sent,
            async move { api::set_supply(id, &input).await },
            move |answer| match answer {
                Ok(r) => {
                    f.draft.set(SupplyDraft::default());
                    round.set(r);
                    Sent::Saved(both!(orgr_supply_saved))
                }
                Err(WriteError::Refused { below_ordered, .. }) if !below_ordered.is_empty() => {
                    let words = below_ordered_text(&below_ordered);
                    f.below.set(below_ordered);
                    Sent::Failed(words)
                }
                Err(e) => {
                    if let WriteError::Refused { fields, .. } = &e {
                        f.refused.set(
                            fields
                                .iter()
                                .filter_map(|x| {
                                    let i = crate::rounds::list_index(&x.field, "supplies")?;
                                    Some((*keys.get(i)?, x.text()))
                                })
                                .collect(),
                        );
                    }
                    Sent::failed(&e)
                }
            },
        );
    };

    view! {
        <section class="step-box" aria-labelledby="supply-h">
            <h2 id="supply-h">{t!(i18n, orgr_supply)}</h2>
            <p class="muted small">{t!(i18n, orgr_supply_note)}</p>
            <form class="form" on:submit=save data-testid="supply-form" novalidate>
                <label class="field">
                    <span>{t!(i18n, orgr_filter)}</span>
                    <input type="search" data-testid="supply-filter" bind:value=f.filter />
                </label>
                <ul class="supply-list">
                    {move || round.with(|r| r.products.clone()).into_iter().map(|p| view! {
                        <ProductSupply p=p f=f />
                    }).collect_view()}
                </ul>
                <div class="sticky-save">
                    <SubmitWithStatus state=f.sent class="button primary wide big" testid="save-supplies" label=keys::orgr_save_supplies />
                </div>
            </form>
        </section>
    }
}

/// One product of the supply table: ordered / capacity, the households'
/// numbers and withdrawing it.
#[component]
fn ProductSupply(p: RoundProduct, f: SupplyForm) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let pid = p.product_id;
    let name = p.name.clone();
    let names = format!("{}\n{}", p.name.zh, p.name.en).to_lowercase();
    let shown = move || {
        f.filter
            .with(|x| names.contains(x.trim().to_lowercase().as_str()))
    };
    let unit = p.unit.clone();
    let unit2 = p.unit.clone();
    let withdrawn = p.withdrawal.clone();
    let is_withdrawn = withdrawn.is_some();
    let below_text = move || {
        f.below.with(|b| {
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
    view! {
        <li class=if is_withdrawn { "card supply-card withdrawn" } else { "card supply-card" } id=format!("product-{pid}") data-testid="round-product" data-product-id=pid
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
                {p.supplies.iter().map(|s| view! {
                    <SupplyCell key=(pid, s.household_id) server=s.quantity disabled=is_withdrawn f=f />
                }).collect_view()}
            </div>
            <Show when=move || f.withdraw_for.get() == Some(pid)>
                <SendStatus state=f.withdraw_sent />
            </Show>
            {(!is_withdrawn).then(|| view! { <Withdraw pid=pid f=f /> })}
        </li>
    }
}

/// One household's number for one product, and what is wrong with it.
#[component]
fn SupplyCell(key: SupplyKey, server: i64, disabled: bool, f: SupplyForm) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let (pid, hid) = key;
    let hname = f.village.with_value(|v| {
        v.households
            .iter()
            .find(|h| h.id == hid)
            .map(|h| h.name.clone())
            .unwrap_or_else(|| LocalText::new(format!("#{hid}"), format!("#{hid}")))
    });
    let input_id = format!("supply-{pid}-{hid}");
    view! {
        <div class="supply-row">
            <label for=input_id.clone()>{move || hname.get(lang()).to_string()}</label>
            <input id=input_id type="number" inputmode="numeric" min="0" step="1"
                data-testid="supply-input" data-household-id=hid
                disabled=disabled
                aria-invalid=move || f.bad.with(|b| b.contains(&key)).to_string()
                prop:value=move || f.draft.with(|d| d.edits.get(&key).cloned()).unwrap_or_else(|| server.to_string())
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    f.draft.update(|d| { d.edits.insert(key, v); });
                    f.sent.set(Sent::Idle);
                } />
        </div>
        {move || f.bad.with(|b| b.contains(&key)).then(|| view! {
            <span class="field-error" role="alert">{t!(i18n, orgr_err_supply_number)}</span>
        })}
        {move || f.refused.with(|r| r.get(&key).cloned()).map(|t| view! {
            <span class="field-error" role="alert" data-testid="supply-refused">{move || t.get(lang()).to_string()}</span>
        })}
    }
}

const WITHDRAW: ReasonAsk = ReasonAsk {
    open: Part {
        testid: "withdraw-open",
        words: keys::orgr_withdraw,
    },
    question: Part {
        testid: "withdraw-box",
        words: keys::orgr_withdraw_confirm,
    },
    reason: Part {
        testid: "withdraw-reason",
        words: keys::orgr_reason,
    },
    confirm: Part {
        testid: "withdraw-confirm",
        words: keys::orgr_withdraw_do,
    },
    keep: Part {
        testid: "withdraw-cancel",
        words: keys::orgr_keep,
    },
};

/// Withdrawing a product from the round, with a reason its buyers read.
#[component]
fn Withdraw(pid: i64, f: SupplyForm) -> impl IntoView {
    let reason = Reason::new();
    let round_id = f.round.with_untracked(|r| r.round.id);
    let confirm = move |_| {
        if busy(f.withdraw_sent) {
            return;
        }
        let typed = |t: &str| withdrawal_input(pid, t);
        let Some(body) = reason.input(typed, both!(orgr_err_reason)) else {
            return;
        };
        f.withdraw_for.set(Some(pid));
        let call = async move {
            let w = api::withdraw(round_id, &body).await?;
            f.withdrawing.set(None);
            if let Ok(r) = api::org_round(round_id).await {
                f.round.set(r);
            }
            Ok::<_, WriteError>(w)
        };
        send(f.withdraw_sent, call, move |answer| match answer {
            Ok(w) => {
                f.sent.set(Sent::Idle);
                Sent::Saved(both!(orgr_withdrawn_saved, count = w.orders_affected))
            }
            Err(e) => reason.failed(&e),
        });
    };
    let open = move |_| {
        f.withdraw_sent.set(Sent::Idle);
        f.withdraw_for.set(None);
        f.withdrawing.set(Some(pid));
    };
    view! {
        <ReasonBox
            ask=WITHDRAW
            is_open=Signal::derive(move || f.withdrawing.get() == Some(pid))
            reason=reason
            busy=Signal::derive(move || f.withdraw_sent.with(Sent::busy))
            on_open=Callback::new(open)
            on_confirm=Callback::new(confirm)
            on_keep=Callback::new(move |_| f.withdrawing.set(None))
        >
            <FieldNote text=local_note(reason.error) />
        </ReasonBox>
    }
}

/// The round's dates, while it has not opened; afterwards why not.
#[component]
fn RoundDates(round: RwSignal<OrganiseRound>) -> impl IntoView {
    let i18n = use_i18n();
    let id = round.with_untracked(|r| r.round.id);
    let start = round.with_untracked(|r| RoundDraft {
        opens_at: shanghai_input_value(r.round.opens_at),
        deadline: shanghai_input_value(r.round.deadline),
        distribution_day: domain::wire::format_date(r.round.distribution_day),
        point_ids: r.points.iter().map(|p| p.id).collect(),
    });
    let opens = RwSignal::new(start.opens_at);
    let deadline = RwSignal::new(start.deadline);
    let day = RwSignal::new(start.distribution_day);
    let errors = RwSignal::new(Vec::<domain::FieldError>::new());
    let sent = RwSignal::new(Sent::Idle);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy(sent) {
            return;
        }
        let draft = RoundDraft {
            opens_at: opens.get_untracked(),
            deadline: deadline.get_untracked(),
            distribution_day: day.get_untracked(),
            point_ids: round.with_untracked(|r| r.points.iter().map(|p| p.id).collect()),
        };
        let input = match draft.to_input(crate::components::now()) {
            Ok(i) => i,
            Err(e) => {
                errors.set(e);
                sent.set(Sent::Failed(both!(orgr_fix_errors)));
                return;
            }
        };
        errors.set(vec![]);
        send(
            sent,
            async move { api::update_round(id, &input).await },
            move |answer| match answer {
                Ok(r) => {
                    round.set(r);
                    Sent::Saved(both!(orgd_saved))
                }
                Err(e) => {
                    if let WriteError::Refused { fields, .. } = &e {
                        errors.set(fields.clone());
                    }
                    Sent::failed(&e)
                }
            },
        );
    };
    let note = move |field: &'static str| {
        crate::components::field_note(errors, move || Some(field.to_owned()))
    };
    let not_yet_open = move || round.with(|r| r.phase == "not_yet_open");
    view! {
        <section class="step-box" aria-labelledby="dates-h" data-testid="round-dates">
            <h2 id="dates-h">{t!(i18n, orgd_title)}</h2>
            <Show when=not_yet_open fallback=move || view! {
                <p class="note" data-testid="dates-locked">{t!(i18n, orgd_locked)}</p>
            }>
                <p class="muted small">{t!(i18n, orgr_times_note)}</p>
                <form class="form" on:submit=save data-testid="dates-form" novalidate>
                    <label>
                        <span>{t!(i18n, orgr_opens)}</span>
                        <input type="datetime-local" name="opens_at" bind:value=opens />
                        <FieldNote text=note("opens_at") />
                    </label>
                    <label>
                        <span>{t!(i18n, orgr_deadline)}</span>
                        <input type="datetime-local" name="deadline" bind:value=deadline />
                        <FieldNote text=note("deadline") />
                    </label>
                    <label>
                        <span>{t!(i18n, orgr_day)}</span>
                        <input type="date" name="distribution_day" bind:value=day />
                        <FieldNote text=note("distribution_day") />
                    </label>
                    <SubmitWithStatus state=sent class="button primary wide" testid="save-dates" label=keys::orgd_save />
                </form>
            </Show>
        </section>
    }
}

/// Deleting a round nobody ordered in, after a question that stays on
/// screen until answered.
#[component]
fn DeleteRound(round: RwSignal<OrganiseRound>, slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = crate::use_go();
    let id = round.with_untracked(|r| r.round.id);
    let asking = RwSignal::new(false);
    let sent = RwSignal::new(Sent::Idle);
    let yes = move |_: ()| {
        if busy(sent) {
            return;
        }
        let navigate = navigate.clone();
        let slug = slug.clone();
        send(
            sent,
            async move { api::delete_round(id).await },
            move |answer| match answer {
                Ok(()) => {
                    navigate(&format!("/organise/v/{slug}/rounds"));
                    Sent::Idle
                }
                Err(e) => {
                    asking.set(false);
                    Sent::failed(&e)
                }
            },
        );
    };
    let yes = Callback::new(yes);
    let has_orders = move || round.with(|r| r.order_count > 0);
    view! {
        <section class="step-box" data-testid="round-delete">
            <Show when=move || !has_orders() fallback=move || view! {
                <p class="muted small" data-testid="delete-blocked">{t!(i18n, orgd_has_orders)}</p>
            }>
                <Show when=move || !asking.get()>
                    <button class="button danger wide" type="button" data-testid="delete-round"
                        on:click=move |_| { sent.set(Sent::Idle); asking.set(true); }>{t!(i18n, orgd_delete)}</button>
                </Show>
                <Show when=move || asking.get()>
                    <div class="confirm-box" role="alertdialog" aria-labelledby="delete-q" data-testid="delete-confirm">
                        <p id="delete-q">{t!(i18n, orgd_delete_confirm)}</p>
                        <button class="button danger" type="button" data-testid="delete-yes"
                            disabled=move || sent.with(Sent::busy) on:click=move |_| yes.run(())>{t!(i18n, orgd_delete_do)}</button>
                        <button class="button secondary" type="button" data-testid="delete-no"
                            on:click=move |_| asking.set(false)>{t!(i18n, orgd_keep)}</button>
                    </div>
                </Show>
            </Show>
            <SendStatus state=sent />
        </section>
    }
}
