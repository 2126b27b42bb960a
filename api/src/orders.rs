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

use std::collections::HashMap;

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    routing::get,
    Json, Router,
};
use domain::{
    dto::{DistributionPoint, Order, OrderLine, OrderStatus, Round},
    order::{
        check_capacity, line_totals, order_totals, LineTotals, OrderLineRequest, OrderRequest,
    },
    organise::{MemberOrder, WithdrawnLine},
    FieldError, LocalText, RoundPhase,
};
use sqlx::{FromRow, SqliteConnection};
use time::OffsetDateTime;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{
    auth::CurrentMember,
    error::{Error, Result},
    json::JsonBody,
    params::OrderId,
    rounds::{moment, shanghai_text, shanghai_text_zh, RoundRow},
    stock::{product_stock, ProductStock},
    AppState,
};

pub const ID_REUSED: &str = "this order id was already used for a different order";
pub const ID_REUSED_ZH: &str = "这个订单号已经用在另一张订单上了";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list))
        .route(
            "/orders/{id}",
            get(one).put(place).patch(change).delete(cancel),
        )
        // Personal data: never kept by any cache.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
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

async fn head(conn: &mut SqliteConnection, id: &str) -> Result<Option<Head>> {
    Ok(sqlx::query_as(
        "SELECT member_id, number, round_id, point_id, status, placed_request, created_at
         FROM orders WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// The member's own order, or 404 whether it is missing or someone else's.
async fn own_head(conn: &mut SqliteConnection, id: &str, member_id: i64) -> Result<Head> {
    head(conn, id)
        .await?
        .filter(|h| h.member_id == member_id)
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

/// A round with what orders need of its village, and the point asked for.
struct Context {
    round: Round,
    village_id: i64,
    village_slug: String,
    village_name: LocalText,
    organising_percent: u8,
    /// The point with the id asked for and its village, if it exists.
    point: Option<(i64, DistributionPoint)>,
}

#[derive(Debug, FromRow)]
struct ContextRow {
    #[sqlx(flatten)]
    round: RoundRow,
    village_id: i64,
    village_slug: String,
    village_name_zh: String,
    village_name_en: String,
    organising_percent: i64,
    point_id: Option<i64>,
    point_village_id: Option<i64>,
    point_name_zh: Option<String>,
    point_name_en: Option<String>,
    address_zh: Option<String>,
    address_en: Option<String>,
    pickup_from: Option<String>,
    pickup_to: Option<String>,
}

/// The round `round_id` with its village, and the point `point_id`; one query.
async fn context(
    conn: &mut SqliteConnection,
    round_id: i64,
    point_id: i64,
) -> Result<Option<Context>> {
    let row: Option<ContextRow> = sqlx::query_as(
        "SELECT r.id, r.opens_at, r.deadline, r.distribution_day, r.village_id,
                v.slug AS village_slug, v.name_zh AS village_name_zh, v.name_en AS village_name_en,
                v.organising_percent,
                d.id AS point_id, d.village_id AS point_village_id,
                d.name_zh AS point_name_zh, d.name_en AS point_name_en,
                d.address_zh, d.address_en, d.pickup_from, d.pickup_to
         FROM distribution_round r
         JOIN village v ON v.id = r.village_id
         LEFT JOIN distribution_point d ON d.id = ?2
         WHERE r.id = ?1",
    )
    .bind(round_id)
    .bind(point_id)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let point = match (
        r.point_id,
        r.point_village_id,
        r.point_name_zh,
        r.point_name_en,
        r.address_zh,
        r.address_en,
        r.pickup_from,
        r.pickup_to,
    ) {
        (Some(id), Some(village), Some(nz), Some(ne), Some(az), Some(ae), Some(from), Some(to)) => {
            Some((
                village,
                DistributionPoint {
                    id,
                    name: LocalText::new(nz, ne),
                    address: LocalText::new(az, ae),
                    pickup_from: from,
                    pickup_to: to,
                },
            ))
        }
        _ => None,
    };
    Ok(Some(Context {
        round: r.round.into_round()?,
        organising_percent: u8::try_from(r.organising_percent).map_err(|_| {
            Error::internal(format_args!(
                "village {}: organising percent out of range",
                r.village_slug
            ))
        })?,
        village_id: r.village_id,
        village_name: LocalText::new(r.village_name_zh, r.village_name_en),
        village_slug: r.village_slug,
        point,
    }))
}

/// A line ready to store, and to show.
struct PricedLine {
    product_id: i64,
    name: LocalText,
    unit: LocalText,
    quantity: i64,
    unit_price_fen: i64,
    totals: LineTotals,
}

impl PricedLine {
    fn to_line(&self) -> OrderLine {
        OrderLine {
            product_id: self.product_id,
            name: self.name.clone(),
            unit: self.unit.clone(),
            quantity: self.quantity,
            unit_price_fen: self.unit_price_fen,
            total_fen: self.totals.total_fen,
            household_fen: self.totals.household_fen,
        }
    }
}

/// Checks the point and products of `raw` (field names use its own line
/// order) against the round's village, then capacity for `norm`, and prices
/// the lines. `except_order`'s current lines are released for the capacity
/// check; `kept_prices` are unit prices already agreed for products.
async fn check_and_price(
    conn: &mut SqliteConnection,
    ctx: &Context,
    raw: &OrderRequest,
    norm: &OrderRequest,
    except_order: Option<&str>,
    kept_prices: &HashMap<i64, i64>,
) -> Result<Vec<PricedLine>> {
    let mut errors = Vec::new();
    match &ctx.point {
        None => errors.push(FieldError::new(
            "point_id",
            "没有这个取货点",
            "unknown distribution point",
        )),
        Some((village, _)) if *village != ctx.village_id => errors.push(FieldError::new(
            "point_id",
            "这个取货点不属于这一轮的村子",
            "this distribution point does not serve the round's village",
        )),
        Some((_, point)) => {
            if !crate::organise_rounds::serves(conn, ctx.round.id, point.id).await? {
                errors.push(FieldError::new(
                    "point_id",
                    "这一轮不送到这个取货点",
                    "this distribution point does not serve this round",
                ));
            }
        }
    }
    let withdrawn: HashMap<i64, String> =
        sqlx::query_as("SELECT product_id, reason FROM withdrawal WHERE round_id = ?")
            .bind(ctx.round.id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();

    let ids: Vec<i64> = norm.lines.iter().map(|l| l.product_id).collect();
    let products: HashMap<i64, ProductStock> =
        product_stock(conn, ctx.round.id, &ids, except_order)
            .await?
            .into_iter()
            .map(|p| (p.product_id, p))
            .collect();
    for (i, line) in raw.lines.iter().enumerate() {
        let field = format!("lines[{i}].product_id");
        match products.get(&line.product_id) {
            None => errors.push(FieldError::new(field, "没有这个产品", "unknown product")),
            Some(p) if p.village_id != ctx.village_id || p.published == 0 => errors.push(
                FieldError::new(field, "这个村子不卖这个产品", "not sold by this village"),
            ),
            Some(_) if withdrawn.contains_key(&line.product_id) => errors.push(FieldError::new(
                field,
                format!(
                    "村里的组织者已把它从这一轮撤下：{}",
                    withdrawn[&line.product_id]
                ),
                format!(
                    "withdrawn from this round by the village's organisers: {}",
                    withdrawn[&line.product_id]
                ),
            )),
            Some(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }

    check_capacity(&norm.lines, |id| {
        products.get(&id).map_or(0, |p| p.stock().remaining)
    })
    .map_err(Error::Short)?;

    norm.lines
        .iter()
        .map(|l| {
            let p = &products[&l.product_id];
            let unit_price_fen = kept_prices
                .get(&l.product_id)
                .copied()
                .unwrap_or(p.price_fen);
            let totals =
                line_totals(unit_price_fen, l.quantity, ctx.organising_percent).map_err(|e| {
                    Error::internal(format_args!("pricing product {}: {e}", l.product_id))
                })?;
            Ok(PricedLine {
                product_id: l.product_id,
                name: LocalText::new(p.name_zh.clone(), p.name_en.clone()),
                unit: LocalText::new(p.unit_zh.clone(), p.unit_en.clone()),
                quantity: l.quantity,
                unit_price_fen,
                totals,
            })
        })
        .collect()
}

/// All lines in one statement, whatever their number.
async fn insert_lines(conn: &mut SqliteConnection, id: &str, lines: &[PricedLine]) -> Result<()> {
    let rows: Vec<[i64; 5]> = lines
        .iter()
        .map(|l| {
            [
                l.product_id,
                l.quantity,
                l.unit_price_fen,
                l.totals.total_fen,
                l.totals.household_fen,
            ]
        })
        .collect();
    sqlx::query(
        "INSERT INTO order_line (order_id, product_id, quantity, unit_price_fen, total_fen, household_fen)
         SELECT ?1, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4
         FROM json_each(?2)",
    )
    .bind(id)
    .bind(serde_json::to_string(&rows).map_err(Error::internal)?)
    .execute(conn)
    .await?;
    Ok(())
}

/// The order as answered, from what was just written.
fn written_order(
    id: &str,
    number: i64,
    ctx: Context,
    lines: &[PricedLine],
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Order> {
    let point = ctx
        .point
        .map(|(_, p)| p)
        .ok_or_else(|| Error::internal("order written without a point"))?;
    Ok(assemble(
        id.to_owned(),
        number,
        OrderStatus::Confirmed,
        ctx.village_slug,
        ctx.village_name,
        ctx.round,
        point,
        lines.iter().map(PricedLine::to_line).collect(),
        created_at,
        updated_at,
        now,
    ))
}

/// The one way an [`Order`] is put together.
#[allow(clippy::too_many_arguments)]
fn assemble(
    id: String,
    number: i64,
    status: OrderStatus,
    village_slug: String,
    village_name: LocalText,
    round: Round,
    point: DistributionPoint,
    lines: Vec<OrderLine>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Order {
    let totals = order_totals(lines.iter().map(|l| LineTotals {
        total_fen: l.total_fen,
        household_fen: l.household_fen,
        organising_fen: l.total_fen - l.household_fen,
    }));
    Order {
        id,
        number: format!("{}-{number:06}", village_slug.to_ascii_uppercase()),
        status,
        village_slug,
        village_name,
        locked: round.phase(now) == RoundPhase::Closed,
        round,
        point,
        lines,
        total_fen: totals.total_fen,
        household_fen: totals.household_fen,
        organising_fen: totals.organising_fen,
        withdrawn: Vec::new(),
        created_at,
        updated_at,
    }
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

    if let Some(head) = head(tx.conn(), &id).await? {
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
async fn change(
    State(state): State<AppState>,
    member: CurrentMember,
    OrderId(id): OrderId,
    JsonBody(raw): JsonBody<OrderRequest>,
) -> Result<Json<MemberOrder>> {
    let norm = raw.normalized().map_err(Error::Validation)?;
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    let head = own_head(tx.conn(), &id, member.id).await?;
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
    let ctx = context(tx.conn(), head.round_id, norm.point_id)
        .await?
        .ok_or_else(|| {
            Error::internal(format_args!("order {id}: round {} is gone", head.round_id))
        })?;
    if ctx.round.phase(now) == RoundPhase::Closed {
        return Err(locked(&ctx.round));
    }
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
async fn cancel(
    State(state): State<AppState>,
    member: CurrentMember,
    OrderId(id): OrderId,
) -> Result<Json<MemberOrder>> {
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    let head = own_head(tx.conn(), &id, member.id).await?;
    if !head.cancelled() {
        let ctx = context(tx.conn(), head.round_id, head.point_id)
            .await?
            .ok_or_else(|| {
                Error::internal(format_args!("order {id}: round {} is gone", head.round_id))
            })?;
        if ctx.round.phase(now) == RoundPhase::Closed {
            return Err(locked(&ctx.round));
        }
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

async fn one(
    State(state): State<AppState>,
    member: CurrentMember,
    OrderId(id): OrderId,
) -> Result<Json<MemberOrder>> {
    let mut conn = state.db.acquire().await?;
    let order = load_one(&mut conn, member.id, &id, OffsetDateTime::now_utc()).await?;
    Ok(Json(order))
}

async fn list(
    State(state): State<AppState>,
    member: CurrentMember,
) -> Result<Json<Vec<MemberOrder>>> {
    let mut conn = state.db.acquire().await?;
    let orders = load_orders(&mut conn, member.id, None, OffsetDateTime::now_utc()).await?;
    Ok(Json(orders))
}

#[derive(Debug, FromRow)]
struct OrderRow {
    id: String,
    number: i64,
    status: String,
    created_at: i64,
    updated_at: i64,
    village_slug: String,
    village_name_zh: String,
    village_name_en: String,
    round_id: i64,
    opens_at: i64,
    deadline: i64,
    distribution_day: String,
    point_id: i64,
    point_name_zh: String,
    point_name_en: String,
    address_zh: String,
    address_en: String,
    pickup_from: String,
    pickup_to: String,
}

#[derive(Debug, FromRow)]
struct LineRow {
    order_id: String,
    product_id: i64,
    name_zh: String,
    name_en: String,
    unit_zh: String,
    unit_en: String,
    quantity: i64,
    unit_price_fen: i64,
    total_fen: i64,
    household_fen: i64,
}

async fn load_one(
    conn: &mut SqliteConnection,
    member_id: i64,
    id: &str,
    now: OffsetDateTime,
) -> Result<MemberOrder> {
    load_orders(conn, member_id, Some(id), now)
        .await?
        .pop()
        .ok_or_else(|| not_found(id))
}

/// The member's orders (only `id` if given), newest first.
async fn load_orders(
    conn: &mut SqliteConnection,
    member_id: i64,
    id: Option<&str>,
    now: OffsetDateTime,
) -> Result<Vec<MemberOrder>> {
    // Two plain filters rather than `(? IS NULL OR o.id = ?)`, which SQLite
    // cannot answer from the primary key: one order must not cost a scan of
    // all of the member's orders.
    let filter = match id {
        Some(_) => "o.id = ?2 AND o.member_id = ?1",
        None => "o.member_id = ?1 AND ?2 IS NULL",
    };
    let rows: Vec<OrderRow> = sqlx::query_as(&format!(
        "SELECT o.id, o.number, o.status, o.created_at, o.updated_at,
                v.slug AS village_slug, v.name_zh AS village_name_zh, v.name_en AS village_name_en,
                r.id AS round_id, r.opens_at, r.deadline, r.distribution_day,
                d.id AS point_id, d.name_zh AS point_name_zh, d.name_en AS point_name_en,
                d.address_zh, d.address_en, d.pickup_from, d.pickup_to
         FROM orders o
         JOIN distribution_round r ON r.id = o.round_id
         JOIN village v ON v.id = r.village_id
         JOIN distribution_point d ON d.id = o.point_id
         WHERE {filter}
         ORDER BY o.created_at DESC, o.number DESC"
    ))
    .bind(member_id)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let line_rows: Vec<LineRow> = sqlx::query_as(&format!(
        "SELECT ol.order_id, ol.product_id, p.name_zh, p.name_en, p.unit_zh, p.unit_en,
                ol.quantity, ol.unit_price_fen, ol.total_fen, ol.household_fen
         FROM order_line ol
         JOIN orders o ON o.id = ol.order_id
         JOIN product p ON p.id = ol.product_id
         WHERE {filter}
         ORDER BY ol.order_id, ol.product_id"
    ))
    .bind(member_id)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut withdrawn = withdrawn_lines(&mut *conn, member_id, id).await?;
    let mut lines: HashMap<String, Vec<OrderLine>> = HashMap::new();
    for l in line_rows {
        lines.entry(l.order_id).or_default().push(OrderLine {
            product_id: l.product_id,
            name: LocalText::new(l.name_zh, l.name_en),
            unit: LocalText::new(l.unit_zh, l.unit_en),
            quantity: l.quantity,
            unit_price_fen: l.unit_price_fen,
            total_fen: l.total_fen,
            household_fen: l.household_fen,
        });
    }
    rows.into_iter()
        .map(|r| {
            let round = RoundRow {
                id: r.round_id,
                opens_at: r.opens_at,
                deadline: r.deadline,
                distribution_day: r.distribution_day,
            }
            .into_round()?;
            let status = match r.status.as_str() {
                "confirmed" => OrderStatus::Confirmed,
                "cancelled" => OrderStatus::Cancelled,
                other => {
                    return Err(Error::internal(format_args!(
                        "order {}: unknown status '{other}'",
                        r.id
                    )))
                }
            };
            let lines = lines.remove(&r.id).unwrap_or_default();
            let notices = withdrawn.remove(&r.id).unwrap_or_default();
            Ok(MemberOrder {
                withdrawn: notices,
                ..assemble(
                    r.id,
                    r.number,
                    status,
                    r.village_slug,
                    LocalText::new(r.village_name_zh, r.village_name_en),
                    round,
                    DistributionPoint {
                        id: r.point_id,
                        name: LocalText::new(r.point_name_zh, r.point_name_en),
                        address: LocalText::new(r.address_zh, r.address_en),
                        pickup_from: r.pickup_from,
                        pickup_to: r.pickup_to,
                    },
                    lines,
                    moment(r.created_at)?,
                    moment(r.updated_at)?,
                    now,
                )
            })
        })
        .collect()
}

/// Lines taken out of the member's orders (only `id` if given) by a
/// withdrawal, with its reason, by order id.
async fn withdrawn_lines(
    conn: &mut SqliteConnection,
    member_id: i64,
    id: Option<&str>,
) -> Result<HashMap<String, Vec<WithdrawnLine>>> {
    let filter = match id {
        Some(_) => "o.id = ?2 AND o.member_id = ?1",
        None => "o.member_id = ?1 AND ?2 IS NULL",
    };
    type Row = (
        String,
        i64,
        String,
        String,
        String,
        String,
        i64,
        i64,
        i64,
        String,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT wl.order_id, wl.product_id, p.name_zh, p.name_en, p.unit_zh, p.unit_en,
                wl.quantity, wl.unit_price_fen, wl.total_fen, w.reason, w.at
         FROM withdrawn_line wl
         JOIN orders o ON o.id = wl.order_id
         JOIN product p ON p.id = wl.product_id
         JOIN withdrawal w ON w.round_id = o.round_id AND w.product_id = wl.product_id
         WHERE {filter}
         ORDER BY wl.order_id, wl.product_id"
    ))
    .bind(member_id)
    .bind(id)
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<String, Vec<WithdrawnLine>> = HashMap::new();
    for (order_id, product_id, nz, ne, uz, ue, quantity, unit_price_fen, total_fen, reason, at) in
        rows
    {
        out.entry(order_id).or_default().push(WithdrawnLine {
            product_id,
            name: LocalText::new(nz, ne),
            unit: LocalText::new(uz, ue),
            quantity,
            unit_price_fen,
            total_fen,
            reason,
            withdrawn_at: moment(at)?,
        });
    }
    Ok(out)
}
