//! `/organise/v/{slug}/village`: the village page as the shop shows it
//! (tagline, story, region, photo, organising share), and its
//! distribution points, added, edited and closed here.

use crate::api;
use crate::components::{
    loaded_view, send, use_lang, Drafted, FieldError as FieldNote, PhotoField, PhotoOwner, Sent,
    SubmitWithStatus,
};
use crate::drafts::{PointDraft, VillageDraft};
use crate::i18n::*;
use domain::organise::village::{OrganisePoint, OrganiseVillagePage as Page};
use leptos::prelude::*;

#[component]
pub fn OrganiseVillagePage() -> impl IntoView {
    view! {
        <crate::components::OrganiseVillageShell title=keys::orgh_village body=|s| view! { <VillageAdmin slug=s /> }.into_any() />
    }
}

#[component]
fn VillageAdmin(slug: String) -> impl IntoView {
    let page = crate::load::Load::new({
        let slug = slug.clone();
        move || api::org_village(slug.clone())
    });
    let points = crate::load::Load::new({
        let slug = slug.clone();
        move || api::org_points(slug.clone())
    });
    view! {
        {loaded_view(page, |p| view! { <VillageForm page=p /> })}
        {loaded_view(points, move |list| view! { <Points slug=slug.clone() list=list /> })}
    }
}

/// What a refused write leaves on a form: its fields, and its words when
/// they say more than the fields (a conflict names what stands in the way).
fn refused<D: Send + Sync + 'static>(f: Drafted<D>, e: api::WriteError) -> Sent {
    let conflict = matches!(e, api::WriteError::Refused { status: 409, .. });
    if f.take_refusal(&e) && !conflict {
        Sent::Failed(both!(visit_fix_errors))
    } else {
        Sent::failed(&e)
    }
}

#[component]
fn VillageForm(page: Page) -> impl IntoView {
    let i18n = use_i18n();
    let slug = page.slug.clone();
    let f = Drafted::new(VillageDraft::from_page(&page));
    let draft = f.draft;
    let status = RwSignal::new(Sent::Idle);
    let photos = RwSignal::new(page.photos.clone());
    let save = {
        let slug = slug.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if crate::components::busy(status) {
                return;
            }
            let input = match draft.get_untracked().to_input() {
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
                async move { api::update_village(&slug, &input).await },
                move |answer| match answer {
                    Ok(p) => {
                        draft.set(VillageDraft::from_page(&p));
                        Sent::Saved(both!(org_saved))
                    }
                    Err(e) => refused(f, e),
                },
            );
        }
    };
    view! {
        <form class="form" on:submit=save data-testid="village-form" novalidate>
            <fieldset class="step-box">
                <legend>{t!(i18n, orgh_village_page)}</legend>
                {f.text("中文标语", "tagline-zh", "tagline.zh", |d| &d.tagline.zh, |d, v| d.tagline.zh = v, false)}
                {f.text("Tagline (English)", "tagline-en", "tagline.en", |d| &d.tagline.en, |d, v| d.tagline.en = v, false)}
                {f.text("地区", "region-zh", "region.zh", |d| &d.region.zh, |d, v| d.region.zh = v, false)}
                {f.text("Region (English)", "region-en", "region.en", |d| &d.region.en, |d, v| d.region.en = v, false)}
                {f.text("中文故事", "story-zh", "story.zh", |d| &d.story.zh, |d, v| d.story.zh = v, true)}
                {f.text("Story (English)", "story-en", "story.en", |d| &d.story.en, |d, v| d.story.en = v, true)}
            </fieldset>
            <label>
                <span>{t!(i18n, orgh_percent)}</span>
                <input inputmode="numeric" data-testid="percent" prop:value=move || draft.with(|d| d.organising_percent.clone()) on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.organising_percent = v); } />
                <span class="muted small">{t!(i18n, orgh_percent_hint)}</span>
                <FieldNote text=f.error_of("organising_percent", "") />
            </label>
            <div class="form-actions">
                <SubmitWithStatus state=status class="button primary" testid="save-village" label=keys::org_save />
            </div>
            <p class="center"><a href=format!("/v/{slug}") data-testid="view-in-shop">{t!(i18n, orgh_view_in_shop)}</a></p>
        </form>
        <PhotoField owner=PhotoOwner::Village(slug.clone()) photos=photos />
    }
}

/// The points, closed ones last; one form at a time, for a new point or
/// the one being edited.
#[component]
fn Points(slug: String, list: Vec<OrganisePoint>) -> impl IntoView {
    let i18n = use_i18n();
    let points = RwSignal::new(list);
    // None: no form; Some(None): a new point; Some(Some(id)): editing it.
    let editing = RwSignal::new(None::<Option<i64>>);
    let slug = StoredValue::new(slug);
    view! {
        <section data-testid="points">
            <h2>{t!(i18n, orgh_points)}</h2>
            <Show when=move || points.with(Vec::is_empty)>
                <p class="muted">{t!(i18n, orgh_no_points)}</p>
            </Show>
            <ul class="cards">
                <For each=move || points.get() key=|p| format!("{p:?}") let:p>
                    <PointRow p=p editing=editing points=points />
                </For>
            </ul>
            <Show when=move || editing.get() == Some(None)>
                <PointForm slug=slug.get_value() point=None editing=editing points=points />
            </Show>
            <Show when=move || editing.get().is_none()>
                <button type="button" class="button secondary wide" data-testid="new-point" on:click=move |_| editing.set(Some(None))>"＋ " {t!(i18n, orgh_new_point)}</button>
            </Show>
        </section>
    }
}

#[component]
fn PointRow(
    p: OrganisePoint,
    editing: RwSignal<Option<Option<i64>>>,
    points: RwSignal<Vec<OrganisePoint>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let id = p.id;
    let (name, address) = (p.name.clone(), p.address.clone());
    let window = format!("{}–{}", p.pickup_from, p.pickup_to);
    let slug = p.village_slug.clone();
    let point = StoredValue::new(p.clone());
    view! {
        <li class="card" data-testid="org-point" data-closed=p.closed.to_string()>
            <div class="card-main">
                <span class="card-title">{move || name.get(lang()).to_string()}
                    {p.closed.then(|| view! { " " <span class="badge later" data-testid="point-closed">{t!(i18n, orgh_closed_badge)}</span> })}
                </span>
                <span class="muted small">{move || address.get(lang()).to_string()}</span>
                <span class="small">{window}</span>
            </div>
            <Show when=move || editing.get() != Some(Some(id))>
                <button type="button" class="button secondary" data-testid="edit-point" on:click=move |_| editing.set(Some(Some(id)))>{t!(i18n, orgh_edit_point)}</button>
            </Show>
            <Show when=move || editing.get() == Some(Some(id))>
                <PointForm slug=slug.clone() point=Some(point.get_value()) editing=editing points=points />
            </Show>
        </li>
    }
}

#[component]
fn PointForm(
    slug: String,
    point: Option<OrganisePoint>,
    editing: RwSignal<Option<Option<i64>>>,
    points: RwSignal<Vec<OrganisePoint>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = point.as_ref().map(|p| p.id);
    let was_closed = point.as_ref().is_some_and(|p| p.closed);
    let f = Drafted::new(
        point
            .as_ref()
            .map(PointDraft::from_point)
            .unwrap_or_default(),
    );
    let draft = f.draft;
    let status = RwSignal::new(Sent::Idle);
    let asking = RwSignal::new(false);
    let slug = StoredValue::new(slug);
    // Sends the draft, `closed` as given; the list takes the answer.
    let submit = move |closed: bool| {
        if crate::components::busy(status) {
            return;
        }
        draft.update(|d| d.closed = closed);
        let input = match draft.get_untracked().to_input() {
            Ok(i) => i,
            Err(e) => {
                f.errors.set(e);
                status.set(Sent::Failed(both!(visit_fix_errors)));
                return;
            }
        };
        f.errors.set(vec![]);
        let slug = slug.get_value();
        send(
            status,
            async move {
                match id {
                    Some(id) => api::update_point(id, &input).await,
                    None => api::create_point(&slug, &input).await,
                }
            },
            move |answer| match answer {
                Ok(p) => {
                    points.update(|all| match all.iter_mut().find(|x| x.id == p.id) {
                        Some(x) => *x = p,
                        None => all.push(p),
                    });
                    editing.set(None);
                    Sent::Idle
                }
                Err(e) => {
                    // A refused close leaves the point as it was.
                    draft.update(|d| d.closed = was_closed);
                    asking.set(false);
                    refused(f, e)
                }
            },
        );
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit(was_closed);
    };
    view! {
        <form class="form point-form" on:submit=save data-testid="point-form" novalidate>
            {f.text("名称", "point-name-zh", "name.zh", |d| &d.name.zh, |d, v| d.name.zh = v, false)}
            {f.text("Name (English)", "point-name-en", "name.en", |d| &d.name.en, |d, v| d.name.en = v, false)}
            {f.text("地址", "point-address-zh", "address.zh", |d| &d.address.zh, |d, v| d.address.zh = v, false)}
            {f.text("Address (English)", "point-address-en", "address.en", |d| &d.address.en, |d, v| d.address.en = v, false)}
            <label>
                <span>{t!(i18n, orgh_pickup_from)}</span>
                <input type="time" data-testid="pickup-from" prop:value=move || draft.with(|d| d.pickup_from.clone()) on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.pickup_from = v); } />
                <FieldNote text=f.error_of("pickup_from", "") />
            </label>
            <label>
                <span>{t!(i18n, orgh_pickup_to)}</span>
                <input type="time" data-testid="pickup-to" prop:value=move || draft.with(|d| d.pickup_to.clone()) on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.pickup_to = v); } />
                <FieldNote text=f.error_of("pickup_to", "") />
            </label>
            <FieldNote text=f.error_of("closed", "") />
            <SubmitWithStatus state=status class="button primary wide" testid="save-point" label=keys::org_save />
            <button type="button" class="button secondary wide" on:click=move |_| editing.set(None)>{t!(i18n, orgh_cancel)}</button>
            {id.map(|_| if was_closed {
                view! { <button type="button" class="button secondary wide" data-testid="reopen-point" on:click=move |_| submit(false)>{t!(i18n, orgh_reopen_point)}</button> }.into_any()
            } else {
                view! {
                    <button type="button" class="button danger wide" data-testid="close-point" on:click=move |_| asking.set(true)>{t!(i18n, orgh_close_point)}</button>
                    <Show when=move || asking.get()>
                        <div class="confirm-box" role="alertdialog" data-testid="close-confirm">
                            <p>{t!(i18n, orgh_close_confirm)}</p>
                            <button class="button danger" type="button" data-testid="close-yes" disabled=move || status.with(Sent::busy) on:click=move |_| submit(true)>{t!(i18n, orgh_close_yes)}</button>
                            <button class="button secondary" type="button" on:click=move |_| asking.set(false)>{t!(i18n, orgh_close_no)}</button>
                        </div>
                    </Show>
                }.into_any()
            })}
        </form>
    }
}
