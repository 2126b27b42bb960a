//! `/organise/v/{slug}/households`, `…/households/new` and
//! `…/households/{id}`: the village's households (retired ones too), and
//! the form for one, with its photos.

use crate::api;
use crate::components::{
    loaded_view, send, today_shanghai, use_lang, Drafted, FieldError as FieldNote, OrganiseCrumbs,
    OrganiseVillageShell, PhotoField, PhotoOwner, Sent, SubmitWithStatus,
};
use crate::drafts::HouseholdDraft;
use crate::i18n::*;
use crate::nav::{use_params_map, use_query_map};
use domain::organise::village::OrganiseHousehold;
use domain::organise::OrganiseProduct;
use leptos::prelude::*;

#[component]
pub fn OrganiseHouseholdsPage() -> impl IntoView {
    view! {
        <OrganiseVillageShell title=keys::orgh_households body=|s| view! { <HouseholdList slug=s /> }.into_any() />
    }
}

#[component]
fn HouseholdList(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let new_href = format!("/organise/v/{slug}/households/new");
    let list = crate::load::Load::new(move || api::org_households(slug.clone()));
    view! {
        <a class="button primary wide" href=new_href data-testid="new-household">"＋ " {t!(i18n, orgh_new_household)}</a>
        {loaded_view(list, move |list| {
            if list.is_empty() {
                return view! { <p class="muted" data-testid="no-households">{t!(i18n, orgh_no_households)}</p> }.into_any();
            }
            view! {
                <ul class="cards">
                    {list.into_iter().map(|h| view! { <HouseholdRow h=h /> }).collect_view()}
                </ul>
            }.into_any()
        })}
    }
}

#[component]
fn HouseholdRow(h: OrganiseHousehold) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let name = h.name.clone();
    let photo = h.photos.first().cloned();
    view! {
        <li class="card" data-testid="org-household">
            <a class="person" href=format!("/organise/v/{}/households/{}", h.village_slug, h.id)>
                {match photo {
                    Some(p) => view! { <img class="avatar photo" src=p.versions.first().map(|v| v.url.clone()).unwrap_or_default() srcset=crate::format::srcset(&p) sizes="32px" alt="" /> }.into_any(),
                    None => view! { <span class="avatar" aria-hidden="true">{h.name.zh.chars().next().map(String::from)}</span> }.into_any(),
                }}
                <span class="card-main">
                    <span class="card-title">{move || name.get(lang()).to_string()}</span>
                    <span class="meta small muted">{h.joined_year}</span>
                </span>
                {h.retired.then(|| view! { <span class="badge later">{t!(i18n, orgh_retired_badge)}</span> })}
            </a>
        </li>
    }
}

#[component]
pub fn OrganiseHouseholdEditPage() -> impl IntoView {
    view! {
        <OrganiseVillageShell title=keys::orgh_edit_household own_heading=true body=|s| view! { <HouseholdEdit slug=s /> }.into_any() />
    }
}

/// The household of the URL (none for a new one), loaded again when a new
/// one, once saved, gets its own URL.
#[component]
fn HouseholdEdit(slug: String) -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.read().get("id").and_then(|s| s.parse::<i64>().ok()));
    move || view! { <HouseholdLoader slug=slug.clone() id=id.get() /> }
}

#[component]
fn HouseholdLoader(slug: String, id: Option<i64>) -> impl IntoView {
    let data = crate::load::Load::new({
        let slug = slug.clone();
        move || {
            let slug = slug.clone();
            async move {
                let products = api::org_products(slug).await?;
                let household = match id {
                    Some(id) => Some(api::org_household(id).await?),
                    None => None,
                };
                Ok::<_, api::WriteError>((products, household))
            }
        }
    });
    loaded_view(data, move |(products, household)| {
        view! { <HouseholdForm slug=slug.clone() products=products household=household /> }
    })
}

#[component]
fn HouseholdForm(
    slug: String,
    products: Vec<OrganiseProduct>,
    household: Option<OrganiseHousehold>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let navigate = crate::use_go();
    let this_year = today_shanghai().year();
    let id = household.as_ref().map(|h| h.id);
    let f = Drafted::new(
        household
            .as_ref()
            .map(HouseholdDraft::from_household)
            .unwrap_or_else(|| HouseholdDraft::new(this_year)),
    );
    let draft = f.draft;
    let just_created = use_query_map().read_untracked().get("saved").is_some();
    let status = RwSignal::new(if just_created {
        Sent::Saved(both!(org_saved))
    } else {
        Sent::Idle
    });
    let photos = RwSignal::new(household.map(|h| h.photos).unwrap_or_default());
    let save = {
        let slug = slug.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if crate::components::busy(status) {
                return;
            }
            let input = match draft.get_untracked().to_input(this_year) {
                Ok(i) => i,
                Err(e) => {
                    f.errors.set(e);
                    status.set(Sent::Failed(both!(visit_fix_errors)));
                    return;
                }
            };
            f.errors.set(vec![]);
            let navigate = navigate.clone();
            let call = {
                let slug = slug.clone();
                async move {
                    match id {
                        Some(id) => api::update_household(id, &input).await,
                        None => api::create_household(&slug, &input).await,
                    }
                }
            };
            let slug = slug.clone();
            send(status, call, move |answer| match answer {
                Ok(h) => {
                    draft.set(HouseholdDraft::from_household(&h));
                    if id.is_none() {
                        navigate(&format!("/organise/v/{}/households/{}?saved=1", slug, h.id));
                    }
                    Sent::Saved(both!(org_saved))
                }
                Err(e) => {
                    if f.take_refusal(&e) {
                        Sent::Failed(both!(visit_fix_errors))
                    } else {
                        Sent::failed(&e)
                    }
                }
            });
        }
    };
    let shop_href = id.map(|id| format!("/v/{slug}/h/{id}"));

    view! {
        <OrganiseCrumbs slug=slug.clone() />
        <h1>{move || if id.is_some() { t_string!(i18n, orgh_edit_household) } else { t_string!(i18n, orgh_new_household) }}</h1>
        <form class="form" on:submit=save data-testid="household-form" novalidate>
            <fieldset class="step-box">
                <legend>{t!(i18n, orgh_names)}</legend>
                {f.text("中文姓名", "name-zh", "name.zh", |d| &d.name.zh, |d, v| d.name.zh = v, false)}
                {f.text("Name (pinyin)", "name-en", "name.en", |d| &d.name.en, |d, v| d.name.en = v, false)}
            </fieldset>
            <fieldset class="step-box">
                <legend>{t!(i18n, orgh_story)}</legend>
                {f.text("中文故事", "story-zh", "story.zh", |d| &d.story.zh, |d, v| d.story.zh = v, true)}
                {f.text("Story (English)", "story-en", "story.en", |d| &d.story.en, |d, v| d.story.en = v, true)}
            </fieldset>
            <label>
                <span>{t!(i18n, orgh_joined_year)}</span>
                <input inputmode="numeric" data-testid="joined-year" prop:value=move || draft.with(|d| d.joined_year.clone()) on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.joined_year = v); } />
                <FieldNote text=f.error_of("joined_year", "") />
            </label>
            <fieldset class="step-box">
                <legend>{t!(i18n, orgh_products)}</legend>
                {products.is_empty().then(|| view! { <p class="muted small">{t!(i18n, orgh_no_products)}</p> })}
                {products.into_iter().map(|p| {
                    let pid = p.id;
                    let name = p.name.clone();
                    view! {
                        <label class="check">
                            <input type="checkbox" data-testid="household-product" data-product=pid
                                prop:checked=move || draft.with(|d| d.product_ids.contains(&pid))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    draft.update(|d| {
                                        d.product_ids.retain(|x| *x != pid);
                                        if on { d.product_ids.push(pid); }
                                    });
                                } />
                            <span>{move || name.get(lang()).to_string()}</span>
                        </label>
                    }
                }).collect_view()}
                <FieldNote text=f.error_of("product_ids", "") />
            </fieldset>
            <label class="check">
                <input type="checkbox" data-testid="registered-poor" prop:checked=move || draft.with(|d| d.registered_poor) on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| d.registered_poor = v); } />
                <span>{t!(i18n, orgh_poor)}</span>
            </label>
            <p class="muted small">{t!(i18n, orgh_poor_hint)}</p>
            {match id {
                Some(id) => view! { <PhotoField owner=PhotoOwner::Household(id) photos=photos /> }.into_any(),
                None => view! { <p class="muted small" data-testid="photos-after-save">{t!(i18n, orgh_photos_after_save)}</p> }.into_any(),
            }}
            <label class="check">
                <input type="checkbox" data-testid="retired" prop:checked=move || draft.with(|d| d.retired) on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| d.retired = v); } />
                <span>{t!(i18n, orgh_retired)}</span>
            </label>
            <FieldNote text=f.error_of("retired", "") />
            <div class="form-actions">
                <SubmitWithStatus state=status class="button primary" testid="save-household" label=keys::org_save />
            </div>
            {shop_href.map(|href| view! { <p class="center"><a href=href data-testid="view-in-shop">{t!(i18n, orgh_view_in_shop)}</a></p> })}
        </form>
        {id.map(|id| view! { <IncomeChart household_id=id /> })}
    }
}

/// What the household earned in each round, and in each year: bars drawn
/// as SVG, the figures in words as well for screen readers and print.
#[component]
fn IncomeChart(household_id: i64) -> impl IntoView {
    use crate::income_chart::{bars, baseline, short_yuan, HEIGHT, WIDTH};
    let i18n = use_i18n();
    let lang = use_lang();
    let history = crate::load::Load::new(move || api::money::household_income(household_id));
    view! {
        <section class="step-box income" id="income" data-testid="income-chart">
            <h2>{t!(i18n, inc_chart_title)}</h2>
            <p class="muted small">{t!(i18n, inc_private)}</p>
            {loaded_view(history, move |h| {
                if h.rounds.is_empty() {
                    return view! { <p class="muted" data-testid="income-empty">{t!(i18n, inc_chart_empty)}</p> }.into_any();
                }
                let values: Vec<(String, i64)> = h.rounds.iter()
                    .map(|r| (format!("{}/{}", u8::from(r.distribution_day.month()), r.distribution_day.day()), r.earned_fen))
                    .collect();
                let n = values.len();
                view! {
                    <svg class="bars" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" data-testid="income-svg"
                        aria-label=move || t_string!(i18n, inc_chart_label, n = n)>
                        <line x1="0" x2=WIDTH y1=baseline() y2=baseline() class="axis" />
                        {bars(&values).into_iter().map(|b| {
                            let mid = b.x + b.width / 2.0;
                            view! {
                                <g data-testid="income-bar">
                                    <rect x=b.x y=b.y width=b.width height=b.height rx="3" />
                                    <text x=mid y=b.y - 4.0 class="value">{short_yuan(b.value_fen)}</text>
                                    <text x=mid y=HEIGHT - 6.0 class="label">{b.label.clone()}</text>
                                </g>
                            }
                        }).collect_view()}
                    </svg>
                    <ul class="order-lines" data-testid="income-years">
                        {h.years.into_iter().map(|y| {
                            let words = crate::format::band_words(y.band);
                            view! { <li><span>{y.year} " · " {move || words(i18n.get_locale())}</span><span class="price">{domain::format_yuan(y.earned_fen)}</span></li> }
                        }).collect_view()}
                    </ul>
                    <details>
                        <summary>{t!(i18n, inc_chart_rounds)}</summary>
                        <ul class="order-lines">
                            {h.rounds.into_iter().map(|r| {
                                let day = r.distribution_day;
                                let paid = r.paid_fen;
                                view! {
                                    <li>
                                        <span>{move || crate::format::format_date(day, lang())}
                                            {move || paid.map(|p| format!(" · {}", t_string!(i18n, inc_paid, amount = domain::format_yuan(p))))}</span>
                                        <span class="price">{domain::format_yuan(r.earned_fen)}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </details>
                }.into_any()
            })}
        </section>
    }
}
