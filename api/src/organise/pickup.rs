//! Pickup at the distribution point, and the round's CSV downloads.
//!
//! - `GET /api/organise/rounds/{id}/pickup?point={id}` → 200 `PickupList`
//!   (every point when `point` is left out); 409 before allocation
//! - `PUT /api/organise/orders/{uuid}/pickup` (`PickupMarkInput`) → 201
//!   `PickupMarkAnswer` for a new mark, 200 with the same answer for the
//!   same mark sent again, 409 for its UUID with other content
//! - `GET /api/organise/rounds/{id}/packing.csv`, `…/pickup.csv`,
//!   `…/orders.csv`: UTF-8 with a BOM, columns in the organiser's language
//!   (`?lang=zh|en`, else `Accept-Language`, else Chinese)
//!
//! The rule of marks is in [`domain::pickup`]: every mark is kept, and the
//! `pickup` view (migration 0018) picks an order's latest. Each new mark
//! goes into the change log in the same transaction.

use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::{
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    Json,
};
use domain::{
    dto::DistributionPoint,
    organise::OrganiserRef,
    packing::{order_number, PointLine},
    pickup::{
        PaymentMethod, PickupList, PickupMark, PickupMarkAnswer, PickupMarkInput, PickupOrder,
        PickupState, PointPickup,
    },
    Lang, LocalText,
};
use sqlx::{FromRow, SqliteConnection};
use time::OffsetDateTime;

use crate::{
    http::{
        csv::{csv_response, file_name, header, yuan},
        error::{Error, Result},
        json::JsonBody,
        lang::request_lang,
        params::{query_param, Id, OrderId},
    },
    organise::{
        change_log::{to_value, ChangeLog},
        packing::load_packing,
        rounds::round_for,
        session::{CurrentOrganiser, VillageRef},
    },
    shop::rounds::{moment, shanghai_text, shanghai_text_zh},
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pickup_list))
        .routes(routes!(mark))
        .routes(routes!(packing_csv))
        .routes(routes!(pickup_csv))
        .routes(routes!(orders_csv))
}

const MARK_REUSED: &str =
    "this mark's id was already used for a different mark; make a new mark (with a new id)";
const MARK_REUSED_ZH: &str = "这个标记的编号已经用于另一个不同的标记；请重新标记（用新的编号）";

/// A stored mark with who made it, as the `pickup` view or `pickup_mark` gives it.
#[derive(FromRow)]
struct MarkRow {
    order_id: String,
    mark_uuid: String,
    state: String,
    amount_fen: Option<i64>,
    method: Option<String>,
    marked_at: i64,
    recorded_at: i64,
    organiser_id: i64,
    organiser_zh: String,
    organiser_en: String,
}

const MARK_COLUMNS: &str = "m.order_id, m.mark_uuid, m.state, m.amount_fen, m.method, m.marked_at,
     m.recorded_at, m.organiser_id, g.name_zh AS organiser_zh, g.name_en AS organiser_en";

impl MarkRow {
    fn into_mark(self) -> Result<PickupMark> {
        let state = PickupState::parse(&self.state).ok_or_else(|| {
            Error::internal(format_args!(
                "mark {}: state '{}'",
                self.mark_uuid, self.state
            ))
        })?;
        let method = self
            .method
            .map(|m| {
                PaymentMethod::parse(&m).ok_or_else(|| {
                    Error::internal(format_args!("mark {}: method '{m}'", self.mark_uuid))
                })
            })
            .transpose()?;
        Ok(PickupMark {
            mark_uuid: self.mark_uuid,
            state,
            amount_fen: self.amount_fen,
            method,
            marked_at: moment(self.marked_at)?,
            marked_by: OrganiserRef {
                id: self.organiser_id,
                name: LocalText::new(self.organiser_zh, self.organiser_en),
            },
            recorded_at: moment(self.recorded_at)?,
        })
    }
}

/// The current pickup (latest mark) of each order of the round, by order id.
async fn current_marks(
    conn: &mut SqliteConnection,
    round_id: i64,
) -> Result<HashMap<String, PickupMark>> {
    let rows: Vec<MarkRow> = sqlx::query_as(&format!(
        "SELECT {MARK_COLUMNS} FROM pickup m
         JOIN organiser g ON g.id = m.organiser_id
         JOIN orders o ON o.id = m.order_id
         WHERE o.round_id = ?"
    ))
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.order_id.clone(), r.into_mark()?)))
        .collect()
}

/// Order number → (order id, total) of the round's confirmed orders.
async fn order_totals(
    conn: &mut SqliteConnection,
    round_id: i64,
) -> Result<HashMap<i64, (String, i64)>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT o.number, o.id, COALESCE((SELECT SUM(ol.total_fen) FROM order_line ol
                                         WHERE ol.order_id = o.id), 0)
         FROM orders o WHERE o.round_id = ? AND o.status = 'confirmed'",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(n, id, t)| (n, (id, t))).collect())
}

/// The point `?point=` names, if any: a positive id of one of the village's points.
async fn point_filter(
    conn: &mut SqliteConnection,
    v: &VillageRef,
    query: &Option<String>,
) -> Result<Option<i64>> {
    let Some(raw) = query_param(query, "point") else {
        return Ok(None);
    };
    let id = Id::parse("point", raw)?.0;
    let (ours,): (i64,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM distribution_point WHERE id = ? AND village_id = ?)",
    )
    .bind(id)
    .bind(v.id)
    .fetch_one(&mut *conn)
    .await?;
    if ours == 0 {
        return Err(Error::not_found(
            format!("这个村没有编号为 {id} 的取货点"),
            format!("village '{}' has no distribution point {id}", v.slug),
        ));
    }
    Ok(Some(id))
}

/// The pickup list: the packing list per point, each order with its id,
/// total and current pickup.
async fn load_list(
    conn: &mut SqliteConnection,
    o: &CurrentOrganiser,
    round_id: i64,
    query: &Option<String>,
) -> Result<PickupList> {
    let (v, round) = round_for(conn, o, round_id).await?;
    let only = point_filter(conn, &v, query).await?;
    let packing = load_packing(conn, &v, round).await?;
    let totals = order_totals(conn, round_id).await?;
    let mut marks = current_marks(conn, round_id).await?;
    let numbers: HashMap<String, i64> = totals
        .keys()
        .map(|n| (order_number(&v.slug, *n), *n))
        .collect();
    let points = packing
        .points
        .into_iter()
        .filter(|p| only.is_none_or(|id| p.point.id == id))
        .map(|p| {
            let orders = p
                .members
                .into_iter()
                .map(|m| {
                    let (order_id, total_fen) = numbers
                        .get(&m.order_number)
                        .and_then(|n| totals.get(n))
                        .cloned()
                        .ok_or_else(|| {
                            Error::internal(format_args!("packed order {} is gone", m.order_number))
                        })?;
                    Ok(PickupOrder {
                        pickup: marks.remove(&order_id),
                        order_id,
                        member_name: m.member_name,
                        order_number: m.order_number,
                        lines: m.lines,
                        total_fen,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(PointPickup {
                point: p.point,
                orders,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(PickupList {
        village_slug: packing.village_slug,
        village_name: packing.village_name,
        round: packing.round,
        points,
    })
}

/// `GET /api/organise/rounds/{id}/pickup?point={id}`.
#[utoipa::path(
    get,
    path = "/organise/rounds/{id}/pickup",
    tag = "organise",
    summary = "The round's pickup list, by point",
    params(
        ("id" = i64, Path, description = "The round's id"),
        ("point" = Option<i64>, Query, description = "Only this distribution point")
    ),
    responses(
        (status = 200, description = "OK", body = PickupList)
    ),
    security(("organiser" = []))
)]
async fn pickup_list(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    RawQuery(query): RawQuery,
) -> Result<Json<PickupList>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(load_list(&mut conn, &o, id, &query).await?))
}

/// The stored mark with this UUID, and the order it is for.
async fn stored_mark(conn: &mut SqliteConnection, uuid: &str) -> Result<Option<MarkRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {MARK_COLUMNS} FROM pickup_mark m JOIN organiser g ON g.id = m.organiser_id
         WHERE m.mark_uuid = ?"
    ))
    .bind(uuid)
    .fetch_optional(&mut *conn)
    .await?)
}

async fn current_mark(conn: &mut SqliteConnection, order_id: &str) -> Result<Option<PickupMark>> {
    let row: Option<MarkRow> = sqlx::query_as(&format!(
        "SELECT {MARK_COLUMNS} FROM pickup m JOIN organiser g ON g.id = m.organiser_id
         WHERE m.order_id = ?"
    ))
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(MarkRow::into_mark).transpose()
}

/// `PUT /api/organise/orders/{uuid}/pickup`.
#[utoipa::path(
    put,
    path = "/organise/orders/{id}/pickup",
    tag = "organise",
    summary = "Mark an order at the pickup point (collected, paid, not collected)",
    params(
        ("id" = String, Path, description = "The order's id: the UUID the phone made")
    ),
    request_body = PickupMarkInput,
    responses(
        (status = 201, description = "Created", body = PickupMarkAnswer),
        (status = 200, description = "This mark was recorded before: the answer again", body = PickupMarkAnswer)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn mark(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    OrderId(order_id): OrderId,
    JsonBody(input): JsonBody<PickupMarkInput>,
) -> Result<(StatusCode, Json<PickupMarkAnswer>)> {
    let now = OffsetDateTime::now_utc();
    let mut tx = state.write().await?;
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT round_id, status FROM orders WHERE id = ?")
            .bind(&order_id)
            .fetch_optional(tx.conn())
            .await?;
    let Some((round_id, status)) = head else {
        return Err(Error::not_found(
            format!("没有这张订单：{order_id}"),
            format!("no order {order_id}"),
        ));
    };
    let (v, round) = round_for(tx.conn(), &o, round_id).await?;
    let errors = input.validate(now, round.opens_at);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let uuid = input.mark_uuid.to_ascii_lowercase();

    // The same mark again: answered as the first time, nothing written.
    if let Some(stored) = stored_mark(tx.conn(), &uuid).await? {
        let same_order = stored.order_id == order_id;
        let mark = stored.into_mark()?;
        let again = PickupMarkInput {
            mark_uuid: mark.mark_uuid.clone(),
            state: mark.state,
            amount_fen: mark.amount_fen,
            method: mark.method,
            marked_at: mark.marked_at,
        };
        if same_order && again.same_mark(&input) {
            return Ok((StatusCode::OK, Json(PickupMarkAnswer { order_id, mark })));
        }
        return Err(Error::Conflict {
            error: LocalText::new(MARK_REUSED_ZH, MARK_REUSED),
            fields: vec![domain::FieldError::new(
                "mark_uuid",
                MARK_REUSED_ZH,
                MARK_REUSED,
            )],
        });
    }

    if status != "confirmed" {
        return Err(Error::conflict(
            "这张订单已取消，不用取货",
            "this order was cancelled; there is nothing to collect",
        ));
    }
    if now < round.deadline {
        return Err(Error::field(
            "round_id",
            format!(
                "这一轮到 {} 才截单；分配之后才能登记取货",
                shanghai_text_zh(round.deadline)
            ),
            format!(
                "orders for this round are open until {}; pickups are marked after it is allocated",
                shanghai_text(round.deadline)
            ),
        ));
    }
    let (allocated,): (i64,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM allocation WHERE round_id = ?)
            AND EXISTS (SELECT 1 FROM packed_line WHERE order_id = ?)",
    )
    .bind(round_id)
    .bind(&order_id)
    .fetch_one(tx.conn())
    .await?;
    if allocated == 0 {
        return Err(crate::organise::packing::not_allocated());
    }

    let before = current_mark(tx.conn(), &order_id).await?;
    let recorded_at = now.unix_timestamp();
    sqlx::query(
        "INSERT INTO pickup_mark (mark_uuid, order_id, state, amount_fen, method, organiser_id, marked_at, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&uuid)
    .bind(&order_id)
    .bind(input.state.as_str())
    .bind(input.amount_fen)
    .bind(input.method.map(PaymentMethod::as_str))
    .bind(o.id)
    .bind(input.marked_at.unix_timestamp())
    .bind(recorded_at)
    .execute(tx.conn())
    .await?;
    let mark = stored_mark(tx.conn(), &uuid)
        .await?
        .ok_or_else(|| Error::internal("mark just written is gone"))?
        .into_mark()?;
    ChangeLog::new(&o, v.id, recorded_at)
        .record(
            tx.conn(),
            ("order", &order_id),
            "pickup",
            before.as_ref().map(to_value).transpose()?,
            Some(to_value(&mark)?),
        )
        .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(PickupMarkAnswer { order_id, mark }),
    ))
}

// ---- CSV ----

/// `2026-12-05 09:30` in Asia/Shanghai (the header names the zone).
fn clock(t: OffsetDateTime) -> String {
    let t = t.to_offset(domain::SHANGHAI);
    format!(
        "{} {:02}:{:02}",
        domain::wire::format_date(t.date()),
        t.hour(),
        t.minute()
    )
}

/// `GET /api/organise/rounds/{id}/packing.csv`: one row per piece, by household.
#[utoipa::path(
    get,
    path = "/organise/rounds/{id}/packing.csv",
    tag = "organise",
    params(
        ("id" = i64, Path, description = "The round's id"),
        ("lang" = Option<String>, Query, description = "`zh` or `en`; else from Accept-Language")
    ),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String)
    ),
    security(("organiser" = []))
)]
async fn packing_csv(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response> {
    let lang = request_lang(&query, &headers);
    let mut conn = state.db.acquire().await?;
    let (v, round) = round_for(&mut conn, &o, id).await?;
    let packing = load_packing(&mut conn, &v, round).await?;
    let columns = [
        ("农户", "Household"),
        ("产品", "Product"),
        ("数量", "Quantity"),
        ("单位", "Unit"),
        ("订单号", "Order"),
        ("标签", "Label"),
        ("取货点", "Pickup point"),
    ];
    let rows: Vec<Vec<String>> = packing
        .households
        .iter()
        .flat_map(|h| {
            h.lines.iter().map(|l| {
                vec![
                    h.household.name.get(lang).to_owned(),
                    l.product_name.get(lang).to_owned(),
                    l.quantity.to_string(),
                    l.unit.get(lang).to_owned(),
                    l.order_number.clone(),
                    l.label.clone(),
                    l.point_name.get(lang).to_owned(),
                ]
            })
        })
        .collect();
    csv_response(
        &file_name(&v.slug, id, "packing"),
        &header(lang, &columns),
        rows,
    )
}

/// What to hand over, in one cell: "Eggs ×10 box · Liu Guilan · K7QX-3MPD; …".
fn items(lang: Lang, lines: &[PointLine]) -> String {
    lines
        .iter()
        .map(|l| {
            format!(
                "{} ×{} {} · {} · {}",
                l.product_name.get(lang),
                l.quantity,
                l.unit.get(lang),
                l.household_name.get(lang),
                l.label
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `GET /api/organise/rounds/{id}/pickup.csv?point=`: one row per order.
#[utoipa::path(
    get,
    path = "/organise/rounds/{id}/pickup.csv",
    tag = "organise",
    params(
        ("id" = i64, Path, description = "The round's id"),
        ("point" = Option<i64>, Query, description = "Only this distribution point"),
        ("lang" = Option<String>, Query, description = "`zh` or `en`; else from Accept-Language")
    ),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String)
    ),
    security(("organiser" = []))
)]
async fn pickup_csv(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response> {
    let lang = request_lang(&query, &headers);
    let mut conn = state.db.acquire().await?;
    let list = load_list(&mut conn, &o, id, &query).await?;
    let columns = [
        ("取货点", "Pickup point"),
        ("会员", "Member"),
        ("订单号", "Order"),
        ("要交的东西", "To hand over"),
        ("应付（元）", "Due (yuan)"),
        ("取货情况", "Pickup"),
        ("实付（元）", "Paid (yuan)"),
        ("付款方式", "Payment method"),
        ("标记时间（北京时间）", "Marked at (Asia/Shanghai)"),
        ("标记人", "Marked by"),
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for p in &list.points {
        for order in &p.orders {
            let m = order.pickup.as_ref();
            rows.push(vec![
                p.point.name.get(lang).to_owned(),
                order.member_name.clone(),
                order.order_number.clone(),
                items(lang, &order.lines),
                yuan(order.total_fen),
                m.map(|m| m.state.text().get(lang).to_owned())
                    .unwrap_or_default(),
                m.and_then(|m| m.amount_fen).map(yuan).unwrap_or_default(),
                m.and_then(|m| m.method)
                    .map(|x| x.text().get(lang).to_owned())
                    .unwrap_or_default(),
                m.map(|m| clock(m.marked_at)).unwrap_or_default(),
                m.map(|m| m.marked_by.name.get(lang).to_owned())
                    .unwrap_or_default(),
            ]);
        }
    }
    csv_response(
        &file_name(&list.village_slug, id, "pickup"),
        &header(lang, &columns),
        rows,
    )
}

#[derive(FromRow)]
struct OrderCsvRow {
    number: i64,
    member_name: String,
    point_id: i64,
    status: String,
    product_zh: String,
    product_en: String,
    unit_zh: String,
    unit_en: String,
    quantity: i64,
    unit_price_fen: i64,
    total_fen: i64,
    order_total_fen: i64,
    created_at: i64,
}

/// `GET /api/organise/rounds/{id}/orders.csv`: one row per order line,
/// cancelled orders too (their status says so).
#[utoipa::path(
    get,
    path = "/organise/rounds/{id}/orders.csv",
    tag = "organise",
    params(
        ("id" = i64, Path, description = "The round's id"),
        ("lang" = Option<String>, Query, description = "`zh` or `en`; else from Accept-Language")
    ),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String)
    ),
    security(("organiser" = []))
)]
async fn orders_csv(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response> {
    let lang = request_lang(&query, &headers);
    let mut conn = state.db.acquire().await?;
    let (v, _) = round_for(&mut conn, &o, id).await?;
    let rows: Vec<OrderCsvRow> = sqlx::query_as(
        "SELECT o.number, m.name AS member_name, o.point_id, o.status,
                p.name_zh AS product_zh, p.name_en AS product_en, p.unit_zh, p.unit_en,
                ol.quantity, ol.unit_price_fen, ol.total_fen,
                (SELECT SUM(x.total_fen) FROM order_line x WHERE x.order_id = o.id) AS order_total_fen,
                o.created_at
         FROM orders o
         JOIN member m ON m.id = o.member_id
         JOIN order_line ol ON ol.order_id = o.id
         JOIN product p ON p.id = ol.product_id
         WHERE o.round_id = ?
         ORDER BY o.number, ol.product_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let points: HashMap<i64, DistributionPoint> =
        sqlx::query_as::<_, crate::shop::villages::PointRow>(&format!(
            "SELECT {} FROM distribution_point d WHERE d.village_id = ?",
            crate::shop::villages::POINT_COLUMNS
        ))
        .bind(v.id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|p| {
            let p = p.into_point();
            (p.id, p)
        })
        .collect();
    let columns = [
        ("订单号", "Order"),
        ("会员", "Member"),
        ("取货点", "Pickup point"),
        ("状态", "Status"),
        ("产品", "Product"),
        ("数量", "Quantity"),
        ("单位", "Unit"),
        ("单价（元）", "Unit price (yuan)"),
        ("小计（元）", "Line total (yuan)"),
        ("订单合计（元）", "Order total (yuan)"),
        ("下单时间（北京时间）", "Ordered at (Asia/Shanghai)"),
    ];
    let records = rows
        .into_iter()
        .map(|r| {
            let status = match r.status.as_str() {
                "confirmed" => LocalText::new("已确认", "confirmed"),
                "cancelled" => LocalText::new("已取消", "cancelled"),
                other => {
                    return Err(Error::internal(format_args!(
                        "order {}: status '{other}'",
                        r.number
                    )))
                }
            };
            let point = points
                .get(&r.point_id)
                .map(|p| p.name.get(lang).to_owned())
                .unwrap_or_default();
            Ok(vec![
                order_number(&v.slug, r.number),
                r.member_name,
                point,
                status.get(lang).to_owned(),
                LocalText::new(r.product_zh, r.product_en)
                    .get(lang)
                    .to_owned(),
                r.quantity.to_string(),
                LocalText::new(r.unit_zh, r.unit_en).get(lang).to_owned(),
                yuan(r.unit_price_fen),
                yuan(r.total_fen),
                yuan(r.order_total_fen),
                clock(moment(r.created_at)?),
            ])
        })
        .collect::<Result<Vec<_>>>()?;
    csv_response(
        &file_name(&v.slug, id, "orders"),
        &header(lang, &columns),
        records,
    )
}
