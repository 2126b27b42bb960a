//! Capacity: what a round can supply of each product (the sum of its
//! households' supplies) and what live orders have not yet taken.
//!
//! What confirmed orders hold is read from `ordered_total`, which triggers
//! keep in step with `orders` and `order_line` (migration 0008), so a check
//! reads one row per product however many orders there are.

use domain::dto::Stock;
use sqlx::{FromRow, SqliteConnection};

use crate::{db::json_ids, http::error::Result};

/// A product as an order needs it, with its stock in one round. Products
/// that do not exist are absent.
#[derive(Debug, FromRow)]
pub(crate) struct ProductStock {
    pub product_id: i64,
    pub village_id: i64,
    pub published: i64,
    pub price_fen: i64,
    pub name_zh: String,
    pub name_en: String,
    pub unit_zh: String,
    pub unit_en: String,
    pub capacity: i64,
    pub ordered: i64,
    /// Why the organisers withdrew it from the round, if they did.
    pub withdrawn_reason: Option<String>,
}

impl ProductStock {
    pub fn stock(&self) -> Stock {
        Stock {
            product_id: self.product_id,
            capacity: self.capacity,
            remaining: domain::order::remaining(self.capacity, self.ordered),
        }
    }
}

/// The existing ones of `product_ids` with their stock in `round_id`, in
/// the order given. Lines of the order `except_order` are not counted as
/// taken: that order is being changed and its own quantities are released.
pub(crate) async fn product_stock(
    conn: &mut SqliteConnection,
    round_id: i64,
    product_ids: &[i64],
    except_order: Option<&str>,
) -> Result<Vec<ProductStock>> {
    let ids = json_ids(product_ids);
    Ok(sqlx::query_as(
        "SELECT p.id AS product_id, p.village_id, p.published, p.price_fen,
                p.name_zh, p.name_en, p.unit_zh, p.unit_en,
                w.reason AS withdrawn_reason,
                -- A product withdrawn from the round has nothing left to sell.
                CASE WHEN w.reason IS NOT NULL THEN 0
                     ELSE COALESCE((SELECT SUM(s.quantity) FROM supply s
                                    WHERE s.round_id = ?1 AND s.product_id = p.id), 0)
                END AS capacity,
                COALESCE((SELECT t.quantity FROM ordered_total t
                          WHERE t.round_id = ?1 AND t.product_id = p.id), 0)
                - COALESCE((SELECT ol.quantity FROM order_line ol JOIN orders o ON o.id = ol.order_id
                            WHERE ol.order_id = ?3 AND ol.product_id = p.id
                              AND o.round_id = ?1 AND o.status = 'confirmed'), 0) AS ordered
         FROM json_each(?2) j JOIN product p ON p.id = j.value
         LEFT JOIN withdrawal w ON w.round_id = ?1 AND w.product_id = p.id
         ORDER BY j.key",
    )
    .bind(round_id)
    .bind(ids)
    .bind(except_order)
    .fetch_all(conn)
    .await?)
}

/// The stock of each of `product_ids` (which must exist) in `round_id`.
pub(crate) async fn stock(
    conn: &mut SqliteConnection,
    round_id: i64,
    product_ids: &[i64],
) -> Result<Vec<Stock>> {
    Ok(product_stock(conn, round_id, product_ids, None)
        .await?
        .iter()
        .map(ProductStock::stock)
        .collect())
}
