//! `/organise/v/{slug}/income?year=YYYY`: what the nested market brought
//! each household of the village in a year, counted by band, with the
//! registered-poor households' total apart. Organisers only.

use crate::api::money;
use crate::components::{loaded_view, use_lang, OrganiseVillageShell};
use crate::i18n::*;
use crate::nav::use_query_map;
use domain::income::IncomeReport;
use domain::money::format_yuan;
use leptos::prelude::*;

#[component]
pub fn IncomePage() -> impl IntoView {
    view! {
        <OrganiseVillageShell title=keys::inc_title body=|s| view! { <Income slug=s /> }.into_any() />
    }
}

#[component]
fn Income(slug: String) -> impl IntoView {
    let query = use_query_map();
    let year = Signal::derive(move || query.read().get("year").and_then(|y| y.parse::<i32>().ok()));
    let report = crate::load::Load::new({
        let slug = slug.clone();
        move || money::village_income(slug.clone(), year.get())
    });
    loaded_view(report, move |r| view! { <Report r=r slug=slug.clone() /> })
}

#[component]
fn Report(r: IncomeReport, slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let year = r.year;
    let earners = r.households.iter().filter(|h| h.year_fen > 0).count();
    let total = r.total_fen;
    let poor = r.poor.clone();
    view! {
        <nav class="seg" aria-label=move || t_string!(i18n, inc_years)>
            {r.years.iter().copied().map(|y| {
                let href = format!("/organise/v/{slug}/income?year={y}");
                view! { <a href=href class=if y == year { "on" } else { "" } data-testid="inc-year">{y}</a> }
            }).collect_view()}
        </nav>
        <p class="pack-head" data-testid="inc-total">
            {move || t_string!(i18n, inc_total, year = year, amount = format_yuan(total), n = earners)}
        </p>
        <table class="pack-table" data-testid="inc-bands">
            <caption class="muted small">{t!(i18n, inc_bands_caption)}</caption>
            <thead><tr><th>{t!(i18n, inc_band)}</th><th>{t!(i18n, inc_households)}</th><th>{t!(i18n, inc_amount)}</th></tr></thead>
            <tbody>
                {r.bands.into_iter().map(|b| {
                    let words = crate::format::band_words(b.band);
                    view! {
                        <tr data-testid="inc-band">
                            <td>{move || words(i18n.get_locale())}</td>
                            <td>{b.households}</td>
                            <td>{format_yuan(b.total_fen)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <p class="note" data-testid="inc-poor">
            {move || t_string!(i18n, inc_poor, n = poor.households, amount = format_yuan(poor.total_fen))}
        </p>
        <p class="muted small">{t!(i18n, inc_private)}</p>
        <h2>{t!(i18n, inc_by_household)}</h2>
        {r.households.is_empty().then(|| view! { <p class="muted" data-testid="inc-empty">{t!(i18n, inc_no_households)}</p> })}
        <ul class="cards">
            {r.households.into_iter().map(|h| {
                let name = h.name.clone();
                let words = crate::format::band_words(h.band);
                let rounds = h.rounds.len();
                let href = format!("/organise/v/{slug}/households/{}#income", h.household_id);
                view! {
                    <li class="card" data-testid="inc-household">
                        <a class="person" href=href>
                            <span class="card-main">
                                <span class="card-title">{move || name.get(lang()).to_string()}</span>
                                <span class="meta small muted">{move || t_string!(i18n, inc_rounds, n = rounds)} " · " {move || words(i18n.get_locale())}</span>
                            </span>
                            <span class="price push" data-testid="inc-household-total">{format_yuan(h.year_fen)}</span>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
        <p class="center"><a href=format!("/organise/v/{slug}/share") data-testid="to-ledger">{t!(i18n, inc_to_ledger)}</a></p>
    }
}
