//! Photos as stored: the public route that serves them, and the photos
//! of products as pages list them.
//!
//! - `GET /api/photos/{id}/{width}.jpg` → the JPEG, cached for good: a
//!   photo never changes, and ids are never reused.
//! - `GET /api/village-photos/{id}/{width}.jpg`: the same for villages'
//!   and households' photos.

use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::{
    extract::{rejection::PathRejection, Path, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use domain::dto::{photo_url, PhotoRef, PhotoVersionRef};
use sqlx::SqliteConnection;

use crate::{
    db::json_ids,
    http::{
        error::{Error, Result},
        params::Id,
    },
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(serve))
        .routes(routes!(serve_village))
        .routes(routes!(serve_rating))
}

type PhotoPath = std::result::Result<Path<(String, String)>, PathRejection>;

/// `GET /api/photos/{id}/{width}.jpg`.
#[utoipa::path(
    get,
    path = "/photos/{id}/{file}",
    tag = "photos",
    summary = "A product photo at one width",
    params(
        ("id" = i64, Path, description = "The photo's id"),
        ("file" = String, Path, description = "`{width}.jpg`")
    ),
    responses(
        (status = 200, description = "The photo at that width", content_type = "image/jpeg")
    )
)]
async fn serve(State(state): State<AppState>, path: PhotoPath) -> Result<Response> {
    serve_from(&state, path, "photo_version").await
}

/// `GET /api/village-photos/{id}/{width}.jpg`: villages' and households' photos.
#[utoipa::path(
    get,
    path = "/village-photos/{id}/{file}",
    tag = "photos",
    params(
        ("id" = i64, Path, description = "The photo's id"),
        ("file" = String, Path, description = "`{width}.jpg`")
    ),
    responses(
        (status = 200, description = "The photo at that width", content_type = "image/jpeg")
    )
)]
async fn serve_village(State(state): State<AppState>, path: PhotoPath) -> Result<Response> {
    serve_from(&state, path, "village_photo_version").await
}

/// `GET /api/rating-photos/{id}/{width}.jpg`: members' photos with their ratings.
#[utoipa::path(
    get,
    path = "/rating-photos/{id}/{file}",
    tag = "photos",
    summary = "A member's photo with a rating, at one width",
    params(
        ("id" = i64, Path, description = "The photo's id"),
        ("file" = String, Path, description = "`{width}.jpg`")
    ),
    responses(
        (status = 200, description = "The photo at that width", content_type = "image/jpeg")
    )
)]
async fn serve_rating(State(state): State<AppState>, path: PhotoPath) -> Result<Response> {
    serve_from(&state, path, "rating_photo_version").await
}

/// A stored version from `table` (one of the version tables).
async fn serve_from(state: &AppState, path: PhotoPath, table: &str) -> Result<Response> {
    let Path((id, file)) = path.map_err(|_| Error::not_found("没有这张照片", "no such photo"))?;
    let Id(photo_id) = Id::parse("id", &id)?;
    let not_found = || {
        Error::not_found(
            format!("没有这个照片版本：{id}/{file}"),
            format!("no photo version {id}/{file}"),
        )
    };
    let width: u32 = file
        .strip_suffix(".jpg")
        .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|w| w.parse().ok())
        .ok_or_else(not_found)?;
    let row: Option<(String, Vec<u8>)> = sqlx::query_as(&format!(
        "SELECT content_type, bytes FROM {table} WHERE photo_id = ? AND width = ?"
    ))
    .bind(photo_id)
    .bind(width)
    .fetch_optional(&state.db)
    .await?;
    let (content_type, bytes) = row.ok_or_else(not_found)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&content_type).map_err(Error::internal)?,
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The photos of these products, in page order, by product id.
pub(crate) async fn photos_of(
    conn: &mut SqliteConnection,
    product_ids: &[i64],
) -> Result<HashMap<i64, Vec<PhotoRef>>> {
    let rows: Vec<(i64, i64, u32, u32)> = sqlx::query_as(
        "SELECT p.product_id, p.id, v.width, v.height
         FROM photo p JOIN json_each(?) j ON j.value = p.product_id
         JOIN photo_version v ON v.photo_id = p.id
         ORDER BY p.product_id, p.position, p.id, v.width",
    )
    .bind(json_ids(product_ids))
    .fetch_all(conn)
    .await?;
    Ok(grouped(rows, photo_url))
}

/// (owner, photo id, width, height) rows, in page order and width order,
/// as each owner's photos; `url` says where a version is served.
pub(crate) fn grouped<K: std::hash::Hash + Eq>(
    rows: Vec<(K, i64, u32, u32)>,
    url: fn(i64, u32) -> String,
) -> HashMap<K, Vec<PhotoRef>> {
    let mut out: HashMap<K, Vec<PhotoRef>> = HashMap::new();
    for (owner, photo_id, width, height) in rows {
        let list = out.entry(owner).or_default();
        if list.last().map(|p| p.id) != Some(photo_id) {
            list.push(PhotoRef {
                id: photo_id,
                versions: Vec::new(),
            });
        }
        list.last_mut()
            .expect("just pushed")
            .versions
            .push(PhotoVersionRef {
                width,
                height,
                url: url(photo_id, width),
            });
    }
    out
}
