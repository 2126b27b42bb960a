//! `/organise/v/{slug}/log`: every organiser write for the village, newest
//! first, with the values before and after, shown as text.

use crate::api;
use crate::components::{use_lang, ErrorPanel, Loading, OrganiseVillageShell};
use crate::format;
use crate::i18n::*;
use domain::organise::ChangeLogEntry;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

/// `/organise/v/{slug}/log`.
#[component]
pub fn OrganiseLogPage() -> impl IntoView {
    view! {
        <OrganiseVillageShell title=keys::org_log body=|s| view! { <Log slug=s /> }.into_any() />
    }
}

#[derive(Clone, Copy, PartialEq)]
enum LoadState {
    Loading,
    Idle,
    Failed,
}

#[component]
fn Log(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let entries = RwSignal::new(Vec::<ChangeLogEntry>::new());
    let next = RwSignal::new(None::<i64>);
    let state = RwSignal::new(LoadState::Loading);
    let started = RwSignal::new(false);
    let slug = StoredValue::new(slug);
    let load = move |before: Option<i64>| {
        state.set(LoadState::Loading);
        spawn_local(async move {
            match api::change_log(slug.get_value(), before).await {
                Ok(page) => {
                    entries.update(|e| {
                        for x in page.entries {
                            if !e.iter().any(|y| y.id == x.id) {
                                e.push(x);
                            }
                        }
                    });
                    next.set(page.next_before);
                    started.set(true);
                    state.set(LoadState::Idle);
                }
                Err(_) => state.set(LoadState::Failed),
            }
        });
    };
    load(None);
    view! {
        <p class="muted small">{t!(i18n, orgl_intro)}</p>
        <Show when=move || started.get() && entries.with(Vec::is_empty)>
            <p class="empty" data-testid="log-empty">{t!(i18n, orgl_empty)}</p>
        </Show>
        <ul class="cards log" data-testid="log">
            <For each=move || entries.get() key=|e| e.id let:e>
                <LogEntry e=e />
            </For>
        </ul>
        {move || match state.get() {
            LoadState::Loading => view! { <Loading /> }.into_any(),
            LoadState::Failed => view! {
                <ErrorPanel retry=Callback::new(move |_| load(if started.get_untracked() { next.get_untracked() } else { None })) />
            }.into_any(),
            LoadState::Idle => match next.get() {
                Some(b) => view! {
                    <button class="button secondary wide" type="button" data-testid="log-older" on:click=move |_| load(Some(b))>
                        {t!(i18n, orgl_older)}
                    </button>
                }.into_any(),
                None => view! { <p class="muted small center" data-testid="log-end">{t!(i18n, orgl_end)}</p> }.into_any(),
            },
        }}
    }
}

/// The words for what a log entry is about (its `entity`) or what was
/// done (its `action`); the two sets of names do not overlap. A name
/// without words shows as it is.
fn log_word(i18n: I18n, name: &str) -> String {
    let words = match name {
        "product" => t_string!(i18n, orgl_entity_product),
        "round" => t_string!(i18n, orgl_entity_round),
        "round_points" => t_string!(i18n, orgl_entity_round_points),
        "supply" => t_string!(i18n, orgl_entity_supply),
        "withdrawal" => t_string!(i18n, orgl_entity_withdrawal),
        "booking" => t_string!(i18n, orgl_entity_booking),
        "closed_day" => t_string!(i18n, orgl_entity_closed_day),
        "household" => t_string!(i18n, orgh_entity_household),
        "point" => t_string!(i18n, orgh_entity_point),
        "village" => t_string!(i18n, orgh_entity_village),
        "village_photo" => t_string!(i18n, orgh_entity_village_photo),
        "round_percent" => t_string!(i18n, orgh_entity_round_percent),
        "create" => t_string!(i18n, orgl_action_create),
        "update" => t_string!(i18n, orgl_action_update),
        "delete" => t_string!(i18n, orgl_action_delete),
        "cancel" => t_string!(i18n, orgl_action_cancel),
        "close" => t_string!(i18n, orgl_action_close),
        "reopen" => t_string!(i18n, orgl_action_reopen),
        "withdraw" => t_string!(i18n, orgl_action_withdraw),
        other => other,
    };
    words.to_string()
}

/// A value in one line: strings bare, the rest as compact JSON.
fn short(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".into(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// Nested objects as `a.b` keys; arrays and scalars stay whole.
fn flatten(prefix: &str, v: &Value, out: &mut std::collections::BTreeMap<String, Value>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, x, out);
            }
        }
        _ => {
            out.insert(prefix.to_string(), v.clone());
        }
    }
}

/// What changed, one line per key: `key: before → after`. Objects show
/// only the keys that differ (nested ones as `a.b`); lists of objects of
/// the same length (supplies) go element by element, named by their `_id`
/// keys; anything else shows whole.
pub fn change_lines(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let absent = |v: Option<&Value>| matches!(v, None | Some(Value::Null));
    let is_obj = |v: Option<&Value>| matches!(v, Some(Value::Object(_)));
    if let (Some(Value::Array(b)), Some(Value::Array(a))) = (before, after) {
        if b.len() == a.len() && b.iter().chain(a).all(Value::is_object) {
            let mut lines = Vec::new();
            for (x, y) in b.iter().zip(a) {
                if x == y {
                    continue;
                }
                let ids: Vec<String> = x
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(k, v)| k.ends_with("_id") && y.get(k.as_str()) == Some(*v))
                    .map(|(k, v)| format!("{k}={}", short(Some(v))))
                    .collect();
                for l in change_lines(Some(x), Some(y)) {
                    if ids.is_empty() {
                        lines.push(l);
                    } else {
                        lines.push(format!("[{}] {l}", ids.join(", ")));
                    }
                }
            }
            return lines;
        }
    }
    if (is_obj(before) || absent(before))
        && (is_obj(after) || absent(after))
        && !(absent(before) && absent(after))
    {
        let mut fb = std::collections::BTreeMap::new();
        let mut fa = std::collections::BTreeMap::new();
        if let Some(b) = before.filter(|v| !v.is_null()) {
            flatten("", b, &mut fb);
        }
        if let Some(a) = after.filter(|v| !v.is_null()) {
            flatten("", a, &mut fa);
        }
        let mut keys: Vec<&String> = fb.keys().chain(fa.keys()).collect();
        keys.sort();
        keys.dedup();
        return keys
            .into_iter()
            .filter(|k| fb.get(*k) != fa.get(*k))
            .map(|k| {
                if absent(before) {
                    format!("{k}: {}", short(fa.get(k)))
                } else {
                    format!("{k}: {} → {}", short(fb.get(k)), short(fa.get(k)))
                }
            })
            .collect();
    }
    vec![format!("{} → {}", short(before), short(after))]
}

#[component]
fn LogEntry(e: ChangeLogEntry) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let who = e.organiser.name.clone();
    let at = e.at;
    let entity = e.entity.clone();
    let action = e.action.clone();
    let lines = change_lines(e.before.as_ref(), e.after.as_ref());
    let text = if lines.is_empty() {
        "—".to_string()
    } else {
        lines.join("\n")
    };
    view! {
        <li class="card log-entry" data-testid="log-entry" data-entity=e.entity.clone() data-action=e.action.clone()>
            <div class="log-head">
                <strong>{move || format!("{} · {}", log_word(i18n, &entity), log_word(i18n, &action))}</strong>
                <span class="muted small">{format!("#{}", e.entity_id)}</span>
            </div>
            <div class="small muted">
                <time datetime=domain::wire::format_datetime(at)>{move || format::format_datetime(at, lang())}</time>
                " · "
                <span data-testid="log-who">{move || who.get(lang()).to_string()}</span>
            </div>
            <pre class="log-change" data-testid="log-change">{text}</pre>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_show_only_what_differs() {
        let b = json!({"price_fen": 1900, "name": "蛋"});
        let a = json!({"price_fen": 2100, "name": "蛋"});
        assert_eq!(change_lines(Some(&b), Some(&a)), ["price_fen: 1900 → 2100"]);
        assert_eq!(
            change_lines(None, Some(&json!({"reason": "<script>"}))),
            ["reason: <script>"]
        );
        assert_eq!(
            change_lines(Some(&json!(false)), Some(&json!(true))),
            ["false → true"]
        );
        let b = json!([{"household_id": 1, "product_id": 1, "quantity": 14}, {"household_id": 3, "product_id": 1, "quantity": 19}]);
        let a = json!([{"household_id": 1, "product_id": 1, "quantity": 13}, {"household_id": 3, "product_id": 1, "quantity": 19}]);
        assert_eq!(
            change_lines(Some(&b), Some(&a)),
            ["[household_id=1, product_id=1] quantity: 14 → 13"]
        );
        let r = json!({"point_ids": [1, 2], "round": {"id": 41, "distribution_day": "2026-12-15"}});
        assert_eq!(
            change_lines(None, Some(&r)),
            [
                "point_ids: [1,2]",
                "round.distribution_day: 2026-12-15",
                "round.id: 41"
            ]
        );
        assert_eq!(
            change_lines(Some(&json!({"closed": true})), None),
            ["closed: true → —"]
        );
    }
}
