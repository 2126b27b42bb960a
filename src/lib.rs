//! The storefront app: `App` and its router. Pages live one per file in
//! `pages/`, shared views in `components/`, HTTP in `api`. The data the
//! phone keeps has a module per job (`cart`, `orders`, `trips`, `outbox`,
//! `kept` and the `sender`), as do the pure rules the pages use (`format`,
//! `village_calendar`, `visit_calendar`, `booking_draft`, `checkout`), unit-tested
//! natively.

// The HTML rendering of the largest pages' view types (natively, for the
// server's first screens) nests deeper than the default allows.
#![recursion_limit = "256"]

/// A translated text in both languages, for messages kept in a signal: the
/// page shows it in the language of the moment, so it follows a switch.
/// `both!(key)` or `both!(key, name = value, ...)`, as `t_string!` takes.
/// `both!(for l => key, date = format(l))` binds `l` to each language in
/// turn, for values that are themselves worded per language.
macro_rules! both {
    (for $l:ident => $key:ident $(, $name:ident = $value:expr)* $(,)?) => {{
        let zh = {
            let $l = domain::Lang::Zh;
            crate::i18n::td_string!(crate::i18n::Locale::zh, $key $(, $name = $value)*).to_string()
        };
        let en = {
            let $l = domain::Lang::En;
            crate::i18n::td_string!(crate::i18n::Locale::en, $key $(, $name = $value)*).to_string()
        };
        domain::LocalText::new(zh, en)
    }};
    ($key:ident $(, $name:ident = $value:expr)* $(,)?) => {
        domain::LocalText::new(
            crate::i18n::td_string!(crate::i18n::Locale::zh, $key $(, $name = $value)*).to_string(),
            crate::i18n::td_string!(crate::i18n::Locale::en, $key $(, $name = $value)*).to_string(),
        )
    };
}

pub mod api;
pub mod booking_draft;
pub mod cart;
pub mod checkout;
mod components;
pub mod drafts;
pub mod first_screen;
pub mod format;
pub mod i18n;
pub mod income_chart;
pub mod kept;
pub mod load;
pub mod nav;
pub mod order_view;
pub mod orders;
pub mod outbox;
pub mod page_data;
mod pages;
pub mod pickup;
pub mod raw_answer;
pub mod rounds;
pub mod scroll;
pub mod sender;
pub mod state;
pub mod trips;
pub mod village_calendar;
pub mod visit_calendar;

use domain::bundle::Bundle;
use i18n::*;
use leptos::prelude::*;
pub use nav::use_go;
use nav::Pages;

/// The app's locale for a language the domain names.
pub fn locale_of(lang: domain::Lang) -> Locale {
    match lang {
        domain::Lang::Zh => Locale::zh,
        domain::Lang::En => Locale::en,
    }
}

/// The language the user reads, as the domain names it.
pub fn lang_of(locale: Locale) -> domain::Lang {
    match locale {
        Locale::zh => domain::Lang::Zh,
        Locale::en => domain::Lang::En,
    }
}

/// The shop's frame around a bundle's pages. Every shop bundle provides
/// the app state, so waiting orders and bookings are sent whichever page
/// the shopper is on.
#[component]
fn ShopFrame(pages: &'static [nav::Page]) -> impl IntoView {
    state::provide_app_state();
    view! {
        <components::Header />
        <main id="main"><Pages pages=pages /></main>
        <components::Footer />
        <components::TabBar />
    }
}

/// One route of a bundle: its path pattern and the page component. The
/// tables below keep one route a line (`rustfmt::skip`).
macro_rules! page {
    ($path:literal, $($view:ident)::+) => {
        ($path, || view! { <$($view)::+ /> }.into_any())
    };
}

/// Browsing: villages, households, products (`index.html`).
#[rustfmt::skip]
const SHOP: &[nav::Page] = &[
    page!("/", pages::home::Home),
    page!("/v/:slug", pages::village::VillagePage),
    page!("/v/:slug/h/:id", pages::household::HouseholdPage),
    page!("/p/:id", pages::product::ProductPage),
];

/// The shopper's orders and account, and a label's trace page (`account.html`).
#[rustfmt::skip]
const ACCOUNT: &[nav::Page] = &[
    page!("/cart", pages::cart::CartPage),
    page!("/orders", pages::orders::OrdersPage),
    page!("/orders/:id", pages::order::OrderPage),
    page!("/login", pages::login::LoginPage),
    page!("/join", pages::join::JoinPage),
    page!("/me", pages::account::AccountPage),
    page!("/label/:code", pages::label::LabelPage),
];

/// Visits and My trips (`visit.html`).
#[rustfmt::skip]
const VISIT: &[nav::Page] = &[
    page!("/v/:slug/visit", pages::visit::VisitPage),
    page!("/trips", pages::trips::TripsPage),
    page!("/trips/:id", pages::trip::TripPage),
];

/// The organisers' frame around a bundle's pages.
#[component]
fn OrganiseFrame(pages: &'static [nav::Page]) -> impl IntoView {
    // The shop's state too: the product preview reuses shop components, and
    // an organiser who also shops keeps their waiting orders moving.
    state::provide_app_state();
    view! {
        <components::Header />
        <main id="main" class="organise">
            <Pages pages=pages />
        </main>
        <components::Footer in_workspace=true />
    }
}

/// The organisers' workspace: home, login, visits, change log
/// (`organise.html`).
#[rustfmt::skip]
const ORGANISE: &[nav::Page] = &[
    page!("/organise", pages::organise::home::OrganiseHome),
    page!("/organise/login", pages::organise::login::OrganiseLoginPage),
    page!("/organise/v/:slug", pages::organise::home::OrganiseVillage),
    page!("/organise/v/:slug/visits", pages::organise::visits::OrganiseVisitsPage),
    page!("/organise/v/:slug/visits/offer", pages::organise::visit_offer::OrganiseVisitOfferPage),
    page!("/organise/v/:slug/log", pages::organise::log::OrganiseLogPage),
    page!("/organise/v/:slug/members", pages::organise::members::OrganiseMembersPage),
    page!("/organise/v/:slug/organisers", pages::organise::organisers::OrganiseOrganisersPage),
    page!("/organise/password", pages::organise::password::OrganisePasswordPage),
    page!("/organise/join", pages::organise::join::OrganiseJoinPage),
];

/// The workspace's product pages (`organise-products.html`).
#[rustfmt::skip]
const ORGANISE_PRODUCTS: &[nav::Page] = &[
    page!("/organise/v/:slug/products", pages::organise::products::OrganiseProductsPage),
    page!("/organise/v/:slug/products/new", pages::organise::products::OrganiseProductEditPage),
    page!("/organise/v/:slug/products/:id", pages::organise::products::OrganiseProductEditPage),
];

/// The workspace's rounds and packing, labels and problems
/// (`organise-rounds.html`).
#[rustfmt::skip]
const ORGANISE_ROUNDS: &[nav::Page] = &[
    page!("/organise/v/:slug/rounds", pages::organise::rounds::OrganiseRoundsPage),
    page!("/organise/rounds/:id", pages::organise::round::OrganiseRoundPage),
    page!("/organise/rounds/:id/packing", pages::organise::packing::PackingPage),
    page!("/organise/rounds/:id/pickup", pages::organise::pickup::PickupPage),
    page!("/organise/rounds/:id/settlement", pages::organise::settlement::SettlementPage),
    page!("/organise/rounds/:id/labels", pages::organise::labels::LabelSheetPage),
    page!("/organise/v/:slug/problems", pages::organise::problems::OrganiseProblemsPage),
];

/// The village's own administration (`organise-village.html`).
#[rustfmt::skip]
const ORGANISE_VILLAGE: &[nav::Page] = &[
    page!("/organise/v/:slug/households", pages::organise::households::OrganiseHouseholdsPage),
    page!("/organise/v/:slug/households/new", pages::organise::households::OrganiseHouseholdEditPage),
    page!("/organise/v/:slug/households/:id", pages::organise::households::OrganiseHouseholdEditPage),
    page!("/organise/v/:slug/village", pages::organise::village::OrganiseVillagePage),
    page!("/organise/v/:slug/income", pages::organise::income::IncomePage),
    page!("/organise/v/:slug/share", pages::organise::ledger::LedgerPage),
];

/// Each bundle's route table: the patterns are the ones `domain::bundle`
/// gives the bundle, so the server and the other bundles send those paths
/// here (the tests below check).
fn routes(bundle: Bundle) -> &'static [nav::Page] {
    match bundle {
        Bundle::Shop => SHOP,
        Bundle::Account => ACCOUNT,
        Bundle::Visit => VISIT,
        Bundle::Organise => ORGANISE,
        Bundle::OrganiseProducts => ORGANISE_PRODUCTS,
        Bundle::OrganiseRounds => ORGANISE_ROUNDS,
        Bundle::OrganiseVillage => ORGANISE_VILLAGE,
    }
}

/// Removes the static "loading" placeholder of the HTML page.
fn remove_boot_placeholder() {
    Effect::new(|_| {
        if let Some(boot) = document().get_element_by_id("boot") {
            boot.remove();
        }
    });
}

/// Everything a bundle mounts: i18n and navigation around its pages.
#[component]
fn Root(bundle: Bundle, children: Children) -> impl IntoView {
    remove_boot_placeholder();
    scroll::restore_on_back();
    nav::provide_nav(bundle);
    provide_context(bundle);
    i18n::provide_i18n();
    children()
}

/// The shop's browsing bundle (`index.html`, `src/main.rs`).
#[component]
pub fn App() -> impl IntoView {
    view! { <Root bundle=Bundle::Shop><ShopFrame pages=routes(Bundle::Shop) /></Root> }
}

/// The orders and account bundle (`account.html`, `src/bin/account.rs`).
#[component]
pub fn AccountApp() -> impl IntoView {
    view! { <Root bundle=Bundle::Account><ShopFrame pages=routes(Bundle::Account) /></Root> }
}

/// The visits bundle (`visit.html`, `src/bin/visit.rs`).
#[component]
pub fn VisitApp() -> impl IntoView {
    view! { <Root bundle=Bundle::Visit><ShopFrame pages=routes(Bundle::Visit) /></Root> }
}

/// The organisers' workspace (`organise.html`, `src/bin/organise.rs`).
#[component]
pub fn OrganiseApp() -> impl IntoView {
    view! { <Root bundle=Bundle::Organise><OrganiseFrame pages=routes(Bundle::Organise) /></Root> }
}

/// The workspace's product pages (`organise-products.html`).
#[component]
pub fn OrganiseProductsApp() -> impl IntoView {
    view! { <Root bundle=Bundle::OrganiseProducts><OrganiseFrame pages=routes(Bundle::OrganiseProducts) /></Root> }
}

/// The workspace's rounds and packing (`organise-rounds.html`).
#[component]
pub fn OrganiseRoundsApp() -> impl IntoView {
    view! { <Root bundle=Bundle::OrganiseRounds><OrganiseFrame pages=routes(Bundle::OrganiseRounds) /></Root> }
}

/// The village's own administration (`organise-village.html`).
#[component]
pub fn OrganiseVillageApp() -> impl IntoView {
    view! { <Root bundle=Bundle::OrganiseVillage><OrganiseFrame pages=routes(Bundle::OrganiseVillage) /></Root> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bundle_routes_the_paths_domain_bundle_gives_it() {
        for bundle in Bundle::ALL {
            let patterns: Vec<&str> = routes(bundle).iter().map(|(p, _)| *p).collect();
            assert_eq!(patterns, bundle.routes(), "{bundle:?}");
            for pattern in patterns {
                let path = pattern
                    .replace(":slug", "liu")
                    .replace(":id", "7")
                    .replace(":code", "K7QX");
                assert!(
                    nav::match_path(pattern, &path).is_some(),
                    "{path} is {pattern}"
                );
                assert_eq!(Bundle::for_path(&path), bundle, "{path}");
            }
        }
    }
}
