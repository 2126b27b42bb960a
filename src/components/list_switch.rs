use crate::i18n::*;
use leptos::prelude::*;

/// Orders and trips are two lists of the same tab.
#[component]
pub fn ListSwitch(trips: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="seg" aria-label=move || t_string!(i18n, nav_orders)>
            <a href="/orders" class=if trips { "" } else { "on" } aria-current=(!trips).then_some("page") data-testid="seg-orders">{t!(i18n, orders_title)}</a>
            <a href="/trips" class=if trips { "on" } else { "" } aria-current=trips.then_some("page") data-testid="seg-trips">{t!(i18n, trips_title)}</a>
        </nav>
    }
}
