//! `GET /api/health`: the server answers and the database answers.

use axum::{extract::State, routing::get, Json, Router};
use domain::dto::Health;

use crate::{http::error::Result, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

async fn health(State(state): State<AppState>) -> Result<Json<Health>> {
    let (one,): (i64,) = sqlx::query_as("SELECT 1").fetch_one(&state.db).await?;
    debug_assert_eq!(one, 1);
    Ok(Json(Health {
        status: "ok".into(),
        database: "ok".into(),
    }))
}
