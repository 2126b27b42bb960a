//! Rounds, their distribution points and supplies, for organisers.
//!
//! - `GET  /api/organise/villages/{slug}/rounds`  → `[OrganiseRound]` (without products)
//! - `POST /api/organise/villages/{slug}/rounds`  `RoundInput` → 201 `OrganiseRound`
//! - `GET  /api/organise/rounds/{id}`             → `OrganiseRound` with products
//! - `PUT  /api/organise/rounds/{id}/points`      `RoundPointsInput` → `OrganiseRound`
//! - `PUT  /api/organise/rounds/{id}/supply`      `SupplyInput` → `OrganiseRound`
//! - `POST /api/organise/rounds/{id}/withdrawals` `WithdrawalInput` → 201 `Withdrawal`
//!
//! Allocation and packing lists are in [`crate::packing`].
//!
//! A household's supply is the capacity ordering checks (`supply`, see
//! [`crate::stock`]). Orders are not tied to a household until packing, so
//! the floor is per product: a change that would leave a product's total
//! supply in the round below what confirmed orders already hold is refused
//! whole with 409 naming the ordered quantity.

use std::collections::HashMap;

use axum::{
    extract::State,
    http::StatusCode,
    routing::{get, post, put},
    Json, Router,
};
use domain::{
    dto::{DistributionPoint, Round},
    organise::{
        point_list, reason, supply_allowed, supply_quantity, validate_round, BelowOrdered,
        OrganiseRound, RoundInput, RoundPointsInput, RoundProduct, SupplyEntry, SupplyInput,
        Withdrawal, WithdrawalInput,
    },
    FieldError, LocalText, RoundPhase,
};
use sqlx::SqliteConnection;
use time::OffsetDateTime;

use crate::{
    db::format_date,
    error::{is_unique_violation, Error, Result},
    json::JsonBody,
    organisers::{record, to_value, Change, CurrentOrganiser, VillageRef},
    params::{Id, Slug},
    rounds::{moment, RoundRow},
    villages::{PointRow, POINT_COLUMNS},
    AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organise/villages/{slug}/rounds", get(list).post(create))
        .route("/organise/rounds/{id}", get(one))
        .route("/organise/rounds/{id}/points", put(set_points))
        .route("/organise/rounds/{id}/supply", put(set_supply))
        .route("/organise/rounds/{id}/withdrawals", post(withdraw))
}

fn phase_name(p: RoundPhase) -> &'static str {
    match p {
        RoundPhase::NotYetOpen => "not_yet_open",
        RoundPhase::Open => "open",
        RoundPhase::Closed => "closed",
    }
}

/// The round and its village id; 404 when there is none.
async fn round_row(conn: &mut SqliteConnection, id: i64) -> Result<(i64, Round)> {
    let row: Option<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT village_id, opens_at, deadline, distribution_day FROM distribution_round WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    let (village_id, opens_at, deadline, distribution_day) = row.ok_or_else(|| {
        Error::not_found(
            format!("没有这一轮：{id}"),
            format!("no round with id {id}"),
        )
    })?;
    let round = RoundRow {
        id,
        opens_at,
        deadline,
        distribution_day,
    }
    .into_round()?;
    Ok((village_id, round))
}

/// The round if it is one of the organiser's villages': 404 / 403.
pub(crate) async fn round_for(
    conn: &mut SqliteConnection,
    o: &CurrentOrganiser,
    id: i64,
) -> Result<(VillageRef, Round)> {
    let (village_id, round) = round_row(conn, id).await?;
    let v = o.check_village(conn, village_id).await?;
    Ok((v, round))
}

/// The points serving the round: those chosen, or all of the village's.
pub(crate) async fn round_points(
    conn: &mut SqliteConnection,
    round_id: i64,
    village_id: i64,
) -> Result<Vec<DistributionPoint>> {
    let rows: Vec<PointRow> = sqlx::query_as(&format!(
        "SELECT {POINT_COLUMNS} FROM distribution_point d
         WHERE d.village_id = ?2
           AND (NOT EXISTS (SELECT 1 FROM round_point WHERE round_id = ?1)
                OR d.id IN (SELECT point_id FROM round_point WHERE round_id = ?1))
         ORDER BY d.id"
    ))
    .bind(round_id)
    .bind(village_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(PointRow::into_point).collect())
}

/// Whether `point_id` serves `round_id` (any point of the round's village
/// when none were chosen).
pub(crate) async fn serves(
    conn: &mut SqliteConnection,
    round_id: i64,
    point_id: i64,
) -> Result<bool> {
    let (ok,): (i64,) = sqlx::query_as(
        "SELECT NOT EXISTS (SELECT 1 FROM round_point WHERE round_id = ?1)
                OR EXISTS (SELECT 1 FROM round_point WHERE round_id = ?1 AND point_id = ?2)",
    )
    .bind(round_id)
    .bind(point_id)
    .fetch_one(conn)
    .await?;
    Ok(ok != 0)
}

async fn order_count(conn: &mut SqliteConnection, round_id: i64) -> Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM orders WHERE round_id = ? AND status = 'confirmed'")
            .bind(round_id)
            .fetch_one(conn)
            .await?;
    Ok(n)
}

pub(crate) async fn withdrawal(
    conn: &mut SqliteConnection,
    round_id: i64,
    product_id: i64,
) -> Result<Option<Withdrawal>> {
    let row: Option<(String, i64, i64)> = sqlx::query_as(
        "SELECT reason, at, orders_affected FROM withdrawal WHERE round_id = ? AND product_id = ?",
    )
    .bind(round_id)
    .bind(product_id)
    .fetch_optional(conn)
    .await?;
    row.map(|(reason, at, n)| {
        Ok(Withdrawal {
            round_id,
            product_id,
            reason,
            withdrawn_at: moment(at)?,
            orders_affected: n,
        })
    })
    .transpose()
}

/// Every product of the village with its supplies and orders in the round.
async fn round_products(
    conn: &mut SqliteConnection,
    round_id: i64,
    village_id: i64,
) -> Result<Vec<RoundProduct>> {
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        i64,
        i64,
        Option<String>,
        Option<i64>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, p.name_zh, p.name_en, p.unit_zh, p.unit_en, p.published,
                COALESCE((SELECT t.quantity FROM ordered_total t
                          WHERE t.round_id = ?1 AND t.product_id = p.id), 0),
                w.reason, w.at
         FROM product p LEFT JOIN withdrawal w ON w.round_id = ?1 AND w.product_id = p.id
         WHERE p.village_id = ?2 ORDER BY p.id",
    )
    .bind(round_id)
    .bind(village_id)
    .fetch_all(&mut *conn)
    .await?;
    let supplies: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT ph.product_id, ph.household_id, s.quantity
         FROM product_household ph JOIN product p ON p.id = ph.product_id
         LEFT JOIN supply s ON s.round_id = ?1 AND s.product_id = ph.product_id
                           AND s.household_id = ph.household_id
         WHERE p.village_id = ?2 ORDER BY ph.product_id, ph.household_id",
    )
    .bind(round_id)
    .bind(village_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_product: HashMap<i64, Vec<SupplyEntry>> = HashMap::new();
    for (product_id, household_id, q) in supplies {
        by_product.entry(product_id).or_default().push(SupplyEntry {
            household_id,
            product_id,
            quantity: q.unwrap_or(0),
        });
    }
    let mut out = Vec::with_capacity(rows.len());
    for (id, nz, ne, uz, ue, published, ordered, reason, at) in rows {
        let supplies = by_product.remove(&id).unwrap_or_default();
        let withdrawal = match (reason, at) {
            (Some(_), Some(_)) => withdrawal(conn, round_id, id).await?,
            _ => None,
        };
        out.push(RoundProduct {
            product_id: id,
            name: LocalText::new(nz, ne),
            unit: LocalText::new(uz, ue),
            published: published != 0,
            capacity: supplies.iter().map(|s| s.quantity).sum(),
            ordered,
            supplies,
            withdrawal,
        });
    }
    Ok(out)
}

async fn assemble(
    conn: &mut SqliteConnection,
    v: &VillageRef,
    round: Round,
    with_products: bool,
    now: OffsetDateTime,
) -> Result<OrganiseRound> {
    let points = round_points(conn, round.id, v.id).await?;
    let products = if with_products {
        round_products(conn, round.id, v.id).await?
    } else {
        Vec::new()
    };
    Ok(OrganiseRound {
        village_slug: v.slug.clone(),
        phase: phase_name(round.phase(now)).to_owned(),
        points,
        order_count: order_count(conn, round.id).await?,
        products,
        round,
    })
}

async fn list(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
) -> Result<Json<Vec<OrganiseRound>>> {
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    let rows: Vec<RoundRow> = sqlx::query_as(
        "SELECT id, opens_at, deadline, distribution_day FROM distribution_round
         WHERE village_id = ? ORDER BY distribution_day, id",
    )
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    let now = OffsetDateTime::now_utc();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let round = r.into_round()?;
        out.push(assemble(&mut conn, &v, round, false, now).await?);
    }
    Ok(Json(out))
}

async fn one(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
) -> Result<Json<OrganiseRound>> {
    let mut conn = state.db.acquire().await?;
    let (v, round) = round_for(&mut conn, &o, id).await?;
    Ok(Json(
        assemble(&mut conn, &v, round, true, OffsetDateTime::now_utc()).await?,
    ))
}

/// Field errors for points that are not the village's.
async fn foreign_points(
    conn: &mut SqliteConnection,
    village_id: i64,
    ids: &[i64],
) -> Result<Vec<FieldError>> {
    let known: Vec<(i64,)> = sqlx::query_as(
        "SELECT d.id FROM json_each(?) j JOIN distribution_point d ON d.id = j.value
         WHERE d.village_id = ?",
    )
    .bind(serde_json::to_string(ids).map_err(Error::internal)?)
    .bind(village_id)
    .fetch_all(conn)
    .await?;
    Ok(ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !known.iter().any(|(k,)| k == *id))
        .map(|(i, id)| {
            FieldError::new(
                format!("point_ids[{i}]"),
                format!("{id} 不是本村的取货点"),
                format!("{id} is not a distribution point of this village"),
            )
        })
        .collect())
}

async fn insert_points(conn: &mut SqliteConnection, round_id: i64, ids: &[i64]) -> Result<()> {
    sqlx::query("INSERT INTO round_point (round_id, point_id) SELECT ?, value FROM json_each(?)")
        .bind(round_id)
        .bind(serde_json::to_string(ids).map_err(Error::internal)?)
        .execute(conn)
        .await?;
    Ok(())
}

/// `POST /api/organise/villages/{slug}/rounds`.
async fn create(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    JsonBody(input): JsonBody<RoundInput>,
) -> Result<(StatusCode, Json<OrganiseRound>)> {
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    let v = o.village(tx.conn(), &slug).await?;
    let mut errors = validate_round(&input, now);
    errors.extend(foreign_points(tx.conn(), v.id, &input.point_ids).await?);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let day = format_date(input.distribution_day);
    let inserted = sqlx::query(
        "INSERT INTO distribution_round (village_id, opens_at, deadline, distribution_day)
         VALUES (?, ?, ?, ?)",
    )
    .bind(v.id)
    .bind(input.opens_at.unix_timestamp())
    .bind(input.deadline.unix_timestamp())
    .bind(&day)
    .execute(tx.conn())
    .await;
    let id = match inserted {
        Ok(r) => r.last_insert_rowid(),
        Err(e) if is_unique_violation(&e) => {
            return Err(Error::Conflict {
                error: LocalText::new(
                    format!("村里已经有一轮在 {day} 配送了"),
                    format!("the village already has a round distributed on {day}"),
                ),
                fields: vec![FieldError::new(
                    "distribution_day",
                    "已经有别的一轮用了这个配送日",
                    "another round already has this distribution day",
                )],
            })
        }
        Err(e) => return Err(e.into()),
    };
    insert_points(tx.conn(), id, &input.point_ids).await?;
    let (_, round) = round_row(tx.conn(), id).await?;
    let answer = assemble(tx.conn(), &v, round, true, now).await?;
    record(
        tx.conn(),
        Change {
            organiser_id: o.id,
            village_id: v.id,
            entity: "round",
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: Some(to_value(&RoundLog::of(&answer))?),
        },
        now.unix_timestamp(),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// What the log keeps of a round: its times and points.
#[derive(serde::Serialize)]
struct RoundLog<'a> {
    round: &'a Round,
    point_ids: Vec<i64>,
}

impl<'a> RoundLog<'a> {
    fn of(r: &'a OrganiseRound) -> Self {
        Self {
            round: &r.round,
            point_ids: r.points.iter().map(|p| p.id).collect(),
        }
    }
}

/// `PUT /api/organise/rounds/{id}/points`: the whole list of points.
async fn set_points(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    JsonBody(input): JsonBody<RoundPointsInput>,
) -> Result<Json<OrganiseRound>> {
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    let (v, round) = round_for(tx.conn(), &o, id).await?;
    let mut errors = point_list("point_ids", &input.point_ids);
    errors.extend(foreign_points(tx.conn(), v.id, &input.point_ids).await?);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    // Members who chose a point keep it: a point with orders stays.
    let kept: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT point_id, COUNT(*) FROM orders
         WHERE round_id = ? AND status = 'confirmed'
           AND point_id NOT IN (SELECT value FROM json_each(?))
         GROUP BY point_id ORDER BY point_id",
    )
    .bind(id)
    .bind(serde_json::to_string(&input.point_ids).map_err(Error::internal)?)
    .fetch_all(tx.conn())
    .await?;
    if let Some((point, n)) = kept.first() {
        return Err(Error::Conflict {
            error: LocalText::new(
                format!("取货点 {point} 在这一轮有 {n} 张已确认的订单，不能从这一轮去掉"),
                format!(
                    "distribution point {point} has {n} confirmed order(s) in this round and cannot be taken off it"
                ),
            ),
            fields: vec![FieldError::new(
                "point_ids",
                format!("取货点 {point} 有订单，必须保留"),
                format!("must still include point {point}, which has orders"),
            )],
        });
    }
    let before = assemble(tx.conn(), &v, round.clone(), false, now).await?;
    sqlx::query("DELETE FROM round_point WHERE round_id = ?")
        .bind(id)
        .execute(tx.conn())
        .await?;
    insert_points(tx.conn(), id, &input.point_ids).await?;
    let after = assemble(tx.conn(), &v, round, true, now).await?;
    if before.points != after.points {
        record(
            tx.conn(),
            Change {
                organiser_id: o.id,
                village_id: v.id,
                entity: "round_points",
                entity_id: id.to_string(),
                action: "update",
                before: Some(to_value(&RoundLog::of(&before))?),
                after: Some(to_value(&RoundLog::of(&after))?),
            },
            now.unix_timestamp(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Json(after))
}

/// `PUT /api/organise/rounds/{id}/supply`: sets the listed supplies; the
/// others stay. All or nothing.
async fn set_supply(
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
        record(
            tx.conn(),
            Change {
                organiser_id: o.id,
                village_id: v.id,
                entity: "supply",
                entity_id: id.to_string(),
                action: "update",
                before: Some(to_value(&before)?),
                after: Some(to_value(&after)?),
            },
            now.unix_timestamp(),
        )
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
async fn withdraw(
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
                    crate::rounds::shanghai_text_zh(w.withdrawn_at),
                    w.reason
                ),
                format!(
                    "this product was already withdrawn from this round at {}: {}",
                    crate::rounds::shanghai_text(w.withdrawn_at),
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
    record(
        tx.conn(),
        Change {
            organiser_id: o.id,
            village_id: v.id,
            entity: "withdrawal",
            entity_id: format!("{id}/{}", input.product_id),
            action: "withdraw",
            before: None,
            after: Some(to_value(&w)?),
        },
        now.unix_timestamp(),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(w)))
}
