//! Packing: allocation of a round's orders to the households that
//! supplied them, and the packing lists. (What a label names is public:
//! `shop::labels`.)
//!
//! - `POST /api/organise/rounds/{id}/allocation` (no body) → 200 `Packing`
//! - `GET  /api/organise/rounds/{id}/packing`    → 200 `Packing`; 409 before
//!   the round is allocated
//!
//! Allocation runs only after the round's deadline (orders cannot change
//! any more), with [`domain::allocation::allocate`] per product over the
//! round's confirmed order lines (withdrawn lines have left `order_line`)
//! and the households' supplies. It is idempotent: running it again gives
//! the same pieces, and a piece (order, product, household) keeps its
//! label code, so labels already written stay valid. Pieces that no longer
//! exist (an order line withdrawn since) are dropped.

use std::collections::{BTreeMap, HashMap};
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::{extract::State, Json};
use domain::{
    allocation::{allocate, OrderLine, Supply},
    dto::{DistributionPoint, HouseholdRef},
    label::LabelCode,
    packing::{
        order_number, HouseholdLine, HouseholdPacking, MemberPacking, Packing, PointLine,
        PointPacking, ProductTotal,
    },
    LocalText,
};
use rand::RngCore as _;
use serde::Serialize;
use sqlx::{FromRow, SqliteConnection};
use time::OffsetDateTime;

use crate::{
    http::error::{Error, Result},
    http::params::Id,
    organise::rounds::round_for,
    organise::{
        change_log::{to_value, ChangeLog},
        session::{CurrentOrganiser, VillageRef},
    },
    shop::rounds::{moment, shanghai_text, shanghai_text_zh},
    shop::villages::{PointRow, POINT_COLUMNS},
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(allocate_round))
        .routes(routes!(packing))
}

pub const NOT_ALLOCATED: &str =
    "this round has not been allocated to the households yet; allocate it first (after its deadline)";
pub const NOT_ALLOCATED_ZH: &str = "这一轮的订单还没有分配到各户；请先分配（截单之后才能分配）";

/// 409 for what needs the round allocated first.
pub(crate) fn not_allocated() -> Error {
    Error::Conflict {
        error: LocalText::new(NOT_ALLOCATED_ZH, NOT_ALLOCATED),
        fields: vec![domain::FieldError::new(
            "round_id",
            NOT_ALLOCATED_ZH,
            NOT_ALLOCATED,
        )],
    }
}

/// One piece as stored: (order id, product id, household id) → quantity.
type Pieces = BTreeMap<(String, i64, i64), i64>;

/// What the change log keeps of an allocation: units per product and
/// household, and how many labels (the pieces themselves can be hundreds).
#[derive(Serialize, PartialEq)]
struct AllocationLog {
    labels: usize,
    shares: Vec<ShareLog>,
}

#[derive(Serialize, PartialEq)]
struct ShareLog {
    product_id: i64,
    household_id: i64,
    quantity: i64,
}

impl AllocationLog {
    fn of(pieces: &Pieces) -> Self {
        let mut shares: BTreeMap<(i64, i64), i64> = BTreeMap::new();
        for ((_, product, household), q) in pieces {
            *shares.entry((*product, *household)).or_default() += q;
        }
        Self {
            labels: pieces.len(),
            shares: shares
                .into_iter()
                .map(|((product_id, household_id), quantity)| ShareLog {
                    product_id,
                    household_id,
                    quantity,
                })
                .collect(),
        }
    }
}

/// Every piece the rule gives for the round now.
async fn compute(conn: &mut SqliteConnection, round_id: i64) -> Result<Pieces> {
    let lines: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT ol.product_id, o.id, o.number, ol.quantity
         FROM order_line ol JOIN orders o ON o.id = ol.order_id
         WHERE o.round_id = ? AND o.status = 'confirmed'
         ORDER BY ol.product_id, o.number",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    let supplies: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT product_id, household_id, quantity FROM supply
         WHERE round_id = ? AND quantity > 0 ORDER BY product_id, household_id",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut supply_of: HashMap<i64, Vec<Supply>> = HashMap::new();
    for (product, household_id, quantity) in supplies {
        supply_of.entry(product).or_default().push(Supply {
            household_id,
            quantity,
        });
    }
    let mut by_product: BTreeMap<i64, Vec<(String, i64, i64)>> = BTreeMap::new();
    for (product, order_id, number, quantity) in lines {
        by_product
            .entry(product)
            .or_default()
            .push((order_id, number, quantity));
    }
    let mut pieces = Pieces::new();
    for (product, lines) in by_product {
        let order_ids: HashMap<i64, &str> =
            lines.iter().map(|(id, n, _)| (*n, id.as_str())).collect();
        let orders: Vec<OrderLine> = lines
            .iter()
            .map(|(_, order, quantity)| OrderLine {
                order: *order,
                quantity: *quantity,
            })
            .collect();
        let supplies = supply_of.remove(&product).unwrap_or_default();
        let result = allocate(&supplies, &orders).map_err(|e| match e {
            // Ordering keeps orders within supply; if that ever failed,
            // say so rather than overload a household.
            domain::allocation::AllocationError::NotEnoughSupply { ordered, supply } => {
                Error::Conflict {
                    error: LocalText::new(
                        format!(
                            "产品 {product} 没法分配：订了 {ordered} 份，农户只供应了 {supply} 份；\
                             请提高这一轮的供应量，或把它撤下"
                        ),
                        format!(
                            "product {product} cannot be allocated: {e}; raise its supply for this round, or withdraw it"
                        ),
                    ),
                    fields: vec![],
                }
            }
            other => Error::internal(format_args!("allocating product {product}: {other}")),
        })?;
        for h in result {
            for piece in h.pieces {
                let order_id = order_ids.get(&piece.order).ok_or_else(|| {
                    Error::internal(format_args!(
                        "allocation named unknown order {}",
                        piece.order
                    ))
                })?;
                pieces.insert(
                    ((*order_id).to_owned(), product, h.household_id),
                    piece.quantity,
                );
            }
        }
    }
    Ok(pieces)
}

/// A fresh label code from the OS's CSPRNG, drawn again on the (very rare)
/// clash with any stored code. Runs inside the write transaction, so no one
/// else can take the code before it is inserted.
async fn fresh_code(conn: &mut SqliteConnection) -> Result<LabelCode> {
    for _ in 0..16 {
        let mut bytes = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let code = LabelCode::from_random(bytes);
        let (taken,): (i64,) =
            sqlx::query_as("SELECT EXISTS (SELECT 1 FROM packed_line WHERE label_code = ?)")
                .bind(code.as_str())
                .fetch_one(&mut *conn)
                .await?;
        if taken == 0 {
            return Ok(code);
        }
    }
    Err(Error::internal("16 label codes in a row were taken"))
}

/// `POST /api/organise/rounds/{id}/allocation`.
#[utoipa::path(
    post,
    path = "/organise/rounds/{id}/allocation",
    tag = "organise",
    summary = "Allocate the round's orders to the households that supply them",
    params(
        ("id" = i64, Path, description = "The round's id")
    ),
    responses(
        (status = 200, description = "OK", body = Packing)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn allocate_round(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
) -> Result<Json<Packing>> {
    let now = OffsetDateTime::now_utc();
    let mut tx = state.write().await?;
    let (v, round) = round_for(tx.conn(), &o, id).await?;
    if now < round.deadline {
        return Err(Error::field(
            "round_id",
            format!(
                "这一轮到 {} 才截单；截单之后才能分配",
                shanghai_text_zh(round.deadline)
            ),
            format!(
                "orders for this round are still open until {}; it can be allocated only after its deadline",
                shanghai_text(round.deadline)
            ),
        ));
    }
    let logged = store_allocation(tx.conn(), id, o.id, now.unix_timestamp()).await?;
    if let Some((before, after)) = logged {
        ChangeLog::new(&o, v.id, now.unix_timestamp())
            .record(
                tx.conn(),
                ("allocation", id),
                "allocate",
                before,
                Some(after),
            )
            .await?;
    }
    let answer = load_packing(tx.conn(), &v, round).await?;
    tx.commit().await?;
    Ok(Json(answer))
}

/// Stores the round's pieces as the rule gives them now: a new piece gets a
/// fresh label, a piece kept keeps its label, a piece gone is dropped.
/// Returns what the change log keeps (before, after) when anything changed.
pub(crate) async fn store_allocation(
    conn: &mut SqliteConnection,
    id: i64,
    organiser_id: i64,
    now: i64,
) -> Result<Option<(Option<serde_json::Value>, serde_json::Value)>> {
    let new = compute(&mut *conn, id).await?;
    let stored: Vec<(i64, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, order_id, product_id, household_id, quantity FROM packed_line WHERE round_id = ?",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let (existed,): (i64,) =
        sqlx::query_as("SELECT EXISTS (SELECT 1 FROM allocation WHERE round_id = ?)")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let old: Pieces = stored
        .iter()
        .map(|(_, o, p, h, q)| ((o.clone(), *p, *h), *q))
        .collect();
    let changed = existed == 0 || old != new;
    if changed {
        sqlx::query(
            "INSERT INTO allocation (round_id, organiser_id, at) VALUES (?, ?, ?)
             ON CONFLICT (round_id) DO UPDATE SET organiser_id = excluded.organiser_id, at = excluded.at",
        )
        .bind(id)
        .bind(organiser_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        for (row_id, order_id, product, household, quantity) in &stored {
            match new.get(&(order_id.clone(), *product, *household)) {
                None => {
                    sqlx::query("DELETE FROM packed_line WHERE id = ?")
                        .bind(row_id)
                        .execute(&mut *conn)
                        .await?;
                }
                Some(q) if q != quantity => {
                    sqlx::query("UPDATE packed_line SET quantity = ? WHERE id = ?")
                        .bind(q)
                        .bind(row_id)
                        .execute(&mut *conn)
                        .await?;
                }
                Some(_) => {}
            }
        }
        for ((order_id, product, household), quantity) in &new {
            if old.contains_key(&(order_id.clone(), *product, *household)) {
                continue;
            }
            let code = fresh_code(&mut *conn).await?;
            sqlx::query(
                "INSERT INTO packed_line (round_id, product_id, household_id, order_id, quantity, label_code)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(product)
            .bind(household)
            .bind(order_id)
            .bind(quantity)
            .bind(code.as_str())
            .execute(&mut *conn)
            .await?;
        }
        let before = if existed == 0 {
            None
        } else {
            Some(to_value(&AllocationLog::of(&old))?)
        };
        return Ok(Some((before, to_value(&AllocationLog::of(&new))?)));
    }
    Ok(None)
}

/// `GET /api/organise/rounds/{id}/packing`.
#[utoipa::path(
    get,
    path = "/organise/rounds/{id}/packing",
    tag = "organise",
    summary = "The round's packing lists, by household and by point",
    params(
        ("id" = i64, Path, description = "The round's id")
    ),
    responses(
        (status = 200, description = "OK", body = Packing)
    ),
    security(("organiser" = []))
)]
async fn packing(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
) -> Result<Json<Packing>> {
    let mut conn = state.db.acquire().await?;
    let (v, round) = round_for(&mut conn, &o, id).await?;
    Ok(Json(load_packing(&mut conn, &v, round).await?))
}

#[derive(FromRow)]
struct PackedRow {
    product_id: i64,
    product_zh: String,
    product_en: String,
    unit_zh: String,
    unit_en: String,
    household_id: i64,
    household_zh: String,
    household_en: String,
    household_demo: i64,
    number: i64,
    member_name: String,
    point_id: i64,
    quantity: i64,
    label_code: String,
}

fn display(code: &str) -> Result<String> {
    LabelCode::parse(code)
        .map(|c| c.display())
        .map_err(|e| Error::internal(format_args!("stored label {code}: {e}")))
}

/// Both lists of an allocated round; 409 when it is not allocated.
pub(crate) async fn load_packing(
    conn: &mut SqliteConnection,
    v: &VillageRef,
    round: domain::dto::Round,
) -> Result<Packing> {
    let at: Option<(i64,)> = sqlx::query_as("SELECT at FROM allocation WHERE round_id = ?")
        .bind(round.id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some((at,)) = at else {
        return Err(not_allocated());
    };
    let (vzh, ven): (String, String) =
        sqlx::query_as("SELECT name_zh, name_en FROM village WHERE id = ?")
            .bind(v.id)
            .fetch_one(&mut *conn)
            .await?;
    // Only lines still ordered: a line withdrawn after allocation is not packed.
    let rows: Vec<PackedRow> = sqlx::query_as(
        "SELECT pl.product_id, p.name_zh AS product_zh, p.name_en AS product_en, p.unit_zh, p.unit_en,
                pl.household_id, h.name_zh AS household_zh, h.name_en AS household_en,
                h.demo AS household_demo, o.number, m.name AS member_name, o.point_id,
                pl.quantity, pl.label_code
         FROM packed_line pl
         JOIN orders o ON o.id = pl.order_id AND o.status = 'confirmed'
         JOIN order_line ol ON ol.order_id = pl.order_id AND ol.product_id = pl.product_id
         JOIN product p ON p.id = pl.product_id
         JOIN household h ON h.id = pl.household_id
         JOIN member m ON m.id = o.member_id
         WHERE pl.round_id = ?
         ORDER BY pl.household_id, pl.product_id, o.number",
    )
    .bind(round.id)
    .fetch_all(&mut *conn)
    .await?;
    let points: Vec<PointRow> = sqlx::query_as(&format!(
        "SELECT {POINT_COLUMNS} FROM distribution_point d WHERE d.village_id = ? ORDER BY d.id"
    ))
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    let points: BTreeMap<i64, DistributionPoint> = points
        .into_iter()
        .map(|p| {
            let p = p.into_point();
            (p.id, p)
        })
        .collect();

    let mut households: Vec<HouseholdPacking> = Vec::new();
    // point → (name's pinyin, member name, order number) → lines
    type MemberKey = (Vec<String>, String, i64);
    let mut by_point: BTreeMap<i64, BTreeMap<MemberKey, Vec<PointLine>>> = BTreeMap::new();
    for r in &rows {
        let label = display(&r.label_code)?;
        let product_name = LocalText::new(r.product_zh.clone(), r.product_en.clone());
        let unit = LocalText::new(r.unit_zh.clone(), r.unit_en.clone());
        let household_name = LocalText::new(r.household_zh.clone(), r.household_en.clone());
        let point = points.get(&r.point_id).ok_or_else(|| {
            Error::internal(format_args!("point {} of an order is gone", r.point_id))
        })?;
        if households.last().map(|h| h.household.id) != Some(r.household_id) {
            households.push(HouseholdPacking {
                household: HouseholdRef {
                    id: r.household_id,
                    name: household_name.clone(),
                    demo: r.household_demo != 0,
                    photo: None,
                },
                totals: Vec::new(),
                lines: Vec::new(),
            });
        }
        let h = households.last_mut().expect("just pushed");
        match h.totals.last_mut() {
            Some(t) if t.product_id == r.product_id => t.quantity += r.quantity,
            _ => h.totals.push(ProductTotal {
                product_id: r.product_id,
                product_name: product_name.clone(),
                unit: unit.clone(),
                quantity: r.quantity,
            }),
        }
        h.lines.push(HouseholdLine {
            product_id: r.product_id,
            product_name: product_name.clone(),
            unit: unit.clone(),
            order_number: order_number(&v.slug, r.number),
            quantity: r.quantity,
            label: label.clone(),
            point_id: r.point_id,
            point_name: point.name.clone(),
        });
        by_point
            .entry(r.point_id)
            .or_default()
            .entry((name_order(&r.member_name), r.member_name.clone(), r.number))
            .or_default()
            .push(PointLine {
                product_id: r.product_id,
                product_name,
                unit,
                quantity: r.quantity,
                household_id: r.household_id,
                household_name,
                label,
            });
    }
    let points = by_point
        .into_iter()
        .map(|(point_id, members)| PointPacking {
            point: points[&point_id].clone(),
            members: members
                .into_iter()
                .map(|((_, member_name, number), mut lines)| {
                    lines.sort_by_key(|l| (l.product_id, l.household_id));
                    MemberPacking {
                        member_name,
                        order_number: order_number(&v.slug, number),
                        lines,
                    }
                })
                .collect(),
        })
        .collect();
    Ok(Packing {
        village_slug: v.slug.clone(),
        village_name: LocalText::new(vzh, ven),
        round,
        allocated_at: moment(at)?,
        label_count: rows.len() as i64,
        households,
        points,
    })
}

/// The order people expect a list of Chinese names in: by pinyin, syllable
/// by syllable, the tone breaking ties (zhan4 before zhang1), not by code
/// point. A character without pinyin stands for itself, lowercased. A
/// surname with two readings gets its common one (the crate's choice).
fn name_order(name: &str) -> Vec<String> {
    use pinyin::ToPinyin;
    name.trim()
        .chars()
        .map(|c| match c.to_pinyin() {
            Some(p) => p.with_tone_num_end().to_owned(),
            None => c.to_lowercase().collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::name_order;

    #[test]
    fn names_sort_by_pinyin_not_by_code_point() {
        let mut names = vec![
            "周小燕",
            "郑海涛",
            "钱文华",
            "张伟",
            "詹明",
            "Anna Li",
            "艾青",
        ];
        names.sort_by_key(|n| name_order(n));
        assert_eq!(
            names,
            [
                "Anna Li",
                "艾青",
                "钱文华",
                "詹明",
                "张伟",
                "郑海涛",
                "周小燕"
            ]
        );
    }
}
