//! What every area shares about HTTP: the one error type, the JSON body
//! and path-parameter extractors, passwords and session cookies (both
//! kinds of login), the login rate limit, the layers that set response
//! headers, the built app's files and the health check.

pub mod assets;
pub mod auth;
pub mod csv;
pub mod error;
pub mod headers;
mod health;
pub mod json;
pub mod lang;
pub mod login_limit;
pub mod openapi;
pub mod page_head;
pub mod params;
pub mod parse_errors;
pub mod read_cache;
pub mod static_files;

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Router,
};
use tower_http::{
    compression::CompressionLayer, limit::RequestBodyLimitLayer,
    set_header::SetResponseHeaderLayer, trace::TraceLayer,
};

pub use error::Error;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// Requests carry little; every form stays far below this.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// `GET /api/health`.
pub fn router() -> OpenApiRouter<AppState> {
    health::router()
}

/// Answers of these routes are never cached: personal or workspace data.
pub fn no_store<S: Clone + Send + Sync + 'static>(r: OpenApiRouter<S>) -> OpenApiRouter<S> {
    r.layer(SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ))
}

/// The small body limit of every request but photo uploads.
pub fn body_limit() -> RequestBodyLimitLayer {
    RequestBodyLimitLayer::new(BODY_LIMIT_BYTES)
}

/// The layers around the whole app: the JSON shape of 413s, `no-cache`
/// and `nosniff` unless a route says otherwise, compression and tracing.
pub fn response_layers(app: Router) -> Router {
    app.layer(axum::middleware::map_response(json_payload_too_large))
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
