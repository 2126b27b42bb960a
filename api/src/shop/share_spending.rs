//! `GET /api/villages/{slug}/share-spending?year=YYYY` → `ShareSummary`:
//! where the village's organising share went in a year, by category, and
//! what is left. Public, and only village totals: nothing of any household
//! or member, and no entry's note.

use axum::{
    extract::{RawQuery, State},
    Json,
};
use domain::income::ShareSummary;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    http::{error::Result, params::Slug},
    organise::{ledger::figures, settlement::year_param},
    shop::villages::no_village,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(summary))
}

#[utoipa::path(
    get,
    path = "/villages/{slug}/share-spending",
    tag = "shop",
    summary = "Where the village's organising share went in a year (public totals)",
    params(
        ("slug" = String, Path, description = "The village's slug"),
        ("year" = Option<i32>, Query, description = "The year; this year in Asia/Shanghai when left out")
    ),
    responses((status = 200, description = "OK", body = ShareSummary))
)]
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
