//! The frame of the organisers' workspace pages: the gate that wants an
//! organiser session, the crumbs back to the village, the page shells and
//! the "not your village" answer.

use crate::api;
use crate::components::{ErrorPanel, Loading, PageTitle, Words};
use crate::i18n::*;
use crate::nav::use_params_map;
use domain::organise::OrganiserMe;
use leptos::prelude::*;

/// The organiser, for pages inside the gate.
pub fn use_organiser() -> OrganiserMe {
    expect_context::<OrganiserMe>()
}

/// Loads the organiser's session; shows the page when there is one, the
/// login otherwise. A village the organiser does not organise gets a clear
/// "not yours" rather than a broken page.
#[component]
pub fn OrganiseGate(
    /// The village the page is about, if any.
    #[prop(optional, into)]
    village: Option<Signal<String>>,
    children: ChildrenFn,
) -> impl IntoView {
    let me = crate::load::Load::new(api::organiser_me);
    let nav = crate::nav::use_nav();
    let navigate = crate::use_go();
    let children = StoredValue::new(children);
    Effect::new(move |_| {
        let must_change = matches!(me.get(), Some(Ok(Some(m))) if m.must_change_password);
        if must_change || matches!(me.get(), Some(Ok(None))) {
            let next = nav.path.get_untracked();
            navigate(&format!(
                "/organise/login?next={}",
                js_sys::encode_uri_component(&next)
            ));
        }
    });
    move || match me.get() {
        None | Some(Ok(None)) => view! { <Loading /> }.into_any(),
        Some(Ok(Some(m))) if m.must_change_password => view! { <Loading /> }.into_any(),
        Some(Err(_)) => {
            view! { <ErrorPanel retry=Callback::new(move |_| me.refetch()) /> }.into_any()
        }
        Some(Ok(Some(m))) => {
            let allowed = village.is_none_or(|v| m.villages.iter().any(|x| x.slug == v.get()));
            if !allowed {
                return view! { <NotYourVillage /> }.into_any();
            }
            provide_context(m);
            children.with_value(|c| c()).into_any()
        }
    }
}

/// The answer for a village (or its round) the organiser does not
/// organise, with the way back to their own villages.
#[component]
pub fn NotYourVillage(
    /// Leave out the link, where the page already leads elsewhere.
    #[prop(optional)]
    without_home_link: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="form-error" role="alert" data-testid="not-your-village">{t!(i18n, org_not_your_village)}</p>
        {(!without_home_link).then(|| view! {
            <a class="button secondary" href="/organise">{t!(i18n, org_home)}</a>
        })}
    }
}

/// Breadcrumb back to the village's organiser page.
#[component]
pub fn OrganiseCrumbs(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = crate::components::use_lang();
    let me = use_organiser();
    let name = me
        .villages
        .iter()
        .find(|v| v.slug == slug)
        .map(|v| v.name.clone())
        .unwrap_or_default();
    view! {
        <p class="crumbs">
            <a href="/organise">{t!(i18n, org_home)}</a>
            " › "
            <a href=format!("/organise/v/{slug}")>{move || name.get(lang()).to_string()}</a>
        </p>
    }
}

/// A workspace page: its tab title, and the page behind the gate.
#[component]
pub fn OrganiseShell(title: Words, children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=Signal::derive(move || title(i18n.get_locale()).to_string()) />
        <OrganiseGate>{children()}</OrganiseGate>
    }
}

/// A workspace page about the village of the URL (`/organise/v/{slug}…`):
/// the tab title, the gate for that village, the crumbs and heading, then
/// `body` for the village.
#[component]
pub fn OrganiseVillageShell(
    title: Words,
    /// The heading under the crumbs, when it is not the title.
    #[prop(optional)]
    heading: Option<Words>,
    /// The body brings its own crumbs and heading.
    #[prop(optional)]
    own_heading: bool,
    body: fn(String) -> AnyView,
) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let slug = Signal::derive(move || params.read().get("slug").unwrap_or_default());
    let heading = heading.unwrap_or(title);
    view! {
        <PageTitle text=Signal::derive(move || title(i18n.get_locale()).to_string()) />
        <OrganiseGate village=slug>
            {move || {
                let s = slug.get();
                let top = (!own_heading).then(|| view! {
                    <OrganiseCrumbs slug=s.clone() />
                    <h1>{move || heading(i18n.get_locale())}</h1>
                });
                view! { {top} {body(s)} }
            }}
        </OrganiseGate>
    }
}
