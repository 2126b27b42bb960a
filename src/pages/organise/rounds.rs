//! `/organise/v/{slug}/rounds`: the village's rounds, newest first, and a
//! form for a new round. Also the small pieces the other organiser pages
//! share: the "saved" status line, error words, Asia/Shanghai inputs.

use crate::api::{self, WriteError};
use crate::components::FieldError as FieldNote;
use crate::components::{now, today_shanghai, use_lang, ErrorPanel, Loading, PageTitle};
use crate::format;
use crate::i18n::*;
use crate::nav::use_params_map;
use crate::pages::organise::{OrganiseCrumbs, OrganiseGate};
use domain::organise::{validate_round, RoundInput, RoundSummary};
use domain::{wire, FieldError, LocalText, SHANGHAI};
use leptos::prelude::*;
use leptos::task::spawn_local;
use time::OffsetDateTime;

pub type I18n = crate::i18n::I18n;

/// Where a write stands, for the status line under a form.
#[derive(Clone, Debug, PartialEq)]
pub enum Sent {
    Idle,
    Sending,
    Saved(LocalText),
    Failed(LocalText),
}

impl Sent {
    pub fn busy(&self) -> bool {
        matches!(self, Sent::Sending)
    }
}

/// "Saving…", "✓ Saved …" (role=status) or the error (role=alert).
#[component]
pub fn SendStatus(state: RwSignal<Sent>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    move || {
        match state.get() {
        Sent::Idle => ().into_any(),
        Sent::Sending => view! {
            <p class="muted small" role="status" data-testid="sending">{t!(i18n, working)}</p>
        }
        .into_any(),
        Sent::Saved(m) => view! {
            <p class="note saved" role="status" data-testid="saved">"✓ " {m.get(lang()).to_string()}</p>
        }
        .into_any(),
        Sent::Failed(m) => view! {
            <p class="form-error" role="alert" data-testid="save-error">{m.get(lang()).to_string()}</p>
        }
        .into_any(),
    }
    }
}

/// Words for a write that did not go through.
pub fn write_error_text(e: &WriteError) -> LocalText {
    match e {
        WriteError::Unauthorized(_) => both!(orgr_err_session),
        WriteError::Refused { status: 403, .. } => both!(org_not_your_village),
        e if e.is_retryable() => both!(offline_error),
        e => e.message(),
    }
}

/// The value of an `<input type=datetime-local>` showing `t` in Asia/Shanghai.
pub fn shanghai_input_value(t: OffsetDateTime) -> String {
    let l = t.to_offset(SHANGHAI);
    format!(
        "{}T{:02}:{:02}",
        wire::format_date(l.date()),
        l.hour(),
        l.minute()
    )
}

/// A `datetime-local` value read as Asia/Shanghai time, whatever zone the
/// phone is set to.
pub fn parse_shanghai_input(v: &str) -> Option<OffsetDateTime> {
    let v = v.trim();
    let s = match v.len() {
        16 => format!("{v}:00+08:00"),
        19 => format!("{v}+08:00"),
        _ => return None,
    };
    wire::parse_datetime(&s)
}

pub fn phase_label(i18n: I18n, phase: &str) -> String {
    match phase {
        "open" => t_string!(i18n, orgr_phase_open).to_string(),
        "not_yet_open" => t_string!(i18n, orgr_phase_not_yet).to_string(),
        "closed" => t_string!(i18n, orgr_phase_closed).to_string(),
        other => other.to_string(),
    }
}

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
    let i18n = use_i18n();
    let params = use_params_map();
    let slug = Signal::derive(move || params.read().get("slug").unwrap_or_default());
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, org_rounds).to_string()) />
        <OrganiseGate village=slug>
            {move || {
                let s = slug.get();
                view! {
                    <OrganiseCrumbs slug=s.clone() />
                    <h1>{t!(i18n, org_rounds)}</h1>
                    <NewRound slug=s.clone() />
                    <RoundList slug=s />
                }
            }}
        </OrganiseGate>
    }
}

#[component]
fn RoundList(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let rounds = crate::load::Load::new(move || api::org_rounds(slug.clone()));
    move || match rounds.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(_)) => {
            view! { <ErrorPanel retry=Callback::new(move |_| rounds.refetch()) /> }.into_any()
        }
        Some(Ok(list)) => {
            if list.is_empty() {
                return view! { <p class="empty" data-testid="no-rounds">{t!(i18n, orgr_none)}</p> }.into_any();
            }
            let (ahead, past) = crate::rounds::rounds_in_working_order(
                list,
                today_shanghai(),
                |r: &RoundSummary| &r.round,
            );
            let ahead = if ahead.is_empty() {
                view! { <p class="empty" data-testid="no-rounds-ahead">{t!(i18n, orgr_none_ahead)}</p> }.into_any()
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
        }
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

#[component]
fn NewRound(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let navigate = crate::use_go();
    let village = crate::load::Load::new({
        let slug = slug.clone();
        move || api::village(slug.clone())
    });
    let today = today_shanghai();
    let opens = RwSignal::new(shanghai_input_value(now()));
    let deadline = RwSignal::new(format!(
        "{}T20:00",
        wire::format_date(today + time::Duration::days(7))
    ));
    let day = RwSignal::new(wire::format_date(today + time::Duration::days(9)));
    let points = RwSignal::new(Vec::<i64>::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let sent = RwSignal::new(Sent::Idle);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sent.get_untracked().busy() {
            return;
        }
        let mut errs = Vec::new();
        let o = parse_shanghai_input(&opens.get_untracked());
        let d = parse_shanghai_input(&deadline.get_untracked());
        let day_v = wire::parse_date(day.get_untracked().trim());
        if o.is_none() {
            errs.push(FieldError::new("opens_at", "必填", "required"));
        }
        if d.is_none() {
            errs.push(FieldError::new("deadline", "必填", "required"));
        }
        if day_v.is_none() {
            errs.push(FieldError::new("distribution_day", "必填", "required"));
        }
        let (Some(o), Some(d), Some(day_v)) = (o, d, day_v) else {
            if points.with_untracked(Vec::is_empty) {
                errs.push(FieldError::new("point_ids", "请选择", "choose"));
            }
            errors.set(errs);
            sent.set(Sent::Idle);
            return;
        };
        let input = RoundInput {
            opens_at: o,
            deadline: d,
            distribution_day: day_v,
            point_ids: points.get_untracked(),
        };
        let errs = validate_round(&input, now());
        if !errs.is_empty() {
            errors.set(errs);
            sent.set(Sent::Idle);
            return;
        }
        errors.set(vec![]);
        sent.set(Sent::Sending);
        let slug = slug.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::create_round(&slug, &input).await {
                Ok(r) => {
                    sent.set(Sent::Saved(both!(orgr_created)));
                    navigate(&format!("/organise/rounds/{}?created=1", r.round.id));
                }
                Err(e) => {
                    if let WriteError::Refused { fields, .. } = &e {
                        errors.set(fields.clone());
                    }
                    sent.set(Sent::Failed(write_error_text(&e)));
                }
            }
        });
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
                    {move || match village.get() {
                        None => view! { <Loading /> }.into_any(),
                        Some(Err(_)) => view! { <ErrorPanel retry=Callback::new(move |_| village.refetch()) /> }.into_any(),
                        Some(Ok(v)) => v.distribution_points.into_iter().map(|p| {
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
                        }).collect_view().into_any(),
                    }}
                    <FieldNote text=error_for("point_ids") />
                </fieldset>
                <Show when=move || errors.with(|e| !e.is_empty())>
                    <p class="form-error" role="alert" data-testid="round-errors">{t!(i18n, orgr_fix_errors)}</p>
                </Show>
                <SendStatus state=sent />
                <button class="button primary wide big" type="submit" data-testid="create-round" disabled=move || sent.get().busy()>
                    {move || if sent.get().busy() { t_string!(i18n, working) } else { t_string!(i18n, orgr_create) }}
                </button>
            </form>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_inputs_are_shanghai_time() {
        let t = parse_shanghai_input("2026-11-30T20:00").unwrap();
        assert_eq!(t.offset(), SHANGHAI);
        assert_eq!(wire::format_datetime(t), "2026-11-30T20:00:00+08:00");
        assert_eq!(
            shanghai_input_value(t.to_offset(time::UtcOffset::UTC)),
            "2026-11-30T20:00"
        );
        assert!(parse_shanghai_input("2026-11-30T20:00:15").is_some());
        assert!(parse_shanghai_input("").is_none());
        assert!(parse_shanghai_input("2026-13-30T20:00").is_none());
    }
}
