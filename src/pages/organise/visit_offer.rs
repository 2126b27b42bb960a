//! `/organise/v/{slug}/visits/offer`: the village's visit offer: the
//! policy, and each host's beds, meals, prices in yuan, what they offer
//! and house rules. Saved whole; confirmed bookings keep what they were
//! priced with.

use crate::api::{self, WriteError};
use crate::components::FieldError as FieldNote;
use crate::components::{
    busy, field_note, loaded_view, send, use_lang, OrganiseVillageShell, Sent, SubmitWithStatus,
};
use crate::drafts::{HostDraft, OfferDraft};
use crate::i18n::*;
use domain::dto::HouseholdRef;
use domain::organise::visit_offer::OrganiseVisitOffer;
use domain::{FieldError, LocalText};
use leptos::prelude::*;

/// `/organise/v/{slug}/visits/offer`.
#[component]
pub fn OrganiseVisitOfferPage() -> impl IntoView {
    view! {
        <OrganiseVillageShell title=keys::orgo_title body=|s| view! { <OfferLoader slug=s /> }.into_any() />
    }
}

#[component]
fn OfferLoader(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/organise/v/{slug}/visits");
    let load_slug = slug.clone();
    let offer = crate::load::Load::new(move || api::org_visit_offer(load_slug.clone()));
    view! {
        <p class="crumbs"><a href=href>{t!(i18n, org_visits)}</a></p>
        <p class="muted small">{t!(i18n, orgo_intro)}</p>
        {loaded_view(offer, move |o| view! { <OfferForm slug=slug.clone() initial=o /> })}
    }
}

/// What the form shares with its host cards.
#[derive(Clone, Copy)]
struct Form {
    draft: RwSignal<OfferDraft>,
    errors: RwSignal<Vec<FieldError>>,
    sent: RwSignal<Sent>,
    households: StoredValue<Vec<HouseholdRef>>,
}

impl Form {
    /// The words for `field`, in the organiser's language.
    fn error_for(self, field: String) -> Signal<Option<String>> {
        field_note(self.errors, move || Some(field.clone()))
    }

    fn edit(self, f: impl FnOnce(&mut OfferDraft)) {
        self.draft.update(f);
        self.sent.set(Sent::Idle);
    }

    fn name_of(self, id: i64) -> LocalText {
        self.households.with_value(|hs| {
            hs.iter()
                .find(|h| h.id == id)
                .map(|h| h.name.clone())
                .unwrap_or_else(|| LocalText::new(format!("#{id}"), format!("#{id}")))
        })
    }
}

#[component]
fn OfferForm(slug: String, initial: OrganiseVisitOffer) -> impl IntoView {
    let i18n = use_i18n();
    let f = Form {
        draft: RwSignal::new(OfferDraft::from_input(&initial.offer)),
        errors: RwSignal::new(Vec::new()),
        sent: RwSignal::new(Sent::Idle),
        households: StoredValue::new(initial.households.clone()),
    };
    let takes_visitors = RwSignal::new(initial.takes_visitors);
    // Host cards are made again only when a host joins or leaves, so that
    // typing in one keeps its focus.
    let host_ids = Memo::new(move |_| {
        f.draft
            .with(|d| d.hosts.iter().map(|h| h.household_id).collect::<Vec<_>>())
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy(f.sent) {
            return;
        }
        let input = match f.draft.with_untracked(OfferDraft::to_input) {
            Ok(i) => i,
            Err(e) => {
                f.errors.set(e);
                f.sent.set(Sent::Failed(both!(orgo_fix_errors)));
                return;
            }
        };
        f.errors.set(vec![]);
        let slug = slug.clone();
        send(
            f.sent,
            async move { api::save_visit_offer(&slug, &input).await },
            move |answer| match answer {
                Ok(o) => {
                    f.draft.set(OfferDraft::from_input(&o.offer));
                    takes_visitors.set(o.takes_visitors);
                    Sent::Saved(both!(orgo_saved))
                }
                Err(e) => {
                    if let WriteError::Refused { fields, .. } = &e {
                        f.errors.set(fields.clone());
                    }
                    Sent::failed(&e)
                }
            },
        );
    };
    let policy_field = move |label: Words,
                             field: &'static str,
                             kind: &'static str,
                             get: fn(&OfferDraft) -> String,
                             set: fn(&mut OfferDraft, String)| {
        view! {
            <label>
                <span>{move || label(i18n.get_locale())}</span>
                <input type=kind name=field data-testid=format!("offer-{field}")
                    inputmode=if kind == "number" { "numeric" } else { "" }
                    aria-invalid=move || f.errors.with(|e| e.iter().any(|x| x.field == field)).to_string()
                    prop:value=move || f.draft.with(get)
                    on:input=move |ev| { let v = event_target_value(&ev); f.edit(|d| set(d, v)); } />
                <FieldNote text=f.error_for(field.to_string()) />
            </label>
        }
    };
    view! {
        <Show when=move || !takes_visitors.get()>
            <p class="note" data-testid="offer-not-yet">{t!(i18n, orgo_not_yet)}</p>
        </Show>
        <form class="form" on:submit=save data-testid="offer-form" novalidate>
            <section class="step-box" aria-labelledby="policy-h">
                <h2 id="policy-h">{t!(i18n, orgo_policy)}</h2>
                {policy_field(keys::orgo_open_from, "open_from", "date", |d| d.open_from.clone(), |d, v| d.open_from = v)}
                {policy_field(keys::orgo_open_until, "open_until", "date", |d| d.open_until.clone(), |d, v| d.open_until = v)}
                {policy_field(keys::orgo_max_party, "max_party", "number", |d| d.max_party.clone(), |d, v| d.max_party = v)}
                {policy_field(keys::orgo_max_nights, "max_nights", "number", |d| d.max_nights.clone(), |d, v| d.max_nights = v)}
                {policy_field(keys::orgo_free_cancel, "free_cancel_days_before", "number", |d| d.free_cancel_days.clone(), |d, v| d.free_cancel_days = v)}
            </section>
            <section class="step-box" aria-labelledby="hosts-h">
                <h2 id="hosts-h">{t!(i18n, orgo_hosts)}</h2>
                <p class="muted small">{t!(i18n, orgo_remove_note)}</p>
                <FieldNote text=f.error_for("hosts".to_string()) />
                {move || {
                    let ids = host_ids.get();
                    if ids.is_empty() {
                        return view! { <p class="empty" data-testid="no-hosts">{t!(i18n, orgo_no_hosts)}</p> }.into_any();
                    }
                    view! {
                        <ul class="cards" data-testid="host-list">
                            {ids.into_iter().map(|id| view! { <HostCard id=id f=f /> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <AddHost f=f ids=host_ids />
            </section>
            <Show when=move || f.errors.with(|e| !e.is_empty())>
                <p class="form-error" role="alert" data-testid="offer-errors">{t!(i18n, orgo_fix_errors)}</p>
            </Show>
            <div class="sticky-save">
                <SubmitWithStatus state=f.sent class="button primary wide big" testid="save-offer" label=keys::orgo_save />
            </div>
        </form>
    }
}

type Words = crate::components::Words;

/// One host: its numbers, meals and texts.
#[component]
fn HostCard(id: i64, f: Form) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let name = f.name_of(id);
    // Where this host is in the list now: field errors are named by it.
    let index = move || {
        f.draft
            .with_untracked(|d| d.hosts.iter().position(|h| h.household_id == id))
    };
    let field = move |name: &'static str| {
        field_note(f.errors, move || {
            let i = f
                .draft
                .with(|d| d.hosts.iter().position(|h| h.household_id == id))?;
            Some(format!("hosts[{i}].{name}"))
        })
    };
    let edit = move |set: Box<dyn FnOnce(&mut HostDraft)>| {
        if let Some(i) = index() {
            f.edit(|d| set(&mut d.hosts[i]));
        }
    };
    let get = move |read: fn(&HostDraft) -> String| {
        move || {
            f.draft.with(|d| {
                d.hosts
                    .iter()
                    .find(|h| h.household_id == id)
                    .map(read)
                    .unwrap_or_default()
            })
        }
    };
    let number = move |label: Words,
                       testid: &'static str,
                       err: &'static str,
                       mode: &'static str,
                       read: fn(&HostDraft) -> String,
                       write: fn(&mut HostDraft, String)| {
        let note = field(err);
        view! {
            <label>
                <span>{move || label(i18n.get_locale())}</span>
                <input type="text" inputmode=mode data-testid=testid
                    aria-invalid=move || note.with(Option::is_some).to_string()
                    prop:value=get(read)
                    on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |h| write(h, v))); } />
                <FieldNote text=note />
            </label>
        }
    };
    let text = move |label: Words,
                     testid: &'static str,
                     err: &'static str,
                     read: fn(&HostDraft) -> String,
                     write: fn(&mut HostDraft, String)| {
        let note = field(err);
        view! {
            <label>
                <span>{move || label(i18n.get_locale())}</span>
                <textarea rows="3" data-testid=testid
                    aria-invalid=move || note.with(Option::is_some).to_string()
                    prop:value=get(read)
                    on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |h| write(h, v))); }></textarea>
                <FieldNote text=note />
            </label>
        }
    };
    let meal = move |label: Words,
                     testid: &'static str,
                     read: fn(&HostDraft) -> bool,
                     write: fn(&mut HostDraft, bool)| {
        view! {
            <label class="check">
                <input type="checkbox" data-testid=testid
                    prop:checked=move || f.draft.with(|d| d.hosts.iter().find(|h| h.household_id == id).map(read).unwrap_or(false))
                    on:change=move |ev| { let on = event_target_checked(&ev); edit(Box::new(move |h| write(h, on))); } />
                <span>{move || label(i18n.get_locale())}</span>
            </label>
        }
    };
    let remove = move |_| {
        f.edit(|d| d.hosts.retain(|h| h.household_id != id));
        f.errors.set(vec![]);
    };
    view! {
        <li class="card offer-host" data-testid="host-card" data-household-id=id>
            <h3 class="card-title">{move || name.get(lang()).to_string()}</h3>
            {number(keys::orgo_beds, "host-beds", "beds", "numeric", |h| h.beds.clone(), |h, v| h.beds = v)}
            {number(keys::orgo_adult_night, "host-adult-night", "prices.adult_night_fen", "decimal", |h| h.adult_night.clone(), |h, v| h.adult_night = v)}
            {number(keys::orgo_child_night, "host-child-night", "prices.child_night_fen", "decimal", |h| h.child_night.clone(), |h, v| h.child_night = v)}
            {number(keys::orgo_meal_adult, "host-meal-adult", "prices.meal_adult_fen", "decimal", |h| h.meal_adult.clone(), |h, v| h.meal_adult = v)}
            {number(keys::orgo_meal_child, "host-meal-child", "prices.meal_child_fen", "decimal", |h| h.meal_child.clone(), |h, v| h.meal_child = v)}
            <fieldset class="checks">
                <legend>{t!(i18n, orgo_meals)}</legend>
                {meal(keys::orgo_breakfast, "host-breakfast", |h| h.meals.breakfast, |h, on| h.meals.breakfast = on)}
                {meal(keys::orgo_lunch, "host-lunch", |h| h.meals.lunch, |h, on| h.meals.lunch = on)}
                {meal(keys::orgo_dinner, "host-dinner", |h| h.meals.dinner, |h, on| h.meals.dinner = on)}
            </fieldset>
            {text(keys::orgo_desc_zh, "host-desc-zh", "description.zh", |h| h.description.zh.clone(), |h, v| h.description.zh = v)}
            {text(keys::orgo_desc_en, "host-desc-en", "description.en", |h| h.description.en.clone(), |h, v| h.description.en = v)}
            {text(keys::orgo_rules_zh, "host-rules-zh", "rules.zh", |h| h.rules.zh.clone(), |h, v| h.rules.zh = v)}
            {text(keys::orgo_rules_en, "host-rules-en", "rules.en", |h| h.rules.en.clone(), |h, v| h.rules.en = v)}
            <button class="button secondary" type="button" data-testid="remove-host" on:click=remove>{t!(i18n, orgo_remove_host)}</button>
        </li>
    }
}

/// A household of the village that does not host yet starts hosting.
#[component]
fn AddHost(f: Form, ids: Memo<Vec<i64>>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let chosen = RwSignal::new(String::new());
    let add = move |_| {
        let Ok(id) = chosen.get_untracked().parse::<i64>() else {
            return;
        };
        if ids.with_untracked(|ids| ids.contains(&id)) {
            return;
        }
        f.edit(|d| d.hosts.push(HostDraft::new(id)));
        chosen.set(String::new());
    };
    let free = move || {
        let taken = ids.get();
        f.households.with_value(|hs| {
            hs.iter()
                .filter(|h| !taken.contains(&h.id))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || !free().is_empty()>
            <div class="add-host">
                <label>
                    <span>{t!(i18n, orgo_choose_household)}</span>
                    <select data-testid="add-host-select" prop:value=move || chosen.get()
                        on:change=move |ev| chosen.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {move || free().into_iter().map(|h| view! {
                            <option value=h.id.to_string()>{h.name.get(lang()).to_string()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button class="button secondary" type="button" data-testid="add-host" on:click=add
                    disabled=move || chosen.with(String::is_empty)>"＋ " {t!(i18n, orgo_add_host)}</button>
            </div>
        </Show>
    }
}
