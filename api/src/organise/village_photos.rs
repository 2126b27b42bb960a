//! Photos of a village and of its households, for organisers. They go
//! through the same pipeline as product photos (metadata stripped,
//! 320/640/1280 versions) and are served publicly at
//! `/api/village-photos/{id}/{width}.jpg`.
//!
//! - `POST   /api/organise/households/{id}/photos`  raw image bytes → 201 `PhotoRef`
//! - `POST   /api/organise/villages/{slug}/photos`  raw image bytes → 201 `PhotoRef`
//! - `DELETE /api/organise/village-photos/{id}` → 204
//!
//! Errors name the field `photo`, as for product photos.

use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::{
    body::Body,
    extract::State,
    http::{HeaderMap, StatusCode},
    Json,
};
use domain::{dto::PhotoRef, organise::village::MAX_PHOTOS};
use serde::Serialize;
use sqlx::SqliteConnection;
use time::OffsetDateTime;

use crate::{
    db::json_ids,
    http::error::{Error, Result},
    http::params::{Id, Slug},
    organise::{
        change_log::{to_value, ChangeLog},
        photos::{insert_versions, photo_ref, receive, sizes},
        session::CurrentOrganiser,
    },
    photos, AppState,
};

pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_household))
        .routes(routes!(upload_village))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(remove))
}

pub fn url(photo_id: i64, width: u32) -> String {
    format!("/api/village-photos/{photo_id}/{width}.jpg")
}

/// Who a photo belongs to: a village, and one of its households or none.
#[derive(Clone, Copy, Debug)]
struct Owner {
    village_id: i64,
    household_id: Option<i64>,
}

/// The photos of these households (and, with `None`, of the village
/// itself) of village `village_id`, in page order.
pub(crate) async fn photos_by_owner(
    conn: &mut SqliteConnection,
    village_id: i64,
    household_ids: &[i64],
) -> Result<HashMap<Option<i64>, Vec<PhotoRef>>> {
    let rows: Vec<(Option<i64>, i64, u32, u32)> = sqlx::query_as(
        "SELECT p.household_id, p.id, v.width, v.height
         FROM village_photo p JOIN village_photo_version v ON v.photo_id = p.id
         WHERE p.village_id = ?1
           AND (p.household_id IS NULL OR p.household_id IN (SELECT value FROM json_each(?2)))
         ORDER BY p.household_id, p.position, p.id, v.width",
    )
    .bind(village_id)
    .bind(json_ids(household_ids))
    .fetch_all(conn)
    .await?;
    Ok(photos::grouped(rows, url))
}

/// The photos of one owner.
async fn photos_of_owner(conn: &mut SqliteConnection, owner: Owner) -> Result<Vec<PhotoRef>> {
    let ids: Vec<i64> = owner.household_id.into_iter().collect();
    Ok(photos_by_owner(conn, owner.village_id, &ids)
        .await?
        .remove(&owner.household_id)
        .unwrap_or_default())
}

pub(crate) async fn household_photos(
    conn: &mut SqliteConnection,
    village_id: i64,
    household_id: i64,
) -> Result<Vec<PhotoRef>> {
    photos_of_owner(
        conn,
        Owner {
            village_id,
            household_id: Some(household_id),
        },
    )
    .await
}

pub(crate) async fn village_photos(
    conn: &mut SqliteConnection,
    village_id: i64,
) -> Result<Vec<PhotoRef>> {
    photos_of_owner(
        conn,
        Owner {
            village_id,
            household_id: None,
        },
    )
    .await
}

/// The household's village after the access checks: 404 / 403.
pub(crate) async fn household_village(
    conn: &mut SqliteConnection,
    o: &CurrentOrganiser,
    household_id: i64,
) -> Result<i64> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT village_id FROM household WHERE id = ?")
        .bind(household_id)
        .fetch_optional(&mut *conn)
        .await?;
    let (village_id,) = row.ok_or_else(|| no_household(household_id))?;
    Ok(o.check_village(conn, village_id).await?.id)
}

pub(crate) fn no_household(id: i64) -> Error {
    Error::not_found(
        format!("没有这个农户：{id}"),
        format!("no household with id {id}"),
    )
}

async fn owner_photo_count(conn: &mut SqliteConnection, owner: Owner) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM village_photo WHERE village_id = ? AND household_id IS ?",
    )
    .bind(owner.village_id)
    .bind(owner.household_id)
    .fetch_one(conn)
    .await?;
    Ok(n)
}

async fn room_for_one(conn: &mut SqliteConnection, owner: Owner) -> Result<()> {
    if owner_photo_count(conn, owner).await? >= MAX_PHOTOS {
        return Err(Error::field(
            photos::FIELD,
            format!("最多 {MAX_PHOTOS} 张照片，请先删掉一张"),
            format!("at most {MAX_PHOTOS} photos; delete one first"),
        ));
    }
    Ok(())
}

/// What the change log keeps of a photo (never the bytes).
#[derive(Serialize)]
struct PhotoLog {
    household_id: Option<i64>,
    position: i64,
    source_type: String,
    width: i64,
    height: i64,
    upload_bytes: i64,
    versions: Vec<(i64, i64)>,
}

#[utoipa::path(
    post,
    path = "/organise/households/{id}/photos",
    tag = "organise",
    summary = "Upload a household photo",
    params(
        ("id" = i64, Path, description = "The household's id")
    ),
    request_body(content_type = "image/*", description = "The photo's bytes: JPEG, PNG or WebP, at most 10 MB; the type is read from the bytes"),
    responses(
        (status = 201, description = "Created", body = PhotoRef)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn upload_household(
    State(state): State<AppState>,
    o: Result<CurrentOrganiser>,
    id: Result<Id>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<PhotoRef>)> {
    let checked = async {
        let o = o?;
        let Id(household_id) = id?;
        let mut conn = state.db.acquire().await?;
        let village_id = household_village(&mut conn, &o, household_id).await?;
        let owner = Owner {
            village_id,
            household_id: Some(household_id),
        };
        room_for_one(&mut conn, owner).await?;
        Ok((o, owner))
    }
    .await;
    store(&state, &headers, body, checked).await
}

#[utoipa::path(
    post,
    path = "/organise/villages/{slug}/photos",
    tag = "organise",
    summary = "Upload a village photo",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    request_body(content_type = "image/*", description = "The photo's bytes: JPEG, PNG or WebP, at most 10 MB; the type is read from the bytes"),
    responses(
        (status = 201, description = "Created", body = PhotoRef)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn upload_village(
    State(state): State<AppState>,
    o: Result<CurrentOrganiser>,
    slug: Result<Slug>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<PhotoRef>)> {
    let checked = async {
        let o = o?;
        let Slug(slug) = slug?;
        let mut conn = state.db.acquire().await?;
        let v = o.village(&mut conn, &slug).await?;
        let owner = Owner {
            village_id: v.id,
            household_id: None,
        };
        room_for_one(&mut conn, owner).await?;
        Ok((o, owner))
    }
    .await;
    store(&state, &headers, body, checked).await
}

/// Reads, processes and stores the upload for the owner `checked` found.
async fn store(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    checked: Result<(CurrentOrganiser, Owner)>,
) -> Result<(StatusCode, Json<PhotoRef>)> {
    let ((o, owner), processed, upload_bytes) = receive(state, headers, body, checked).await?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut tx = state.write().await?;
    // Checked again inside the transaction: things may have changed while
    // the photo was decoded.
    match owner.household_id {
        Some(h) => {
            household_village(tx.conn(), &o, h).await?;
        }
        None => {
            o.check_village(tx.conn(), owner.village_id).await?;
        }
    }
    room_for_one(tx.conn(), owner).await?;
    let (position,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM village_photo
         WHERE village_id = ? AND household_id IS ?",
    )
    .bind(owner.village_id)
    .bind(owner.household_id)
    .fetch_one(tx.conn())
    .await?;
    let source_type = processed.source_type.content_type();
    let photo_id = sqlx::query(
        "INSERT INTO village_photo (village_id, household_id, position, source_type, width, height,
                                    upload_bytes, organiser_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(owner.village_id)
    .bind(owner.household_id)
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
    insert_versions(tx.conn(), "village_photo_version", photo_id, &processed).await?;
    let log = PhotoLog {
        household_id: owner.household_id,
        position,
        source_type: source_type.to_owned(),
        width: processed.width.into(),
        height: processed.height.into(),
        upload_bytes: upload_bytes as i64,
        versions: sizes(&processed),
    };
    ChangeLog::new(&o, owner.village_id, now)
        .record(
            tx.conn(),
            ("village_photo", photo_id),
            "upload",
            None,
            Some(to_value(&log)?),
        )
        .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(photo_ref(photo_id, &processed, url)),
    ))
}

/// `DELETE /api/organise/village-photos/{id}`.
#[utoipa::path(
    delete,
    path = "/organise/village-photos/{id}",
    tag = "organise",
    summary = "Remove a village or household photo",
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
    type Row = (i64, Option<i64>, i64, String, i64, i64, i64);
    let row: Option<Row> = sqlx::query_as(
        "SELECT village_id, household_id, position, source_type, width, height, upload_bytes
         FROM village_photo WHERE id = ?",
    )
    .bind(photo_id)
    .fetch_optional(tx.conn())
    .await?;
    let (village_id, household_id, position, source_type, width, height, upload_bytes) = row
        .ok_or_else(|| {
            Error::not_found(
                format!("没有这张照片：{photo_id}"),
                format!("no photo with id {photo_id}"),
            )
        })?;
    o.check_village(tx.conn(), village_id).await?;
    let versions: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT width, height FROM village_photo_version WHERE photo_id = ? ORDER BY width",
    )
    .bind(photo_id)
    .fetch_all(tx.conn())
    .await?;
    sqlx::query("DELETE FROM village_photo WHERE id = ?")
        .bind(photo_id)
        .execute(tx.conn())
        .await?;
    let log = PhotoLog {
        household_id,
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
            ("village_photo", photo_id),
            "delete",
            Some(to_value(&log)?),
            None,
        )
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
