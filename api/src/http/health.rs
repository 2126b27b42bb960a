//! `GET /api/health`: the server answers and the database answers.

use axum::{extract::State, Json};
use domain::dto::Health;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{http::error::Result, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

#[utoipa::path(
    get,
    path = "/health",
    tag = "health",
    summary = "Whether the server and its database answer",
    responses(
        (status = 200, description = "OK", body = Health)
    )
)]
async fn health(State(state): State<AppState>) -> Result<Json<Health>> {
    let (one,): (i64,) = sqlx::query_as("SELECT 1").fetch_one(&state.db).await?;
    debug_assert_eq!(one, 1);
    Ok(Json(Health {
        status: "ok".into(),
        database: "ok".into(),
    }))
}
