//! Pieces shared by the pages. Here: header, footer, tab bar, loading and
//! error states, product cards and badges. In their own files: form
//! feedback, the product view, prices, the 404 view, the organisers' page
//! shell and gate, the write status with its submit helper, and the reason
//! box.

mod form;
mod form_errors;
mod list_switch;
mod not_found;
mod organise;
mod password;
mod price;
mod product;
mod reason_box;
mod round_card;
mod status;
mod text;
mod waiting;

pub use form::{field_note, ConfirmCancel, Drafted, FieldError};
pub use form_errors::FormErrors;
pub use list_switch::ListSwitch;
pub use not_found::NotFound;
pub use organise::*;
pub use password::PasswordForm;
pub use price::PriceLines;
pub use product::Product;
pub use reason_box::*;
pub use round_card::*;
pub use status::*;
pub use text::{in_lang, paragraphs};
pub use waiting::LastError;

use crate::api::FetchError;
use crate::format;
use crate::i18n::*;
use crate::lang_of;
use domain::dto::{Category, HouseholdRef, ProductSummary};
use domain::{format_yuan, SeasonStatus};
use leptos::prelude::*;

/// The current language as the domain names it (reactive).
pub fn use_lang() -> impl Fn() -> domain::Lang + Copy + 'static {
    let i18n = use_i18n();
    move || lang_of(i18n.get_locale())
}

/// The phone's clock as an instant.
pub fn now() -> time::OffsetDateTime {
    if !crate::first_screen::IN_BROWSER {
        // The server rendering the page: its clock is the same.
        return time::OffsetDateTime::now_utc();
    }
    let ms = js_sys::Date::now() as i64;
    time::OffsetDateTime::from_unix_timestamp(ms / 1000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// Today's date in Asia/Shanghai, whatever zone the phone is set to.
pub fn today_shanghai() -> time::Date {
    domain::shanghai_date(now())
}

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let toggle = move |_| {
        i18n.set_locale(match i18n.get_locale_untracked() {
            Locale::zh => Locale::en,
            Locale::en => Locale::zh,
        });
    };
    view! {
        <header class="top">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"乡"</span>
                <span class="brand-name">{t!(i18n, app_name)}</span>
            </a>
            <button
                class="lang-switch"
                type="button"
                data-testid="lang-switch"
                aria-label=move || t_string!(i18n, switch_lang_label)
                on:click=toggle
            >
                {t!(i18n, switch_lang)}
            </button>
        </header>
    }
}

/// The foot of every page. In the organisers' workspace it links to the
/// shop instead of to the workspace they are already in.
#[component]
pub fn Footer(#[prop(optional)] in_workspace: bool) -> impl IntoView {
    let i18n = use_i18n();
    let link = if in_workspace {
        view! { <a href="/" data-testid="shop-link">{t!(i18n, to_shop)}</a> }.into_any()
    } else {
        view! { <a href="/organise" data-testid="organiser-link">{t!(i18n, for_organisers)}</a> }
            .into_any()
    };
    view! {
        <footer class="foot">
            // Organisers see what the workspace is for, not the shoppers' slogan.
            <p>
                {move || if in_workspace { t_string!(i18n, org_tagline) } else { t_string!(i18n, app_tagline) }}
            </p>
            <p class="muted">{t!(i18n, demo_note)}</p>
            <p>{link}</p>
        </footer>
    }
}

/// The tab bar at the bottom, where a thumb reaches on a phone.
#[component]
pub fn TabBar() -> impl IntoView {
    let i18n = use_i18n();
    let app = crate::state::use_app();
    let count = move || app.cart.with(|c| c.count());
    // Orders and trips still on the phone.
    let waiting = move || {
        use crate::outbox::Outgoing;
        app.outbox
            .with(|o| o.iter().filter(|o| o.is_waiting()).count())
            + app
                .trips
                .with(|t| t.iter().filter(|t| t.is_waiting()).count())
    };
    let logged_in = move || app.member().is_some();
    let nav = crate::nav::use_nav();
    let current = move |href: &'static str| {
        move || {
            nav.path
                .with(|p| crate::nav::is_current(href, p))
                .then_some("page")
        }
    };
    view! {
        <nav class="tabs" aria-label="main">
            <a href="/" class="tab" aria-current=current("/")>
                <span class="tab-icon" aria-hidden="true">"⌂"</span>
                {t!(i18n, nav_villages)}
            </a>
            <a href="/cart" class="tab" data-testid="tab-cart" aria-current=current("/cart")>
                <svg class="tab-icon" aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
                    <path d="M3 9h18l-2 11H5L3 9zm5 0l3-5m5 5l-3-5" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
                </svg>
                {t!(i18n, nav_cart)}
                <Show when=move || { count() > 0 }>
                    <span class="tab-badge" data-testid="cart-count">{count}</span>
                </Show>
            </a>
            <a href="/orders" class="tab" data-testid="tab-orders" aria-current=current("/orders")>
                <span class="tab-icon" aria-hidden="true">"☰"</span>
                {t!(i18n, nav_orders)}
                <Show when=move || { waiting() > 0 }>
                    <span class="tab-badge warn">{waiting}</span>
                </Show>
            </a>
            <a href=move || if logged_in() { "/me" } else { "/login" } class="tab" data-testid="tab-me">
                <span class="tab-icon" aria-hidden="true">"☺"</span>
                {move || if logged_in() { t_string!(i18n, nav_me) } else { t_string!(i18n, nav_login) }}
            </a>
        </nav>
    }
}

/// − n + for a quantity. `limit` caps the + button (what is left).
#[component]
pub fn QtyStepper(
    #[prop(into)] value: Signal<i64>,
    #[prop(into)] limit: Signal<i64>,
    on_change: Callback<i64>,
    /// The lowest value − goes to (0 unless given).
    #[prop(optional)]
    min: i64,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="stepper">
            <button
                type="button"
                class="step"
                data-testid="qty-minus"
                aria-label=move || t_string!(i18n, qty_minus)
                disabled=move || { value.get() <= min }
                on:click=move |_| on_change.run((value.get_untracked() - 1).max(min))
            >
                "−"
            </button>
            <span class="qty" data-testid="qty" aria-live="polite">{value}</span>
            <button
                type="button"
                class="step"
                data-testid="qty-plus"
                aria-label=move || t_string!(i18n, qty_plus)
                disabled=move || { value.get() >= limit.get() }
                on:click=move |_| on_change.run((value.get_untracked() + 1).min(limit.get_untracked()))
            >
                "+"
            </button>
        </span>
    }
}

/// "12 of 40 left" for a product in the open round.
#[component]
pub fn StockNote(stock: domain::dto::Stock) -> impl IntoView {
    let i18n = use_i18n();
    let class = if stock.remaining == 0 {
        "stock out"
    } else if stock.remaining * 5 <= stock.capacity {
        "stock low"
    } else {
        "stock"
    };
    view! {
        <span class=class data-testid="stock">
            {move || if stock.capacity == 0 {
                t_string!(i18n, stock_none).to_string()
            } else if stock.remaining == 0 {
                t_string!(i18n, stock_sold_out).to_string()
            } else {
                t_string!(i18n, stock_left, left = stock.remaining, cap = stock.capacity)
            }}
        </span>
    }
}

/// Sets the page title as "<page> · <app>", following the language. Set
/// directly rather than through leptos_meta: a CSR app has one `<title>`,
/// and that crate cost about 2 KB of every bundle.
#[component]
pub fn PageTitle(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| {
        document().set_title(&format!(
            "{} · {}",
            text.get(),
            t_string!(i18n, title_suffix)
        ));
    });
}

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="loading" role="status" aria-live="polite" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            {t!(i18n, loading)}
            <div class="skeleton" aria-hidden="true"></div>
            <div class="skeleton short" aria-hidden="true"></div>
        </div>
    }
}

#[component]
pub fn ErrorPanel(retry: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="error-panel" role="alert" data-testid="error">
            <h2>{t!(i18n, error_title)}</h2>
            <p>{t!(i18n, error_body)}</p>
            <button class="button primary" type="button" data-testid="retry" on:click=move |_| retry.run(())>
                {t!(i18n, retry)}
            </button>
        </section>
    }
}

/// Renders a loaded resource: a loading state, the 404 page, an error
/// with retry, or the page itself.
pub fn resource_view<T, V>(
    res: crate::load::Load<Result<T, FetchError>>,
    render: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
{
    move || match res.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Ok(data)) => render(data).into_any(),
        Some(Err(FetchError::NotFound)) => view! { <crate::components::NotFound /> }.into_any(),
        Some(Err(FetchError::Unavailable(_))) => {
            view! { <ErrorPanel retry=Callback::new(move |_| res.refetch()) /> }.into_any()
        }
    }
}

pub fn category_label(c: Category) -> impl Fn() -> &'static str + Copy + 'static {
    let i18n = use_i18n();
    move || match c {
        Category::Eggs => t_string!(i18n, cat_eggs),
        Category::Meat => t_string!(i18n, cat_meat),
        Category::Grain => t_string!(i18n, cat_grain),
        Category::Fruit => t_string!(i18n, cat_fruit),
        Category::Vegetable => t_string!(i18n, cat_vegetable),
        Category::Processed => t_string!(i18n, cat_processed),
        Category::Other => t_string!(i18n, cat_other),
    }
}

#[component]
pub fn StatusBadge(status: SeasonStatus) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let (class, text): (&str, Box<dyn Fn() -> String + Send + Sync>) = match status {
        SeasonStatus::InSeason => (
            "badge in-season",
            Box::new(move || t_string!(i18n, status_in_season).to_string()),
        ),
        SeasonStatus::AllYear => (
            "badge all-year",
            Box::new(move || t_string!(i18n, status_all_year).to_string()),
        ),
        SeasonStatus::ComingSoon { starts } => (
            "badge coming",
            Box::new(move || {
                t_string!(i18n, starts_on, date = format::format_date(starts, lang()))
            }),
        ),
        SeasonStatus::OutOfSeason { next_start } => (
            "badge later",
            Box::new(move || {
                t_string!(
                    i18n,
                    starts_on,
                    date = format::month_name(next_start.month() as u8, lang())
                )
            }),
        ),
    };
    view! { <span class=class>{text}</span> }
}

#[component]
pub fn DemoBadge() -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class="badge demo">{t!(i18n, demo)}</span> }
}

/// One product in a list: name, price per unit and where it stands.
#[component]
pub fn ProductCard(
    product: ProductSummary,
    status: SeasonStatus,
    #[prop(optional)] stock: Option<domain::dto::Stock>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let name = product.name.clone();
    let unit = product.unit.clone();
    let href = format!("/p/{}", product.id);
    let price = format_yuan(product.price_fen);
    let cat = category_label(product.category);
    let thumb = product.photo.clone().map(|ph| {
        let src = ph.versions.first().map(|v| v.url.clone()).unwrap_or_default();
        view! { <img class="thumb" src=src srcset=format::srcset(&ph) sizes="64px" loading="lazy" decoding="async" alt="" width="64" height="64" /> }
    });
    view! {
        <li class="card product-card" data-testid="product-card">
            <a href=href>
                {thumb}
                <span class="card-main">
                    <span class="card-title">{move || name.get(lang()).to_string()}</span>
                    <span class="meta small">
                        <span class="muted">{cat}</span>
                        <StatusBadge status=status />
                        {stock.map(|s| view! { <StockNote stock=s /> })}
                    </span>
                </span>
                <span class="price">
                    {price}
                    <span class="unit">{move || t_string!(i18n, per_unit, unit = unit.get(lang()).to_string())}</span>
                </span>
            </a>
        </li>
    }
}

/// A list of households linking to their profiles.
#[component]
pub fn HouseholdList(village_slug: String, households: Vec<HouseholdRef>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ul class="people">
            {households
                .into_iter()
                .map(|h| {
                    let href = format!("/v/{}/h/{}", village_slug, h.id);
                    let name = h.name.clone();
                    view! {
                        <li>
                            <a class="person" href=href data-testid="household-link">
                                {match &h.photo {
                                    Some(p) => view! { <img class="avatar photo" src=p.versions.first().map(|v| v.url.clone()).unwrap_or_default() srcset=crate::format::srcset(p) sizes="32px" loading="lazy" alt="" data-testid="household-photo" /> }.into_any(),
                                    None => view! {
                                        <span class="avatar" aria-hidden="true">
                                            {h.name.zh.chars().next().map(String::from).unwrap_or_default()}
                                        </span>
                                    }.into_any(),
                                }}
                                <span>{move || name.get(lang()).to_string()}</span>
                                {h.demo.then(|| view! { <DemoBadge /> })}
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// An organiser's formatted text (paragraphs, **bold**, `- ` lists) as
/// text nodes: whatever was typed, markup included, shows as text.
pub fn rich_text(text: &str) -> impl IntoView {
    use domain::richtext::{parse, Block, Inline};
    let inline = |runs: Vec<Inline>| {
        runs.into_iter()
            .map(|r| match r {
                Inline::Text(t) => view! { <span>{t}</span> }.into_any(),
                Inline::Bold(t) => view! { <strong>{t}</strong> }.into_any(),
            })
            .collect_view()
    };
    parse(text)
        .into_iter()
        .map(|b| match b {
            Block::Paragraph(runs) => view! { <p>{inline(runs)}</p> }.into_any(),
            Block::List(items) => view! {
                <ul class="rich-list">{items.into_iter().map(|i| view! { <li>{inline(i)}</li> }).collect_view()}</ul>
            }
            .into_any(),
        })
        .collect_view()
}
