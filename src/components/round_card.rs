//! A round as the organisers' pages list it.

use crate::components::use_lang;
use crate::format;
use crate::i18n::*;
use domain::organise::RoundSummary;
use domain::wire;
use leptos::prelude::*;

/// The words for a round's phase as the API names it.
pub fn phase_label(i18n: I18n, phase: &str) -> String {
    match phase {
        "open" => t_string!(i18n, orgr_phase_open).to_string(),
        "not_yet_open" => t_string!(i18n, orgr_phase_not_yet).to_string(),
        "closed" => t_string!(i18n, orgr_phase_closed).to_string(),
        other => other.to_string(),
    }
}

/// One round as a card linking to its page.
#[component]
pub fn RoundRow(r: RoundSummary) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let round = r.round;
    let phase = r.phase;
    let count = r.order_count;
    view! {
        <li class="card" data-testid="round-row" data-round-id=round.id data-day=wire::format_date(round.distribution_day)>
            <a href=format!("/organise/rounds/{}", round.id)>
                <span class="card-main">
                    <span class="card-title">
                        {move || t_string!(i18n, orgr_day_title, date = format::format_date(round.distribution_day, lang()))}
                    </span>
                    <span class="muted small">
                        {move || t_string!(i18n, orgr_deadline_line, when = format::format_datetime(round.deadline, lang()))}
                    </span>
                    <span class="meta small">
                        <span class=format!("badge phase-{phase}") data-testid="round-phase">{
                            let phase = phase.clone();
                            move || phase_label(i18n, &phase)
                        }</span>
                        <span data-testid="round-orders">{move || t_string!(i18n, orgr_order_count, count = count)}</span>
                    </span>
                </span>
                <span class="chev" aria-hidden="true">"›"</span>
            </a>
        </li>
    }
}
