use crate::api;
use crate::components::{resource_view, Product};
use crate::nav::use_params_map;
use domain::dto::ProductDetail;
use leptos::prelude::*;
/// `/p/{id}`: a product, its price, premium and where the money goes.
#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let product =
        crate::load::Load::new(move || api::product(params.read().get("id").unwrap_or_default()));
    view! { {resource_view(product, |p: ProductDetail| view! { <Product p=p /> })} }
}
