use crate::api;
use crate::checkout;
use crate::components::{
    in_lang, now, paragraphs, resource_view, today_shanghai, use_lang, HouseholdList, PageTitle,
    ProductCard,
};
use crate::first_screen::Reused;
use crate::format;
use crate::i18n::*;
use crate::nav::use_param;
use crate::village_calendar::CalendarGroup;
use domain::dto::{DistributionPoint, ProductSummary, Round, Stock, VillageDetail};
use domain::{next_orderable, RoundPhase};
use leptos::prelude::*;

/// `/v/{slug}`: the village, its seasonal calendar, producers and rounds.
#[component]
pub fn VillagePage() -> impl IntoView {
    let slug = use_param("slug");
    let village = crate::load::Load::new(move || api::village(slug()));
    view! { {resource_view(village, |v: VillageDetail| view! { <Village v=v /> })} }
}

#[component]
fn Village(v: VillageDetail) -> impl IntoView {
    let i18n = use_i18n();
    let today = today_shanghai();
    let title = in_lang(v.name.clone());
    // The next three are enough to plan with on a phone.
    let rounds: Vec<Round> = v.upcoming_rounds.iter().take(3).cloned().collect();
    let stock = checkout::open_stock(&v);
    let v = StoredValue::new(v);
    let (slug, products, households, points) = v.with_value(|v| {
        (
            v.slug.clone(),
            v.products.clone(),
            v.households.clone(),
            v.distribution_points.clone(),
        )
    });
    let now = now();

    view! {
        <PageTitle text=title />
        <VillageHero v=v next=next_orderable(&rounds, now).cloned() />
        // Drawn from the data, the language and the day: the server's copy
        // is taken as it is.
        <Reused name="village" stamp=today.to_string()>
            <SeasonCalendar products=products.clone() stock=stock.clone() />

            <section class="year" aria-labelledby="year-h">
                <h2 id="year-h">{t!(i18n, year_view)}</h2>
                <p class="muted small">{t!(i18n, year_view_hint)}</p>
                <YearGrid products=products.clone() this_month=today.month() as u8 />
            </section>

            // A village just set up may have no households or points yet.
            {(!households.is_empty()).then(|| view! {
                <section aria-labelledby="people-h">
                    <h2 id="people-h">{t!(i18n, producers)}</h2>
                    <HouseholdList village_slug=slug.clone() households=households.clone() />
                </section>
            })}
        </Reused>

        <RoundList rounds=rounds now=now />
        {(!points.is_empty()).then(|| view! { <PickupPoints points=points /> })}
        <VillageStory v=v />
        <ShareSpent slug=v.with_value(|v| v.slug.clone()) />
    }
}

/// "Where the 15% went" this year: the public yearly summary of the
/// organising share, by category. Loaded after the page, as it is below
/// everything else.
#[component]
fn ShareSpent(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let summary = crate::load::Load::new(move || api::money::share_summary(slug.clone()));
    move || {
        match summary.get() {
        None => ().into_any(),
        Some(Err(_)) => view! {
            <p class="muted small"><button class="link" type="button" on:click=move |_| summary.refetch()>{t!(i18n, share_retry)}</button></p>
        }
        .into_any(),
        Some(Ok(s)) => {
            let (year, pct) = (s.year, s.figures.organising_percent);
            let f = s.figures;
            let spent = f.spent_fen.max(1);
            view! {
                <section class="share-spent" aria-labelledby="share-h" data-testid="share-spent">
                    <h2 id="share-h">{move || t_string!(i18n, share_title, pct = pct, year = year)}</h2>
                    {if f.collected_fen == 0 && f.spent_fen == 0 {
                        view! { <p class="muted" data-testid="share-empty">{t!(i18n, share_empty)}</p> }.into_any()
                    } else {
                        view! {
                            <p data-testid="share-line">{move || t_string!(i18n, share_line,
                                collected = domain::format_yuan(f.collected_fen),
                                spent = domain::format_yuan(f.spent_fen),
                                left = domain::format_yuan(f.balance_fen))}</p>
                            <ul class="share-bars">
                                {f.by_category.into_iter().filter(|c| c.amount_fen > 0).map(|c| {
                                    let w = format::category_words(c.category);
                                    let pc = c.amount_fen * 100 / spent;
                                    view! {
                                        <li data-testid="share-category">
                                            <span>{move || w(i18n.get_locale())}</span>
                                            <span class="price">{domain::format_yuan(c.amount_fen)}</span>
                                            <span class="share-bar" style:width=format!("{pc}%")></span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            }
            .into_any()
        }
    }
    }
}

/// A text of the village in the language of the moment.
fn village_text(
    v: StoredValue<VillageDetail>,
    lang: impl Fn() -> domain::Lang + Copy,
) -> impl Fn(fn(&VillageDetail) -> &domain::LocalText) -> String + Copy {
    move |f| v.with_value(|v| f(v).get(lang()).to_string())
}

/// The village's name, where it is, and its next round to order in.
#[component]
fn VillageHero(v: StoredValue<VillageDetail>, next: Option<Round>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let text = village_text(v, lang);
    let slug = v.with_value(|v| v.slug.clone());
    let photo = v.with_value(|v| v.photo.clone());
    view! {
        <section class="hero">
            {photo.map(|p| view! {
                <img class="hero-photo" src=p.versions.first().map(|v| v.url.clone()).unwrap_or_default() srcset=format::srcset(&p) sizes="100vw" alt="" data-testid="village-photo" />
            })}
            <h1>{move || text(|v| &v.name)}</h1>
            <p class="muted">
                {move || text(|v| &v.region)}
                {(v.with_value(|v| v.distance_km) > 0).then(|| view! {
                    " · " {move || t_string!(i18n, distance, city = text(|v| &v.city), km = v.with_value(|v| v.distance_km))}
                })}
            </p>
            <p class="tagline">{move || text(|v| &v.tagline)}</p>
            <a class="button secondary visit-link" href=format!("/v/{slug}/visit") data-testid="visit-link">{t!(i18n, visit_cta)}</a>
            {next.map(|r| view! {
                <p class="next-round" data-testid="next-round">
                    {move || t_string!(
                        i18n,
                        next_round,
                        day = format::format_date(r.distribution_day, lang()),
                        deadline = format::format_datetime(r.deadline, lang())
                    )}
                </p>
            })}
        </section>
    }
}

/// The products by where their season stands today.
#[component]
fn SeasonCalendar(products: Vec<ProductSummary>, stock: Vec<Stock>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let today = today_shanghai();
    let groups = crate::village_calendar::group_calendar(&products, today);
    let stock_of = move |id: i64| stock.iter().find(|s| s.product_id == id).copied();
    view! {
        <section class="calendar" data-testid="calendar" aria-labelledby="cal-h">
            <h2 id="cal-h">{t!(i18n, calendar_title)}</h2>
            <p class="muted small">{move || t_string!(i18n, calendar_today, date = format::format_date(today, lang()))}</p>
            {groups
                .into_iter()
                .map(|(group, items)| {
                    let heading = move || match group {
                        CalendarGroup::InSeason => t_string!(i18n, group_in_season),
                        CalendarGroup::ComingSoon => t_string!(i18n, group_coming),
                        CalendarGroup::AllYear => t_string!(i18n, group_all_year),
                        CalendarGroup::Later => t_string!(i18n, group_later),
                    };
                    let count = items.len();
                    let cards = items
                        .into_iter()
                        .map(|(p, s)| {
                            let stock = stock_of(p.id);
                            match stock {
                                Some(st) => view! { <ProductCard product=p status=s stock=st /> }.into_any(),
                                None => view! { <ProductCard product=p status=s /> }.into_any(),
                            }
                        })
                        .collect_view();
                    // Products far off are folded away so the page stays short on a phone.
                    if group == CalendarGroup::Later {
                        view! {
                            <details class="group" id=group.id() data-testid=format!("group-{}", group.id())>
                                <summary>
                                    <h3>{heading} <span class="count">{count}</span></h3>
                                </summary>
                                <ul class="cards">{cards}</ul>
                            </details>
                        }
                        .into_any()
                    } else {
                        view! {
                            <div class="group" id=group.id() data-testid=format!("group-{}", group.id())>
                                <h3>{heading} <span class="count">{count}</span></h3>
                                <ul class="cards">{cards}</ul>
                            </div>
                        }
                        .into_any()
                    }
                })
                .collect_view()}
        </section>
    }
}

/// The coming rounds: distribution day, deadline and whether orders are open.
#[component]
fn RoundList(rounds: Vec<Round>, now: time::OffsetDateTime) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    view! {
        <section class="rounds" data-testid="rounds" aria-labelledby="rounds-h">
            <h2 id="rounds-h">{t!(i18n, rounds_title)}</h2>
            {if rounds.is_empty() {
                view! { <p class="empty">{t!(i18n, rounds_none)}</p> }.into_any()
            } else {
                view! {
                    <ol class="round-list">
                        {rounds
                            .into_iter()
                            .map(|r| {
                                let phase = r.phase(now);
                                let opens = r.opens_at;
                                let phase_text = move || match phase {
                                    RoundPhase::Open => t_string!(i18n, round_open).to_string(),
                                    RoundPhase::Closed => t_string!(i18n, round_closed).to_string(),
                                    RoundPhase::NotYetOpen => t_string!(i18n, round_not_open, date = format::format_date(opens.to_offset(domain::SHANGHAI).date(), lang())),
                                };
                                view! {
                                    <li class="round" class:open=phase == RoundPhase::Open>
                                        <span class="round-day">
                                            <span class="label">{t!(i18n, round_day)}</span>
                                            <strong>{move || format::format_date(r.distribution_day, lang())}</strong>
                                        </span>
                                        <span class="round-deadline">
                                            <span class="label">{t!(i18n, round_deadline)}</span>
                                            {move || format::format_datetime(r.deadline, lang())}
                                        </span>
                                        <span class="round-phase small">{phase_text}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn PickupPoints(points: Vec<DistributionPoint>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    view! {
        <section aria-labelledby="points-h">
            <h2 id="points-h">{t!(i18n, pickup_points)}</h2>
            <ul class="points" data-testid="pickup-points">
                {points
                    .into_iter()
                    .map(|p| {
                        let name = p.name.clone();
                        let address = p.address.clone();
                        view! {
                            <li class="point">
                                <strong>{move || name.get(lang()).to_string()}</strong>
                                <span class="muted small">{move || address.get(lang()).to_string()}</span>
                                <span class="small">
                                    {move || t_string!(i18n, pickup_window, from = p.pickup_from.clone(), to = p.pickup_to.clone())}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// The village's story, its organisers and their share.
#[component]
fn VillageStory(v: StoredValue<VillageDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let text = village_text(v, lang);
    let pct = v.with_value(|v| v.organising_percent);
    view! {
        <section class="story" aria-labelledby="story-h">
            <h2 id="story-h">{t!(i18n, village_story)}</h2>
            {move || paragraphs(&text(|v| &v.story))}
            {v.with_value(|v| !v.organisers.is_empty()).then(|| view! {
                <h3>{t!(i18n, organisers)}</h3>
                <p>
                    {move || {
                        v.with_value(|v| {
                            format::join_names(v.organisers.iter().map(|o| o.get(lang())), lang())
                        })
                    }}
                </p>
            })}
            <p class="share-note">{move || t_string!(i18n, organising_share, pct = pct)}</p>
        </section>
    }
}

/// Products × 12 months; the current month's column is outlined.
///
/// A row is its name and one cell whose months are painted as a
/// background (`format::season_gradient`) and read out as words: 13 cells
/// a row made this the largest part of the page to build and lay out.
#[component]
fn YearGrid(products: Vec<ProductSummary>, this_month: u8) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    view! {
        <div class="year-grid-wrap">
            <table
                class="year-grid"
                data-testid="year-grid"
                style=format!("--now:{}", this_month.clamp(1, 12) - 1)
            >
                <thead>
                    <tr>
                        <th scope="col" class="pname"></th>
                        {(1..=12u8)
                            .map(|m| {
                                view! {
                                    <th scope="col" class:now=m == this_month>
                                        {move || format::month_initial(m, lang())}
                                    </th>
                                }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {products
                        .into_iter()
                        .map(|p| {
                            let name = p.name.clone();
                            let href = format!("/p/{}", p.id);
                            let season = p.season;
                            view! {
                                <tr>
                                    <th scope="row" class="pname">
                                        <a href=href>{move || name.get(lang()).to_string()}</a>
                                    </th>
                                    <td
                                        colspan="12"
                                        class="months"
                                        style=format!("--season:{}", format::season_gradient(season))
                                    >
                                        <span class="sr-only">
                                            {move || format::season_text(i18n, season, lang())}
                                        </span>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
