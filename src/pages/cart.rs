use crate::api;
use crate::cart::{CartLine, VillageCart};
use crate::checkout::{self, CheckoutDraft};
use crate::components::{use_lang, ErrorPanel, Loading, PageTitle, QtyStepper};
use crate::format;
use crate::i18n::*;
use crate::outbox::new_uuid;
use crate::state::use_app;
use domain::dto::{Stock, VillageDetail};
use domain::format_yuan;
use domain::order::Shortage;
use leptos::prelude::*;

/// `/cart`: what is in the cart, per village, and checkout.
#[component]
pub fn CartPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let slugs = Memo::new(move |_| {
        app.cart
            .with(|c| c.villages.keys().cloned().collect::<Vec<_>>())
    });
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, cart_title).to_string()) />
        <h1>{t!(i18n, cart_title)}</h1>
        <Show
            when=move || !slugs.get().is_empty()
            fallback=move || view! {
                <p class="empty" data-testid="cart-empty">{t!(i18n, cart_empty)}</p>
                <a class="button primary" href="/">{t!(i18n, nav_villages)}</a>
            }
        >
            <p class="muted small">{t!(i18n, cart_saved_note)}</p>
            <For each=move || slugs.get() key=|s| s.clone() let:slug>
                <VillageCheckout slug=slug />
            </For>
        </Show>
    }
}

#[component]
fn VillageCheckout(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let village = crate::load::Load::new({
        let slug = slug.clone();
        move || api::village(slug.clone())
    });
    let slug = StoredValue::new(slug);
    let slug = move || slug.get_value();
    view! {
        <section class="checkout" data-testid="checkout">
            {move || match village.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Ok(v)) => view! { <Checkout v=v /> }.into_any(),
                // Offline with nothing cached: the cart itself still shows.
                Some(Err(_)) => view! {
                    <SavedLines slug=slug() />
                    <ErrorPanel retry=Callback::new(move |_| village.refetch()) />
                }
                .into_any(),
            }}
            <span class="sr-only">{t!(i18n, cart_title)}</span>
        </section>
    }
}

/// The cart's lines as kept on the phone, without round or stock.
#[component]
fn SavedLines(slug: String) -> impl IntoView {
    let lang = use_lang();
    let app = use_app();
    let lines = move || {
        app.cart.with(|c| {
            c.villages
                .get(&slug)
                .map(|v| v.lines.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <ul class="cart-lines">
            {move || lines().into_iter().map(|l| {
                let name = l.name.clone();
                view! {
                    <li class="cart-line" data-testid="cart-line">
                        <span class="card-title">{move || name.get(lang()).to_string()}</span>
                        <span class="qty" data-testid="qty">{l.quantity}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Checkout(v: VillageDetail) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let app = use_app();
    let navigate = crate::use_go();
    let slug = v.slug.clone();
    let cart = {
        let slug = slug.clone();
        Memo::new(move |_| app.cart.with(|c| c.villages.get(&slug).cloned()))
    };
    let stock = StoredValue::new(checkout::open_stock(&v));
    let points = checkout::serving_points(&v);
    let usual = app.member().map(|m| m.default_point.id);
    let first = checkout::first_choice(&points, usual);
    let point = RwSignal::new(first.map(|id| id.to_string()).unwrap_or_default());
    let round = v.open_round.as_ref().map(|o| o.round.clone());
    let shortages = Memo::new(move |_| {
        cart.get()
            .map(|c| stock.with_value(|s| c.shortages(|id| checkout::left_of(s, id))))
            .unwrap_or_default()
    });
    let village_name = v.name.clone();

    let place = {
        let slug = slug.clone();
        let points = points.clone();
        let round = round.clone();
        Callback::new(move |_| {
            let draft = CheckoutDraft {
                point: point.get_untracked(),
            };
            let Ok(input) = draft.to_input(cart.get_untracked().as_ref(), &points, round.as_ref())
            else {
                return;
            };
            let id = new_uuid();
            app.place(input.into_order(id.clone(), js_sys::Date::now(), &slug));
            navigate(&format!("/orders/{id}"));
        })
    };
    let can_place = {
        let open = round.is_some();
        Signal::derive(move || open && shortages.with(|s| s.is_empty()))
    };

    view! {
        <h2>{move || village_name.get(lang()).to_string()}</h2>
        {match round {
            Some(r) => view! {
                <p class="round-note" data-testid="cart-round">
                    {move || t_string!(
                        i18n,
                        round_for_order,
                        day = format::format_date(r.distribution_day, lang()),
                        deadline = format::format_datetime(r.deadline, lang())
                    )}
                </p>
            }
            .into_any(),
            None => view! { <p class="form-error" data-testid="cart-no-round">{t!(i18n, no_open_round)}</p> }.into_any(),
        }}
        <CheckoutLines slug=slug cart=cart stock=stock shortages=shortages />
        <label class="field">
            <span>{t!(i18n, pickup_point)}</span>
            <select bind:value=point data-testid="point-select">
                {points.iter().map(|p| {
                    let name = p.name.clone();
                    let window = format!("{}–{}", p.pickup_from, p.pickup_to);
                    view! { <option value=p.id.to_string()>{move || format!("{} · {}", name.get(lang()), window)}</option> }
                }).collect_view()}
            </select>
        </label>
        {move || cart.get().map(|c| {
            let t = c.totals();
            view! {
                <div class="totals" data-testid="cart-total">
                    <p class="total-line"><span>{t!(i18n, total)}</span><strong>{format_yuan(t.total_fen)}</strong></p>
                    <p class="muted small">{move || t_string!(i18n, to_households, amount = format_yuan(t.household_fen))}</p>
                </div>
            }
        })}
        <PlaceOrder can_place=can_place place=place />
    }
}

/// The cart's lines with a stepper each, capped by what is left.
#[component]
fn CheckoutLines(
    slug: String,
    cart: Memo<Option<VillageCart>>,
    stock: StoredValue<Vec<Stock>>,
    shortages: Memo<Vec<Shortage>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let app = use_app();
    view! {
        <ul class="cart-lines">
            {move || {
                let Some(c) = cart.get() else { return ().into_any() };
                let vc = VillageCart { lines: vec![], ..c.clone() };
                c.lines
                    .into_iter()
                    .map(|l| {
                        let left = stock.with_value(|s| checkout::left_of(s, l.product_id));
                        let max = left.unwrap_or(domain::order::MAX_QUANTITY).min(domain::order::MAX_QUANTITY).max(l.quantity.min(1));
                        let name = l.name.clone();
                        let unit = l.unit.clone();
                        let slug = slug.clone();
                        let vc = vc.clone();
                        let line = l.clone();
                        let set = Callback::new(move |q: i64| {
                            let line = CartLine { quantity: q, ..line.clone() };
                            app.update_cart(|c| c.set_quantity(&slug, &vc, line));
                        });
                        let over = shortages.with_untracked(|s| s.iter().find(|s| s.product_id == l.product_id).map(|s| s.remaining));
                        view! {
                            <li class="cart-line" data-testid="cart-line">
                                <span class="card-main">
                                    <a class="card-title" href=format!("/p/{}", l.product_id)>{move || name.get(lang()).to_string()}</a>
                                    <span class="muted small">
                                        {format_yuan(l.unit_price_fen)} " " {move || t_string!(i18n, per_unit, unit = unit.get(lang()).to_string())}
                                    </span>
                                    {over.map(|left| view! {
                                        <span class="field-error" data-testid="over-stock">{move || t_string!(i18n, over_stock, left = left)}</span>
                                    })}
                                </span>
                                <QtyStepper value=Signal::stored(l.quantity) limit=Signal::stored(max) on_change=set />
                            </li>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </ul>
    }
}

/// Placing the order once logged in; else the ways to log in or join.
#[component]
fn PlaceOrder(can_place: Signal<bool>, place: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    move || {
        match app.member() {
        Some(_) => view! {
            <button
                class="button primary wide big"
                type="button"
                data-testid="place-order"
                disabled=move || !can_place.get()
                on:click=move |_| place.run(())
            >
                {t!(i18n, place_order)}
            </button>
        }
        .into_any(),
        None => view! {
            <a class="button primary wide" href="/login?next=/cart" data-testid="login-to-order">{t!(i18n, login_to_order)}</a>
            <p class="center"><a href="/join?next=/cart">{t!(i18n, join_to_order)}</a></p>
        }
        .into_any(),
    }
    }
}
