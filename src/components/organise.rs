//! The frame of the organisers' workspace pages: the gate that wants an
//! organiser session, the crumbs back to the village, the page shells,
//! the "not your village" answer, and the photo field of its forms.

use crate::api;
use crate::components::use_lang;
use crate::components::{ErrorPanel, Loading, PageTitle, Words};
use crate::i18n::*;
use crate::nav::use_params_map;
use domain::dto::PhotoRef;
use domain::organise::OrganiserMe;
use domain::LocalText;
use leptos::prelude::*;
use leptos::task::spawn_local;

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

/// Whose photos a [`PhotoField`] shows: the endpoints to add and remove them.
#[derive(Clone, Debug, PartialEq)]
pub enum PhotoOwner {
    Product(i64),
    Household(i64),
    Village(String),
}

impl PhotoOwner {
    fn upload_path(&self) -> String {
        match self {
            PhotoOwner::Product(id) => format!("/api/organise/products/{id}/photos"),
            PhotoOwner::Household(id) => format!("/api/organise/households/{id}/photos"),
            PhotoOwner::Village(slug) => format!("/api/organise/villages/{slug}/photos"),
        }
    }

    async fn delete(&self, photo_id: i64) -> Result<(), api::WriteError> {
        match self {
            PhotoOwner::Product(_) => api::delete_photo(photo_id).await,
            _ => api::delete_village_photo(photo_id).await,
        }
    }
}

/// Photos of a product, household or village: upload with a progress bar,
/// and remove.
#[component]
pub fn PhotoField(owner: PhotoOwner, photos: RwSignal<Vec<PhotoRef>>) -> impl IntoView {
    let owner = StoredValue::new(owner);
    let i18n = use_i18n();
    let lang = use_lang();
    let progress = RwSignal::new(None::<f64>);
    let error = RwSignal::new(None::<LocalText>);
    let done = RwSignal::new(false);
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let upload = move |_| {
        let Some(file) = input_ref
            .get()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        error.set(None);
        done.set(false);
        // Refused before sending: the server would say the same, after a long upload.
        if file.size() > domain::organise::PHOTO_MAX_BYTES as f64 {
            error.set(Some(both!(org_photo_too_big)));
            return;
        }
        progress.set(Some(0.0));
        spawn_local(async move {
            let path = owner.with_value(PhotoOwner::upload_path);
            let result = api::upload_photo_to(&path, file, move |p| progress.set(Some(p))).await;
            progress.set(None);
            match result {
                Ok(p) => {
                    photos.update(|all| all.push(p));
                    done.set(true);
                    if let Some(i) = input_ref.get() {
                        i.set_value("");
                    }
                }
                Err(e) if e.is_retryable() => error.set(Some(both!(offline_error))),
                Err(e) => {
                    let why = e.field("photo").unwrap_or_else(|| e.message());
                    let words = both!(org_photo_refused);
                    error.set(Some(LocalText::new(
                        format!("{}（{}）", words.zh, why.zh),
                        format!("{} ({})", words.en, why.en),
                    )))
                }
            }
        });
    };
    let remove = move |photo_id: i64| {
        spawn_local(async move {
            match owner.get_value().delete(photo_id).await {
                Ok(()) => photos.update(|all| all.retain(|p| p.id != photo_id)),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <fieldset class="step-box upload" data-testid="photos">
            <legend>{t!(i18n, org_photos)}</legend>
            <ul class="photo-list">
                {move || photos.get().into_iter().map(|p| {
                    let src = p.versions.first().map(|v| v.url.clone()).unwrap_or_default();
                    let id = p.id;
                    view! {
                        <li data-testid="photo">
                            <img src=src srcset=crate::format::srcset(&p) sizes="120px" loading="lazy" alt="" />
                            <button type="button" data-testid="remove-photo" on:click=move |_| remove(id)>{t!(i18n, org_remove)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <label>
                <span>{t!(i18n, org_add_photo)}</span>
                <input type="file" accept="image/jpeg,image/png,image/webp" node_ref=input_ref data-testid="photo-file" on:change=upload />
                <span class="muted small">{t!(i18n, org_photo_hint)}</span>
            </label>
            <Show when=move || progress.get().is_some()>
                <progress max="1" prop:value=move || progress.get().unwrap_or(0.0) data-testid="upload-progress"></progress>
                <span class="small" role="status">{move || format!("{} {}%", t_string!(i18n, org_uploading), (progress.get().unwrap_or(0.0) * 100.0).round())}</span>
            </Show>
            <Show when=move || done.get()>
                <p class="saved" role="status" data-testid="photo-done">"✓ " {t!(i18n, org_photo_done)}</p>
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="photo-error">{move || error.get().map(|m| m.get(lang()).to_string())}</p>
            </Show>
        </fieldset>
    }
}
