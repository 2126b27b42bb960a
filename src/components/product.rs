//! A product as its page shows it, also the organisers' preview of a draft.

use crate::cart::{CartLine, VillageCart};
use crate::components::{
    category_label, in_lang, today_shanghai, use_lang, HouseholdList, PageTitle, QtyStepper,
    StatusBadge, StockNote,
};
use crate::format;
use crate::i18n::*;
use crate::state::use_app;
use domain::dto::ProductDetail;
use domain::{format_yuan, season_status};
use leptos::prelude::*;

/// The product page's body. `preview`: an organiser's preview of a draft,
/// without the page title or the buy box.
#[component]
pub fn Product(p: ProductDetail, #[prop(optional)] preview: bool) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let today = today_shanghai();
    let status = season_status(p.season, today, crate::village_calendar::COMING_SOON_WEEKS);
    let title = in_lang(p.name.clone());
    let name = p.name.clone();
    let unit = p.unit.clone();
    let village_name = p.village_name.clone();
    let description = p.description.clone();
    let b = p.breakdown;
    let price = format_yuan(p.price_fen);
    let local = format_yuan(p.local_price_fen);
    let premium = p.premium_percent;
    let season = p.season;
    let cat = category_label(p.category);
    // Width of the household's part of the bar, in tenths of a percent.
    let household_share = b.household_fen * 1000 / b.price_fen.max(1);
    let village_href = format!("/v/{}", p.village_slug);

    view! {
        {(!preview).then(|| view! { <PageTitle text=title /> })}
        <nav class="crumbs">
            <a href=village_href.clone()>{move || village_name.get(lang()).to_string()}</a>
        </nav>
        {(!p.photos.is_empty()).then(|| {
            let alt = p.name.clone();
            view! {
                <div class="gallery" data-testid="gallery">
                    {p.photos.iter().map(|ph| {
                        // The 640 px version (or the largest below it) as the fallback src.
                        let fallback = ph.versions.iter().rev().find(|v| v.width <= 640).or(ph.versions.first());
                        let (src, w, h) = fallback.map_or((String::new(), 0, 0), |v| (v.url.clone(), v.width, v.height));
                        let alt = alt.clone();
                        view! {
                            <img src=src srcset=format::srcset(ph) sizes="(max-width: 640px) 100vw, 640px"
                                width=w height=h loading="lazy" decoding="async"
                                alt=move || alt.get(lang()).to_string() />
                        }
                    }).collect_view()}
                </div>
            }
        })}
        <section class="hero product" data-testid="product">
            <p class="muted small">{cat}</p>
            <h1>{move || name.get(lang()).to_string()}</h1>
            <p class="big-price" data-testid="price">
                {price.clone()}
                <span class="unit">{move || t_string!(i18n, per_unit, unit = unit.get(lang()).to_string())}</span>
            </p>
            <p class="status-line"><StatusBadge status=status /></p>
            {premium.map(|pct| {
                let local = local.clone();
                view! {
                    <p class="premium" data-testid="premium">
                        {move || if pct >= 0 {
                            t_string!(i18n, premium, pct = pct, local = local.clone())
                        } else {
                            t_string!(i18n, premium_below, pct = -pct, local = local.clone())
                        }}
                    </p>
                }
            })}
        </section>

        {(!preview).then(|| view! { <BuyBox p=p.clone() /> })}

        <section class="breakdown" data-testid="breakdown" aria-labelledby="bd-h">
            <h2 id="bd-h">{t!(i18n, breakdown_title)}</h2>
            <div class="bar" aria-hidden="true">
                <span class="bar-household" style=format!("width:{}.{}%", household_share / 10, household_share % 10)></span>
            </div>
            <dl class="parts">
                <div>
                    <dt><span class="dot household" aria-hidden="true"></span>{t!(i18n, breakdown_household)}</dt>
                    <dd>{format_yuan(b.household_fen)}</dd>
                </div>
                <div>
                    <dt>
                        <span class="dot organising" aria-hidden="true"></span>
                        {move || t_string!(i18n, breakdown_organising, pct = b.organising_percent)}
                    </dt>
                    <dd>{format_yuan(b.organising_fen)}</dd>
                </div>
            </dl>
            <p class="sentence" data-testid="breakdown-sentence">
                {move || t_string!(
                    i18n,
                    breakdown_sentence,
                    price = format_yuan(b.price_fen),
                    household = format_yuan(b.household_fen),
                    organising = format_yuan(b.organising_fen)
                )}
            </p>
        </section>

        <section aria-labelledby="season-h">
            <h2 id="season-h">{t!(i18n, season)}</h2>
            <p data-testid="season">
                {move || format::season_text(i18n, season, lang())}
            </p>
        </section>

        <section aria-labelledby="desc-h">
            <h2 id="desc-h">{t!(i18n, description)}</h2>
            {move || crate::components::rich_text(description.get(lang()))}
        </section>

        <section aria-labelledby="made-h">
            <h2 id="made-h">{t!(i18n, made_by)}</h2>
            <HouseholdList village_slug=p.village_slug.clone() households=p.households.clone() />
        </section>
    }
}

/// Stock in the open round and the quantity in the cart.
#[component]
fn BuyBox(p: ProductDetail) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let Some(open) = p.open_round.clone() else {
        return view! { <p class="buy muted" data-testid="no-round">{t!(i18n, no_open_round)}</p> }
            .into_any();
    };
    let lang = use_lang();
    let slug = p.village_slug.clone();
    let id = p.id;
    let village = VillageCart {
        village_name: p.village_name.clone(),
        organising_percent: p.breakdown.organising_percent,
        lines: vec![],
    };
    let line = CartLine {
        product_id: p.id,
        name: p.name.clone(),
        unit: p.unit.clone(),
        unit_price_fen: p.price_fen,
        quantity: 0,
    };
    let qty = {
        let slug = slug.clone();
        Signal::derive(move || app.cart.with(|c| c.quantity_of(&slug, id)))
    };
    let max = Signal::derive(move || open.stock.remaining.min(domain::order::MAX_QUANTITY));
    let set = Callback::new(move |q: i64| {
        let line = CartLine {
            quantity: q,
            ..line.clone()
        };
        app.update_cart(|c| c.set_quantity(&slug, &village, line));
    });
    let unit = p.unit.clone();
    view! {
        <section class="buy" data-testid="buy">
            <StockNote stock=open.stock />
            <Show
                when=move || { qty.get() > 0 }
                fallback=move || {
                    view! {
                        <button
                            type="button"
                            class="button primary wide"
                            data-testid="add-to-cart"
                            disabled=move || { max.get() == 0 }
                            on:click=move |_| set.run(1)
                        >
                            {t!(i18n, add_to_cart)}
                        </button>
                    }
                }
            >
                <div class="in-cart">
                    <QtyStepper value=qty limit=max on_change=set />
                    <span class="muted small">{let unit = unit.clone(); move || unit.get(lang()).to_string()}</span>
                    <a class="button secondary" href="/cart" data-testid="go-to-cart">{t!(i18n, view_cart)}</a>
                </div>
            </Show>
        </section>
    }
    .into_any()
}
