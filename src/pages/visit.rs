use crate::api::{self, FetchError};
use crate::booking_draft::{self, Estimate, VisitDraft};
use crate::components::FieldError as FieldNote;
use crate::components::{
    today_shanghai, use_lang, ErrorPanel, Loading, PageTitle, PriceLines, QtyStepper,
};
use crate::format;
use crate::format::meal_label;
use crate::i18n::*;
use crate::nav::use_param;
use crate::state::use_app;
use crate::trips::LocalTrip;
use crate::visit_calendar;
use domain::dto::{DayAvailability, VisitOffer};
use domain::visit::{self, DayMeals, DayStatus, HostOffer, MealSet, PriceItem, VisitPolicy};
use domain::{format_yuan, FieldError};
use leptos::prelude::*;
use time::Date;

/// `/v/{slug}/visit`: choose days, party, host and meals, see the price,
/// and book a stay with a host household.
#[component]
pub fn VisitPage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = use_param("slug");
    let offer = crate::load::Load::new(move || api::visit_offer(slug()));
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, visit_title).to_string()) />
        {move || match offer.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Ok(o)) => view! { <VisitForm offer=o /> }.into_any(),
            Some(Err(FetchError::NotFound)) => view! {
                <h1>{t!(i18n, visit_title)}</h1>
                <p class="empty" data-testid="no-visits">{t!(i18n, visit_none)}</p>
                <a class="button secondary" href=format!("/v/{}", slug())>{t!(i18n, back_to_village)}</a>
            }
            .into_any(),
            Some(Err(FetchError::Unavailable(_))) => {
                view! { <ErrorPanel retry=Callback::new(move |_| offer.refetch()) /> }.into_any()
            }
        }}
    }
}

/// Words for the server's and the domain's field errors on this form.
fn field_message(
    i18n: crate::i18n::I18n,
    f: &FieldError,
    max_party: u32,
    max_nights: u32,
) -> String {
    match f.field.as_str() {
        "arrival" => t_string!(i18n, visit_err_arrival).to_string(),
        "nights" => t_string!(i18n, visit_err_nights, max = max_nights),
        "adults" | "children" => t_string!(i18n, visit_err_party, max = max_party),
        "host_id" => t_string!(i18n, visit_err_host).to_string(),
        "meals" => t_string!(i18n, visit_err_meals).to_string(),
        "name" => t_string!(i18n, visit_err_name).to_string(),
        "phone" => t_string!(i18n, phone_invalid).to_string(),
        _ => f.text().get(crate::lang_of(i18n.get_locale())).to_string(),
    }
}

/// The form's field errors, worded for the step they belong to.
#[derive(Clone, Copy)]
struct StepErrors {
    errors: RwSignal<Vec<FieldError>>,
    max_party: u32,
    max_nights: u32,
}

/// The message for the first error on any of `fields`, under its step.
#[component]
fn StepError(errors: StepErrors, fields: &'static [&'static str]) -> impl IntoView {
    let i18n = use_i18n();
    let text = Signal::derive(move || {
        errors.errors.with(|e| {
            e.iter()
                .find(|f| fields.contains(&f.field.as_str()))
                .map(|f| field_message(i18n, f, errors.max_party, errors.max_nights))
        })
    });
    view! { <FieldNote text=text /> }
}

#[component]
fn VisitForm(offer: VisitOffer) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let app = use_app();
    let navigate = crate::use_go();
    let offer = StoredValue::new(offer);
    let slug = offer.with_value(|o| o.village_slug.clone());
    let policy = offer.with_value(|o| o.policy.clone());
    let hosts = offer.with_value(|o| o.hosts.clone());

    // Days seen so far, across the months the visitor looked at: the host
    // list and the nights limit use them.
    let known = RwSignal::new(Vec::<DayAvailability>::new());
    let arrival = RwSignal::new(None::<Date>);
    let nights = RwSignal::new(1i64);
    let adults = RwSignal::new(2i64);
    let children = RwSignal::new(0i64);
    // None: any host with room.
    let host = RwSignal::new(None::<i64>);
    let meals = RwSignal::new(Vec::<DayMeals>::new());
    let member = app.member();
    let name = RwSignal::new(member.as_ref().map(|m| m.name.clone()).unwrap_or_default());
    let phone = RwSignal::new(member.as_ref().map(|m| m.phone.clone()).unwrap_or_default());
    let errors = StepErrors {
        errors: RwSignal::new(Vec::new()),
        max_party: policy.max_party.min(visit::PARTY_LIMIT),
        max_nights: policy.max_nights.min(visit::NIGHTS_LIMIT),
    };

    let draft = Memo::new(move |_| VisitDraft {
        village_slug: slug.clone(),
        arrival: arrival.get(),
        nights: nights.get() as u32,
        adults: adults.get() as u32,
        children: children.get() as u32,
        host_id: host.get(),
        meals: meals.get(),
        name: name.get(),
        phone: phone.get(),
    });
    let offered = {
        let hosts = hosts.clone();
        Memo::new(move |_| draft.with(|d| d.offered(&hosts)))
    };
    let estimate = {
        let hosts = hosts.clone();
        Memo::new(move |_| {
            let r = draft.with(|d| d.request(&hosts))?;
            Some(known.with(|k| booking_draft::estimate(&hosts, r.host_id, k, &r)))
        })
    };

    let book = {
        let hosts = hosts.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            match draft.with_untracked(|d| d.to_input(&policy, &hosts, today_shanghai())) {
                Err(errs) => errors.errors.set(errs),
                Ok(valid) => {
                    errors.errors.set(vec![]);
                    let id = crate::outbox::new_uuid();
                    let host_name = valid
                        .host_id
                        .and_then(|id| hosts.iter().find(|h| h.id == id))
                        .map(|h| h.household.name.clone());
                    let estimate_fen = match estimate.get_untracked() {
                        Some(Estimate::Exact(s)) => Some(s.total_fen),
                        _ => None,
                    };
                    let (village_name, policy_text) =
                        offer.with_value(|o| (o.village_name.clone(), o.policy_text.clone()));
                    app.book(LocalTrip::new(
                        id.clone(),
                        js_sys::Date::now(),
                        valid,
                        village_name,
                        host_name,
                        estimate_fen,
                        policy_text,
                    ));
                    navigate(&format!("/trips/{id}"));
                }
            }
        }
    };
    let village_name = offer.with_value(|o| o.village_name.clone());
    let policy_text = offer.with_value(|o| o.policy_text.clone());
    let slug = offer.with_value(|o| o.village_slug.clone());
    let policy = offer.with_value(|o| o.policy.clone());
    let (max_party, max_nights) = (errors.max_party, errors.max_nights);

    view! {
        <p class="crumbs"><a href=format!("/v/{slug}")>{move || village_name.get(lang()).to_string()}</a></p>
        <h1>{t!(i18n, visit_title)}</h1>
        <p class="muted">{move || t_string!(i18n, visit_intro, party = max_party, nights = max_nights)}</p>
        <form class="form visit-form" on:submit=book data-testid="visit-form" novalidate>
            <DatesStep slug=slug policy=policy known=known arrival=arrival nights=nights errors=errors />
            <PartyStep adults=adults children=children errors=errors />
            <section class="step-box" aria-labelledby="host-h">
                <h2 id="host-h"><span class="step-no">"3"</span>{t!(i18n, visit_step_host)}</h2>
                <ul class="hosts">
                    <li>
                        <label class="host-card" data-testid="host-any">
                            <input type="radio" name="host" checked=move || host.get().is_none() on:change=move |_| host.set(None) />
                            <span class="card-main">
                                <span class="card-title">{t!(i18n, host_any)}</span>
                                <span class="muted small">{t!(i18n, host_any_hint)}</span>
                            </span>
                        </label>
                    </li>
                    {hosts.iter().cloned().map(|h| view! {
                        <HostChoice h=h host=host arrival=arrival nights=nights party=Signal::derive(move || (adults.get() + children.get()) as u32) known=known />
                    }).collect_view()}
                </ul>
                <StepError errors=errors fields=&["host_id"] />
            </section>

            <section class="step-box" aria-labelledby="meals-h">
                <h2 id="meals-h"><span class="step-no">"4"</span>{t!(i18n, visit_step_meals)}</h2>
                <p class="muted small">{t!(i18n, meals_hint)}</p>
                {move || match arrival.get() {
                    None => view! { <p class="muted small">{t!(i18n, meals_choose_dates)}</p> }.into_any(),
                    Some(a) => view! { <MealTable days=visit_calendar::meal_days(a, nights.get() as u32) meals=meals offered=offered /> }.into_any(),
                }}
                <StepError errors=errors fields=&["meals"] />
            </section>

            <PriceStep estimate=estimate />
            <ContactStep name=name phone=phone member=member.is_some() errors=errors />

            <p class="note policy" data-testid="policy">{move || policy_text.get(lang()).to_string()}</p>
            <Show when=move || errors.errors.with(|e| !e.is_empty())>
                <p class="form-error" role="alert" data-testid="visit-errors">{t!(i18n, visit_fix_errors)}</p>
            </Show>
            <button class="button primary wide big" type="submit" data-testid="book">{t!(i18n, book_stay)}</button>
        </form>
    }
}

/// Step 1: the month calendar to pick the arrival, and the nights.
#[component]
fn DatesStep(
    slug: String,
    policy: VisitPolicy,
    known: RwSignal<Vec<DayAvailability>>,
    arrival: RwSignal<Option<Date>>,
    nights: RwSignal<i64>,
    errors: StepErrors,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let first_month = visit_calendar::first_of_month(today_shanghai().max(policy.open_from));
    let last_month = visit_calendar::first_of_month(policy.open_until);
    let month = RwSignal::new(first_month);
    let availability = crate::load::Load::new(move || {
        api::availability(slug.clone(), visit_calendar::month_key(month.get()))
    });
    Effect::new(move |_| {
        if let Some(Ok(m)) = availability.get() {
            known.update(|k| {
                k.retain(|d| !m.days.iter().any(|n| n.date == d.date));
                k.extend(m.days.iter().cloned());
            });
        }
    });
    let nights_limit = Memo::new(move |_| match arrival.get() {
        Some(a) => known.with(|k| visit_calendar::max_nights(&policy, k, a)),
        None => errors.max_nights,
    });
    // Keep the stay within what the calendar allows.
    Effect::new(move |_| {
        let limit = i64::from(nights_limit.get());
        if nights.get_untracked() > limit {
            nights.set(limit);
        }
    });
    view! {
        <section class="step-box" aria-labelledby="arrive-h">
            <h2 id="arrive-h"><span class="step-no">"1"</span>{t!(i18n, visit_step_dates)}</h2>
            <div class="month-nav">
                <button type="button" class="step" data-testid="month-prev"
                    aria-label=move || t_string!(i18n, month_prev)
                    disabled=move || { month.get() <= first_month }
                    on:click=move |_| month.update(|m| *m = visit_calendar::add_months(*m, -1))>"‹"</button>
                <strong data-testid="month-label">{move || format::format_month_year(month.get(), lang())}</strong>
                <button type="button" class="step" data-testid="month-next"
                    aria-label=move || t_string!(i18n, month_next)
                    disabled=move || { month.get() >= last_month }
                    on:click=move |_| month.update(|m| *m = visit_calendar::add_months(*m, 1))>"›"</button>
            </div>
            {move || match availability.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(_)) => view! { <ErrorPanel retry=Callback::new(move |_| availability.refetch()) /> }.into_any(),
                Some(Ok(m)) => view! { <MonthGrid month=month.get_untracked() days=m.days arrival=arrival nights=nights /> }.into_any(),
            }}
            <ul class="legend small">
                <li><span class="day-dot open"></span>{t!(i18n, day_open)}</li>
                <li><span class="day-dot few_left"></span>{t!(i18n, day_few)}</li>
                <li><span class="day-dot full"></span>{t!(i18n, day_full)}</li>
                <li><span class="day-dot closed"></span>{t!(i18n, day_closed)}</li>
            </ul>
            <StepError errors=errors fields=&["arrival"] />
            {move || arrival.get().map(|a| {
                let departure = a + time::Duration::days(nights.get());
                view! {
                    <p class="stay-line" data-testid="stay-line">
                        {move || t_string!(i18n, stay_dates, from = format::format_date(a, lang()), to = format::format_date(departure, lang()))}
                    </p>
                }
            })}
            <div class="stepper-row" data-testid="nights">
                <span>{t!(i18n, nights_label)}</span>
                <QtyStepper value=nights limit=Signal::derive(move || i64::from(nights_limit.get())) min=1 on_change=Callback::new(move |n| nights.set(n)) />
            </div>
            <StepError errors=errors fields=&["nights"] />
        </section>
    }
}

/// Step 2: adults and children, within the village's largest party.
#[component]
fn PartyStep(adults: RwSignal<i64>, children: RwSignal<i64>, errors: StepErrors) -> impl IntoView {
    let i18n = use_i18n();
    let max_party = i64::from(errors.max_party);
    view! {
        <section class="step-box" aria-labelledby="party-h">
            <h2 id="party-h"><span class="step-no">"2"</span>{t!(i18n, visit_step_party)}</h2>
            <div class="stepper-row" data-testid="adults">
                <span>{t!(i18n, adults_label)}</span>
                <QtyStepper value=adults limit=Signal::derive(move || max_party - children.get()) min=1 on_change=Callback::new(move |n| adults.set(n)) />
            </div>
            <div class="stepper-row" data-testid="children">
                <span>{t!(i18n, children_label)}</span>
                <QtyStepper value=children limit=Signal::derive(move || max_party - adults.get()) on_change=Callback::new(move |n| children.set(n)) />
            </div>
            <StepError errors=errors fields=&["adults", "children"] />
        </section>
    }
}

/// Step 5: the price of the stay as chosen so far.
#[component]
fn PriceStep(estimate: Memo<Option<Estimate>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="step-box" aria-labelledby="price-h">
            <h2 id="price-h"><span class="step-no">"5"</span>{t!(i18n, visit_step_price)}</h2>
            <div data-testid="price-summary">
                {move || match estimate.get() {
                    None => view! { <p class="muted small">{t!(i18n, price_choose_dates)}</p> }.into_any(),
                    Some(Estimate::None) => view! { <p class="form-error">{t!(i18n, price_no_host)}</p> }.into_any(),
                    Some(Estimate::Range { low_fen, high_fen }) => view! {
                        <p class="total-line"><span>{t!(i18n, total)}</span>
                            <strong data-testid="price-total">{if low_fen == high_fen { format_yuan(low_fen) } else { format!("{} – {}", format_yuan(low_fen), format_yuan(high_fen)) }}</strong>
                        </p>
                        <p class="muted small">{t!(i18n, price_any_host)}</p>
                    }.into_any(),
                    Some(Estimate::Exact(s)) => view! {
                        <PriceLines lines=s.lines.clone() />
                        <p class="total-line"><span>{t!(i18n, total)}</span><strong data-testid="price-total">{format_yuan(s.total_fen)}</strong></p>
                    }.into_any(),
                }}
            </div>
            <p class="muted small">{t!(i18n, pay_at_host)}</p>
        </section>
    }
}

/// Step 6: who books, to be reached by the host.
#[component]
fn ContactStep(
    name: RwSignal<String>,
    phone: RwSignal<String>,
    member: bool,
    errors: StepErrors,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="step-box" aria-labelledby="who-h">
            <h2 id="who-h"><span class="step-no">"6"</span>{t!(i18n, visit_step_contact)}</h2>
            <label>
                <span>{t!(i18n, real_name)}</span>
                <input name="name" autocomplete="name" bind:value=name data-testid="visit-name" />
                <StepError errors=errors fields=&["name"] />
            </label>
            <label>
                <span>{t!(i18n, phone)}</span>
                <input type="tel" name="phone" autocomplete="tel" inputmode="tel" bind:value=phone data-testid="visit-phone" />
                <StepError errors=errors fields=&["phone"] />
            </label>
            {(!member).then(|| view! { <p class="muted small">{t!(i18n, visit_nonmember_note)}</p> })}
        </section>
    }
}

/// The month as a grid of days; open days can be picked as arrival, full
/// and closed ones cannot.
#[component]
fn MonthGrid(
    month: Date,
    days: Vec<DayAvailability>,
    arrival: RwSignal<Option<Date>>,
    nights: RwSignal<i64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let cells = visit_calendar::month_cells(month);
    view! {
        <div class="month" role="grid" data-testid="month-grid">
            {move || format::weekday_heads(lang()).into_iter().map(|w| view! { <span class="wd" aria-hidden="true">{w}</span> }).collect_view()}
            {cells.into_iter().map(|c| match c {
                None => view! { <span class="day pad"></span> }.into_any(),
                Some(d) => {
                    let status = days.iter().find(|a| a.date == d).map_or(DayStatus::Closed, |a| a.status);
                    let class_status = match status {
                        DayStatus::Open => "open",
                        DayStatus::FewLeft => "few_left",
                        DayStatus::Full => "full",
                        DayStatus::Closed => "closed",
                    };
                    let pickable = visit_calendar::can_arrive(status);
                    let in_stay = move || arrival.get().is_some_and(|a| d >= a && d < a + time::Duration::days(nights.get()));
                    let label = move || {
                        let s = match status {
                            DayStatus::Open => t_string!(i18n, day_open),
                            DayStatus::FewLeft => t_string!(i18n, day_few),
                            DayStatus::Full => t_string!(i18n, day_full),
                            DayStatus::Closed => t_string!(i18n, day_closed),
                        };
                        format!("{} · {}", format::format_date(d, lang()), s)
                    };
                    view! {
                        <button
                            type="button"
                            class=move || format!("day {class_status}{}{}", if in_stay() { " stay" } else { "" }, if arrival.get() == Some(d) { " arrival" } else { "" })
                            data-date=domain::wire::format_date(d)
                            data-status=class_status
                            aria-label=label
                            aria-pressed=move || (arrival.get() == Some(d)).to_string()
                            disabled=!pickable
                            on:click=move |_| arrival.set(Some(d))
                        >
                            {d.day()}
                        </button>
                    }
                    .into_any()
                }
            }).collect_view()}
        </div>
    }
}

/// One host household to choose, with its beds for the stay, prices and
/// meals; a host without room for the party cannot be chosen.
#[component]
fn HostChoice(
    h: HostOffer,
    host: RwSignal<Option<i64>>,
    arrival: RwSignal<Option<Date>>,
    nights: RwSignal<i64>,
    #[prop(into)] party: Signal<u32>,
    known: RwSignal<Vec<DayAvailability>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let id = h.id;
    let beds_left = Memo::new(move |_| {
        let a = arrival.get()?;
        let stay = visit::stay_nights(a, nights.get() as u32);
        known.with(|k| visit_calendar::host_beds_left(k, id, &stay))
    });
    let no_room = move || party.get() > h.beds || beds_left.get().is_some_and(|b| b < party.get());
    // A host that lost its room for the party is un-chosen.
    Effect::new(move |_| {
        if no_room() && host.get_untracked() == Some(id) {
            host.set(None);
        }
    });
    let name = h.household.name.clone();
    let description = h.description.clone();
    let rules = h.rules.clone();
    let p = h.prices;
    let m = h.meals;
    let meals_text = move || format::join_names(format::meal_names(i18n, m), lang());
    view! {
        <li>
            <label class=move || if no_room() { "host-card no-room" } else { "host-card" } data-testid="host" data-host=id>
                <input type="radio" name="host" disabled=no_room checked=move || host.get() == Some(id) on:change=move |_| host.set(Some(id)) />
                <span class="card-main">
                    <span class="card-title">{move || name.get(lang()).to_string()}</span>
                    <span class="small" data-testid="host-beds">
                        {move || match beds_left.get() {
                            Some(0) => t_string!(i18n, host_full).to_string(),
                            Some(b) => t_string!(i18n, host_beds_left, left = b, beds = h.beds),
                            None => t_string!(i18n, host_beds, beds = h.beds),
                        }}
                    </span>
                    <span class="small">
                        {move || t_string!(i18n, host_prices, adult = format_yuan(p.adult_night_fen), child = format_yuan(p.child_night_fen), meal = format_yuan(p.meal_adult_fen))}
                    </span>
                    <span class="muted small">{move || t_string!(i18n, host_meals, meals = meals_text())}</span>
                    <span class="small">{move || description.get(lang()).to_string()}</span>
                    <span class="muted small">{move || rules.get(lang()).to_string()}</span>
                </span>
            </label>
        </li>
    }
}

/// Meals per day of the stay: a row per day, a toggle per meal.
#[component]
fn MealTable(
    days: Vec<Date>,
    meals: RwSignal<Vec<DayMeals>>,
    #[prop(into)] offered: Signal<MealSet>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let toggle = move |d: Date, which: PriceItem| {
        meals.update(|all| {
            let entry = match all.iter_mut().position(|m| m.date == d) {
                Some(i) => &mut all[i],
                None => {
                    all.push(DayMeals {
                        date: d,
                        breakfast: false,
                        lunch: false,
                        dinner: false,
                    });
                    all.last_mut().expect("just pushed")
                }
            };
            match which {
                PriceItem::Breakfast => entry.breakfast = !entry.breakfast,
                PriceItem::Lunch => entry.lunch = !entry.lunch,
                PriceItem::Dinner => entry.dinner = !entry.dinner,
                PriceItem::Lodging => {}
            }
        });
    };
    let has = move |d: Date, which: PriceItem| {
        meals.with(|all| {
            all.iter()
                .find(|m| m.date == d)
                .is_some_and(|m| match which {
                    PriceItem::Breakfast => m.breakfast,
                    PriceItem::Lunch => m.lunch,
                    PriceItem::Dinner => m.dinner,
                    PriceItem::Lodging => false,
                })
        })
    };
    let served = move |which: PriceItem| {
        let o = offered.get();
        match which {
            PriceItem::Breakfast => o.breakfast,
            PriceItem::Lunch => o.lunch,
            PriceItem::Dinner => o.dinner,
            PriceItem::Lodging => false,
        }
    };
    view! {
        <div class="meal-table" data-testid="meals">
            {days.into_iter().map(|d| view! {
                <div class="meal-row">
                    <span class="meal-day">{move || format::format_date(d, lang())}</span>
                    {[PriceItem::Breakfast, PriceItem::Lunch, PriceItem::Dinner].into_iter().map(|which| {
                        let key = match which { PriceItem::Breakfast => "breakfast", PriceItem::Lunch => "lunch", _ => "dinner" };
                        view! {
                            <button
                                type="button"
                                class="chip"
                                data-testid=format!("meal-{}-{key}", domain::wire::format_date(d))
                                aria-pressed=move || (has(d, which) && served(which)).to_string()
                                disabled=move || !served(which)
                                on:click=move |_| toggle(d, which)
                            >
                                {move || meal_label(i18n, which)}
                            </button>
                        }
                    }).collect_view()}
                </div>
            }).collect_view()}
        </div>
    }
}
