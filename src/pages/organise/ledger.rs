//! `/organise/v/{slug}/share?year=YYYY`: the organising share's ledger.
//! What the share collected from settled rounds, each entry of what it
//! paid for, by category, and the balance; the form to add an entry. The
//! village page shows the public summary of the same figures.

use crate::api::money;
use crate::components::{
    loaded_view, send, today_shanghai, use_lang, Drafted, FieldError as FieldNote,
    OrganiseVillageShell, SendStatus, Sent, SubmitWithStatus,
};
use crate::drafts::SpendingDraft;
use crate::format;
use crate::i18n::*;
use crate::nav::use_query_map;
use domain::income::{ShareCategory, ShareLedger, SpendingEntry};
use domain::money::format_yuan;
use leptos::prelude::*;

#[component]
pub fn LedgerPage() -> impl IntoView {
    view! {
        <OrganiseVillageShell title=keys::led_title body=|s| view! { <Ledger slug=s /> }.into_any() />
    }
}

#[component]
fn Ledger(slug: String) -> impl IntoView {
    let query = use_query_map();
    let year = Signal::derive(move || query.read().get("year").and_then(|y| y.parse::<i32>().ok()));
    let ledger = crate::load::Load::new({
        let slug = slug.clone();
        move || money::ledger(slug.clone(), year.get())
    });
    let reload = Callback::new(move |_| ledger.refetch());
    view! {
        <NewEntry slug=slug.clone() reload=reload />
        {loaded_view(ledger, move |l| view! { <Figures l=l slug=slug.clone() reload=reload /> })}
    }
}

#[component]
fn Figures(l: ShareLedger, slug: String, reload: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let year = l.year;
    let s = l.summary.clone();
    let percent = s.organising_percent;
    let all_time = l.balance_all_time_fen;
    view! {
        <nav class="seg" aria-label=move || t_string!(i18n, inc_years)>
            {s.years.iter().copied().map(|y| {
                let href = format!("/organise/v/{slug}/share?year={y}");
                view! { <a href=href class=if y == year { "on" } else { "" } data-testid="led-year">{y}</a> }
            }).collect_view()}
        </nav>
        <dl class="facts" data-testid="led-figures">
            <div><dt>{move || t_string!(i18n, led_collected, year = year, percent = percent)}</dt><dd data-testid="led-collected">{format_yuan(s.collected_fen)}</dd></div>
            <div><dt>{move || t_string!(i18n, led_spent, year = year)}</dt><dd data-testid="led-spent">{format_yuan(s.spent_fen)}</dd></div>
            <div><dt>{move || t_string!(i18n, led_balance, year = year)}</dt><dd data-testid="led-balance">{format_yuan(s.balance_fen)}</dd></div>
            <div><dt>{t!(i18n, led_balance_all)}</dt><dd data-testid="led-balance-all">{format_yuan(all_time)}</dd></div>
        </dl>
        <ul class="order-lines" data-testid="led-categories">
            {s.by_category.into_iter().map(|c| {
                let words = format::category_words(c.category);
                view! { <li><span>{move || words(i18n.get_locale())}</span><span class="price">{format_yuan(c.amount_fen)}</span></li> }
            }).collect_view()}
        </ul>
        <h2>{move || t_string!(i18n, led_entries, year = year)}</h2>
        {l.entries.is_empty().then(|| view! { <p class="muted" data-testid="led-empty">{t!(i18n, led_no_entries)}</p> })}
        <ul class="cards">
            {l.entries.into_iter().map(|e| view! { <EntryRow e=e reload=reload /> }).collect_view()}
        </ul>
        <p class="muted small">{t!(i18n, led_public_note)}</p>
    }
}

#[component]
fn EntryRow(e: SpendingEntry, reload: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let words = format::category_words(e.category);
    let (note, by, day, id) = (e.note.clone(), e.by.name.clone(), e.spent_on, e.id);
    let asking = RwSignal::new(false);
    let status = RwSignal::new(Sent::Idle);
    let remove = move |_| {
        if crate::components::busy(status) {
            return;
        }
        send(
            status,
            money::delete_spending(id),
            move |answer| match answer {
                Ok(()) => {
                    reload.run(());
                    Sent::Idle
                }
                Err(e) => Sent::failed(&e),
            },
        );
    };
    view! {
        <li class="card pad" data-testid="led-entry">
            <div class="card-main">
                <span class="card-title">{move || words(i18n.get_locale())} " · " {format_yuan(e.amount_fen)}</span>
                <span class="meta small muted">{move || format::format_date(day, lang())} " · " {move || by.get(lang()).to_string()}</span>
                <span class="small">{move || note.get(lang()).to_string()}</span>
            </div>
            <Show when=move || !asking.get() fallback=move || view! {
                <div class="confirm-box" role="alertdialog" data-testid="led-confirm">
                    <p>{t!(i18n, led_remove_confirm)}</p>
                    <button class="button danger" type="button" data-testid="led-remove-yes" disabled=move || status.with(Sent::busy) on:click=remove>{t!(i18n, led_remove)}</button>
                    <button class="button secondary" type="button" on:click=move |_| asking.set(false)>{t!(i18n, cancel_no)}</button>
                </div>
            }>
                <button class="button secondary small" type="button" data-testid="led-remove" on:click=move |_| asking.set(true)>{t!(i18n, led_remove)}</button>
            </Show>
            <SendStatus state=status />
        </li>
    }
}

#[component]
fn NewEntry(slug: String, reload: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let today = today_shanghai();
    let f = Drafted::new(SpendingDraft::new(today));
    let status = RwSignal::new(Sent::Idle);
    let open = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if crate::components::busy(status) {
            return;
        }
        let input = match f.draft.get_untracked().to_input(today) {
            Ok(i) => i,
            Err(e) => {
                f.errors.set(e);
                status.set(Sent::Failed(both!(visit_fix_errors)));
                return;
            }
        };
        f.errors.set(vec![]);
        let slug = slug.clone();
        send(
            status,
            async move { money::create_spending(&slug, &input).await },
            move |answer| match answer {
                Ok(_) => {
                    f.draft.set(SpendingDraft::new(today));
                    open.set(false);
                    reload.run(());
                    Sent::Saved(both!(led_saved))
                }
                Err(e) if f.take_refusal(&e) => Sent::Failed(both!(visit_fix_errors)),
                Err(e) => Sent::failed(&e),
            },
        );
    };
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button class="button primary wide" type="button" data-testid="led-new" on:click=move |_| open.set(true)>"＋ " {t!(i18n, led_new)}</button>
            <SendStatus state=status />
        }>
            <form class="form step-box" on:submit=save.clone() novalidate data-testid="led-form">
                <label>
                    <span>{t!(i18n, led_category)}</span>
                    <select data-testid="led-category" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(c) = ShareCategory::parse(&v) { f.draft.update(|d| d.category = c); }
                    }>
                        {ShareCategory::ALL.into_iter().map(|c| {
                            let words = format::category_words(c);
                            view! { <option value=c.as_str() selected=move || f.draft.with(|d| d.category == c)>{move || words(i18n.get_locale())}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{t!(i18n, led_amount)}</span>
                    <input inputmode="decimal" data-testid="led-amount" prop:value=move || f.draft.with(|d| d.amount.clone()) on:input=move |ev| { let v = event_target_value(&ev); f.draft.update(|d| d.amount = v); } />
                    <FieldNote text=f.error_of("amount_fen", "") />
                </label>
                <label>
                    <span>{t!(i18n, led_day)}</span>
                    <input type="date" data-testid="led-day" prop:value=move || f.draft.with(|d| d.spent_on.clone()) on:input=move |ev| { let v = event_target_value(&ev); f.draft.update(|d| d.spent_on = v); } />
                    <FieldNote text=f.error_of("spent_on", "") />
                </label>
                {f.text("说明（中文）", "led-note-zh", "note_zh", |d| &d.note_zh, |d, v| d.note_zh = v, false)}
                {f.text("Note (English)", "led-note-en", "note_en", |d| &d.note_en, |d, v| d.note_en = v, false)}
                <div class="form-actions">
                    <SubmitWithStatus state=status class="button primary" testid="led-save" label=keys::led_save />
                    <button class="button secondary" type="button" data-testid="led-close" on:click=move |_| open.set(false)>{t!(i18n, led_close)}</button>
                </div>
            </form>
        </Show>
    }
}
