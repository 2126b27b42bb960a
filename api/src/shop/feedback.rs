//! Quality feedback from the shop's side.
//!
//! - `PUT  /api/orders/{uuid}/feedback`: the member rates the lines of their
//!   own collected order (a line rated again keeps the latest).
//! - `GET  /api/orders/{uuid}/feedback`: the ratings the member gave it.
//! - `POST /api/labels/{code}/reports`: anyone holding a piece reports a
//!   problem with it; limited per address, and the answer says nothing of
//!   who ordered it.
//!
//! A household's public summary ([`household_summary`]) counts its ratings
//! and shows recent comments with at most the first character of the
//! member's name.

use std::collections::HashMap;

use axum::{
    body::Body,
    extract::{rejection::PathRejection, Path, State},
    http::{HeaderMap, StatusCode},
    Json,
};
use domain::{
    dto::PhotoRef,
    feedback::{
        self, FeedbackComment, FeedbackRequest, FeedbackSummary, LineRating, Rating,
        ReportReceived, ReportRequest, RECENT_COMMENTS,
    },
    label::LabelCode,
    LocalText,
};
use sha2::{Digest as _, Sha256};
use sqlx::SqliteConnection;
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    http::{
        error::{Error, Result},
        json::JsonBody,
        login_limit,
        params::{Id, OrderId},
    },
    organise::photos::{insert_versions, photo_ref, receive},
    shop::session::{refuse_suspended, CurrentMember},
    AppState,
};

/// Reports one address may send in [`REPORT_WINDOW_MINUTES`]: enough for a
/// family with a bad box, too few to flood the organisers' list.
pub const REPORTS_PER_ADDRESS: i64 = 5;
pub const REPORT_WINDOW_MINUTES: i64 = 60;

/// The member's own routes (personal, never cached).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(rate, rated))
}

/// The member's photo of a rated line (raw image bytes, up to 10 MB).
pub fn photo_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload_photo))
}

/// The public report route.
pub fn reports_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(report))
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// `PUT /api/orders/{uuid}/feedback`: answers every rating of the order.
#[utoipa::path(
    put,
    path = "/orders/{id}/feedback",
    tag = "shop",
    params(
        ("id" = String, Path, description = "The order's id: the UUID the phone made")
    ),
    request_body = FeedbackRequest,
    responses(
        (status = 200, description = "OK", body = FeedbackRequest)
    ),
    security(("member" = []))
)]
async fn rate(
    State(state): State<AppState>,
    member: CurrentMember,
    OrderId(id): OrderId,
    JsonBody(req): JsonBody<FeedbackRequest>,
) -> Result<Json<FeedbackRequest>> {
    let mut tx = state.write().await?;
    refuse_suspended(tx.conn(), member.id).await?;
    let owner: Option<(i64,)> = sqlx::query_as("SELECT member_id FROM orders WHERE id = ?")
        .bind(&id)
        .fetch_optional(tx.conn())
        .await?;
    // Someone else's order is answered like a missing one.
    if owner.map(|(m,)| m) != Some(member.id) {
        return Err(Error::not_found(
            format!("没有这张订单：{id}"),
            format!("no order with id {id}"),
        ));
    }
    let pickup: Option<(String,)> = sqlx::query_as("SELECT state FROM pickup WHERE order_id = ?")
        .bind(&id)
        .fetch_optional(tx.conn())
        .await?;
    if !matches!(
        pickup.as_ref().map(|(s,)| s.as_str()),
        Some("paid" | "unpaid")
    ) {
        return Err(Error::conflict(
            "这张订单还没有取货，取货后才能评价",
            "this order has not been collected yet; it can be rated after pickup",
        ));
    }
    let products: Vec<(i64,)> =
        sqlx::query_as("SELECT product_id FROM order_line WHERE order_id = ?")
            .bind(&id)
            .fetch_all(tx.conn())
            .await?;
    let products: Vec<i64> = products.into_iter().map(|(p,)| p).collect();
    let errors = feedback::check_feedback(&req, &products);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let at = now();
    for r in &req.ratings {
        let comment =
            feedback::comment("comment", &r.comment).map_err(|e| Error::Validation(vec![e]))?;
        sqlx::query(
            "INSERT INTO rating (order_id, product_id, rating, comment, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (order_id, product_id)
             DO UPDATE SET rating = excluded.rating, comment = excluded.comment,
                           updated_at = excluded.updated_at
             WHERE rating.rating <> excluded.rating OR rating.comment <> excluded.comment",
        )
        .bind(&id)
        .bind(r.product_id)
        .bind(r.rating.as_str())
        .bind(&comment)
        .bind(at)
        .bind(at)
        .execute(tx.conn())
        .await?;
    }
    let ratings = order_ratings(tx.conn(), &id).await?;
    tx.commit().await?;
    Ok(Json(FeedbackRequest { ratings }))
}

/// `GET /api/orders/{uuid}/feedback`: the member's ratings of their own
/// order so far (none before pickup).
#[utoipa::path(
    get,
    path = "/orders/{id}/feedback",
    tag = "shop",
    summary = "The member's ratings of their own order so far",
    params(
        ("id" = String, Path, description = "The order's id: the UUID the phone made")
    ),
    responses(
        (status = 200, description = "OK", body = FeedbackRequest)
    ),
    security(("member" = []))
)]
async fn rated(
    State(state): State<AppState>,
    member: CurrentMember,
    OrderId(id): OrderId,
) -> Result<Json<FeedbackRequest>> {
    let mut conn = state.db.acquire().await?;
    let owner: Option<(i64,)> = sqlx::query_as("SELECT member_id FROM orders WHERE id = ?")
        .bind(&id)
        .fetch_optional(&mut *conn)
        .await?;
    if owner.map(|(m,)| m) != Some(member.id) {
        return Err(Error::not_found(
            format!("没有这张订单：{id}"),
            format!("no order with id {id}"),
        ));
    }
    let ratings = order_ratings(&mut conn, &id).await?;
    Ok(Json(FeedbackRequest { ratings }))
}

/// Every rating of an order, by product.
pub(crate) async fn order_ratings(
    conn: &mut SqliteConnection,
    order_id: &str,
) -> Result<Vec<LineRating>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT product_id, rating, comment FROM rating WHERE order_id = ? ORDER BY product_id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut photos = rating_photos(&mut *conn, &[order_id]).await?;
    rows.into_iter()
        .map(|(product_id, rating, comment)| {
            Ok(LineRating {
                product_id,
                rating: Rating::parse(&rating)
                    .ok_or_else(|| Error::internal(format_args!("bad rating '{rating}'")))?,
                comment,
                photo: photos.remove(&(order_id.to_owned(), product_id)),
            })
        })
        .collect()
}

/// 404 unless the order is the member's, 409 naming `product` unless they
/// have rated that line (only collected orders are rated).
async fn rated_line(
    conn: &mut SqliteConnection,
    member_id: i64,
    order_id: &str,
    product_id: i64,
) -> Result<()> {
    let owner: Option<(i64,)> = sqlx::query_as("SELECT member_id FROM orders WHERE id = ?")
        .bind(order_id)
        .fetch_optional(&mut *conn)
        .await?;
    if owner.map(|(m,)| m) != Some(member_id) {
        return Err(Error::not_found(
            format!("没有这张订单：{order_id}"),
            format!("no order with id {order_id}"),
        ));
    }
    let (rated,): (i64,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM rating WHERE order_id = ? AND product_id = ?)",
    )
    .bind(order_id)
    .bind(product_id)
    .fetch_one(&mut *conn)
    .await?;
    if rated == 0 {
        return Err(Error::Conflict {
            error: LocalText::new(
                "请先评价这一项，再加照片",
                "rate this line first, then add a photo",
            ),
            fields: vec![domain::FieldError::new(
                "product",
                "请先评价这一项，再加照片",
                "rate this line first, then add a photo",
            )],
        });
    }
    Ok(())
}

type LinePath = std::result::Result<Path<(String, String)>, PathRejection>;

/// `POST /api/orders/{uuid}/feedback/{product}/photo`: a photo with the
/// member's rating of one line of their own order, through the product
/// photos' pipeline (metadata stripped); a new one replaces the old.
#[utoipa::path(
    post,
    path = "/orders/{id}/feedback/{product}/photo",
    tag = "shop",
    summary = "Add a photo to the member's rating of one line",
    params(
        ("id" = String, Path, description = "The order's id: the UUID the phone made"),
        ("product" = i64, Path, description = "The rated line's product id")
    ),
    request_body(content_type = "image/*", description = "The photo's bytes: JPEG, PNG or WebP, at most 10 MB; the type is read from the bytes"),
    responses(
        (status = 201, description = "Stored", body = PhotoRef)
    ),
    security(("member" = []))
)]
async fn upload_photo(
    State(state): State<AppState>,
    member: Result<CurrentMember>,
    path: LinePath,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<PhotoRef>)> {
    let checked = async {
        let member = member?;
        let Path((raw_order, raw_product)) =
            path.map_err(|_| Error::not_found("没有这一项", "no such line"))?;
        let OrderId(order_id) = OrderId::parse("id", &raw_order)?;
        let Id(product_id) = Id::parse("product", &raw_product)?;
        let mut conn = state.db.acquire().await?;
        refuse_suspended(&mut *conn, member.id).await?;
        rated_line(&mut conn, member.id, &order_id, product_id).await?;
        Ok((member, order_id, product_id))
    }
    .await;
    let ((member, order_id, product_id), processed, upload_bytes) =
        receive(&state, &headers, body, checked).await?;
    let mut tx = state.write().await?;
    // Checked again: the rating may have gone while the photo was decoded.
    rated_line(tx.conn(), member.id, &order_id, product_id).await?;
    sqlx::query("DELETE FROM rating_photo WHERE order_id = ? AND product_id = ?")
        .bind(&order_id)
        .bind(product_id)
        .execute(tx.conn())
        .await?;
    let (photo_id,): (i64,) = sqlx::query_as(
        "INSERT INTO rating_photo (order_id, product_id, source_type, width, height, upload_bytes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&order_id)
    .bind(product_id)
    .bind(processed.source_type.content_type())
    .bind(processed.width)
    .bind(processed.height)
    .bind(upload_bytes as i64)
    .bind(now())
    .fetch_one(tx.conn())
    .await?;
    insert_versions(tx.conn(), "rating_photo_version", photo_id, &processed).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(photo_ref(photo_id, &processed, photo_url)),
    ))
}

/// Where a rating's photo is served, at one width.
pub fn photo_url(photo_id: i64, width: u32) -> String {
    format!("/api/rating-photos/{photo_id}/{width}.jpg")
}

/// The photos of the ratings of these orders, by (order, product).
async fn rating_photos(
    conn: &mut SqliteConnection,
    order_ids: &[&str],
) -> Result<HashMap<(String, i64), PhotoRef>> {
    let ids = serde_json::to_string(order_ids).map_err(Error::internal)?;
    let rows: Vec<(String, i64, i64, u32, u32)> = sqlx::query_as(
        "SELECT p.order_id, p.product_id, p.id, v.width, v.height
         FROM rating_photo p JOIN rating_photo_version v ON v.photo_id = p.id
         WHERE p.order_id IN (SELECT value FROM json_each(?))
         ORDER BY p.order_id, p.product_id, p.id, v.width",
    )
    .bind(ids)
    .fetch_all(conn)
    .await?;
    let rows = rows
        .into_iter()
        .map(|(o, p, id, w, h)| ((o, p), id, w, h))
        .collect();
    Ok(crate::photos::grouped(rows, photo_url)
        .into_iter()
        .filter_map(|(k, mut v)| v.pop().map(|p| (k, p)))
        .collect())
}

/// `POST /api/labels/{code}/reports` → 201 [`ReportReceived`].
#[utoipa::path(
    post,
    path = "/labels/{code}/reports",
    tag = "shop",
    summary = "Report a problem with what a label is on (anyone with the label)",
    params(
        ("code" = String, Path, description = "The label code, e.g. `K7QX-3MPD`")
    ),
    request_body = ReportRequest,
    responses(
        (status = 201, description = "Created", body = ReportReceived)
    )
)]
async fn report(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    extensions: axum::http::Extensions,
    code: std::result::Result<Path<String>, PathRejection>,
    JsonBody(req): JsonBody<ReportRequest>,
) -> Result<(StatusCode, Json<ReportReceived>)> {
    let Path(raw) = code.map_err(|_| Error::field("code", "不是标签码", "is not a label code"))?;
    let code = LabelCode::parse(&raw).map_err(|e| Error::field("code", e.zh(), e.to_string()))?;
    let comment =
        feedback::comment("comment", &req.comment).map_err(|e| Error::Validation(vec![e]))?;
    let address = login_limit::client_address(&extensions, &headers, &state.config.trusted_proxies);
    let address_hash = hex::encode(Sha256::digest(address.as_bytes()));
    let at = now();
    let mut tx = state.write().await?;
    let recent: Vec<(i64,)> = sqlx::query_as(
        "SELECT created_at FROM label_report WHERE address_hash = ? AND created_at > ?
         ORDER BY created_at",
    )
    .bind(&address_hash)
    .bind(at - REPORT_WINDOW_MINUTES * 60)
    .fetch_all(tx.conn())
    .await?;
    if recent.len() as i64 >= REPORTS_PER_ADDRESS {
        // Free again when the oldest report in the window leaves it.
        let free_at = recent[0].0 + REPORT_WINDOW_MINUTES * 60;
        return Err(Error::TooManyReports {
            retry_after_minutes: ((free_at - at + 59) / 60).max(1),
        });
    }
    let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM packed_line WHERE label_code = ?")
        .bind(code.as_str())
        .fetch_optional(tx.conn())
        .await?;
    if exists.is_none() {
        return Err(Error::not_found(
            format!("没有哪件货贴着标签 {}", code.display()),
            format!("no packed item has the label {}", code.display()),
        ));
    }
    let id = sqlx::query(
        "INSERT INTO label_report (label_code, problem, comment, address_hash, created_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(code.as_str())
    .bind(req.problem.as_str())
    .bind(&comment)
    .bind(&address_hash)
    .bind(at)
    .execute(tx.conn())
    .await?
    .last_insert_rowid();
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(ReportReceived {
            id,
            code: code.display(),
        }),
    ))
}

/// The household's public feedback: ratings of lines it packed for.
pub(crate) async fn household_summary(
    conn: &mut SqliteConnection,
    household_id: i64,
) -> Result<FeedbackSummary> {
    let rows: Vec<(String, String, i64, String, String, i64)> = sqlx::query_as(
        "SELECT r.rating, r.comment, r.updated_at, m.name, r.order_id, r.product_id
         FROM rating r
         JOIN orders o ON o.id = r.order_id
         JOIN member m ON m.id = o.member_id
         WHERE EXISTS (SELECT 1 FROM packed_line pl
                       WHERE pl.order_id = r.order_id AND pl.product_id = r.product_id
                         AND pl.household_id = ?)
         ORDER BY r.updated_at DESC, r.order_id, r.product_id",
    )
    .bind(household_id)
    .fetch_all(&mut *conn)
    .await?;
    let count = rows.len() as i64;
    let good = rows.iter().filter(|(r, ..)| r == "good").count() as i64;
    let order_ids: Vec<&str> = rows.iter().map(|r| r.4.as_str()).collect();
    let mut photos = rating_photos(&mut *conn, &order_ids).await?;
    let mut recent = Vec::new();
    for (rating, comment, at, name, order_id, product_id) in rows {
        if recent.len() == RECENT_COMMENTS {
            break;
        }
        let photo = photos.remove(&(order_id, product_id));
        if comment.trim().is_empty() && photo.is_none() {
            continue;
        }
        let on = OffsetDateTime::from_unix_timestamp(at)
            .map_err(Error::internal)?
            .to_offset(domain::SHANGHAI)
            .date()
            .to_string();
        recent.push(FeedbackComment {
            rating: Rating::parse(&rating)
                .ok_or_else(|| Error::internal(format_args!("bad rating '{rating}'")))?,
            comment,
            by: feedback::masked_name(&name),
            on,
            photo,
        });
    }
    Ok(FeedbackSummary {
        count,
        good_percent: feedback::good_percent(good, count),
        recent,
    })
}
