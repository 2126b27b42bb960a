//! `GET /api/villages/{slug}/share-spending?year=YYYY` → `ShareSummary`:
//! where the village's organising share went in a year, by category, and
//! what is left. Public, and only village totals: nothing of any household
//! or member, and no entry's note.

use axum::{
    extract::{RawQuery, State},
    routing::get,
    Json, Router,
};
use domain::income::ShareSummary;

use crate::{
    http::{error::Result, params::Slug},
    organise::{ledger::figures, settlement::year_param},
    shop::villages::no_village,
    AppState,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/villages/{slug}/share-spending", get(summary))
}

async fn summary(
    State(state): State<AppState>,
    Slug(slug): Slug,
    RawQuery(query): RawQuery,
) -> Result<Json<ShareSummary>> {
    let year = year_param(&query)?;
    let mut conn = state.db.acquire().await?;
    let village: Option<(i64,)> = sqlx::query_as("SELECT id FROM village WHERE slug = ?")
        .bind(&slug)
        .fetch_optional(&mut *conn)
        .await?;
    let (id,) = village.ok_or_else(|| no_village(&slug))?;
    let (figures, _) = figures(&mut conn, id, year).await?;
    Ok(Json(ShareSummary { year, figures }))
}
