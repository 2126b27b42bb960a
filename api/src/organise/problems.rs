//! Problems reported by label, and refunds.
//!
//! - `GET  /api/organise/villages/{slug}/problems`: the village's reports,
//!   open ones first, each with its label, product, household, round and
//!   point, and what its piece cost and has had refunded.
//! - `POST /api/organise/reports/{id}/resolve` → 204: dealt with.
//! - `POST /api/organise/orders/{uuid}/refunds` [`RefundRequest`] → 201
//!   [`OrderRefund`]: money given back for the order or one piece of it,
//!   never more than is left after earlier refunds.
//!
//! All for the organiser's own village only, and every write is logged.

use axum::{extract::State, http::StatusCode, Json};
use domain::{
    feedback::{self, OrderRefund, Problem, ProblemReport, RefundRequest},
    label::LabelCode,
    FieldError, LocalText,
};
use sqlx::FromRow;
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    http::{
        error::{Error, Result},
        json::JsonBody,
        params::{Id, OrderId, Slug},
    },
    organise::{change_log::ChangeLog, session::CurrentOrganiser},
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(problems))
        .routes(routes!(resolve))
        .routes(routes!(refund))
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[derive(FromRow)]
struct ProblemRow {
    id: i64,
    label_code: String,
    problem: String,
    comment: String,
    created_at: i64,
    resolved_at: Option<i64>,
    order_id: String,
    number: i64,
    village_slug: String,
    product_id: i64,
    product_zh: String,
    product_en: String,
    household_id: i64,
    household_zh: String,
    household_en: String,
    round_id: i64,
    distribution_day: String,
    point_zh: String,
    point_en: String,
    piece_fen: i64,
    refunded_fen: i64,
}

#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/problems",
    tag = "organise",
    summary = "Problems reported on the village's labels",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 200, description = "OK", body = Vec<ProblemReport>)
    ),
    security(("organiser" = []))
)]
async fn problems(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
) -> Result<Json<Vec<ProblemReport>>> {
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    let rows: Vec<ProblemRow> = sqlx::query_as(
        "SELECT lr.id, lr.label_code, lr.problem, lr.comment, lr.created_at, lr.resolved_at,
                o.id AS order_id, o.number, vi.slug AS village_slug,
                p.id AS product_id, p.name_zh AS product_zh, p.name_en AS product_en,
                h.id AS household_id, h.name_zh AS household_zh, h.name_en AS household_en,
                r.id AS round_id, r.distribution_day,
                d.name_zh AS point_zh, d.name_en AS point_en,
                pl.quantity * COALESCE(ol.unit_price_fen, 0) AS piece_fen,
                COALESCE((SELECT SUM(rf.amount_fen) FROM refund rf
                          WHERE rf.label_code = lr.label_code), 0) AS refunded_fen
         FROM label_report lr
         JOIN packed_line pl ON pl.label_code = lr.label_code
         JOIN orders o ON o.id = pl.order_id
         JOIN distribution_round r ON r.id = pl.round_id
         JOIN village vi ON vi.id = r.village_id
         JOIN product p ON p.id = pl.product_id
         JOIN household h ON h.id = pl.household_id
         JOIN distribution_point d ON d.id = o.point_id
         LEFT JOIN order_line ol ON ol.order_id = o.id AND ol.product_id = pl.product_id
         WHERE r.village_id = ?
         ORDER BY lr.resolved_at IS NOT NULL, lr.created_at DESC, lr.id DESC",
    )
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ProblemReport {
                id: r.id,
                code: LabelCode::parse(&r.label_code)
                    .map(|c| c.display())
                    .unwrap_or(r.label_code),
                problem: Problem::parse(&r.problem)
                    .ok_or_else(|| Error::internal(format_args!("bad problem '{}'", r.problem)))?,
                comment: r.comment,
                reported_at: r.created_at,
                resolved_at: r.resolved_at,
                order_id: r.order_id,
                order_number: format!("{}-{:06}", r.village_slug.to_ascii_uppercase(), r.number),
                product_id: r.product_id,
                product_name: LocalText::new(r.product_zh, r.product_en),
                household_id: r.household_id,
                household_name: LocalText::new(r.household_zh, r.household_en),
                round_id: r.round_id,
                distribution_day: r.distribution_day,
                point_name: LocalText::new(r.point_zh, r.point_en),
                piece_fen: r.piece_fen,
                refunded_fen: r.refunded_fen,
            })
        })
        .collect::<Result<_>>()
        .map(Json)
}

fn no_report(id: i64) -> Error {
    Error::not_found(
        format!("没有这条问题报告：{id}"),
        format!("no problem report {id}"),
    )
}

#[utoipa::path(
    post,
    path = "/organise/reports/{id}/resolve",
    tag = "organise",
    summary = "Mark a problem report resolved",
    params(
        ("id" = i64, Path, description = "The problem report's id")
    ),
    responses(
        (status = 204, description = "Done")
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn resolve(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
) -> Result<StatusCode> {
    let at = now();
    let mut tx = state.write().await?;
    let row: Option<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT r.village_id, lr.resolved_at FROM label_report lr
         JOIN packed_line pl ON pl.label_code = lr.label_code
         JOIN distribution_round r ON r.id = pl.round_id
         WHERE lr.id = ?",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    let (village_id, resolved_at) = row.ok_or_else(|| no_report(id))?;
    let v = o.check_village(tx.conn(), village_id).await?;
    // Resolving again changes nothing.
    if resolved_at.is_none() {
        sqlx::query("UPDATE label_report SET resolved_at = ?, resolved_by = ? WHERE id = ?")
            .bind(at)
            .bind(o.id)
            .bind(id)
            .execute(tx.conn())
            .await?;
        ChangeLog::new(&o, v.id, at)
            .record(
                tx.conn(),
                ("label_report", id),
                "resolve",
                Some(serde_json::json!({ "resolved_at": null })),
                Some(serde_json::json!({ "resolved_at": at })),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/organise/orders/{id}/refunds",
    tag = "organise",
    summary = "Give money back for an order or one of its pieces",
    params(
        ("id" = String, Path, description = "The order's id: the UUID the phone made")
    ),
    request_body = RefundRequest,
    responses(
        (status = 201, description = "Created", body = OrderRefund)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn refund(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    OrderId(order_id): OrderId,
    JsonBody(req): JsonBody<RefundRequest>,
) -> Result<(StatusCode, Json<OrderRefund>)> {
    let at = now();
    let mut tx = state.write().await?;
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT r.village_id FROM orders o JOIN distribution_round r ON r.id = o.round_id
         WHERE o.id = ?",
    )
    .bind(&order_id)
    .fetch_optional(tx.conn())
    .await?;
    let (village_id,) = row.ok_or_else(|| {
        Error::not_found(
            format!("没有这张订单：{order_id}"),
            format!("no order with id {order_id}"),
        )
    })?;
    let v = o.check_village(tx.conn(), village_id).await?;
    // Only money that changed hands can be given back: an order nobody
    // collected has nothing to refund, and settlement would count it twice.
    let pickup: Option<(String,)> = sqlx::query_as("SELECT state FROM pickup WHERE order_id = ?")
        .bind(&order_id)
        .fetch_optional(tx.conn())
        .await?;
    if !matches!(
        pickup.as_ref().map(|(s,)| s.as_str()),
        Some("paid" | "unpaid")
    ) {
        let error = LocalText::new(
            "这张订单还没有取货，不能退款",
            "this order has not been collected; only a collected order can be refunded",
        );
        return Err(Error::Conflict {
            fields: vec![FieldError::new(
                "order_id",
                error.zh.clone(),
                error.en.clone(),
            )],
            error,
        });
    }
    let mut errors: Vec<FieldError> = Vec::new();
    // The piece, if one is named: it must be a piece of this order.
    let mut piece: Option<(String, i64, i64)> = None;
    if let Some(raw) = req.label_code.as_deref().filter(|c| !c.trim().is_empty()) {
        match LabelCode::parse(raw) {
            Err(e) => errors.push(FieldError::new("label_code", e.zh(), e.to_string())),
            Ok(code) => {
                let found: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT pl.quantity * COALESCE(ol.unit_price_fen, 0),
                            COALESCE((SELECT SUM(amount_fen) FROM refund WHERE label_code = pl.label_code), 0)
                     FROM packed_line pl
                     LEFT JOIN order_line ol ON ol.order_id = pl.order_id AND ol.product_id = pl.product_id
                     WHERE pl.label_code = ? AND pl.order_id = ?",
                )
                .bind(code.as_str())
                .bind(&order_id)
                .fetch_optional(tx.conn())
                .await?;
                match found {
                    Some((value, refunded)) => {
                        piece = Some((code.as_str().to_owned(), value, refunded))
                    }
                    None => errors.push(FieldError::new(
                        "label_code",
                        "这张订单里没有贴这个标签的货",
                        "is not the label of a piece of this order",
                    )),
                }
            }
        }
    }
    if let Some(report_id) = req.report_id {
        let ok: Option<(i64,)> = sqlx::query_as(
            "SELECT lr.id FROM label_report lr JOIN packed_line pl ON pl.label_code = lr.label_code
             WHERE lr.id = ? AND pl.order_id = ?",
        )
        .bind(report_id)
        .bind(&order_id)
        .fetch_optional(tx.conn())
        .await?;
        if ok.is_none() {
            errors.push(FieldError::new(
                "report_id",
                "不是这张订单的问题报告",
                "is not a problem report about this order",
            ));
        }
    }
    let (total, refunded): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE((SELECT SUM(total_fen) FROM order_line WHERE order_id = ?1), 0),
                COALESCE((SELECT SUM(amount_fen) FROM refund WHERE order_id = ?1), 0)",
    )
    .bind(&order_id)
    .fetch_one(tx.conn())
    .await?;
    let room = feedback::refund_room(total, refunded, piece.as_ref().map(|(_, v, r)| (*v, *r)));
    if let Err(mut e) = feedback::check_refund(&req, room, 0) {
        errors.append(&mut e);
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let reason = req.reason.trim().to_owned();
    let label_code = piece.map(|(c, _, _)| c);
    let id = sqlx::query(
        "INSERT INTO refund (order_id, label_code, amount_fen, reason, report_id, organiser_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&order_id)
    .bind(&label_code)
    .bind(req.amount_fen)
    .bind(&reason)
    .bind(req.report_id)
    .bind(o.id)
    .bind(at)
    .execute(tx.conn())
    .await?
    .last_insert_rowid();
    let answer = OrderRefund {
        id,
        amount_fen: req.amount_fen,
        reason,
        label_code,
        created_at: at,
    };
    ChangeLog::new(&o, v.id, at)
        .created(
            tx.conn(),
            ("refund", id),
            &serde_json::json!({
                "order_id": order_id,
                "amount_fen": answer.amount_fen,
                "reason": answer.reason,
                "label_code": answer.label_code,
                "report_id": req.report_id,
            }),
        )
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(answer)))
}
