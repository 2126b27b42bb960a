//! `/organise/v/{slug}/products`, `…/products/new` and `…/products/{id}`:
//! the village's products, and the form for one with a shopper's-eye
//! preview.

use crate::api::{self, WriteError};
use crate::components::FieldError as FieldNote;
use crate::components::Product;
use crate::components::{
    category_label, loaded_view, use_lang, OrganiseCrumbs, OrganiseVillageShell, PhotoField,
    PhotoOwner,
};
use crate::drafts::ProductDraft;
use crate::i18n::*;
use crate::nav::{use_params_map, use_query_map};
use domain::dto::{Category, HouseholdRef, PhotoRef, VillageDetail};
use domain::format_yuan;
use domain::organise::OrganiseProduct;
use domain::FieldError;
use domain::LocalText;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `/organise/v/{slug}/products`: every product of the village, hidden ones
/// too.
#[component]
pub fn OrganiseProductsPage() -> impl IntoView {
    view! {
        <OrganiseVillageShell title=keys::org_products body=|s| view! { <ProductList slug=s /> }.into_any() />
    }
}

#[component]
fn ProductList(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let new_href = format!("/organise/v/{slug}/products/new");
    let products = crate::load::Load::new(move || api::org_products(slug.clone()));
    view! {
        <a class="button primary wide" href=new_href data-testid="new-product">{t!(i18n, org_new_product)}</a>
        {loaded_view(products, |list| view! {
            <ul class="cards">
                {list.into_iter().map(|p| view! { <ProductRow p=p /> }).collect_view()}
            </ul>
        })}
    }
}

#[component]
fn ProductRow(p: OrganiseProduct) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let name = p.name.clone();
    let unit = p.unit.clone();
    let cat = category_label(p.category);
    view! {
        <li class="card" data-testid="org-product">
            <a href=format!("/organise/v/{}/products/{}", p.village_slug, p.id)>
                <span class="card-main">
                    <span class="card-title">{move || name.get(lang()).to_string()}</span>
                    <span class="meta small">
                        <span class="muted">{cat}</span>
                        {if p.published {
                            view! { <span class="badge in-season">{t!(i18n, org_published)}</span> }.into_any()
                        } else {
                            view! { <span class="badge later">{t!(i18n, org_hidden)}</span> }.into_any()
                        }}
                    </span>
                </span>
                <span class="price">
                    {format_yuan(p.price_fen)}
                    <span class="unit">{move || t_string!(i18n, per_unit, unit = unit.get(lang()).to_string())}</span>
                </span>
            </a>
        </li>
    }
}

/// `/organise/v/{slug}/products/new` and `/organise/v/{slug}/products/{id}`.
#[component]
pub fn OrganiseProductEditPage() -> impl IntoView {
    view! {
        <OrganiseVillageShell title=keys::org_edit_product own_heading=true body=|s| view! { <ProductEdit slug=s /> }.into_any() />
    }
}

/// The product of the URL (none for a new one), loaded again when a new
/// product, once saved, gets its own URL.
#[component]
fn ProductEdit(slug: String) -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.read().get("id").and_then(|s| s.parse::<i64>().ok()));
    move || view! { <ProductLoader slug=slug.clone() id=id.get() /> }
}

#[component]
fn ProductLoader(slug: String, id: Option<i64>) -> impl IntoView {
    let data = crate::load::Load::new({
        let slug = slug.clone();
        move || {
            let slug = slug.clone();
            async move {
                let village = api::village(slug).await.map_err(|_| ())?;
                let product = match id {
                    Some(id) => Some(api::org_product(id).await.map_err(|_| ())?),
                    None => None,
                };
                Ok::<_, ()>((village, product))
            }
        }
    });
    loaded_view(
        data,
        |(village, product)| view! { <ProductForm village=village product=product /> },
    )
}

/// Words for a field error of the product form.
fn field_words(i18n: I18n, f: &FieldError) -> String {
    let base = f.field.split('[').next().unwrap_or("");
    let words = match base {
        "name.zh" | "name.en" => t_string!(i18n, org_err_name),
        "unit.zh" | "unit.en" => t_string!(i18n, org_err_unit),
        "description.zh" | "description.en" => t_string!(i18n, org_err_description),
        "price_fen" | "local_price_fen" => t_string!(i18n, org_err_price),
        "season" => t_string!(i18n, org_err_season),
        "household_ids" => t_string!(i18n, org_err_households),
        _ => "",
    };
    let detail = f.text();
    let detail = detail.get(crate::lang_of(i18n.get_locale()));
    if words.is_empty() {
        detail.to_string()
    } else {
        format!("{words} ({detail})")
    }
}

/// A refused save as the form shows it: the server's field errors, else
/// its words for the whole form.
fn save_errors(e: WriteError) -> Vec<FieldError> {
    let form = |m: LocalText| vec![FieldError::new("form", m.zh, m.en)];
    match e {
        WriteError::Refused { fields, .. } if !fields.is_empty() => fields,
        WriteError::Refused { message, .. } => form(message),
        e if e.is_retryable() => form(both!(offline_error)),
        e => form(e.message()),
    }
}

/// The product form's draft and its faults, shared by its parts.
#[derive(Clone, Copy)]
struct Form {
    draft: RwSignal<ProductDraft>,
    errors: RwSignal<Vec<FieldError>>,
}

impl Form {
    /// The words for the first fault of `field` (or of its list items).
    fn error_of(self, field: &'static str) -> Signal<Option<String>> {
        let i18n = use_i18n();
        let errors = self.errors;
        Signal::derive(move || {
            errors.with(|e| {
                e.iter()
                    .find(|f| f.field == field || f.field.starts_with(&format!("{field}[")))
                    .map(|f| field_words(i18n, f))
            })
        })
    }
}

#[component]
fn ProductForm(village: VillageDetail, product: Option<OrganiseProduct>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let navigate = crate::use_go();
    let id = product.as_ref().map(|p| p.id);
    let f = Form {
        draft: RwSignal::new(
            product
                .as_ref()
                .map(ProductDraft::from_product)
                .unwrap_or_default(),
        ),
        errors: RwSignal::new(Vec::new()),
    };
    let (draft, errors) = (f.draft, f.errors);
    // A product just created arrives here from the "new" form, already saved.
    let just_created = use_query_map().read_untracked().get("saved").is_some();
    let status = RwSignal::new(just_created.then(|| both!(org_saved)));
    let busy = RwSignal::new(false);
    let preview = RwSignal::new(false);
    let photos = RwSignal::new(product.map(|p| p.photos).unwrap_or_default());
    let slug = village.slug.clone();
    let households = village.households.clone();
    let village = StoredValue::new(village);

    let save = {
        let slug = slug.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            status.set(None);
            let input = match draft.get_untracked().to_input() {
                Ok(i) => i,
                Err(e) => {
                    errors.set(e);
                    return;
                }
            };
            errors.set(vec![]);
            busy.set(true);
            let slug = slug.clone();
            let navigate = navigate.clone();
            spawn_local(async move {
                let result = match id {
                    Some(id) => api::update_product(id, &input).await,
                    None => api::create_product(&slug, &input).await,
                };
                busy.set(false);
                match result {
                    Ok(p) => {
                        draft.set(ProductDraft::from_product(&p));
                        status.set(Some(both!(org_saved)));
                        if id.is_none() {
                            navigate(&format!("/organise/v/{slug}/products/{}?saved=1", p.id));
                        }
                    }
                    Err(e) => errors.set(save_errors(e)),
                }
            });
        }
    };
    let view_href = id.map(|id| format!("/p/{id}"));

    view! {
        <OrganiseCrumbs slug=slug />
        <h1>{move || if id.is_some() { t_string!(i18n, org_edit_product) } else { t_string!(i18n, org_new_product) }}</h1>
        <form class="form product-form" on:submit=save data-testid="product-form" novalidate>
            <NameFields f=f />
            <PriceFields f=f />
            <fieldset class="step-box">
                <legend>{t!(i18n, org_description)}</legend>
                <p class="muted small">{t!(i18n, org_format_hint)}</p>
                <TextField f=f label="中文介绍" testid="desc-zh" field="description.zh" get=|d| &d.description.zh set=|d, v| d.description.zh = v multiline=true />
                <TextField f=f label="English description" testid="desc-en" field="description.en" get=|d| &d.description.en set=|d, v| d.description.en = v multiline=true />
            </fieldset>
            <SeasonFields f=f />
            <HouseholdFields f=f households=households />

            {id.map(|id| view! { <PhotoField owner=PhotoOwner::Product(id) photos=photos /> })}

            <label class="check publish">
                <input type="checkbox" data-testid="published" prop:checked=move || draft.with(|d| d.published) on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| d.published = v); } />
                <span>{t!(i18n, org_publish)}</span>
            </label>

            <FieldNote text=f.error_of("form") />
            <Show when=move || errors.with(|e| !e.is_empty())>
                <p class="form-error" role="alert" data-testid="product-errors">{t!(i18n, visit_fix_errors)}</p>
            </Show>
            <Show when=move || status.get().is_some()>
                <p class="saved" role="status" data-testid="saved">"✓ " {move || status.get().map(|m| m.get(lang()).to_string())}</p>
            </Show>
            <div class="form-actions">
                <button type="button" class="button secondary" data-testid="toggle-preview" on:click=move |_| preview.update(|p| *p = !*p)>
                    {move || if preview.get() { t_string!(i18n, org_hide_preview) } else { t_string!(i18n, org_preview) }}
                </button>
                <button type="submit" class="button primary" data-testid="save-product" disabled=move || busy.get()>{t!(i18n, org_save)}</button>
            </div>
            {view_href.map(|href| view! { <p class="center"><a href=href data-testid="view-in-shop">{t!(i18n, org_view_in_shop)}</a></p> })}
        </form>
        <Show when=move || preview.get()>
            <ProductPreview id=id village=village draft=draft photos=photos />
        </Show>
    }
}

/// One text of the draft, as a line or (`multiline`) a box.
#[component]
fn TextField(
    f: Form,
    label: &'static str,
    testid: &'static str,
    field: &'static str,
    get: fn(&ProductDraft) -> &String,
    set: fn(&mut ProductDraft, String),
    #[prop(optional)] multiline: bool,
) -> impl IntoView {
    let draft = f.draft;
    let value = move || draft.with(|d| get(d).clone());
    let input = move |ev| {
        let v = event_target_value(&ev);
        draft.update(|d| set(d, v));
    };
    let control = if multiline {
        view! { <textarea rows="6" data-testid=testid prop:value=value on:input=input></textarea> }
            .into_any()
    } else {
        view! { <input data-testid=testid prop:value=value on:input=input /> }.into_any()
    };
    view! {
        <label>
            <span>{label}</span>
            {control}
            <FieldNote text=f.error_of(field) />
        </label>
    }
}

/// Names and units in both languages, and the category.
#[component]
fn NameFields(f: Form) -> impl IntoView {
    let i18n = use_i18n();
    let draft = f.draft;
    view! {
        <fieldset class="step-box">
            <legend>{t!(i18n, org_names)}</legend>
            <TextField f=f label="中文名称" testid="name-zh" field="name.zh" get=|d| &d.name.zh set=|d, v| d.name.zh = v />
            <TextField f=f label="English name" testid="name-en" field="name.en" get=|d| &d.name.en set=|d, v| d.name.en = v />
            <TextField f=f label="单位（中文）" testid="unit-zh" field="unit.zh" get=|d| &d.unit.zh set=|d, v| d.unit.zh = v />
            <TextField f=f label="Unit (English)" testid="unit-en" field="unit.en" get=|d| &d.unit.en set=|d, v| d.unit.en = v />
            <label>
                <span>{t!(i18n, org_category)}</span>
                <select data-testid="category" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(c) = Category::ALL.iter().find(|c| format!("{c:?}") == v) { draft.update(|d| d.category = *c); }
                }>
                    {Category::ALL.iter().map(|c| {
                        let c = *c;
                        let label = category_label(c);
                        view! { <option value=format!("{c:?}") selected=move || draft.with(|d| d.category == c)>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
        </fieldset>
    }
}

#[component]
fn PriceFields(f: Form) -> impl IntoView {
    let i18n = use_i18n();
    let draft = f.draft;
    view! {
        <fieldset class="step-box">
            <legend>{t!(i18n, org_prices)}</legend>
            <label>
                <span>{t!(i18n, org_price)}</span>
                <input inputmode="decimal" data-testid="price" prop:value=move || draft.with(|d| d.price.clone()) on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.price = v); } />
                <FieldNote text=f.error_of("price_fen") />
            </label>
            <label>
                <span>{t!(i18n, org_local_price)}</span>
                <input inputmode="decimal" data-testid="local-price" prop:value=move || draft.with(|d| d.local_price.clone()) on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.local_price = v); } />
                <span class="muted small">{t!(i18n, org_local_price_hint)}</span>
                <FieldNote text=f.error_of("local_price_fen") />
            </label>
        </fieldset>
    }
}

/// All year, or the months it is in season.
#[component]
fn SeasonFields(f: Form) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let draft = f.draft;
    view! {
        <fieldset class="step-box">
            <legend>{t!(i18n, season)}</legend>
            <label class="check">
                <input type="checkbox" data-testid="all-year" prop:checked=move || draft.with(|d| d.all_year) on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| d.all_year = v); } />
                <span>{t!(i18n, status_all_year)}</span>
            </label>
            <div class="month-picks" class:hidden=move || draft.with(|d| d.all_year)>
                {(1..=12u8).map(|m| view! {
                    <button type="button" class="chip" data-testid=format!("month-{m}")
                        aria-pressed=move || draft.with(|d| d.months[usize::from(m) - 1]).to_string()
                        on:click=move |_| draft.update(|d| d.months[usize::from(m) - 1] = !d.months[usize::from(m) - 1])>
                        {move || crate::format::month_name(m, lang())}
                    </button>
                }).collect_view()}
            </div>
            <FieldNote text=f.error_of("season") />
        </fieldset>
    }
}

/// The households that make the product.
#[component]
fn HouseholdFields(f: Form, households: Vec<HouseholdRef>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let draft = f.draft;
    view! {
        <fieldset class="step-box">
            <legend>{t!(i18n, made_by)}</legend>
            {households.into_iter().map(|h| {
                let hid = h.id;
                let name = h.name.clone();
                view! {
                    <label class="check">
                        <input type="checkbox" data-testid="household" data-household=hid
                            prop:checked=move || draft.with(|d| d.household_ids.contains(&hid))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                draft.update(|d| {
                                    d.household_ids.retain(|x| *x != hid);
                                    if on { d.household_ids.push(hid); }
                                });
                            } />
                        <span>{move || name.get(lang()).to_string()}</span>
                    </label>
                }
            }).collect_view()}
            <FieldNote text=f.error_of("household_ids") />
        </fieldset>
    }
}

/// The draft as a shopper would see its page, in a phone's frame.
#[component]
fn ProductPreview(
    id: Option<i64>,
    village: StoredValue<VillageDetail>,
    draft: RwSignal<ProductDraft>,
    photos: RwSignal<Vec<PhotoRef>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="phone-preview" data-testid="preview" aria-label=move || t_string!(i18n, org_preview)>
            <p class="muted small">{t!(i18n, org_preview_note)}</p>
            <div class="phone-frame">
                {move || {
                    let p = village.with_value(|v| draft.with(|d| photos.with(|ph| d.preview(id.unwrap_or(0), &v.slug, &v.name, v.organising_percent, &v.households, ph))));
                    view! { <Product p=p preview=true /> }
                }}
            </div>
        </section>
    }
}
