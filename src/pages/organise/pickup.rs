//! `/organise/rounds/{id}/pickup`: the phone list at the distribution
//! point. Choose the point; for each member, what to hand over by label
//! and three big buttons: paid (amount and method), collected not paid,
//! not collected. Marks are kept on the phone first and sent by
//! themselves, once; the list is kept too, so the page goes on working
//! in a basement with no signal.

use crate::api::{self, WriteError};
use crate::components::{use_lang, ErrorPanel, Loading, NotYourVillage, PageTitle};
use crate::format;
use crate::i18n::*;
use crate::nav::use_params_map;
use crate::pickup::{
    list_key, refusal, shown_pickup, waiting, KeptList, LocalMark, PickupOutbox, ShownPickup,
};
use domain::format_yuan;
use domain::money::yuan_input;
use domain::pickup::{PaymentMethod, PickupDraft, PickupList, PickupOrder, PickupState};
use domain::{FieldError, Lang};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

/// What the page could load.
#[derive(Clone)]
enum Loaded {
    /// From the server just now.
    Fresh(PickupList),
    /// No answer: the copy this phone kept.
    Kept(KeptList),
    NotAllocated,
    NotYours,
    LoggedOut,
    NotFound,
    Failed,
}

#[component]
pub fn PickupPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Signal::derive(move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    });
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, pku_title).to_string()) />
        {move || view! { <PickupLoader round_id=id.get() /> }}
    }
}

/// Loads the list (or the kept copy) without the workspace gate, whose
/// own request would fail offline: the list's answer says whether the
/// organiser is logged in and may see it.
#[component]
fn PickupLoader(round_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let outbox = PickupOutbox::load();
    outbox.start();
    let list = crate::load::Load::new(move || async move {
        match api::pickup::pickup_list(round_id).await {
            Ok(list) => {
                let kept = KeptList {
                    loaded_ms: js_sys::Date::now(),
                    list: list.clone(),
                };
                let _ = LocalStorage::set(list_key(round_id), &kept);
                Loaded::Fresh(list)
            }
            Err(WriteError::Unauthorized(_)) => Loaded::LoggedOut,
            Err(WriteError::NotFound(_)) => Loaded::NotFound,
            Err(WriteError::Refused { status: 403, .. }) => Loaded::NotYours,
            Err(WriteError::Refused { status: 409, .. }) => Loaded::NotAllocated,
            Err(_) => match LocalStorage::get::<KeptList>(list_key(round_id)) {
                Ok(kept) => Loaded::Kept(kept),
                Err(_) => Loaded::Failed,
            },
        }
    });
    let navigate = crate::use_go();
    let nav = crate::nav::use_nav();
    Effect::new(move |_| {
        if matches!(list.get(), Some(Loaded::LoggedOut)) {
            let next = nav.path.get_untracked();
            navigate(&format!(
                "/organise/login?next={}",
                js_sys::encode_uri_component(&next)
            ));
        }
    });
    // Back online: load the list again, with everyone's marks.
    let online = window_event_listener(leptos::ev::online, move |_| list.refetch());
    on_cleanup(move || online.remove());
    move || {
        match list.get() {
        None | Some(Loaded::LoggedOut) => view! { <Loading /> }.into_any(),
        Some(Loaded::Fresh(l)) => view! { <PickupBody list=l kept_ms=None outbox=outbox /> }.into_any(),
        Some(Loaded::Kept(k)) => {
            view! { <PickupBody list=k.list kept_ms=Some(k.loaded_ms) outbox=outbox /> }.into_any()
        }
        Some(Loaded::NotYours) => view! { <NotYourVillage /> }.into_any(),
        Some(Loaded::NotFound) => view! { <crate::components::NotFound /> }.into_any(),
        Some(Loaded::NotAllocated) => view! {
            <h1>{t!(i18n, pku_title)}</h1>
            <p data-testid="pickup-not-allocated">{t!(i18n, pku_not_allocated)}</p>
            <a class="button secondary wide" href=format!("/organise/rounds/{round_id}/packing")>{t!(i18n, pack_title)}</a>
        }
        .into_any(),
        Some(Loaded::Failed) => {
            view! { <ErrorPanel retry=Callback::new(move |_| list.refetch()) /> }.into_any()
        }
    }
    }
}

/// "HH:MM" of a moment in ms since the epoch, in Asia/Shanghai.
fn clock_of_ms(ms: f64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp((ms / 1000.0) as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(domain::SHANGHAI);
    format!("{:02}:{:02}", t.hour(), t.minute())
}

#[component]
fn PickupBody(list: PickupList, kept_ms: Option<f64>, outbox: PickupOutbox) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let round_id = list.round.id;
    let first = list.points.first().map(|p| p.point.id).unwrap_or(0);
    let point = RwSignal::new(first);
    let village = list.village_name.clone();
    let day = list.round.distribution_day;
    let points = StoredValue::new(list.points.clone());
    let pending = move || outbox.marks.with(|m| waiting(round_id, m));
    view! {
        <p class="crumbs"><a href=format!("/organise/rounds/{round_id}/packing")>{t!(i18n, pack_title)}</a></p>
        <h1>{t!(i18n, pku_title)}</h1>
        <p class="pack-head">
            <strong>{move || village.get(lang()).to_string()}</strong>
            " · "
            {move || t_string!(i18n, pack_round_day, day = format::format_date(day, lang()))}
        </p>
        {kept_ms.map(|ms| view! {
            <p class="note warn" role="status" data-testid="pickup-offline">
                {move || t_string!(i18n, pku_offline, time = clock_of_ms(ms))}
            </p>
        })}
        <Show when=move || { pending() > 0 }>
            <p class="note" role="status" data-testid="pickup-waiting">
                {move || t_string!(i18n, pku_waiting, n = pending())}
            </p>
        </Show>
        <label class="field">
            <span>{t!(i18n, pickup_point)}</span>
            <select data-testid="pickup-point" on:change=move |ev| {
                if let Ok(id) = event_target_value(&ev).parse::<i64>() {
                    point.set(id);
                }
            }>
                {list.points.iter().map(|p| {
                    let (id, name) = (p.point.id, p.point.name.clone());
                    let n = p.orders.len();
                    view! {
                        <option value=id.to_string() selected=move || point.get() == id>
                            {move || format!("{} ({n})", name.get(lang()))}
                        </option>
                    }
                }).collect_view()}
            </select>
        </label>
        {move || {
            let id = point.get();
            let orders = points.with_value(|ps| {
                ps.iter().find(|p| p.point.id == id).map(|p| p.orders.clone()).unwrap_or_default()
            });
            if orders.is_empty() {
                return view! { <p class="muted">{t!(i18n, pku_no_orders)}</p> }.into_any();
            }
            orders
                .into_iter()
                .map(|o| view! { <PickupCard order=o round_id=round_id outbox=outbox /> })
                .collect_view()
                .into_any()
        }}
        <section class="pickup-downloads">
            <h2>{t!(i18n, pku_downloads)}</h2>
            <p>
                <a data-testid="csv-pickup" href=move || api::pickup::csv_url(round_id, "pickup", lang(), Some(point.get())) download>{t!(i18n, pku_csv_pickup)}</a>
                " · "
                <a data-testid="csv-packing" href=move || api::pickup::csv_url(round_id, "packing", lang(), None) download>{t!(i18n, pack_title)}</a>
                " · "
                <a data-testid="csv-orders" href=move || api::pickup::csv_url(round_id, "orders", lang(), None) download>{t!(i18n, pku_csv_orders)}</a>
            </p>
        </section>
    }
}

fn state_words(i18n: I18n, s: PickupState) -> &'static str {
    match s {
        PickupState::Paid => t_string!(i18n, pku_paid),
        PickupState::Unpaid => t_string!(i18n, pku_unpaid),
        PickupState::Absent => t_string!(i18n, pku_absent),
    }
}

fn method_words(i18n: I18n, m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::Cash => t_string!(i18n, pku_cash),
        PaymentMethod::Transfer => t_string!(i18n, pku_transfer),
        PaymentMethod::Other => t_string!(i18n, pku_other),
    }
}

/// "Collected, paid · ¥45.00 · cash".
fn mark_words(
    i18n: I18n,
    s: PickupState,
    amount: Option<i64>,
    method: Option<PaymentMethod>,
) -> String {
    let mut words = state_words(i18n, s).to_string();
    if let Some(a) = amount {
        words.push_str(" · ");
        words.push_str(&format_yuan(a));
    }
    if let Some(m) = method {
        words.push_str(" · ");
        words.push_str(method_words(i18n, m));
    }
    words
}

/// One order to hand over, its pickup, and the three buttons.
#[component]
fn PickupCard(order: PickupOrder, round_id: i64, outbox: PickupOutbox) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let order_id = order.order_id.clone();
    let total = order.total_fen;
    let server = order.pickup.clone();
    let paying = RwSignal::new(false);
    let amount = RwSignal::new(yuan_input(total));
    let method = RwSignal::new(None::<PaymentMethod>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let shown = {
        let (order_id, server) = (order_id.clone(), server.clone());
        Memo::new(move |_| {
            outbox
                .marks
                .with(|m| shown_pickup(&order_id, server.as_ref(), m))
        })
    };
    let refused = {
        let order_id = order_id.clone();
        move || outbox.marks.with(|m| refusal(&order_id, m))
    };
    let submit = {
        let order_id = order_id.clone();
        move |state: PickupState| {
            let draft = PickupDraft {
                state,
                amount: amount.get_untracked(),
                method: method.get_untracked(),
            };
            let at = crate::components::now().to_offset(domain::SHANGHAI);
            match draft.to_input(crate::outbox::new_uuid(), at) {
                Ok(input) => {
                    errors.set(Vec::new());
                    paying.set(false);
                    outbox.mark(LocalMark::new(
                        order_id.clone(),
                        round_id,
                        input,
                        js_sys::Date::now(),
                    ));
                }
                Err(e) => errors.set(e),
            }
        }
    };
    let error_of = move |field: &'static str| {
        move || {
            errors.with(|e| {
                e.iter()
                    .find(|f| f.field == field)
                    .map(|f| f.text().get(lang()).to_string())
            })
        }
    };
    let (submit_paid, submit_unpaid, submit_absent) = (submit.clone(), submit.clone(), submit);
    let status = move || {
        let lang: Lang = lang();
        match shown.get() {
            ShownPickup::Unmarked => (
                String::new(),
                t_string!(i18n, pku_unmarked).to_string(),
                "unmarked",
            ),
            ShownPickup::Server(m) => (
                mark_words(i18n, m.state, m.amount_fen, m.method),
                format!(
                    "{} · {}",
                    m.marked_by.name.get(lang),
                    format::format_datetime(m.marked_at, lang)
                ),
                m.state.as_str(),
            ),
            ShownPickup::Local(l) => {
                let note = if l.retry.is_some() {
                    t_string!(i18n, pku_not_sent).to_string()
                } else {
                    format!(
                        "{} · {}",
                        t_string!(i18n, pku_sent),
                        format::format_datetime(l.input.marked_at, lang)
                    )
                };
                (
                    mark_words(i18n, l.input.state, l.input.amount_fen, l.input.method),
                    note,
                    l.input.state.as_str(),
                )
            }
        }
    };
    let sent_state = move || match shown.get() {
        ShownPickup::Local(l) if l.retry.is_some() => "waiting",
        ShownPickup::Unmarked => "none",
        _ => "sent",
    };
    view! {
        <section class="pickup-card" data-testid="pickup-order" data-order-id=order_id.clone()
            data-state=move || status().2 data-sent=sent_state>
            <h3>
                <span data-testid="pickup-member">{order.member_name.clone()}</span>
                " "
                <span class="muted small">{order.order_number.clone()}</span>
            </h3>
            <ul class="order-lines">
                {order.lines.iter().map(|l| {
                    let (n, u, hn) = (l.product_name.clone(), l.unit.clone(), l.household_name.clone());
                    let q = l.quantity;
                    view! {
                        <li>
                            <span>{move || format!("{} × {} {}", n.get(lang()), q, u.get(lang()))} " · " <span class="muted small">{move || hn.get(lang()).to_string()}</span></span>
                            <code>{l.label.clone()}</code>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="total-line"><span>{t!(i18n, total)}</span><strong>{format_yuan(total)}</strong></p>
            <p class="pickup-status" data-testid="pickup-status">
                <strong>{move || status().0}</strong>
                " "
                <span class="muted small" data-testid="pickup-note">{move || status().1}</span>
            </p>
            {move || refused().map(|r| view! {
                <p class="form-error" role="alert" data-testid="pickup-refused">
                    {t_string!(i18n, pku_refused, reason = r.get(lang()).to_string())}
                </p>
            })}
            <Show when=move || paying.get()>
                <div class="pickup-pay" data-testid="pickup-pay">
                    <label class="field">
                        <span>{t!(i18n, pku_amount)}</span>
                        <input type="text" inputmode="decimal" name="amount" data-testid="pickup-amount"
                            prop:value=move || amount.get()
                            on:input=move |ev| amount.set(event_target_value(&ev)) />
                    </label>
                    {move || error_of("amount_fen")().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                    <p class="pickup-methods" role="radiogroup">
                        {PaymentMethod::ALL.into_iter().map(|m| view! {
                            <button type="button" class="button secondary" data-testid=format!("method-{}", m.as_str())
                                class:on=move || method.get() == Some(m)
                                aria-pressed=move || (method.get() == Some(m)).to_string()
                                on:click=move |_| method.set(Some(m))>
                                {move || method_words(i18n, m)}
                            </button>
                        }).collect_view()}
                    </p>
                    {move || error_of("method")().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                    <button type="button" class="button primary wide big" data-testid="confirm-paid"
                        on:click={let s = submit_paid.clone(); move |_| s(PickupState::Paid)}>
                        {t!(i18n, pku_confirm)}
                    </button>
                    <button type="button" class="button secondary wide" on:click=move |_| { paying.set(false); errors.set(Vec::new()); }>
                        {t!(i18n, pku_cancel)}
                    </button>
                </div>
            </Show>
            <Show when=move || !paying.get()>
                <div class="pickup-actions">
                    <button type="button" class="button primary big" data-testid="mark-paid"
                        on:click=move |_| { amount.set(yuan_input(total)); paying.set(true); }>
                        {t!(i18n, pku_btn_paid)}
                    </button>
                    <button type="button" class="button secondary big" data-testid="mark-unpaid"
                        on:click={let s = submit_unpaid.clone(); move |_| s(PickupState::Unpaid)}>
                        {t!(i18n, pku_btn_unpaid)}
                    </button>
                    <button type="button" class="button secondary big" data-testid="mark-absent"
                        on:click={let s = submit_absent.clone(); move |_| s(PickupState::Absent)}>
                        {t!(i18n, pku_btn_absent)}
                    </button>
                </div>
            </Show>
        </section>
    }
}
