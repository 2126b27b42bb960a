//! The shop: what anyone may read (villages, households, products, rounds
//! and their stock, visit offers, what a label is on), and what members
//! and visitors do (join, log in, order, book visits). Personal answers
//! are never cached.

pub mod feedback;
pub mod households;
mod labels;
pub mod members;
pub mod orders;
pub mod products;
pub mod rounds;
pub mod session;
mod share_spending;
pub mod stock;
pub mod villages;
pub mod visits;

use utoipa_axum::router::OpenApiRouter;

use crate::{http::no_store, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    let public = OpenApiRouter::new()
        .merge(villages::router())
        .merge(households::router())
        .merge(products::router())
        .merge(visits::router())
        .merge(labels::router())
        .merge(share_spending::router())
        .merge(feedback::reports_router());
    let personal = OpenApiRouter::new()
        .merge(members::router())
        .merge(orders::router())
        .merge(visits::bookings_router())
        .merge(feedback::router());
    public.merge(no_store(personal))
}

/// The member's photo of a rated line, on its own so it can stay out of
/// the small body limit.
pub fn upload_router() -> OpenApiRouter<AppState> {
    no_store(feedback::photo_router())
}
