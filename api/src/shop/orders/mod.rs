//! Orders for a round, placed from phones on unreliable networks.
//!
//! - `PUT    /api/orders/{uuid}`  place (201), or repeat a placed order (200)
//! - `PATCH  /api/orders/{uuid}`  change point and/or lines until the deadline
//! - `DELETE /api/orders/{uuid}`  cancel until the deadline
//! - `GET    /api/orders/{uuid}`  one of the member's orders
//! - `GET    /api/orders`         the member's orders, newest first
//!
//! Every answer is a [`MemberOrder`]: the order, plus `withdrawn`, lines an
//! organiser took out because the product was withdrawn from the round,
//! with the reason (the order's total no longer includes them).
//!
//! The phone makes the order's UUID, so a request resent after a lost answer
//! finds the order it placed instead of placing another. Every change runs
//! in one write transaction that takes SQLite's write lock first (see
//! [`crate::db::WriteTx`]): the capacity it checks cannot be taken by
//! anyone else before it commits, so no interleaving sells more than the
//! households supply. An order refused for any reason writes nothing.

mod check;
mod read;

use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::{extract::State, http::StatusCode, Json};
use domain::{
    dto::Round,
    order::{OrderLineRequest, OrderRequest},
    organise::MemberOrder,
    RoundPhase,
};
use sqlx::{FromRow, Row as _, SqliteConnection};
use time::OffsetDateTime;

use self::{
    check::{check_and_price, context, insert_lines, Context},
    read::{load_one, load_orders, withdrawn_lines, written_order},
};
use crate::{
    http::{
        error::{Error, Result},
        json::JsonBody,
        params::OrderId,
    },
    shop::{
        rounds::{moment, shanghai_text, shanghai_text_zh},
        session::{suspended, CurrentMember},
    },
    AppState,
};

pub const ID_REUSED: &str = "this order id was already used for a different order";
pub const ID_REUSED_ZH: &str = "这个订单号已经用在另一张订单上了";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one, place, change, cancel))
}

fn not_found(id: &str) -> Error {
    Error::not_found(
        format!("没有这张订单：{id}"),
        format!("no order with id {id}"),
    )
}

fn locked(round: &Round) -> Error {
    Error::conflict(
        format!(
            "订单已锁定：这一轮已于 {} 截单",
            shanghai_text_zh(round.deadline)
        ),
        format!(
            "this order is locked: orders for this round closed at {}",
            shanghai_text(round.deadline)
        ),
    )
}

/// The normalized request as stored for comparing repeats (a struct, so
/// its keys always come out in the same order).
fn canonical(req: &OrderRequest) -> Result<String> {
    serde_json::to_string(req).map_err(Error::internal)
}

/// What is stored about an order, without its lines.
#[derive(Debug, FromRow)]
struct Head {
    member_id: i64,
    number: i64,
    round_id: i64,
    point_id: i64,
    status: String,
    placed_request: String,
    created_at: i64,
}

impl Head {
    fn cancelled(&self) -> bool {
        self.status == "cancelled"
    }
}

/// The columns of [`Head`], from `orders o`.
const HEAD_COLUMNS: &str =
    "o.member_id, o.number, o.round_id, o.point_id, o.status, o.placed_request, o.created_at";

async fn head(conn: &mut SqliteConnection, id: &str) -> Result<Option<Head>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {HEAD_COLUMNS} FROM orders o WHERE o.id = ?"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Refuses a suspended member (403), then the stored order `id`, if any:
/// one query, as it runs under the write lock where every round trip to
/// SQLite's thread counts (see `bench_orders`). Their sessions end when
/// suspended; this covers a request already under way, and says why.
async fn member_head(
    conn: &mut SqliteConnection,
    member_id: i64,
    id: &str,
) -> Result<Option<Head>> {
    let row = sqlx::query(&format!(
        "SELECT m.suspended_at IS NOT NULL AS suspended, {HEAD_COLUMNS}
         FROM member m LEFT JOIN orders o ON o.id = ?2
         WHERE m.id = ?1"
    ))
    .bind(member_id)
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| Error::internal(format_args!("member {member_id} is gone")))?;
    if row.try_get("suspended")? {
        return Err(suspended());
    }
    // The order's columns are all NULL when there is no such order.
    let found = row.try_get::<Option<i64>, _>("number")?.is_some();
    Ok(found.then(|| Head::from_row(&row)).transpose()?)
}

/// The member's own order, or 404 whether it is missing or someone else's.
fn own(head: Option<Head>, id: &str, member_id: i64) -> Result<Head> {
    head.filter(|h| h.member_id == member_id)
        .ok_or_else(|| not_found(id))
}

/// The order's content now, as a normalized request, and the unit price
/// agreed for each of its products.
async fn current(
    conn: &mut SqliteConnection,
    id: &str,
    head: &Head,
) -> Result<(OrderRequest, HashMap<i64, i64>)> {
    let lines: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT product_id, quantity, unit_price_fen FROM order_line
         WHERE order_id = ? ORDER BY product_id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    let prices = lines.iter().map(|&(p, _, price)| (p, price)).collect();
    let request = OrderRequest {
        round_id: head.round_id,
        point_id: head.point_id,
        lines: lines
            .into_iter()
            .map(|(product_id, quantity, _)| OrderLineRequest {
                product_id,
                quantity,
            })
            .collect(),
    };
    Ok((request, prices))
}

/// The stored order's round (with `point_id`), refused with 409 once the
/// round has closed: its orders are locked.
async fn unlocked_context(
    conn: &mut SqliteConnection,
    id: &str,
    head: &Head,
    point_id: i64,
    now: OffsetDateTime,
) -> Result<Context> {
    let ctx = context(conn, head.round_id, point_id)
        .await?
        .ok_or_else(|| {
            Error::internal(format_args!("order {id}: round {} is gone", head.round_id))
        })?;
    if ctx.round.phase(now) == RoundPhase::Closed {
        return Err(locked(&ctx.round));
    }
    Ok(ctx)
}

fn round_closed(round: &Round, now: OffsetDateTime) -> Option<Error> {
    match round.phase(now) {
        RoundPhase::Open => None,
        RoundPhase::NotYetOpen => Some(Error::field(
            "round_id",
            format!("这一轮从 {} 开始下单", shanghai_text_zh(round.opens_at)),
            format!(
                "orders for this round open at {}",
                shanghai_text(round.opens_at)
            ),
        )),
        RoundPhase::Closed => Some(Error::field(
            "round_id",
            format!("这一轮已于 {} 截单", shanghai_text_zh(round.deadline)),
            format!(
                "orders for this round closed at {}",
                shanghai_text(round.deadline)
            ),
        )),
    }
}

/// `PUT /api/orders/{uuid}`.
#[utoipa::path(
    put,
    path = "/orders/{id}",
    tag = "shop",
    summary = "Place an order; the same id and content again gives the same order",
    params(
        ("id" = String, Path, description = "The order's id: the UUID the phone made")
    ),
    request_body = OrderRequest,
    responses(
        (status = 201, description = "Created", body = MemberOrder),
        (status = 200, description = "The same order was placed before: it, unchanged", body = MemberOrder)
    ),
    security(("member" = []))
)]
async fn place(
    State(state): State<AppState>,
    member: CurrentMember,
    OrderId(id): OrderId,
    JsonBody(raw): JsonBody<OrderRequest>,
) -> Result<(StatusCode, Json<MemberOrder>)> {
    let norm = raw.normalized().map_err(Error::Validation)?;
    let wanted = canonical(&norm)?;
    // Whole seconds, as stored: the answer equals what a GET shows later.
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    if let Some(head) = member_head(tx.conn(), member.id, &id).await? {
        if head.member_id != member.id {
            return Err(not_found(&id));
        }
        // A repeat (of the placing request, or of the order as it is now)
        // is answered with the order as it is; nothing is written.
        if head.placed_request == wanted || current(tx.conn(), &id, &head).await?.0 == norm {
            let order = load_one(tx.conn(), member.id, &id, now).await?;
            return Ok((StatusCode::OK, Json(order)));
        }
        return Err(Error::conflict(ID_REUSED_ZH, ID_REUSED));
    }

    let ctx = context(tx.conn(), norm.round_id, norm.point_id)
        .await?
        .ok_or_else(|| {
            Error::field(
                "round_id",
                format!("没有这一轮：{}", norm.round_id),
                format!("no round with id {}", norm.round_id),
            )
        })?;
    if let Some(e) = round_closed(&ctx.round, now) {
        return Err(e);
    }
    let lines = check_and_price(tx.conn(), &ctx, &raw, &norm, None, &HashMap::new()).await?;

    let (number,): (i64,) = sqlx::query_as(
        "INSERT INTO orders (id, number, member_id, round_id, point_id, status, placed_request, created_at, updated_at)
         VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM orders), ?, ?, ?, 'confirmed', ?, ?, ?)
         RETURNING number",
    )
    .bind(&id)
    .bind(member.id)
    .bind(norm.round_id)
    .bind(norm.point_id)
    .bind(&wanted)
    .bind(now.unix_timestamp())
    .bind(now.unix_timestamp())
    .fetch_one(tx.conn())
    .await?;
    insert_lines(tx.conn(), &id, &lines).await?;
    tx.commit().await?;
    let order = written_order(&id, number, ctx, &lines, now, now, now)?;
    Ok((StatusCode::CREATED, Json(order)))
}

/// `PATCH /api/orders/{uuid}`: the body is the whole order as it should be.
#[utoipa::path(
    patch,
    path = "/orders/{id}",
    tag = "shop",
    summary = "Change an order until the deadline; the body is the whole order as it should be",
    params(
        ("id" = String, Path, description = "The order's id: the UUID the phone made")
    ),
    request_body = OrderRequest,
    responses(
        (status = 200, description = "OK", body = MemberOrder)
    ),
    security(("member" = []))
)]
async fn change(
    State(state): State<AppState>,
    member: CurrentMember,
    OrderId(id): OrderId,
    JsonBody(raw): JsonBody<OrderRequest>,
) -> Result<Json<MemberOrder>> {
    let norm = raw.normalized().map_err(Error::Validation)?;
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    let head = own(
        member_head(tx.conn(), member.id, &id).await?,
        &id,
        member.id,
    )?;
    if norm.round_id != head.round_id {
        return Err(Error::field(
            "round_id",
            "订单不能换到别的一轮；请取消后在那一轮重新下单",
            "an order stays in its round; cancel it and place a new order for another round",
        ));
    }
    let (now_content, kept_prices) = current(tx.conn(), &id, &head).await?;
    // Nothing to change (e.g. a resent request): answer with the order.
    if now_content == norm {
        return Ok(Json(load_one(tx.conn(), member.id, &id, now).await?));
    }
    if head.cancelled() {
        return Err(Error::conflict(
            "这张订单已取消，不能再改；请重新下单",
            "this order is cancelled and cannot be changed; place a new order instead",
        ));
    }
    let ctx = unlocked_context(tx.conn(), &id, &head, norm.point_id, now).await?;
    // Products already in the order keep the price agreed when it was placed.
    let lines = check_and_price(tx.conn(), &ctx, &raw, &norm, Some(&id), &kept_prices).await?;
    sqlx::query("UPDATE orders SET point_id = ?, updated_at = ? WHERE id = ?")
        .bind(norm.point_id)
        .bind(now.unix_timestamp())
        .bind(&id)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM order_line WHERE order_id = ?")
        .bind(&id)
        .execute(tx.conn())
        .await?;
    insert_lines(tx.conn(), &id, &lines).await?;
    let withdrawn = withdrawn_lines(tx.conn(), member.id, Some(&id))
        .await?
        .remove(&id)
        .unwrap_or_default();
    tx.commit().await?;
    let order = written_order(
        &id,
        head.number,
        ctx,
        &lines,
        moment(head.created_at)?,
        now,
        now,
    )?;
    Ok(Json(MemberOrder { withdrawn, ..order }))
}

/// `DELETE /api/orders/{uuid}`: cancel; what it held goes back to stock.
#[utoipa::path(
    delete,
    path = "/orders/{id}",
    tag = "shop",
    summary = "Cancel an order until the deadline; what it held goes back to stock",
    params(
        ("id" = String, Path, description = "The order's id: the UUID the phone made")
    ),
    responses(
        (status = 200, description = "OK", body = MemberOrder)
    ),
    security(("member" = []))
)]
async fn cancel(
    State(state): State<AppState>,
    member: CurrentMember,
    OrderId(id): OrderId,
) -> Result<Json<MemberOrder>> {
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    let head = own(head(tx.conn(), &id).await?, &id, member.id)?;
    if !head.cancelled() {
        unlocked_context(tx.conn(), &id, &head, head.point_id, now).await?;
        sqlx::query("UPDATE orders SET status = 'cancelled', updated_at = ? WHERE id = ?")
            .bind(now.unix_timestamp())
            .bind(&id)
            .execute(tx.conn())
            .await?;
    }
    let order = load_one(tx.conn(), member.id, &id, now).await?;
    tx.commit().await?;
    Ok(Json(order))
}

#[utoipa::path(
    get,
    path = "/orders/{id}",
    tag = "shop",
    summary = "One of the member's orders",
    params(
        ("id" = String, Path, description = "The order's id: the UUID the phone made")
    ),
    responses(
        (status = 200, description = "OK", body = MemberOrder)
    ),
    security(("member" = []))
)]
async fn one(
    State(state): State<AppState>,
    member: CurrentMember,
    OrderId(id): OrderId,
) -> Result<Json<MemberOrder>> {
    let mut conn = state.db.acquire().await?;
    let order = load_one(&mut conn, member.id, &id, OffsetDateTime::now_utc()).await?;
    Ok(Json(order))
}

#[utoipa::path(
    get,
    path = "/orders",
    tag = "shop",
    summary = "The member's orders, newest first",
    responses(
        (status = 200, description = "OK", body = Vec<MemberOrder>)
    ),
    security(("member" = []))
)]
async fn list(
    State(state): State<AppState>,
    member: CurrentMember,
) -> Result<Json<Vec<MemberOrder>>> {
    let mut conn = state.db.acquire().await?;
    let orders = load_orders(&mut conn, member.id, None, OffsetDateTime::now_utc()).await?;
    Ok(Json(orders))
}
