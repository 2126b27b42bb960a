//! The lines of a stay's price.

use crate::format::price_line_text;
use crate::i18n::*;
use domain::format_yuan;
use domain::visit::PriceLine;
use leptos::prelude::*;

/// What each part of a stay costs: item, guest, count and amount.
#[component]
pub fn PriceLines(
    lines: Vec<PriceLine>,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="order-lines" data-testid=testid>
            {lines.into_iter().map(|l| view! {
                <li><span>{move || price_line_text(i18n, &l)}</span><span class="price">{format_yuan(l.total_fen)}</span></li>
            }).collect_view()}
        </ul>
    }
}
