//! A round's supplies and withdrawals, for organisers.
//!
//! A household's supply is the capacity ordering checks (`supply`, see
//! [`crate::shop::stock`]). Orders are not tied to a household until
//! packing, so the floor is per product: a change that would leave a
//! product's total supply in the round below what confirmed orders already
//! hold is refused whole with 409 naming the ordered quantity.

use std::collections::HashMap;

use axum::{extract::State, http::StatusCode, Json};
use domain::{
    organise::{
        reason, supply_allowed, supply_quantity, BelowOrdered, OrganiseRound, RoundProduct,
        SupplyEntry, SupplyInput, Withdrawal, WithdrawalInput,
    },
    FieldError, LocalText,
};
use time::OffsetDateTime;

use super::{assemble, round_for, round_products, withdrawal};
use crate::{
    http::{
        error::{Error, Result},
        json::JsonBody,
        params::Id,
    },
    organise::{
        change_log::{to_value, ChangeLog},
        session::CurrentOrganiser,
    },
    shop::rounds::{moment, shanghai_text, shanghai_text_zh},
    AppState,
};

/// `PUT /api/organise/rounds/{id}/supply`: sets the listed supplies; the
/// others stay. All or nothing.
#[utoipa::path(
    put,
    path = "/organise/rounds/{id}/supply",
    tag = "organise",
    params(
        ("id" = i64, Path, description = "The round's id")
    ),
    request_body = SupplyInput,
    responses(
        (status = 200, description = "OK", body = OrganiseRound)
    ),
    security(("organiser" = [], "csrf" = []))
)]
pub(super) async fn set_supply(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    JsonBody(input): JsonBody<SupplyInput>,
) -> Result<Json<OrganiseRound>> {
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    let (v, round) = round_for(tx.conn(), &o, id).await?;
    let current = round_products(tx.conn(), id, v.id).await?;
    let by_product: HashMap<i64, &RoundProduct> =
        current.iter().map(|p| (p.product_id, p)).collect();

    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let retired: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM household WHERE village_id = ? AND retired_at IS NOT NULL")
            .bind(v.id)
            .fetch_all(tx.conn())
            .await?;
    if input.supplies.is_empty() {
        errors.push(FieldError::new(
            "supplies",
            "至少填一项供应",
            "list at least one supply",
        ));
    }
    for (i, s) in input.supplies.iter().enumerate() {
        if let Err(e) = supply_quantity(&format!("supplies[{i}].quantity"), s.quantity) {
            errors.push(e);
        }
        let makes = by_product
            .get(&s.product_id)
            .is_some_and(|p| p.supplies.iter().any(|x| x.household_id == s.household_id));
        if !by_product.contains_key(&s.product_id) {
            errors.push(FieldError::new(
                format!("supplies[{i}].product_id"),
                format!("{} 不是本村的产品", s.product_id),
                format!("{} is not a product of this village", s.product_id),
            ));
        } else if !makes {
            errors.push(FieldError::new(
                format!("supplies[{i}].household_id"),
                format!("农户 {} 不生产产品 {}", s.household_id, s.product_id),
                format!(
                    "household {} does not make product {}",
                    s.household_id, s.product_id
                ),
            ));
        }
        // A retired household may only bring its supply down.
        let old = by_product
            .get(&s.product_id)
            .and_then(|p| p.supplies.iter().find(|x| x.household_id == s.household_id))
            .map_or(0, |x| x.quantity);
        if s.quantity > old && retired.iter().any(|(h,)| *h == s.household_id) {
            errors.push(FieldError::new(
                format!("supplies[{i}].household_id"),
                format!("农户 {} 已经退出，不能再供货", s.household_id),
                format!(
                    "household {} has retired and cannot supply more",
                    s.household_id
                ),
            ));
        }
        if !seen.insert((s.household_id, s.product_id)) {
            errors.push(FieldError::new(
                format!("supplies[{i}]"),
                "同一农户的同一产品填了两次",
                "this household and product are listed twice",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }

    // The totals the request would leave, per product.
    let mut totals: HashMap<i64, i64> = HashMap::new();
    let mut changed: Vec<(SupplyEntry, i64)> = Vec::new();
    for s in &input.supplies {
        let p = by_product[&s.product_id];
        let old = p
            .supplies
            .iter()
            .find(|x| x.household_id == s.household_id)
            .map_or(0, |x| x.quantity);
        if old != s.quantity {
            changed.push((*s, old));
        }
        *totals.entry(s.product_id).or_insert(p.capacity) += s.quantity - old;
    }
    // Once the round is allocated, each household has pieces packed with
    // its labels: its supply may not drop below them, whatever the total.
    let mut packed_errors = Vec::new();
    for (i, s) in input.supplies.iter().enumerate() {
        let (packed,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(SUM(quantity), 0) FROM packed_line
             WHERE round_id = ? AND household_id = ? AND product_id = ?",
        )
        .bind(id)
        .bind(s.household_id)
        .bind(s.product_id)
        .fetch_one(tx.conn())
        .await?;
        if s.quantity < packed {
            packed_errors.push(FieldError::new(
                format!("supplies[{i}].quantity"),
                format!("这户已经分好 {packed} 份并贴了标签，供应不能低于 {packed}"),
                format!(
                    "{packed} of this household's are already packed and labelled; the supply cannot go below {packed}"
                ),
            ));
        }
    }
    if !packed_errors.is_empty() {
        return Err(Error::Conflict {
            error: LocalText::new(
                "这一轮已经分配，有的供应低于已分好的数量，什么都没有改",
                "this round is allocated and a supply is below what is already packed; nothing was changed",
            ),
            fields: packed_errors,
        });
    }

    let mut below: Vec<BelowOrdered> = totals
        .iter()
        .filter_map(|(&pid, &total)| {
            let p = by_product[&pid];
            // Raising (or keeping) is always allowed; lowering not below orders.
            (total < p.capacity && !supply_allowed(total, p.ordered)).then(|| BelowOrdered {
                product_id: pid,
                product_name: p.name.clone(),
                ordered: p.ordered,
                supply: total,
            })
        })
        .collect();
    if !below.is_empty() {
        below.sort_by_key(|b| b.product_id);
        return Err(Error::BelowOrdered(below));
    }

    for (s, _) in &changed {
        sqlx::query(
            "INSERT INTO supply (round_id, household_id, product_id, quantity) VALUES (?, ?, ?, ?)
             ON CONFLICT (round_id, household_id, product_id) DO UPDATE SET quantity = excluded.quantity",
        )
        .bind(id)
        .bind(s.household_id)
        .bind(s.product_id)
        .bind(s.quantity)
        .execute(tx.conn())
        .await?;
    }
    if !changed.is_empty() {
        let before: Vec<SupplyEntry> = changed
            .iter()
            .map(|(s, old)| SupplyEntry {
                quantity: *old,
                ..*s
            })
            .collect();
        let after: Vec<SupplyEntry> = changed.iter().map(|(s, _)| *s).collect();
        ChangeLog::new(&o, v.id, now.unix_timestamp())
            .updated(tx.conn(), ("supply", id), &before, &after)
            .await?;
    }
    let answer = assemble(tx.conn(), &v, round, true, now).await?;
    tx.commit().await?;
    Ok(Json(answer))
}

/// `POST /api/organise/rounds/{id}/withdrawals`: takes the product out of
/// the round. Its lines leave every confirmed order of the round (their
/// totals drop accordingly) and are kept to show the members the reason;
/// an order left with nothing in it is cancelled, so nobody comes to
/// collect nothing. Ordering it in this round is refused from now on.
#[utoipa::path(
    post,
    path = "/organise/rounds/{id}/withdrawals",
    tag = "organise",
    params(
        ("id" = i64, Path, description = "The round's id")
    ),
    request_body = WithdrawalInput,
    responses(
        (status = 201, description = "Created", body = Withdrawal)
    ),
    security(("organiser" = [], "csrf" = []))
)]
pub(super) async fn withdraw(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    JsonBody(input): JsonBody<WithdrawalInput>,
) -> Result<(StatusCode, Json<Withdrawal>)> {
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    let (v, _round) = round_for(tx.conn(), &o, id).await?;
    let mut errors = Vec::new();
    if let Err(e) = reason("reason", &input.reason) {
        errors.push(e);
    }
    let product: Option<(i64,)> = sqlx::query_as("SELECT village_id FROM product WHERE id = ?")
        .bind(input.product_id)
        .fetch_optional(tx.conn())
        .await?;
    if product.is_none_or(|(village,)| village != v.id) {
        errors.push(FieldError::new(
            "product_id",
            format!("{} 不是本村的产品", input.product_id),
            format!("{} is not a product of this village", input.product_id),
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    if let Some(w) = withdrawal(tx.conn(), id, input.product_id).await? {
        return Err(Error::Conflict {
            error: LocalText::new(
                format!(
                    "这个产品已于 {} 从这一轮撤下：{}",
                    shanghai_text_zh(w.withdrawn_at),
                    w.reason
                ),
                format!(
                    "this product was already withdrawn from this round at {}: {}",
                    shanghai_text(w.withdrawn_at),
                    w.reason
                ),
            ),
            fields: vec![FieldError::new(
                "product_id",
                "已经撤下了",
                "already withdrawn",
            )],
        });
    }
    let text = input.reason.trim().to_owned();
    let moved = sqlx::query(
        "INSERT INTO withdrawn_line (order_id, product_id, quantity, unit_price_fen, total_fen, household_fen)
         SELECT ol.order_id, ol.product_id, ol.quantity, ol.unit_price_fen, ol.total_fen, ol.household_fen
         FROM order_line ol JOIN orders o ON o.id = ol.order_id
         WHERE o.round_id = ? AND o.status = 'confirmed' AND ol.product_id = ?",
    )
    .bind(id)
    .bind(input.product_id)
    .execute(tx.conn())
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE orders SET updated_at = ?
         WHERE round_id = ? AND status = 'confirmed'
           AND id IN (SELECT order_id FROM order_line WHERE product_id = ?)",
    )
    .bind(now.unix_timestamp())
    .bind(id)
    .bind(input.product_id)
    .execute(tx.conn())
    .await?;
    // The ordered_total triggers (migration 0008) release what they held.
    sqlx::query(
        "DELETE FROM order_line WHERE product_id = ?
           AND order_id IN (SELECT id FROM orders WHERE round_id = ? AND status = 'confirmed')",
    )
    .bind(input.product_id)
    .bind(id)
    .execute(tx.conn())
    .await?;
    // An order that had only this product has nothing left to collect.
    sqlx::query(
        "UPDATE orders SET status = 'cancelled'
         WHERE round_id = ? AND status = 'confirmed'
           AND NOT EXISTS (SELECT 1 FROM order_line WHERE order_id = orders.id)
           AND EXISTS (SELECT 1 FROM withdrawn_line w
                       WHERE w.order_id = orders.id AND w.product_id = ?)",
    )
    .bind(id)
    .bind(input.product_id)
    .execute(tx.conn())
    .await?;
    // Nothing withdrawn is packed: its labels (if already allocated) go.
    sqlx::query("DELETE FROM packed_line WHERE round_id = ? AND product_id = ?")
        .bind(id)
        .bind(input.product_id)
        .execute(tx.conn())
        .await?;
    let affected = i64::try_from(moved).map_err(Error::internal)?;
    sqlx::query(
        "INSERT INTO withdrawal (round_id, product_id, reason, organiser_id, at, orders_affected)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(input.product_id)
    .bind(&text)
    .bind(o.id)
    .bind(now.unix_timestamp())
    .bind(affected)
    .execute(tx.conn())
    .await?;
    let w = Withdrawal {
        round_id: id,
        product_id: input.product_id,
        reason: text,
        withdrawn_at: now,
        orders_affected: affected,
    };
    ChangeLog::new(&o, v.id, now.unix_timestamp())
        .record(
            tx.conn(),
            ("withdrawal", format!("{id}/{}", input.product_id)),
            "withdraw",
            None,
            Some(to_value(&w)?),
        )
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(w)))
}
