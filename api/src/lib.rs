//! The storefront's JSON API server, as a library: [`app`] is the whole
//! HTTP surface, [`prepare`] opens the database and seeds demo data, and
//! [`serve`] answers on a listener. `main.rs` only reads the configuration
//! and runs them; the tests start the same app in-process.

mod auth;
pub mod config;
pub mod db;
mod error;
mod health;
mod households;
mod json;
mod login_limit;
mod members;
mod orders;
mod organise_photos;
mod organise_products;
mod organise_rounds;
mod organise_visits;
mod organisers;
mod packing;
mod params;
mod photos;
mod products;
mod rounds;
mod seed;
mod seed_members;
mod seed_organisers;
mod seed_supply;
mod seed_visits;
mod static_files;
mod stock;
mod villages;
mod visits;

use std::{future::Future, sync::Arc};

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Router,
};
use sqlx::SqlitePool;
use tower_http::{
    compression::CompressionLayer, limit::RequestBodyLimitLayer,
    set_header::SetResponseHeaderLayer, trace::TraceLayer,
};

pub use crate::config::Config;
use crate::{db::WriteTx, error::Error};

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: SqlitePool,
    pub config: Arc<Config>,
    /// Held by every write transaction of this process; see [`WriteTx`].
    pub write_lock: Arc<tokio::sync::Mutex<()>>,
    /// One photo decoded at a time: each can take a few hundred MB.
    pub photo_permits: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(db: SqlitePool, config: Config) -> Self {
        Self {
            db,
            config: Arc::new(config),
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            photo_permits: Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`, after the writers' queue).
    pub async fn write(&self) -> Result<WriteTx, Error> {
        Ok(WriteTx::begin(&self.db, &self.write_lock).await?)
    }
}

/// Requests carry little; later issues' forms stay far below this.
const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// The whole HTTP surface: `/api/...` JSON, everything else the app.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .merge(villages::router())
        .merge(households::router())
        .merge(products::router())
        .merge(health::router())
        .merge(members::router())
        .merge(orders::router())
        .merge(visits::router())
        .merge(packing::public_router())
        .merge(organise_photos::public_router())
        .merge(organisers::no_store(
            organisers::router()
                .merge(organise_products::router())
                .merge(organise_rounds::router())
                .merge(organise_visits::router())
                .merge(packing::router())
                .merge(organise_photos::router()),
        ))
        .method_not_allowed_fallback(error::method_not_allowed)
        .fallback(error::api_not_found);
    let limited = Router::new()
        .nest("/api", api)
        .fallback(static_files::serve)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES));
    // Photo uploads (up to 10 MB) stay outside the small limit: a layer
    // around the whole app would cap them too. Their handler enforces its
    // own limit as it reads the body.
    let uploads = Router::new().nest(
        "/api",
        organisers::no_store(organise_photos::upload_router())
            .method_not_allowed_fallback(error::method_not_allowed),
    );
    Router::new()
        .merge(uploads)
        .merge(limited)
        .with_state(state)
        .layer(axum::middleware::map_response(json_payload_too_large))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static(static_files::NO_CACHE),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(TraceLayer::new_for_http())
}

/// The body-limit layer answers an oversized `Content-Length` itself, in
/// plain text; give it the JSON error shape like every other answer.
async fn json_payload_too_large(res: Response) -> Response {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        Error::PayloadTooLarge.into_response()
    } else {
        res
    }
}

/// Opens (creating and migrating) the configured database and seeds each
/// group of demo data whose tables are empty.
pub async fn prepare(config: Config) -> Result<AppState, String> {
    let db = db::connect(&config.db_path).await?;
    let now = time::OffsetDateTime::now_utc();
    match seed::seed_if_empty(&db, now).await? {
        Some(report) => tracing::info!(?report, "seeded an empty database with demo data"),
        None => tracing::info!("database already has data; not seeding"),
    }
    // Each later group of demo data is seeded when its own tables are empty,
    // so a database made by an earlier version gets it too.
    if let Some(rows) = seed_supply::seed_if_empty(&db).await? {
        tracing::info!(rows, "seeded demo supplies for every round");
    }
    if let Some(report) = seed_members::seed_if_empty(&db, now).await? {
        tracing::info!(?report, "seeded demo members and invitation codes");
    }
    if let Some(report) = seed_visits::seed_if_empty(&db, now).await? {
        tracing::info!(?report, "seeded demo visit offers");
    }
    if let Some(accounts) = seed_organisers::seed_if_empty(&db, now).await? {
        tracing::info!(accounts, "seeded demo organiser accounts");
    }
    Ok(AppState::new(db, config))
}

/// Answers on `listener` until `shutdown` completes, then closes the
/// database. The peer address is kept for the organiser login rate limit.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let db = state.db.clone();
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(|e| format!("server error: {e}"))?;
    db.close().await;
    Ok(())
}
