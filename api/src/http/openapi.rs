//! `GET /api/openapi.json`: the API's OpenAPI 3.1 document, built from the
//! same routers that answer (each handler's `#[utoipa::path]` and the
//! `domain` types' schemas), so it cannot list a route that is not served.
//! It describes shapes only; nothing in it is private.

use std::sync::OnceLock;

use axum::{http::header, response::IntoResponse};
use domain::{
    dto::{ApiError, NoRoomError},
    organise::{BelowOrderedError, RateLimitedError, CSRF_HEADER},
};
use utoipa::{
    openapi::{
        schema::AnyOfBuilder,
        security::{ApiKey, ApiKeyValue, SecurityScheme},
        tag::TagBuilder,
        ContentBuilder, InfoBuilder, OpenApi, Ref, RefOr, ResponseBuilder, Server,
    },
    PartialSchema, ToSchema,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    http::auth::{MEMBER, ORGANISER},
    AppState,
};

/// The document's own route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(document))
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "health",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")
    )
)]
async fn document() -> impl IntoResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let json = JSON.get_or_init(|| {
        crate::openapi()
            .to_json()
            .expect("the OpenAPI document serializes")
    });
    ([(header::CONTENT_TYPE, "application/json")], json.as_str())
}

/// Names of the security schemes, as handlers' `security(...)` use them.
pub const MEMBER_SCHEME: &str = "member";
pub const ORGANISER_SCHEME: &str = "organiser";
pub const CSRF_SCHEME: &str = "csrf";

/// The response every operation may give besides its own: an error.
const ERROR_RESPONSE: &str = "Error";

/// Completes the routers' paths (relative to `/api`) into the document:
/// its info, the `/api` prefix, both sessions as security schemes, and the
/// error answer on every operation.
pub fn finish(paths: OpenApi) -> OpenApi {
    let mut doc = OpenApi::new(
        InfoBuilder::new()
            .title("乡邻直供 · Village to Neighbour API")
            .version(env!("CARGO_PKG_VERSION"))
            .description(Some(
                "The storefront's JSON API. Money is in integer fen; texts a person reads \
                 come in Chinese and English. Every error answer has the `ApiError` shape \
                 (some 409s and 429s add fields, see `NoRoomError`, `BelowOrderedError`, \
                 `RateLimitedError`). Members log in with `POST /api/session` (cookie \
                 `sf_session`); organisers with `POST /api/organise/session` (cookie \
                 `sf_organiser`), and every organiser write must also send \
                 `X-Requested-With: storefront`.",
            ))
            .build(),
        utoipa::openapi::Paths::new(),
    )
    .nest("/api", paths);
    doc.servers = Some(vec![Server::new("/")]);
    doc.tags = Some(
        [
            (
                "shop",
                "What anyone may read, and what members and visitors do",
            ),
            ("organise", "The organisers' workspace"),
            ("photos", "Stored photos, by width"),
            ("health", "The server itself"),
        ]
        .map(|(name, description)| {
            TagBuilder::new()
                .name(name)
                .description(Some(description))
                .build()
        })
        .to_vec(),
    );

    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        MEMBER_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            MEMBER.cookie_name,
            "A member's session, set by `POST /api/session` or `POST /api/members`.",
        ))),
    );
    components.add_security_scheme(
        ORGANISER_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            ORGANISER.cookie_name,
            "An organiser's session, set by `POST /api/organise/session` (path `/api/organise`).",
        ))),
    );
    components.add_security_scheme(
        CSRF_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            CSRF_HEADER,
            "Every organiser write must carry `X-Requested-With: storefront` \
             (protection against cross-site requests); without it the answer is 403.",
        ))),
    );
    for (name, schema) in [
        (ApiError::name(), ApiError::schema()),
        (NoRoomError::name(), NoRoomError::schema()),
        (BelowOrderedError::name(), BelowOrderedError::schema()),
        (RateLimitedError::name(), RateLimitedError::schema()),
    ] {
        components.schemas.insert(name.into_owned(), schema);
    }
    let mut schemas = Vec::new();
    ApiError::schemas(&mut schemas);
    NoRoomError::schemas(&mut schemas);
    BelowOrderedError::schemas(&mut schemas);
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
    components.responses.insert(
        ERROR_RESPONSE.to_string(),
        RefOr::T(
            ResponseBuilder::new()
                .description(
                    "An error, always an `ApiError`: 400 malformed, 401 not logged in, 403 \
                     not allowed, 404 not found, 409 conflict, 413 too large, 415 not JSON, \
                     422 invalid fields (named in `fields`), 429 too many attempts, 503 busy \
                     (retry). A booking without room adds `no_room` (`NoRoomError`), a \
                     supply below what is ordered `below_ordered` (`BelowOrderedError`), too \
                     many failed logins `retry_after_minutes` (`RateLimitedError`); an order \
                     asking for more than is left lists `short`.",
                )
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(
                            AnyOfBuilder::new()
                                .item(Ref::from_schema_name(ApiError::name()))
                                .item(Ref::from_schema_name(NoRoomError::name()))
                                .item(Ref::from_schema_name(BelowOrderedError::name()))
                                .item(Ref::from_schema_name(RateLimitedError::name())),
                        ))
                        .build(),
                )
                .build(),
        ),
    );
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ] {
            let Some(op) = op else { continue };
            // Handlers' names repeat across areas (`list`, `one`); ids
            // must be unique, so they come from the method and path.
            op.operation_id = Some(operation_id(method, path));
            op.summary = op.summary.as_deref().and_then(without_route);
            op.responses
                .responses
                .entry("default".to_string())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name(ERROR_RESPONSE)));
        }
    }
    doc
}

/// `get`, `/api/orders/{id}` → `get_orders_id`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_string();
    for word in path
        .trim_start_matches("/api")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        id.push('_');
        id.push_str(word);
    }
    id
}

/// A handler's doc comment often starts with its route (`` `GET
/// /api/orders` ``: ...), which the document says already: the rest, or
/// nothing.
fn without_route(summary: &str) -> Option<String> {
    let rest = summary
        .strip_prefix('`')
        .and_then(|s| s.split_once('`'))
        .filter(|(route, _)| {
            route
                .split(' ')
                .nth(1)
                .is_some_and(|p| p.starts_with("/api"))
        })
        .map_or(summary, |(_, rest)| rest);
    let rest = rest.trim_start_matches([':', '.', ',', ' ', '\n']);
    let mut chars = rest.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}
