use crate::api;
use crate::components::{use_lang, ListSwitch, PageTitle};
use crate::format;
use crate::i18n::*;
use crate::kept;
use crate::orders::{merge_orders, shown, ListedOrder, LocalState, Shown};
use crate::state::use_app;
use domain::format_yuan;
use leptos::prelude::*;

/// `/orders`: the orders on this phone merged with the server's.
#[component]
pub fn OrdersPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let server = crate::load::Load::new(move || {
        let member = app.member().is_some();
        async move {
            if member {
                api::orders().await.map(Some)
            } else {
                Ok(None)
            }
        }
    });
    let offline = move || matches!(server.get(), Some(Err(_)));
    let listed = move || {
        let remote = server
            .get()
            .and_then(Result::ok)
            .flatten()
            .unwrap_or_default();
        app.outbox
            .with(|local| merge_orders(&kept::values(local), &remote))
    };
    // Refresh from the server when the outbox changes (an order got through).
    Effect::new(move |prev: Option<usize>| {
        let confirmed = app.outbox.with(|o| {
            o.iter()
                .filter(|o| matches!(o.state, LocalState::Confirmed { .. }))
                .count()
        });
        if prev.is_some_and(|p| p != confirmed) {
            server.refetch();
        }
        confirmed
    });
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, orders_title).to_string()) />
        <ListSwitch trips=false />
        <h1>{t!(i18n, orders_title)}</h1>
        <Show when=offline>
            <p class="note" data-testid="orders-offline">{t!(i18n, orders_offline_note)}</p>
        </Show>
        <Show
            when=move || !listed().is_empty()
            fallback=move || view! { <p class="empty" data-testid="orders-empty">{t!(i18n, orders_empty)}</p> }
        >
            <ul class="cards">
                {move || listed().into_iter().map(|o| view! { <OrderRow o=o /> }).collect_view()}
            </ul>
        </Show>
    }
}

/// The badge for an order's state.
#[component]
pub fn OrderStateBadge(state: Shown) -> impl IntoView {
    let i18n = use_i18n();
    let class = match state {
        Shown::Waiting => "badge coming",
        Shown::Confirmed => "badge in-season",
        Shown::Refused => "badge refused",
        Shown::Cancelled => "badge later",
    };
    let text = move || match state {
        Shown::Waiting => t_string!(i18n, state_waiting),
        Shown::Confirmed => t_string!(i18n, state_confirmed),
        Shown::Refused => t_string!(i18n, state_refused),
        Shown::Cancelled => t_string!(i18n, state_cancelled),
    };
    view! { <span class=class data-testid="order-state">{text}</span> }
}

#[component]
fn OrderRow(o: ListedOrder) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let href = format!("/orders/{}", o.id());
    let withdrawn = matches!(&o, ListedOrder::Server(s) if !s.withdrawn.is_empty());
    let (name, number, day, total) = match &o {
        ListedOrder::Local(l) => (
            l.village_name.clone(),
            None,
            l.round.distribution_day,
            l.totals.total_fen,
        ),
        ListedOrder::Server(s) => (
            s.village_name.clone(),
            Some(s.number.clone()),
            s.round.distribution_day,
            s.total_fen,
        ),
    };
    view! {
        <li class="card order-row" data-testid="order-row">
            <a href=href>
                <span class="card-main">
                    <span class="card-title">{move || name.get(lang()).to_string()}</span>
                    <span class="meta small">
                        {number.map(|n| view! { <span class="muted">{n}</span> })}
                        <OrderStateBadge state=shown(&o) />
                        {withdrawn.then(|| view! { <span class="badge refused" data-testid="withdrawn-badge">{t!(i18n, withdrawn_badge)}</span> })}
                    </span>
                </span>
                <span class="price">
                    {format_yuan(total)}
                    <span class="unit">{move || format::format_date(day, lang())}</span>
                </span>
            </a>
        </li>
    }
}
