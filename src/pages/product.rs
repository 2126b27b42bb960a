use crate::api;
use crate::components::{resource_view, Product};
use crate::nav::use_param;
use domain::dto::ProductDetail;
use leptos::prelude::*;
/// `/p/{id}`: a product, its price, premium and where the money goes.
#[component]
pub fn ProductPage() -> impl IntoView {
    let id = use_param("id");
    let product = crate::load::Load::new(move || api::product(id()));
    view! { {resource_view(product, |p: ProductDetail| view! { <Product p=p /> })} }
}
