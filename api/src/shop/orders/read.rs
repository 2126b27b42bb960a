//! Orders as answered: put together from what was just written, or read
//! back with their lines and withdrawn lines.

use std::collections::HashMap;

use domain::{
    dto::{DistributionPoint, Order, OrderLine, OrderStatus, Round},
    feedback::OrderRefund,
    order::{order_totals, LineTotals},
    organise::{MemberOrder, WithdrawnLine},
    pickup::{OrderPickup, PaymentMethod, PickupState},
    LocalText, RoundPhase,
};
use sqlx::{FromRow, SqliteConnection};
use time::OffsetDateTime;

use super::{
    check::{Context, PricedLine},
    not_found,
};
use crate::{
    http::error::{Error, Result},
    shop::rounds::{moment, RoundRow},
};

/// The order as answered, from what was just written.
pub(super) fn written_order(
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
        pickup: None,
        refunds: Vec::new(),
        created_at,
        updated_at,
    }
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

impl LineRow {
    /// The order's id and the line.
    fn into_line(self) -> (String, OrderLine) {
        let line = OrderLine {
            product_id: self.product_id,
            name: LocalText::new(self.name_zh, self.name_en),
            unit: LocalText::new(self.unit_zh, self.unit_en),
            quantity: self.quantity,
            unit_price_fen: self.unit_price_fen,
            total_fen: self.total_fen,
            household_fen: self.household_fen,
        };
        (self.order_id, line)
    }
}

pub(super) async fn load_one(
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

/// The SQL condition for the member's orders (`?1`), only order `?2` if
/// given. Two plain filters rather than `(? IS NULL OR o.id = ?)`, which
/// SQLite cannot answer from the primary key: one order must not cost a
/// scan of all of the member's orders.
fn member_filter(id: Option<&str>) -> &'static str {
    match id {
        Some(_) => "o.id = ?2 AND o.member_id = ?1",
        None => "o.member_id = ?1 AND ?2 IS NULL",
    }
}

/// The member's orders (only `id` if given), newest first.
pub(super) async fn load_orders(
    conn: &mut SqliteConnection,
    member_id: i64,
    id: Option<&str>,
    now: OffsetDateTime,
) -> Result<Vec<MemberOrder>> {
    let filter = member_filter(id);
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
    let mut pickups = pickups(&mut *conn, member_id, id).await?;
    let mut refunds = refunds(&mut *conn, member_id, id).await?;
    let mut lines: HashMap<String, Vec<OrderLine>> = HashMap::new();
    for l in line_rows {
        let (order_id, line) = l.into_line();
        lines.entry(order_id).or_default().push(line);
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
                pickup: pickups.remove(&r.id),
                refunds: refunds.remove(&r.id).unwrap_or_default(),
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

/// A withdrawn line, with the withdrawal's reason and time.
#[derive(Debug, FromRow)]
struct WithdrawnRow {
    #[sqlx(flatten)]
    line: LineRow,
    reason: String,
    at: i64,
}

/// Lines taken out of the member's orders (only `id` if given) by a
/// withdrawal, with its reason, by order id.
pub(super) async fn withdrawn_lines(
    conn: &mut SqliteConnection,
    member_id: i64,
    id: Option<&str>,
) -> Result<HashMap<String, Vec<WithdrawnLine>>> {
    let filter = member_filter(id);
    let rows: Vec<WithdrawnRow> = sqlx::query_as(&format!(
        "SELECT wl.order_id, wl.product_id, p.name_zh, p.name_en, p.unit_zh, p.unit_en,
                wl.quantity, wl.unit_price_fen, wl.total_fen, wl.household_fen, w.reason, w.at
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
    for WithdrawnRow { line, reason, at } in rows {
        let (order_id, line) = line.into_line();
        out.entry(order_id).or_default().push(WithdrawnLine {
            product_id: line.product_id,
            name: line.name,
            unit: line.unit,
            quantity: line.quantity,
            unit_price_fen: line.unit_price_fen,
            total_fen: line.total_fen,
            reason,
            withdrawn_at: moment(at)?,
        });
    }
    Ok(out)
}

/// The pickup (latest mark) of the member's orders (only `id` if given),
/// by order id: what happened, not who marked it.
async fn pickups(
    conn: &mut SqliteConnection,
    member_id: i64,
    id: Option<&str>,
) -> Result<HashMap<String, OrderPickup>> {
    let filter = member_filter(id);
    let rows: Vec<(String, String, Option<i64>, Option<String>, i64)> = sqlx::query_as(&format!(
        "SELECT p.order_id, p.state, p.amount_fen, p.method, p.marked_at
         FROM pickup p JOIN orders o ON o.id = p.order_id
         WHERE {filter}"
    ))
    .bind(member_id)
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(order_id, state, amount_fen, method, marked_at)| {
            let bad = |what: &str| Error::internal(format_args!("pickup of {order_id}: {what}"));
            let state = PickupState::parse(&state).ok_or_else(|| bad(&state))?;
            let method = method
                .map(|m| PaymentMethod::parse(&m).ok_or_else(|| bad(&m)))
                .transpose()?;
            let pickup = OrderPickup {
                state,
                amount_fen,
                method,
                marked_at: moment(marked_at)?,
            };
            Ok((order_id, pickup))
        })
        .collect()
}

/// The refunds on the member's orders (only `id` if given), oldest first.
async fn refunds(
    conn: &mut SqliteConnection,
    member_id: i64,
    id: Option<&str>,
) -> Result<HashMap<String, Vec<OrderRefund>>> {
    let filter = member_filter(id);
    let rows: Vec<(String, i64, i64, String, Option<String>, i64)> = sqlx::query_as(&format!(
        "SELECT rf.order_id, rf.id, rf.amount_fen, rf.reason, rf.label_code, rf.created_at
         FROM refund rf
         JOIN orders o ON o.id = rf.order_id
         WHERE {filter}
         ORDER BY rf.order_id, rf.id"
    ))
    .bind(member_id)
    .bind(id)
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<String, Vec<OrderRefund>> = HashMap::new();
    for (order_id, id, amount_fen, reason, label_code, created_at) in rows {
        out.entry(order_id).or_default().push(OrderRefund {
            id,
            amount_fen,
            reason,
            label_code,
            created_at,
        });
    }
    Ok(out)
}
