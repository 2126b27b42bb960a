use crate::api;
use crate::components::{
    today_shanghai, use_lang, use_organiser, OrganiseShell, OrganiseVillageShell, RoundRow, Words,
};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `/organise`: the organiser's villages.
#[component]
pub fn OrganiseHome() -> impl IntoView {
    view! {
        <OrganiseShell title=keys::org_home>
            <Villages />
        </OrganiseShell>
    }
}

#[component]
fn Villages() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let me = use_organiser();
    let name = me.name.clone();
    let logout = move |_| {
        spawn_local(async move {
            let _ = api::organiser_logout().await;
            let _ = web_sys::window().map(|w| w.location().set_href("/organise/login"));
        });
    };
    view! {
        <h1>{t!(i18n, org_home)}</h1>
        <p class="muted" data-testid="org-name">{move || t_string!(i18n, org_hello, name = name.get(lang()).to_string())}</p>
        <ul class="cards">
            {me.villages.iter().map(|v| {
                let name = v.name.clone();
                view! {
                    <li class="card">
                        <a href=format!("/organise/v/{}", v.slug) data-testid="org-village">
                            <span class="card-title">{move || name.get(lang()).to_string()}</span>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
        <a class="button secondary" href="/organise/password" data-testid="org-password">{t!(i18n, orgm_password_title)}</a>
        <button class="button secondary" type="button" data-testid="org-logout" on:click=logout>{t!(i18n, logout)}</button>
    }
}

/// `/organise/v/{slug}`: what an organiser can do for one village.
#[component]
pub fn OrganiseVillage() -> impl IntoView {
    view! {
        <OrganiseVillageShell
            title=keys::org_home
            heading=keys::org_village_title
            body=|s| view! { <RoundAtHand slug=s.clone() /> <VillageMenu slug=s /> }.into_any()
        />
    }
}

/// The village's workspace pages, each with what it is for.
#[component]
fn VillageMenu(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let pages: [(&str, &str, Words, Words); 12] = [
        (
            "households",
            "org-households",
            keys::orgh_households,
            keys::orgh_households_hint,
        ),
        (
            "village",
            "org-village-page",
            keys::orgh_village,
            keys::orgh_village_hint,
        ),
        (
            "products",
            "org-products",
            keys::org_products,
            keys::org_products_hint,
        ),
        (
            "rounds",
            "org-rounds",
            keys::org_rounds,
            keys::org_rounds_hint,
        ),
        ("income", "org-income", keys::inc_title, keys::inc_hint),
        ("share", "org-share", keys::led_title, keys::led_hint),
        (
            "problems",
            "org-problems",
            keys::prob_title,
            keys::prob_hint,
        ),
        (
            "visits",
            "org-visits",
            keys::org_visits,
            keys::org_visits_hint,
        ),
        (
            "visits/offer",
            "org-visit-offer",
            keys::orgo_title,
            keys::orgo_hint,
        ),
        ("log", "org-log", keys::org_log, keys::org_log_hint),
        (
            "members",
            "org-members",
            keys::orgm_members,
            keys::orgm_members_hint,
        ),
        (
            "organisers",
            "org-organisers",
            keys::orgm_organisers,
            keys::orgm_organisers_hint,
        ),
    ];
    view! {
        <ul class="cards org-menu">
            {pages.into_iter().map(|(path, testid, title, hint)| view! {
                <li class="card"><a href=format!("/organise/v/{slug}/{path}") data-testid=testid>
                    <span class="card-main">
                        <span class="card-title">{move || title(i18n.get_locale())}</span>
                        <span class="muted small">{move || hint(i18n.get_locale())}</span>
                    </span>
                </a></li>
            }).collect_view()}
        </ul>
    }
}

/// The round that needs the organiser now (being packed, taking orders, or
/// the next to open), one tap away. While it loads, a placeholder of its
/// size keeps the menu below from jumping under a finger; when it cannot
/// load it steps aside, as the menu still leads to every round.
#[component]
fn RoundAtHand(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let rounds_href = format!("/organise/v/{slug}/rounds");
    let rounds = crate::load::Load::new(move || api::org_rounds(slug.clone()));
    move || {
        let row = match rounds.get() {
            None => view! { <div class="skeleton round-wait" aria-hidden="true"></div> }.into_any(),
            Some(Err(_)) => return None,
            Some(Ok(list)) => {
                let (ahead, _) =
                    crate::rounds::rounds_in_working_order(list, today_shanghai(), |r| &r.round);
                match ahead.into_iter().next() {
                    Some(r) => view! { <ul class="cards"><RoundRow r /></ul> }.into_any(),
                    // Nothing to do for a round yet: the way to plan one.
                    None => view! {
                        <div class="card round-none" data-testid="no-round-ahead">
                            <p class="muted">{t!(i18n, org_no_round_ahead)}</p>
                            <a class="button secondary" href=rounds_href.clone()>"＋ " {t!(i18n, orgr_new)}</a>
                        </div>
                    }
                    .into_any(),
                }
            }
        };
        Some(view! {
            <section data-testid="round-at-hand">
                <h2>{t!(i18n, org_round_at_hand)}</h2>
                {row}
            </section>
        })
    }
}
