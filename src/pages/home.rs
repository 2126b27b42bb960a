use crate::api;
use crate::components::{resource_view, use_lang, PageTitle};
use crate::i18n::*;
use domain::dto::VillageSummary;
use leptos::prelude::*;

/// `/`: the villages.
#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let villages = crate::load::Load::new(api::villages);
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, home_title).to_string()) />
        <section class="intro">
            <h1>{t!(i18n, home_title)}</h1>
            <p>{t!(i18n, home_intro)}</p>
        </section>
        {resource_view(villages, |list: Vec<VillageSummary>| {
            if list.is_empty() {
                let i18n = use_i18n();
                return view! { <p class="empty">{t!(i18n, home_empty)}</p> }.into_any();
            }
            view! {
                <ul class="village-list">
                    {list.into_iter().map(|v| view! { <VillageCard village=v /> }).collect_view()}
                </ul>
            }
            .into_any()
        })}
    }
}

#[component]
fn VillageCard(village: VillageSummary) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let href = format!("/v/{}", village.slug);
    let v = StoredValue::new(village);
    let text = move |f: fn(&VillageSummary) -> &domain::LocalText| {
        v.with_value(|v| f(v).get(lang()).to_string())
    };
    view! {
        <li class="card village-card" data-testid="village-card">
            <a href=href>
                <span class="card-title">{move || text(|v| &v.name)}</span>
                <span class="muted">
                    {move || text(|v| &v.region)} " · "
                    {move || t_string!(i18n, distance, city = text(|v| &v.city), km = v.with_value(|v| v.distance_km))}
                </span>
                <span class="tagline">{move || text(|v| &v.tagline)}</span>
                <span class="small muted">
                    {move || v.with_value(|v| t_string!(i18n, counts, products = v.product_count, households = v.household_count))}
                </span>
            </a>
        </li>
    }
}
