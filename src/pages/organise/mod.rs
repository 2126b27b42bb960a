//! The organisers' area, `/organise/...`: villagers' representatives edit
//! product pages, run rounds and packing, and look after visits. Every
//! page sits inside [`OrganiseGate`], which sends a visitor without an
//! organiser session to the organiser login.

pub mod home;
pub mod log;
pub mod login;
pub mod packing;
pub mod products;
pub mod round;
pub mod rounds;
pub mod visits;

use crate::api;
use crate::components::{ErrorPanel, Loading};
use crate::i18n::*;
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
    let i18n = use_i18n();
    let me = crate::load::Load::new(api::organiser_me);
    let nav = crate::nav::use_nav();
    let navigate = crate::use_go();
    let children = StoredValue::new(children);
    Effect::new(move |_| {
        if let Some(Ok(None)) = me.get() {
            let next = nav.path.get_untracked();
            navigate(&format!(
                "/organise/login?next={}",
                js_sys::encode_uri_component(&next)
            ));
        }
    });
    move || match me.get() {
        None | Some(Ok(None)) => view! { <Loading /> }.into_any(),
        Some(Err(_)) => {
            view! { <ErrorPanel retry=Callback::new(move |_| me.refetch()) /> }.into_any()
        }
        Some(Ok(Some(m))) => {
            let allowed = village.is_none_or(|v| m.villages.iter().any(|x| x.slug == v.get()));
            if !allowed {
                return view! {
                    <p class="form-error" role="alert" data-testid="not-your-village">{t!(i18n, org_not_your_village)}</p>
                    <a class="button secondary" href="/organise">{t!(i18n, org_home)}</a>
                }
                .into_any();
            }
            provide_context(m);
            children.with_value(|c| c()).into_any()
        }
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
