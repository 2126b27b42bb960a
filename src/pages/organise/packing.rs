use crate::api::{self, WriteError};
use crate::components::{use_lang, ErrorPanel, Loading, OrganiseShell};
use crate::format;
use crate::i18n::*;
use crate::nav::use_params_map;
use domain::packing::Packing;
use domain::LocalText;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `/organise/rounds/{id}/packing`: after the deadline, what each household
/// prepares and what each member collects at each point, with a label
/// code per packed line. Prints cleanly.
#[component]
pub fn PackingPage() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    });
    view! {
        <OrganiseShell title=keys::pack_title>
            {move || view! { <PackingLoader round_id=id.get() /> }}
        </OrganiseShell>
    }
}

#[component]
fn PackingLoader(round_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let packing = crate::load::Load::new(move || api::packing(round_id));
    let allocating = RwSignal::new(false);
    let error = RwSignal::new(None::<LocalText>);
    let allocate = move |_| {
        allocating.set(true);
        error.set(None);
        spawn_local(async move {
            match api::allocate(round_id).await {
                Ok(_) => packing.refetch(),
                Err(e) => {
                    let m = e.field("round_id").unwrap_or_else(|| e.message());
                    error.set(Some(m))
                }
            }
            allocating.set(false);
        });
    };
    move || {
        match packing.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Ok(p)) => view! { <PackingLists p=p round_id=round_id /> }.into_any(),
        // Not allocated yet: offer it (the server refuses before the deadline).
        Some(Err(WriteError::Refused { status: 409, .. })) => view! {
            <h1>{t!(i18n, pack_title)}</h1>
            <p>{t!(i18n, pack_not_allocated)}</p>
            <p class="muted small">{t!(i18n, pack_rule)}</p>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="allocate-error">{move || error.get().map(|m| m.get(lang()).to_string())}</p>
            </Show>
            <button class="button primary wide big" type="button" data-testid="allocate" disabled=move || allocating.get() on:click=allocate>
                {t!(i18n, pack_allocate)}
            </button>
            <p class="center"><a href=format!("/organise/rounds/{round_id}")>{t!(i18n, pack_back)}</a></p>
        }
        .into_any(),
        Some(Err(_)) => view! { <ErrorPanel retry=Callback::new(move |_| packing.refetch()) /> }.into_any(),
    }
    }
}

#[component]
fn PackingLists(p: Packing, round_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let by_point = RwSignal::new(false);
    let village = p.village_name.clone();
    let day = p.round.distribution_day;
    let count = p.label_count;
    let print = move |_| {
        let _ = web_sys::window().map(|w| w.print());
    };
    view! {
        <p class="crumbs no-print"><a href=format!("/organise/rounds/{round_id}")>{t!(i18n, pack_back)}</a></p>
        <h1>{t!(i18n, pack_title)}</h1>
        <p class="pack-head">
            <strong>{move || village.get(lang()).to_string()}</strong>
            " · "
            {move || t_string!(i18n, pack_round_day, day = format::format_date(day, lang()))}
            " · "
            {move || t_string!(i18n, pack_labels, n = count)}
        </p>
        <nav class="seg no-print">
            <a href="#" class=move || if by_point.get() { "" } else { "on" } data-testid="by-household" on:click=move |ev| { ev.prevent_default(); by_point.set(false); }>{t!(i18n, pack_by_household)}</a>
            <a href="#" class=move || if by_point.get() { "on" } else { "" } data-testid="by-point" on:click=move |ev| { ev.prevent_default(); by_point.set(true); }>{t!(i18n, pack_by_point)}</a>
        </nav>
        <button class="button secondary wide no-print" type="button" data-testid="print" on:click=print>{t!(i18n, pack_print)}</button>
        <a class="button primary wide no-print" href=format!("/organise/rounds/{round_id}/pickup") data-testid="pickup-link">{t!(i18n, pku_open)}</a>
        <a class="button secondary wide no-print" href=format!("/organise/rounds/{round_id}/labels") data-testid="labels-link">{t!(i18n, lbl_open)}</a>
        <div class:hidden=move || by_point.get() data-testid="households-list">
            {p.households.into_iter().map(|h| {
                let name = h.household.name.clone();
                view! {
                    <section class="pack-sheet" data-testid="pack-household">
                        <h2>{move || name.get(lang()).to_string()}</h2>
                        <p class="muted small">
                            {h.totals.into_iter().map(|t| {
                                let (n, u, q) = (t.product_name.clone(), t.unit.clone(), t.quantity);
                                view! { <span class="pack-total">{move || format!("{} {} {}", n.get(lang()), q, u.get(lang()))}</span> }
                            }).collect_view()}
                        </p>
                        <table class="pack-table">
                            <thead><tr>
                                <th>{t!(i18n, pack_label)}</th><th>{t!(i18n, pack_product)}</th><th>{t!(i18n, pack_qty)}</th><th>{t!(i18n, pack_order)}</th><th>{t!(i18n, pickup_point)}</th>
                            </tr></thead>
                            <tbody>
                                {h.lines.into_iter().map(|l| {
                                    let (n, u, pn) = (l.product_name.clone(), l.unit.clone(), l.point_name.clone());
                                    view! {
                                        <tr>
                                            <td><code data-testid="label-code">{l.label.clone()}</code></td>
                                            <td>{move || n.get(lang()).to_string()}</td>
                                            <td>{move || format!("{} {}", l.quantity, u.get(lang()))}</td>
                                            <td>{l.order_number.clone()}</td>
                                            <td>{move || pn.get(lang()).to_string()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                }
            }).collect_view()}
        </div>
        <div class:hidden=move || !by_point.get() data-testid="points-list">
            {p.points.into_iter().map(|pt| {
                let name = pt.point.name.clone();
                let address = pt.point.address.clone();
                let window = format!("{}–{}", pt.point.pickup_from, pt.point.pickup_to);
                view! {
                    <section class="pack-sheet" data-testid="pack-point">
                        <h2>{move || name.get(lang()).to_string()}</h2>
                        <p class="muted small">{move || address.get(lang()).to_string()} " · " {window.clone()}</p>
                        {pt.members.into_iter().map(|m| view! {
                            <div class="pack-member">
                                <h3>{m.member_name.clone()} <span class="muted small">{m.order_number.clone()}</span></h3>
                                <ul class="order-lines">
                                    {m.lines.into_iter().map(|l| {
                                        let (n, u, hn) = (l.product_name.clone(), l.unit.clone(), l.household_name.clone());
                                        view! {
                                            <li>
                                                <span>{move || format!("{} × {} {}", n.get(lang()), l.quantity, u.get(lang()))} <span class="muted small">{move || hn.get(lang()).to_string()}</span></span>
                                                <code>{l.label.clone()}</code>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </div>
                        }).collect_view()}
                    </section>
                }
            }).collect_view()}
        </div>
    }
}
