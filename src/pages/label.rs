use crate::api::{self, FetchError};
use crate::components::{use_lang, DemoBadge, ErrorPanel, Loading, PageTitle};
use crate::format;
use crate::i18n::*;
use crate::nav::use_param;
use domain::packing::LabelInfo;
use leptos::prelude::*;

/// `/label/{code}`: what a packing label stands for: the household by real
/// name, its village, the product, the round and the pick-up point. Never
/// who ordered it.
#[component]
pub fn LabelPage() -> impl IntoView {
    let i18n = use_i18n();
    let code = use_param("code");
    let info = crate::load::Load::new(move || api::label(code()));
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, label_title).to_string()) />
        {move || match info.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Ok(l)) => view! { <Label l=l /> }.into_any(),
            Some(Err(FetchError::NotFound)) => view! {
                <h1>{t!(i18n, label_title)}</h1>
                <p class="form-error" role="alert" data-testid="label-unknown">{t!(i18n, label_unknown)}</p>
            }
            .into_any(),
            Some(Err(_)) => view! { <ErrorPanel retry=Callback::new(move |_| info.refetch()) /> }.into_any(),
        }}
    }
}

#[component]
fn Label(l: LabelInfo) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let household = l.household.name.clone();
    let village = l.village_name.clone();
    let product = l.product_name.clone();
    let point = l.point.name.clone();
    let address = l.point.address.clone();
    let day = l.round.distribution_day;
    let code = l.code.clone();
    view! {
        <section class="hero label-card" data-testid="label">
            <p class="muted small">{move || t_string!(i18n, label_code, code = code.clone())}</p>
            <h1>{move || product.get(lang()).to_string()}</h1>
            <p>
                {t!(i18n, label_made_by)} ": "
                <a href=format!("/v/{}/h/{}", l.village_slug, l.household.id) data-testid="label-household">
                    <strong>{move || household.get(lang()).to_string()}</strong>
                </a>
                {l.household.demo.then(|| view! { " " <DemoBadge /> })}
            </p>
            <p><a href=format!("/v/{}", l.village_slug)>{move || village.get(lang()).to_string()}</a></p>
            <p>{t!(i18n, label_round)} ": " {move || format::format_date(day, lang())}</p>
            <p>{t!(i18n, pickup_point)} ": " {move || point.get(lang()).to_string()}</p>
            <p class="muted small">{move || address.get(lang()).to_string()}</p>
        </section>
    }
}
