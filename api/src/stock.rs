//! Capacity: what a round can supply of each product (the sum of its
//! households' supplies) and what live orders have not yet taken.

use domain::dto::Stock;
use sqlx::{FromRow, SqliteConnection};

use crate::error::{Error, Result};

#[derive(Debug, FromRow)]
struct StockRow {
    product_id: i64,
    capacity: i64,
    ordered: i64,
}

/// The stock of each of `product_ids` in `round_id`, in the same order.
/// Lines of the order `except_order` are not counted as taken: that order
/// is being changed and its own quantities are released.
pub(crate) async fn stock(
    conn: &mut SqliteConnection,
    round_id: i64,
    product_ids: &[i64],
    except_order: Option<&str>,
) -> Result<Vec<Stock>> {
    let ids = serde_json::to_string(product_ids).map_err(Error::internal)?;
    let rows: Vec<StockRow> = sqlx::query_as(
        "SELECT j.value AS product_id,
                COALESCE((SELECT SUM(s.quantity) FROM supply s
                          WHERE s.round_id = ?1 AND s.product_id = j.value), 0) AS capacity,
                COALESCE((SELECT SUM(ol.quantity)
                          FROM order_line ol JOIN orders o ON o.id = ol.order_id
                          WHERE ol.product_id = j.value AND o.round_id = ?1
                            AND o.status = 'confirmed' AND o.id IS NOT ?3), 0) AS ordered
         FROM json_each(?2) j ORDER BY j.key",
    )
    .bind(round_id)
    .bind(ids)
    .bind(except_order)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Stock {
            product_id: r.product_id,
            capacity: r.capacity,
            remaining: domain::order::remaining(r.capacity, r.ordered),
        })
        .collect())
}
