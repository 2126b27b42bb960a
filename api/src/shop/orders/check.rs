//! What an order asks checked against its round: the point, the products
//! (the village's, published, not withdrawn) and what is left; then the
//! lines priced and stored.

use std::collections::HashMap;

use domain::{
    dto::{DistributionPoint, OrderLine, Round},
    order::{check_capacity, line_totals, LineTotals, OrderRequest},
    FieldError, LocalText,
};
use sqlx::{FromRow, SqliteConnection};

use crate::{
    http::error::{Error, Result},
    shop::{
        rounds::{RoundRow, ROUND_SERVES_POINT},
        stock::{product_stock, ProductStock},
    },
};

/// A round with what orders need of its village, and the point asked for.
pub(super) struct Context {
    pub(super) round: Round,
    pub(super) village_id: i64,
    pub(super) village_slug: String,
    pub(super) village_name: LocalText,
    pub(super) organising_percent: u8,
    /// The point with the id asked for and its village, if it exists.
    pub(super) point: Option<(i64, DistributionPoint)>,
    /// Whether that point serves the round.
    pub(super) serves_point: bool,
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
    serves_point: bool,
}

/// The round `round_id` with its village, and the point `point_id`; one
/// query, as every round trip to SQLite's thread costs more than the query
/// itself under load (see `bench_orders`).
pub(super) async fn context(
    conn: &mut SqliteConnection,
    round_id: i64,
    point_id: i64,
) -> Result<Option<Context>> {
    let row: Option<ContextRow> = sqlx::query_as(&format!(
        "SELECT {ROUND_SERVES_POINT} AS serves_point, r.id, r.opens_at, r.deadline, r.distribution_day, r.village_id,
                v.slug AS village_slug, v.name_zh AS village_name_zh, v.name_en AS village_name_en,
                r.organising_percent,
                d.id AS point_id, d.village_id AS point_village_id,
                d.name_zh AS point_name_zh, d.name_en AS point_name_en,
                d.address_zh, d.address_en, d.pickup_from, d.pickup_to
         FROM distribution_round r
         JOIN village v ON v.id = r.village_id
         LEFT JOIN distribution_point d ON d.id = ?2 AND d.closed_at IS NULL
         WHERE r.id = ?1"
    ))
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
                "round in village {}: organising percent out of range",
                r.village_slug
            ))
        })?,
        village_id: r.village_id,
        village_name: LocalText::new(r.village_name_zh, r.village_name_en),
        village_slug: r.village_slug,
        point,
        serves_point: r.serves_point,
    }))
}

/// A line ready to store, and to show.
pub(super) struct PricedLine {
    pub(super) product_id: i64,
    pub(super) name: LocalText,
    pub(super) unit: LocalText,
    pub(super) quantity: i64,
    pub(super) unit_price_fen: i64,
    pub(super) totals: LineTotals,
}

impl PricedLine {
    pub(super) fn to_line(&self) -> OrderLine {
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
pub(super) async fn check_and_price(
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
        Some(_) if !ctx.serves_point => errors.push(FieldError::new(
            "point_id",
            "这一轮不送到这个取货点",
            "this distribution point does not serve this round",
        )),
        Some(_) => {}
    }

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
            Some(ProductStock {
                withdrawn_reason: Some(reason),
                ..
            }) => errors.push(FieldError::new(
                field,
                format!("村里的组织者已把它从这一轮撤下：{reason}"),
                format!("withdrawn from this round by the village's organisers: {reason}"),
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
pub(super) async fn insert_lines(
    conn: &mut SqliteConnection,
    id: &str,
    lines: &[PricedLine],
) -> Result<()> {
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
