//! `/organise/v/{slug}/problems`: problems reported by label, open ones
//! first, each with its label, product, household, round and point; from
//! one an organiser resolves it, records a refund or withdraws the product.

use crate::api;
use crate::components::{
    busy, loaded_view, send, use_lang, FieldError, FormErrors, OrganiseVillageShell, SendStatus,
    Sent, Words,
};
use crate::drafts::RefundDraft;
use crate::format;
use crate::i18n::*;
use domain::feedback::{Problem, ProblemReport};
use domain::format_yuan;
use leptos::prelude::*;

#[component]
pub fn OrganiseProblemsPage() -> impl IntoView {
    view! {
        <OrganiseVillageShell
            title=keys::prob_title
            body=|s| view! { <Problems slug=s /> }.into_any()
        />
    }
}

fn problem_words(p: Problem) -> Words {
    match p {
        Problem::Spoiled => keys::fb_problem_spoiled,
        Problem::Damaged => keys::fb_problem_damaged,
        Problem::Wrong => keys::fb_problem_wrong,
        Problem::Missing => keys::fb_problem_missing,
        Problem::Other => keys::fb_problem_other,
    }
}

#[component]
fn Problems(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let list = crate::load::Load::new(move || api::feedback::problems(slug.clone()));
    let reload = Callback::new(move |_: ()| list.refetch());
    loaded_view(list, move |problems: Vec<ProblemReport>| {
        if problems.is_empty() {
            return view! { <p class="muted" data-testid="no-problems">{t!(i18n, prob_none)}</p> }
                .into_any();
        }
        view! {
            <ul class="cards">
                {problems.into_iter().map(|p| view! { <ProblemCard p=p reload=reload /> }).collect_view()}
            </ul>
        }
        .into_any()
    })
}

#[component]
fn ProblemCard(p: ProblemReport, reload: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let open = p.resolved_at.is_none();
    let left = (p.piece_fen - p.refunded_fen).max(0);
    let resolving = RwSignal::new(Sent::Idle);
    let refunding = RwSignal::new(false);
    let id = p.id;
    let resolve = move |_| {
        if busy(resolving) {
            return;
        }
        send(
            resolving,
            async move { api::feedback::resolve(id).await },
            move |answer| match answer {
                Ok(()) => {
                    reload.run(());
                    Sent::Saved(both!(prob_resolved))
                }
                Err(e) => Sent::failed(&e),
            },
        );
    };
    let (product, household, point) = (
        p.product_name.clone(),
        p.household_name.clone(),
        p.point_name.clone(),
    );
    let reported = format::unix_date(p.reported_at);
    let day = domain::wire::parse_date(&p.distribution_day);
    let day_text = move || {
        day.map(|d| format::format_date(d, lang()))
            .unwrap_or_else(|| p.distribution_day.clone())
    };
    let kind = problem_words(p.problem);
    let withdraw_href = format!("/organise/rounds/{}#product-{}", p.round_id, p.product_id);
    let (order_id, code) = (p.order_id.clone(), p.code.clone());
    view! {
        <li class="card problem" data-testid="problem" data-report-id=id data-state=if open { "open" } else { "resolved" }>
            <p class="card-title">
                {if open {
                    view! { <span class="badge open">{t!(i18n, prob_open)}</span> }.into_any()
                } else {
                    view! { <span class="badge resolved">{t!(i18n, prob_resolved)}</span> }.into_any()
                }}
                " " {move || kind(i18n.get_locale())}
                " · " <code data-testid="problem-code">{p.code.clone()}</code>
            </p>
            {(!p.comment.is_empty()).then(|| view! { <p data-testid="problem-comment">"“" {p.comment.clone()} "”"</p> })}
            <p class="meta"><strong>{move || product.get(lang()).to_string()}</strong> " · " <span data-testid="problem-household">{move || household.get(lang()).to_string()}</span></p>
            <p class="meta small"><a href=format!("/organise/rounds/{}", p.round_id)>{move || t_string!(i18n, prob_round, day = day_text())}</a></p>
            <p class="meta muted small">
                {move || point.get(lang()).to_string()}
                " · " {move || t_string!(i18n, prob_order, number = p.order_number.clone())}
            </p>
            <p class="meta muted small">
                {move || reported.map(|d| t_string!(i18n, prob_reported, date = format::format_date(d, lang())).to_string())}
                " · " <span data-testid="problem-money">{move || t_string!(i18n, prob_piece, price = format_yuan(p.piece_fen), refunded = format_yuan(p.refunded_fen))}</span>
            </p>
            <SendStatus state=resolving />
            <div class="actions">
                {open.then(|| view! {
                    <button class="button secondary" type="button" data-testid="resolve" disabled=move || resolving.with(Sent::busy) on:click=resolve>{t!(i18n, prob_resolve)}</button>
                })}
                // A piece refunded in full has nothing left to give back.
                {(left > 0).then(|| view! {
                    <Show when=move || !refunding.get()>
                        <button class="button secondary" type="button" data-testid="refund-open" on:click=move |_| refunding.set(true)>{t!(i18n, prob_refund_open)}</button>
                    </Show>
                })}
            </div>
            <Show when=move || refunding.get()>
                <RefundForm order_id=order_id.clone() code=code.clone() report_id=id left=left reload=reload />
            </Show>
            <p class="small"><a href=withdraw_href.clone() data-testid="withdraw-link">{t!(i18n, prob_withdraw)}</a></p>
        </li>
    }
}

/// The refund of one piece, answering the report; its reason shows on the
/// member's order.
#[component]
fn RefundForm(
    order_id: String,
    code: String,
    report_id: i64,
    left: i64,
    reload: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(RefundDraft {
        amount: format_yuan(left).trim_start_matches('¥').to_string(),
        reason: String::new(),
        label_code: Some(code),
        report_id: Some(report_id),
    });
    let errors = FormErrors::new();
    let status = RwSignal::new(Sent::Idle);
    let order_id = StoredValue::new(order_id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy(status) {
            return;
        }
        let Some(input) = errors.checked(
            status,
            both!(prob_fix),
            draft.with_untracked(|d| d.to_input(left)),
        ) else {
            return;
        };
        let id = order_id.get_value();
        send(
            status,
            async move { api::feedback::refund(&id, &input).await },
            move |answer| match answer {
                Ok(r) => {
                    reload.run(());
                    Sent::Saved(both!(prob_refund_saved, amount = format_yuan(r.amount_fen)))
                }
                Err(e) => errors.failed(e),
            },
        );
    };
    view! {
        <form class="form step-box" on:submit=submit novalidate data-testid="refund-form">
            <label class="field">
                <span>{t!(i18n, prob_refund_amount)}</span>
                <input inputmode="decimal" data-testid="refund-amount"
                    prop:value=move || draft.with(|d| d.amount.clone())
                    on:input=move |ev| draft.update(|d| d.amount = event_target_value(&ev)) />
                <FieldError text=errors.note("amount_fen") />
            </label>
            <label class="field">
                <span>{t!(i18n, prob_refund_reason)}</span>
                <input data-testid="refund-reason" maxlength="200"
                    prop:value=move || draft.with(|d| d.reason.clone())
                    on:input=move |ev| draft.update(|d| d.reason = event_target_value(&ev)) />
                <FieldError text=errors.note("reason") />
            </label>
            <crate::components::SubmitWithStatus state=status class="button primary wide" testid="refund-send" label=keys::prob_refund_send />
        </form>
    }
}
