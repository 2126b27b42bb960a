use crate::api;
use crate::components::{
    in_lang, paragraphs, resource_view, today_shanghai, use_lang, DemoBadge, PageTitle, ProductCard,
};
use crate::format;
use crate::i18n::*;
use crate::nav::use_param;
use domain::dto::HouseholdDetail;
use domain::season_status;
use leptos::prelude::*;

/// `/v/{slug}/h/{id}`: a producing household, by real name, with its story.
#[component]
pub fn HouseholdPage() -> impl IntoView {
    let (id, slug) = (use_param("id"), use_param("slug"));
    let household = crate::load::Load::new(move || api::household(id()));
    view! {
        {resource_view(household, move |h: HouseholdDetail| {
            // A household reached under another village's URL is not there.
            if h.village_slug != untrack(slug) {
                return view! { <crate::components::NotFound /> }.into_any();
            }
            view! { <Household h=h /> }.into_any()
        })}
    }
}

#[component]
fn Household(h: HouseholdDetail) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let today = today_shanghai();
    let title = in_lang(h.name.clone());
    let name = h.name.clone();
    let village_name = h.village_name.clone();
    let story = h.story.clone();
    let since = h.member_since;
    let village_href = format!("/v/{}", h.village_slug);
    view! {
        <PageTitle text=title />
        <nav class="crumbs">
            <a href=village_href>{move || village_name.get(lang()).to_string()}</a>
        </nav>
        <section class="hero household" data-testid="household">
            {match h.photos.first() {
                Some(p) => view! { <img class="avatar big photo" src=p.versions.first().map(|v| v.url.clone()).unwrap_or_default() srcset=format::srcset(p) sizes="64px" alt="" data-testid="household-photo" /> }.into_any(),
                None => view! { <span class="avatar big" aria-hidden="true">{h.name.zh.chars().next().map(String::from)}</span> }.into_any(),
            }}
            <div>
                <h1>{move || name.get(lang()).to_string()} {h.demo.then(|| view! { <DemoBadge /> })}</h1>
                <p class="muted">{move || t_string!(i18n, member_since, date = format::format_month_year(since, lang()))}</p>
            </div>
        </section>
        {h.retired.then(|| view! { <p class="muted" data-testid="household-retired">{t!(i18n, orgh_shop_retired)}</p> })}
        <section class="story">{move || paragraphs(story.get(lang()))}</section>
        <section aria-labelledby="hp-h">
            <h2 id="hp-h">{t!(i18n, household_products)}</h2>
            <ul class="cards">
                {h.products
                    .into_iter()
                    .map(|p| {
                        let s = season_status(p.season, today, crate::village_calendar::COMING_SOON_WEEKS);
                        view! { <ProductCard product=p status=s /> }
                    })
                    .collect_view()}
            </ul>
        </section>
        <Feedback f=h.feedback />
        <PriceHistory id=h.id />
    }
}

/// What buyers said: how many ratings, the share good, recent comments
/// with only the first character of the name.
#[component]
fn Feedback(f: domain::feedback::FeedbackSummary) -> impl IntoView {
    use domain::feedback::Rating;
    let i18n = use_i18n();
    let (n, percent) = (f.count, f.good_percent.unwrap_or(0));
    view! {
        <section aria-labelledby="fb-h" data-testid="feedback-summary">
            <h2 id="fb-h">{t!(i18n, fb_summary_title)}</h2>
            {if n == 0 {
                view! { <p class="muted">{t!(i18n, fb_none_yet)}</p> }.into_any()
            } else {
                view! { <p data-testid="feedback-count"><strong>{move || t_string!(i18n, fb_summary, n = n, percent = percent)}</strong></p> }.into_any()
            }}
            <ul class="comments">
                {f.recent.into_iter().map(|c| {
                    let r = c.rating;
                    let words = move || match r {
                        Rating::Good => t_string!(i18n, fb_good),
                        Rating::SoSo => t_string!(i18n, fb_so_so),
                        Rating::Bad => t_string!(i18n, fb_bad),
                    };
                    view! {
                        <li data-testid="feedback-comment">
                            <span class=format!("badge rating-{}", r.as_str())>{words}</span>
                            " " {c.comment}
                            {c.photo.map(|p| view! {
                                <img class="comment-photo" data-testid="feedback-photo" alt="" loading="lazy" sizes="96px"
                                    src=p.versions.first().map(|v| v.url.clone()).unwrap_or_default()
                                    srcset=format::srcset(&p) />
                            })}
                            <br />
                            <span class="muted small">{c.by} " · " {c.on}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Price changes organisers made to this household's products, newest
/// first; nothing is shown until there is one.
#[component]
fn PriceHistory(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let history = crate::load::Load::new(move || api::price_history(id));
    move || {
        let list = history.get().and_then(Result::ok).unwrap_or_default();
        (!list.is_empty()).then(|| view! {
            <section aria-labelledby="ph-h" data-testid="price-history">
                <h2 id="ph-h">{t!(i18n, price_history)}</h2>
                <ul class="order-lines">
                    {list.into_iter().map(|c| {
                        let (name, unit) = (c.product_name.clone(), c.unit.clone());
                        view! {
                            <li>
                                <span>
                                    {move || name.get(lang()).to_string()}
                                    <br />
                                    <span class="muted small">{move || format::format_datetime(c.changed_at, lang())}</span>
                                </span>
                                <span class="price">
                                    {move || t_string!(i18n, price_change, old = domain::format_yuan(c.old_price_fen), new = domain::format_yuan(c.new_price_fen), unit = unit.get(lang()).to_string())}
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })
    }
}
