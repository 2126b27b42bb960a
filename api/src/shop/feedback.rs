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

use axum::{
    extract::{rejection::PathRejection, Path, State},
    http::StatusCode,
    Json,
};
use domain::{
    feedback::{
        self, FeedbackComment, FeedbackRequest, FeedbackSummary, LineRating, Rating,
        ReportReceived, ReportRequest, RECENT_COMMENTS,
    },
    label::LabelCode,
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
        params::OrderId,
    },
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
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(product_id, rating, comment)| {
            Ok(LineRating {
                product_id,
                rating: Rating::parse(&rating)
                    .ok_or_else(|| Error::internal(format_args!("bad rating '{rating}'")))?,
                comment,
            })
        })
        .collect()
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
    let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
        "SELECT r.rating, r.comment, r.updated_at, m.name
         FROM rating r
         JOIN orders o ON o.id = r.order_id
         JOIN member m ON m.id = o.member_id
         WHERE EXISTS (SELECT 1 FROM packed_line pl
                       WHERE pl.order_id = r.order_id AND pl.product_id = r.product_id
                         AND pl.household_id = ?)
         ORDER BY r.updated_at DESC, r.order_id, r.product_id",
    )
    .bind(household_id)
    .fetch_all(conn)
    .await?;
    let count = rows.len() as i64;
    let good = rows.iter().filter(|(r, ..)| r == "good").count() as i64;
    let mut recent = Vec::new();
    for (rating, comment, at, name) in rows {
        if recent.len() == RECENT_COMMENTS {
            break;
        }
        if comment.trim().is_empty() {
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
        });
    }
    Ok(FeedbackSummary {
        count,
        good_percent: feedback::good_percent(good, count),
        recent,
    })
}
