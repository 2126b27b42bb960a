//! The storefront's JSON API server, as a library: [`app`] is the whole
//! HTTP surface, [`prepare`] opens the database and seeds demo data, and
//! [`serve`] answers on a listener. `main.rs` only reads the configuration
//! and runs them; the tests start the same app in-process.

pub mod admin;
pub mod backup;
pub mod config;
pub mod db;
mod http;
mod organise;
mod photos;
mod seed;
mod shop;

use std::{future::Future, sync::Arc};

use axum::Router;
use sqlx::SqlitePool;
use utoipa_axum::router::OpenApiRouter;

pub use crate::config::Config;
use crate::{db::WriteTx, http::Error};

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    /// For reads; writes go through [`AppState::write`].
    pub db: SqlitePool,
    /// The write transactions' own connection ([`db::writer`]).
    pub writer: SqlitePool,
    pub config: Arc<Config>,
    /// Held by every write transaction of this process; see [`WriteTx`].
    pub write_lock: Arc<tokio::sync::Mutex<()>>,
    /// Syncs the WAL for every commit before its answer; see [`db::WalSync`].
    pub wal_sync: Arc<db::WalSync>,
    /// One photo decoded at a time: each can take a few hundred MB.
    pub photo_permits: Arc<tokio::sync::Semaphore>,
    /// Catalogue answers kept while the database and the clock allow.
    pub reads: Arc<http::read_cache::ReadCache>,
    /// The built app's hashed files, read once.
    pub assets: Arc<http::assets::AssetCache>,
}

impl AppState {
    pub fn new(db: SqlitePool, writer: SqlitePool, config: Config) -> Self {
        let reads = Arc::new(http::read_cache::ReadCache::new(&config.db_path));
        let wal_sync = Arc::new(db::WalSync::new(&config.db_path));
        Self {
            wal_sync,
            reads,
            assets: Arc::default(),
            db,
            writer,
            config: Arc::new(config),
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            photo_permits: Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`, after the writers' queue).
    pub async fn write(&self) -> Result<WriteTx, Error> {
        Ok(WriteTx::begin(&self.writer, &self.write_lock, &self.wal_sync).await?)
    }
}

/// Every `/api` route (relative to `/api`), each with its OpenAPI
/// description: first those under the small body limit, then the photo
/// uploads.
fn api_routers() -> (OpenApiRouter<AppState>, OpenApiRouter<AppState>) {
    let api = OpenApiRouter::new()
        .merge(http::router())
        .merge(http::openapi::router())
        .merge(shop::router())
        .merge(photos::router())
        .merge(organise::router());
    let uploads = organise::upload_router().merge(shop::upload_router());
    (api, uploads)
}

/// The OpenAPI 3.1 document of every `/api` route, as `GET
/// /api/openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (api, uploads) = api_routers();
    let mut paths = api.into_openapi();
    paths.merge(uploads.into_openapi());
    http::openapi::finish(paths)
}

/// The whole HTTP surface: `/api/...` JSON, everything else the app.
pub fn app(state: AppState) -> Router {
    let (api, uploads) = api_routers();
    let api = Router::from(api)
        .method_not_allowed_fallback(http::error::method_not_allowed)
        .fallback(http::error::api_not_found);
    let limited = Router::new()
        .nest("/api", api)
        .fallback(http::static_files::serve)
        .layer(http::body_limit());
    // Photo uploads (up to 10 MB) stay outside the small limit: a layer
    // around the whole app would cap them too. Their handler enforces its
    // own limit as it reads the body.
    let uploads = Router::new().nest(
        "/api",
        Router::from(uploads).method_not_allowed_fallback(http::error::method_not_allowed),
    );
    http::response_layers(
        Router::new()
            .merge(uploads)
            .merge(limited)
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                http::headers::security,
            ))
            .with_state(state),
    )
}

/// Opens (creating and migrating) the configured database and, unless
/// `STOREFRONT_DEMO=0`, seeds each group of demo data whose tables are empty.
pub async fn prepare(config: Config) -> Result<AppState, String> {
    let db = db::connect(&config.db_path, db::Durability::Grouped).await?;
    if config.demo {
        seed::seed_all(&db, time::OffsetDateTime::now_utc()).await?;
    } else {
        tracing::info!("STOREFRONT_DEMO=0: not seeding demo data");
    }
    let writer = db::writer(&config.db_path, db::Durability::Grouped).await?;
    Ok(AppState::new(db, writer, config))
}

/// Answers on `listener` until `shutdown` completes, then closes the
/// database. The peer address is kept for the organiser login rate limit.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let (db, writer) = (state.db.clone(), state.writer.clone());
    use axum::serve::ListenerExt as _;
    // `tap_io` only so that axum hands the peer's address to the app.
    let listener = http::parse_errors::JsonParseErrors(listener).tap_io(|_| {});
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(|e| format!("server error: {e}"))?;
    writer.close().await;
    db.close().await;
    Ok(())
}
