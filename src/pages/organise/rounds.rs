//! `/organise/v/{slug}/rounds`: the village's rounds, newest first, and a
//! form for a new round.

use crate::api::{self, WriteError};
use crate::components::FieldError as FieldNote;
use crate::components::{
    busy, loaded_view, now, send, today_shanghai, use_lang, OrganiseVillageShell, RoundRow, Sent,
    SubmitWithStatus,
};
use crate::drafts::RoundDraft;
use crate::i18n::*;
use domain::dto::DistributionPoint;
use domain::organise::RoundSummary;
use domain::FieldError;
use leptos::prelude::*;

/// The words for a broken rule of the round form; the server's or the
/// domain's message follows as detail when we have no words of our own.
fn round_field_message(i18n: I18n, f: &FieldError) -> String {
    // The English text tells which rule broke; the detail shown is in the
    // organiser's language.
    let m = f.message.as_str();
    let local = f.text();
    let local = local.get(crate::lang_of(i18n.get_locale()));
    let field = f.field.split('[').next().unwrap_or("");
    match field {
        "opens_at" => t_string!(i18n, orgr_err_opens).to_string(),
        "deadline" if m.contains("after the time") => {
            t_string!(i18n, orgr_err_deadline_order).to_string()
        }
        "deadline" if m.contains("future") => t_string!(i18n, orgr_err_deadline_past).to_string(),
        "deadline" => format!("{} ({local})", t_string!(i18n, orgr_err_deadline)),
        "distribution_day" if m.contains("after the day") => {
            t_string!(i18n, orgr_err_day_after).to_string()
        }
        "distribution_day" if m.contains("within a year") => {
            t_string!(i18n, orgr_err_day_year).to_string()
        }
        "distribution_day" => format!("{} ({local})", t_string!(i18n, orgr_err_day)),
        "point_ids" => t_string!(i18n, orgr_err_points).to_string(),
        _ => local.to_string(),
    }
}

/// `/organise/v/{slug}/rounds`.
#[component]
pub fn OrganiseRoundsPage() -> impl IntoView {
    view! {
        <OrganiseVillageShell title=keys::org_rounds body=|s| view! { <NewRound slug=s.clone() /> <RoundList slug=s /> }.into_any() />
    }
}

#[component]
fn RoundList(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let rounds = crate::load::Load::new(move || api::org_rounds(slug.clone()));
    loaded_view(rounds, move |list: Vec<RoundSummary>| {
        if list.is_empty() {
            return view! { <p class="empty" data-testid="no-rounds">{t!(i18n, orgr_none)}</p> }
                .into_any();
        }
        let (ahead, past) =
            crate::rounds::rounds_in_working_order(list, today_shanghai(), |r| &r.round);
        let ahead = if ahead.is_empty() {
            view! { <p class="empty" data-testid="no-rounds-ahead">{t!(i18n, orgr_none_ahead)}</p> }
                .into_any()
        } else {
            view! {
                <ul class="cards" data-testid="round-list">
                    {ahead.into_iter().map(|r| view! { <RoundRow r /> }).collect_view()}
                </ul>
            }
            .into_any()
        };
        let past = (!past.is_empty()).then(|| {
            view! {
                <h2 class="past-rounds">{t!(i18n, orgr_past)}</h2>
                <ul class="cards" data-testid="past-round-list">
                    {past.into_iter().map(|r| view! { <RoundRow r /> }).collect_view()}
                </ul>
            }
        });
        view! { {ahead} {past} }.into_any()
    })
}

#[component]
fn NewRound(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = crate::use_go();
    let start = RoundDraft::new(now());
    let opens = RwSignal::new(start.opens_at);
    let deadline = RwSignal::new(start.deadline);
    let day = RwSignal::new(start.distribution_day);
    let points = RwSignal::new(start.point_ids);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let sent = RwSignal::new(Sent::Idle);
    let village_slug = slug.clone();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy(sent) {
            return;
        }
        let draft = RoundDraft {
            opens_at: opens.get_untracked(),
            deadline: deadline.get_untracked(),
            distribution_day: day.get_untracked(),
            point_ids: points.get_untracked(),
        };
        let input = match draft.to_input(now()) {
            Ok(input) => input,
            Err(e) => {
                errors.set(e);
                sent.set(Sent::Idle);
                return;
            }
        };
        errors.set(vec![]);
        let slug = slug.clone();
        let navigate = navigate.clone();
        send(
            sent,
            async move { api::create_round(&slug, &input).await },
            move |answer| match answer {
                Ok(r) => {
                    navigate(&format!("/organise/rounds/{}?created=1", r.round.id));
                    Sent::Saved(both!(orgr_created))
                }
                Err(e) => {
                    if let WriteError::Refused { fields, .. } = &e {
                        errors.set(fields.clone());
                    }
                    Sent::failed(&e)
                }
            },
        );
    };
    let error_for = move |field: &'static str| {
        Signal::derive(move || {
            errors.with(|e| {
                let msgs: Vec<String> = e
                    .iter()
                    .filter(|f| f.field.split('[').next() == Some(field))
                    .map(|f| round_field_message(i18n, f))
                    .collect();
                (!msgs.is_empty()).then(|| msgs.join(" "))
            })
        })
    };

    view! {
        <details class="step-box new-round" data-testid="new-round">
            <summary class="button primary wide" data-testid="new-round-open">"＋ " {t!(i18n, orgr_new)}</summary>
            <p class="muted small">{t!(i18n, orgr_times_note)}</p>
            <form class="form" on:submit=submit data-testid="new-round-form" novalidate>
                <label>
                    <span>{t!(i18n, orgr_opens)}</span>
                    <input type="datetime-local" name="opens_at" bind:value=opens />
                    <FieldNote text=error_for("opens_at") />
                </label>
                <label>
                    <span>{t!(i18n, orgr_deadline)}</span>
                    <input type="datetime-local" name="deadline" bind:value=deadline />
                    <FieldNote text=error_for("deadline") />
                </label>
                <label>
                    <span>{t!(i18n, orgr_day)}</span>
                    <input type="date" name="distribution_day" bind:value=day />
                    <FieldNote text=error_for("distribution_day") />
                </label>
                <fieldset class="checks" data-testid="new-round-points">
                    <legend>{t!(i18n, orgr_points)}</legend>
                    <VillagePoints slug=village_slug points=points />
                    <FieldNote text=error_for("point_ids") />
                </fieldset>
                <Show when=move || errors.with(|e| !e.is_empty())>
                    <p class="form-error" role="alert" data-testid="round-errors">{t!(i18n, orgr_fix_errors)}</p>
                </Show>
                <SubmitWithStatus state=sent class="button primary wide big" testid="create-round" label=keys::orgr_create />
            </form>
        </details>
    }
}

/// The village's distribution points to tick for a new round.
#[component]
fn VillagePoints(slug: String, points: RwSignal<Vec<i64>>) -> impl IntoView {
    let village = crate::load::Load::new(move || api::village(slug.clone()));
    loaded_view(village, move |v| {
        v.distribution_points
            .into_iter()
            .map(|p| view! { <PointCheck p=p points=points /> })
            .collect_view()
    })
}

#[component]
fn PointCheck(p: DistributionPoint, points: RwSignal<Vec<i64>>) -> impl IntoView {
    let lang = use_lang();
    let id = p.id;
    let name = p.name.clone();
    let addr = p.address.clone();
    let window = format!("{}–{}", p.pickup_from, p.pickup_to);
    view! {
        <label class="check">
            <input type="checkbox" name="point" value=id data-testid="point-check"
                prop:checked=move || points.with(|ps| ps.contains(&id))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    points.update(|ps| {
                        ps.retain(|x| *x != id);
                        if on { ps.push(id); }
                    });
                } />
            <span>
                <span>{move || name.get(lang()).to_string()}</span>
                <span class="muted small">{move || format!("{} · {}", addr.get(lang()), window)}</span>
            </span>
        </label>
    }
}
