//! The organisers' workspace, `/api/organise/...`: their session and the
//! CSRF guard, the change log, products and their photos, rounds and
//! supplies, visit bookings, and packing. No answer here is ever cached.

pub mod change_log;
pub mod households;
pub mod ledger;
pub mod organisers;
pub mod packing;
pub mod people;
pub mod photos;
pub mod pickup;
pub mod problems;
pub mod products;
pub mod rounds;
pub mod session;
pub mod settlement;
pub mod village;
pub mod village_photos;
pub mod visit_offer;
pub mod visits;

use utoipa_axum::router::OpenApiRouter;

use crate::{http::no_store, AppState};

/// Every organiser route but the photo upload.
pub fn router() -> OpenApiRouter<AppState> {
    no_store(
        OpenApiRouter::new()
            .merge(session::router())
            .merge(change_log::router())
            .merge(products::router())
            .merge(rounds::router())
            .merge(visits::router())
            .merge(visit_offer::router())
            .merge(packing::router())
            .merge(photos::router())
            .merge(people::router())
            .merge(organisers::router())
            .merge(households::router())
            .merge(village::router())
            .merge(village_photos::router())
            .merge(pickup::router())
            .merge(problems::router())
            .merge(settlement::router())
            .merge(ledger::router()),
    )
}

/// The photo upload, on its own so it can stay out of the small body limit.
pub fn upload_router() -> OpenApiRouter<AppState> {
    no_store(photos::upload_router().merge(village_photos::upload_router()))
}
