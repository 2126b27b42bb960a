//! Product photos for organisers: upload and delete. (Serving them is
//! public: `photos::stored`.)
//!
//! - `POST   /api/organise/products/{id}/photos`  body: the image file's raw
//!   bytes (any `Content-Type`; the real type is read from the bytes) →
//!   201 `PhotoRef`. Errors name the field `photo`: 413 over 10 MB, 422 for
//!   a file that is not a JPEG, PNG or WebP photo, or is damaged, or too
//!   many pixels, or when the product already has [`MAX_PHOTOS`].
//! - `DELETE /api/organise/photos/{id}` → 204
//!
//! The raw body (rather than multipart) lets the app send the file with
//! `XMLHttpRequest` and show upload progress. The upload route is kept out
//! of the global 64 KB body limit (see `lib.rs`) and enforces
//! [`photos::MAX_BYTES`] itself while it reads, after the session, CSRF
//! and village checks, so nobody without access can make it keep 10 MB.
//! Refusals are sent after the upload has been read (and dropped), so a
//! browser gets the message rather than a broken connection.
//! Decoding runs on the blocking pool, one photo at a time
//! ([`crate::AppState::photo_permits`]): a big photo takes a few hundred
//! MB and a second of CPU.

use std::pin::Pin;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::{
    body::{Body, HttpBody as _},
    extract::State,
    http::{header, HeaderMap, StatusCode},
    Json,
};
use domain::{
    dto::{photo_url, PhotoRef, PhotoVersionRef},
    FieldError,
};
use serde::Serialize;
use sqlx::SqliteConnection;
use time::OffsetDateTime;

use crate::{
    http::error::{Error, Result},
    http::params::Id,
    organise::{
        change_log::{to_value, ChangeLog},
        session::CurrentOrganiser,
    },
    photos::{self, PhotoError},
    AppState,
};

/// Photos a product may have.
pub const MAX_PHOTOS: i64 = 12;
/// A refused upload up to this size is read to its end before the
/// refusal is sent (see [`drain`]).
const DRAIN_MAX_BYTES: u64 = 32 * 1024 * 1024;

/// The upload route, on its own so it can stay out of the small body limit.
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload))
}

/// Deleting (an organiser route, with the others).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(remove))
}

fn too_large(bytes: Option<u64>) -> Error {
    let most = photos::MAX_BYTES / (1024 * 1024);
    let (zh, en) = match bytes {
        Some(n) => {
            let mb = n as f64 / (1024.0 * 1024.0);
            (
                format!("照片最多 {most} MB；这个文件有 {mb:.1} MB"),
                format!("photos can be at most {most} MB; this file is {mb:.1} MB"),
            )
        }
        None => (
            format!("照片最多 {most} MB；这个文件更大"),
            format!("photos can be at most {most} MB; this file is larger"),
        ),
    };
    Error::FieldTooLarge(FieldError::new(photos::FIELD, zh, en))
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// Reads what the client sends and drops it, before a refusal is sent: a
/// server that answers mid-upload and closes the connection makes browsers
/// report a network error instead of the answer. Not for absurd sizes.
async fn drain(headers: &HeaderMap, body: &mut Body) {
    if declared_length(headers).is_some_and(|n| n > DRAIN_MAX_BYTES) {
        return;
    }
    let mut seen = 0u64;
    while let Some(Ok(frame)) = std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await
    {
        seen += frame.data_ref().map_or(0, |d| d.len() as u64);
        if seen > DRAIN_MAX_BYTES {
            break;
        }
    }
}

/// The body, refused as soon as it passes [`photos::MAX_BYTES`].
async fn read_photo(headers: &HeaderMap, mut body: Body) -> Result<Vec<u8>> {
    let declared = declared_length(headers);
    if let Some(n) = declared.filter(|&n| n > photos::MAX_BYTES as u64) {
        drain(headers, &mut body).await;
        return Err(too_large(Some(n)));
    }
    let mut out = Vec::with_capacity(declared.unwrap_or(0) as usize);
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| {
            tracing::info!(error = %e, "photo upload interrupted");
            Error::bad_body(
                "上传中断了，请再试一次",
                "the upload was interrupted; please try again",
            )
        })?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > photos::MAX_BYTES {
                drain(headers, &mut body).await;
                return Err(too_large(None));
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

/// The upload read and processed, once `checked` (every check that needs
/// no bytes) passed; a refusal still reads the upload first. Returns what
/// the checks gave, the processed photo and the upload's size.
pub(crate) async fn receive<T>(
    state: &AppState,
    headers: &HeaderMap,
    mut body: Body,
    checked: Result<T>,
) -> Result<(T, photos::Processed, usize)> {
    let checked = match checked {
        Ok(ok) => ok,
        Err(e) => {
            drain(headers, &mut body).await;
            return Err(e);
        }
    };
    let bytes = read_photo(headers, body).await?;
    let upload_bytes = bytes.len();
    let permit = state
        .photo_permits
        .clone()
        .acquire_owned()
        .await
        .map_err(Error::internal)?;
    // The permit moves into the task: it is held until decoding ends, even
    // if the client gives up meanwhile.
    let processed = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        photos::process(&bytes)
    })
    .await
    .map_err(Error::internal)?
    .map_err(|e| match e {
        PhotoError::TooLarge { bytes } => too_large(Some(bytes as u64)),
        other => Error::from(other),
    })?;
    Ok((checked, processed, upload_bytes))
}

/// Stores the processed versions of photo `photo_id` in `table` (one of
/// the two version tables).
pub(crate) async fn insert_versions(
    conn: &mut SqliteConnection,
    table: &str,
    photo_id: i64,
    processed: &photos::Processed,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO {table} (photo_id, width, height, content_type, bytes) VALUES (?, ?, ?, ?, ?)"
    );
    for v in &processed.versions {
        sqlx::query(&sql)
            .bind(photo_id)
            .bind(v.width)
            .bind(v.height)
            .bind(v.content_type)
            .bind(&v.bytes)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The stored sizes, for the change log.
pub(crate) fn sizes(processed: &photos::Processed) -> Vec<(i64, i64)> {
    processed
        .versions
        .iter()
        .map(|v| (v.width.into(), v.height.into()))
        .collect()
}

/// The answer to an upload: where each stored size is served.
pub(crate) fn photo_ref(
    photo_id: i64,
    processed: &photos::Processed,
    url: fn(i64, u32) -> String,
) -> PhotoRef {
    PhotoRef {
        id: photo_id,
        versions: processed
            .versions
            .iter()
            .map(|v| PhotoVersionRef {
                width: v.width,
                height: v.height,
                url: url(photo_id, v.width),
            })
            .collect(),
    }
}

/// The product's village after the access checks: 404 / 403.
async fn product_village(
    conn: &mut SqliteConnection,
    o: &CurrentOrganiser,
    product_id: i64,
) -> Result<i64> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT village_id FROM product WHERE id = ?")
        .bind(product_id)
        .fetch_optional(&mut *conn)
        .await?;
    let (village_id,) = row.ok_or_else(|| {
        Error::not_found(
            format!("没有这个产品：{product_id}"),
            format!("no product with id {product_id}"),
        )
    })?;
    Ok(o.check_village(conn, village_id).await?.id)
}

async fn photo_count(conn: &mut SqliteConnection, product_id: i64) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM photo WHERE product_id = ?")
        .bind(product_id)
        .fetch_one(conn)
        .await?;
    Ok(n)
}

fn too_many() -> Error {
    Error::field(
        photos::FIELD,
        format!("一个产品最多 {MAX_PHOTOS} 张照片，请先删掉一张"),
        format!("a product can have at most {MAX_PHOTOS} photos; delete one first"),
    )
}

/// What the change log keeps of a photo (never the bytes).
#[derive(Serialize)]
struct PhotoLog {
    product_id: i64,
    position: i64,
    source_type: String,
    width: i64,
    height: i64,
    upload_bytes: i64,
    versions: Vec<(i64, i64)>,
}

/// `POST /api/organise/products/{id}/photos`.
#[utoipa::path(
    post,
    path = "/organise/products/{id}/photos",
    tag = "organise",
    summary = "Upload a product photo",
    params(
        ("id" = i64, Path, description = "The product's id")
    ),
    request_body(content_type = "image/*", description = "The photo's bytes: JPEG, PNG or WebP, at most 10 MB; the type is read from the bytes"),
    responses(
        (status = 201, description = "Created", body = PhotoRef)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn upload(
    State(state): State<AppState>,
    o: Result<CurrentOrganiser>,
    id: Result<Id>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<PhotoRef>)> {
    // Every check that needs no bytes comes first (nobody without access
    // makes the server keep 10 MB); a refusal still reads the upload.
    let checked = async {
        let o = o?;
        let Id(product_id) = id?;
        let mut conn = state.db.acquire().await?;
        product_village(&mut conn, &o, product_id).await?;
        if photo_count(&mut conn, product_id).await? >= MAX_PHOTOS {
            return Err(too_many());
        }
        Ok((o, product_id))
    }
    .await;
    let ((o, product_id), processed, upload_bytes) =
        receive(&state, &headers, body, checked).await?;

    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut tx = state.write().await?;
    // Checked again inside the transaction: things may have changed while
    // the photo was decoded.
    let village_id = product_village(tx.conn(), &o, product_id).await?;
    if photo_count(tx.conn(), product_id).await? >= MAX_PHOTOS {
        return Err(too_many());
    }
    let (position,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(position), 0) + 1 FROM photo WHERE product_id = ?")
            .bind(product_id)
            .fetch_one(tx.conn())
            .await?;
    let source_type = processed.source_type.content_type();
    let photo_id = sqlx::query(
        "INSERT INTO photo (product_id, position, source_type, width, height, upload_bytes, organiser_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(product_id)
    .bind(position)
    .bind(source_type)
    .bind(processed.width)
    .bind(processed.height)
    .bind(upload_bytes as i64)
    .bind(o.id)
    .bind(now)
    .execute(tx.conn())
    .await?
    .last_insert_rowid();
    insert_versions(tx.conn(), "photo_version", photo_id, &processed).await?;
    let log = PhotoLog {
        product_id,
        position,
        source_type: source_type.to_owned(),
        width: processed.width.into(),
        height: processed.height.into(),
        upload_bytes: upload_bytes as i64,
        versions: sizes(&processed),
    };
    ChangeLog::new(&o, village_id, now)
        .record(
            tx.conn(),
            ("photo", photo_id),
            "upload",
            None,
            Some(to_value(&log)?),
        )
        .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(photo_ref(photo_id, &processed, photo_url)),
    ))
}

/// `DELETE /api/organise/photos/{id}`.
#[utoipa::path(
    delete,
    path = "/organise/photos/{id}",
    tag = "organise",
    summary = "Remove a product photo",
    params(
        ("id" = i64, Path, description = "The photo's id")
    ),
    responses(
        (status = 204, description = "Done")
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn remove(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(photo_id): Id,
) -> Result<StatusCode> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut tx = state.write().await?;
    type Row = (i64, i64, String, i64, i64, i64);
    let row: Option<Row> = sqlx::query_as(
        "SELECT product_id, position, source_type, width, height, upload_bytes FROM photo WHERE id = ?",
    )
    .bind(photo_id)
    .fetch_optional(tx.conn())
    .await?;
    let (product_id, position, source_type, width, height, upload_bytes) =
        row.ok_or_else(|| {
            Error::not_found(
                format!("没有这张照片：{photo_id}"),
                format!("no photo with id {photo_id}"),
            )
        })?;
    let village_id = product_village(tx.conn(), &o, product_id).await?;
    let versions: Vec<(i64, i64)> =
        sqlx::query_as("SELECT width, height FROM photo_version WHERE photo_id = ? ORDER BY width")
            .bind(photo_id)
            .fetch_all(tx.conn())
            .await?;
    // The versions go with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM photo WHERE id = ?")
        .bind(photo_id)
        .execute(tx.conn())
        .await?;
    let log = PhotoLog {
        product_id,
        position,
        source_type,
        width,
        height,
        upload_bytes,
        versions,
    };
    ChangeLog::new(&o, village_id, now)
        .record(
            tx.conn(),
            ("photo", photo_id),
            "delete",
            Some(to_value(&log)?),
            None,
        )
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
