//! `/organise/rounds/{id}/labels[?household={id}]`: a sheet of labels per
//! household to print and stick on the packages. Each shows the product,
//! the household's real name, the village, the round and the code, and a
//! QR code of the label's trace page made by the server.

use crate::api::{self, WriteError};
use crate::components::{use_lang, ErrorPanel, Loading, OrganiseShell};
use crate::format;
use crate::i18n::*;
use crate::nav::{use_params_map, use_query_map};
use domain::packing::Packing;
use leptos::prelude::*;

#[component]
pub fn LabelSheetPage() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    });
    view! {
        <OrganiseShell title=keys::lbl_title>
            {move || view! { <Sheets round_id=id.get() /> }}
        </OrganiseShell>
    }
}

#[component]
fn Sheets(round_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let packing = crate::load::Load::new(move || api::packing(round_id));
    move || match packing.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Ok(p)) => view! { <LabelSheets p=p round_id=round_id /> }.into_any(),
        // Not allocated: there are no labels yet; packing says what to do.
        Some(Err(WriteError::Refused { status: 409, .. })) => view! {
            <p>{t!(i18n, pack_not_allocated)}</p>
            <p><a href=format!("/organise/rounds/{round_id}/packing")>{t!(i18n, pack_title)}</a></p>
        }
        .into_any(),
        Some(Err(_)) => {
            view! { <ErrorPanel retry=Callback::new(move |_| packing.refetch()) /> }.into_any()
        }
    }
}

#[component]
fn LabelSheets(p: Packing, round_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    // One household's sheet, or all; from the link, then the select.
    let only = RwSignal::new(
        query
            .get_untracked()
            .get("household")
            .and_then(|h| h.parse::<i64>().ok()),
    );
    let print = move |_| {
        let _ = web_sys::window().map(|w| w.print());
    };
    let village = p.village_name.clone();
    let day = p.round.distribution_day;
    let choices: Vec<(i64, domain::LocalText)> = p
        .households
        .iter()
        .map(|h| (h.household.id, h.household.name.clone()))
        .collect();
    view! {
        <p class="crumbs no-print"><a href=format!("/organise/rounds/{round_id}/packing")>{t!(i18n, pack_title)}</a></p>
        <h1 class="no-print">{t!(i18n, lbl_title)}</h1>
        <div class="no-print">
            <label class="field">
                <span>{t!(i18n, lbl_household)}</span>
                <select data-testid="label-household" on:change=move |ev| only.set(event_target_value(&ev).parse::<i64>().ok())>
                    <option value="" selected=move || only.get().is_none()>{t!(i18n, lbl_all)}</option>
                    {choices.into_iter().map(|(id, name)| view! {
                        <option value=id.to_string() selected=move || only.get() == Some(id)>{move || name.get(lang()).to_string()}</option>
                    }).collect_view()}
                </select>
            </label>
            <button class="button primary wide" type="button" data-testid="print-labels" on:click=print>{t!(i18n, lbl_print)}</button>
        </div>
        {p.label_count.eq(&0).then(|| view! { <p class="muted">{t!(i18n, lbl_none)}</p> })}
        {p.households.into_iter().map(|h| {
            let hid = h.household.id;
            let name = h.household.name.clone();
            let village = village.clone();
            view! {
                <section class="label-sheet" data-testid="label-sheet" data-household-id=hid class:hidden=move || only.get().is_some_and(|o| o != hid)>
                    <h2 class="no-print">{let n = name.clone(); move || n.get(lang()).to_string()}</h2>
                    <div class="label-grid">
                        {h.lines.into_iter().map(|l| {
                            let (product, unit) = (l.product_name.clone(), l.unit.clone());
                            let (name, village) = (name.clone(), village.clone());
                            let code = l.label.clone();
                            let plain: String = code.chars().filter(|c| *c != '-').collect();
                            view! {
                                <div class="print-label" data-testid="print-label" data-code=plain.clone()>
                                    <img src=format!("/api/labels/{plain}/qr.svg") alt=move || t_string!(i18n, lbl_scan) width="120" height="120" data-testid="label-qr" />
                                    <div class="product">{move || format!("{} × {} {}", product.get(lang()), l.quantity, unit.get(lang()))}</div>
                                    <div>{move || name.get(lang()).to_string()}</div>
                                    <div>{move || village.get(lang()).to_string()} " · " {move || format::format_date(day, lang())}</div>
                                    <code>{code.clone()}</code>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                </section>
            }
        }).collect_view()}
    }
}
