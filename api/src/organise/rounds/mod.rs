//! Rounds, their distribution points and supplies, for organisers.
//!
//! - `GET  /api/organise/villages/{slug}/rounds`  → `[OrganiseRound]` (without products)
//! - `POST /api/organise/villages/{slug}/rounds`  `RoundInput` → 201 `OrganiseRound`
//! - `GET  /api/organise/rounds/{id}`             → `OrganiseRound` with products
//! - `PUT  /api/organise/rounds/{id}`             `RoundInput` → `OrganiseRound`
//!   (dates and points, only before it opens; 409 after)
//! - `DELETE /api/organise/rounds/{id}`           → 204 (only without orders; 409 otherwise)
//! - `PUT  /api/organise/rounds/{id}/points`      `RoundPointsInput` → `OrganiseRound`
//! - `PUT  /api/organise/rounds/{id}/supply`      `SupplyInput` → `OrganiseRound`
//! - `POST /api/organise/rounds/{id}/withdrawals` `WithdrawalInput` → 201 `Withdrawal`
//!
//! Supplies and withdrawals are in [`supply`]; allocation and packing
//! lists in [`crate::organise::packing`].

use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::{extract::State, http::StatusCode, Json};
use domain::{
    dto::Round,
    organise::{
        point_list, validate_round, OrganiseRound, RoundInput, RoundPointsInput, RoundProduct,
        SupplyEntry, Withdrawal,
    },
    FieldError, LocalText, RoundPhase,
};
use sqlx::SqliteConnection;
use time::OffsetDateTime;

mod supply;

use crate::{
    db::{execute_for_each, format_date, json_ids},
    http::error::{is_unique_violation, Error, Result},
    http::json::JsonBody,
    http::params::{Id, Slug},
    organise::{
        change_log::ChangeLog,
        session::{CurrentOrganiser, VillageRef},
    },
    shop::rounds::{moment, round_points, RoundRow},
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(one, update, remove))
        .routes(routes!(set_points))
        .routes(routes!(supply::set_supply))
        .routes(routes!(supply::withdraw))
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

#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/rounds",
    tag = "organise",
    summary = "The village's rounds",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 200, description = "OK", body = Vec<OrganiseRound>)
    ),
    security(("organiser" = []))
)]
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

#[utoipa::path(
    get,
    path = "/organise/rounds/{id}",
    tag = "organise",
    summary = "A round with its points, supplies and what is ordered",
    params(
        ("id" = i64, Path, description = "The round's id")
    ),
    responses(
        (status = 200, description = "OK", body = OrganiseRound)
    ),
    security(("organiser" = []))
)]
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

/// Field errors for points that are not the village's, or closed.
async fn foreign_points(
    conn: &mut SqliteConnection,
    village_id: i64,
    ids: &[i64],
) -> Result<Vec<FieldError>> {
    let known: Vec<(i64,)> = sqlx::query_as(
        "SELECT d.id FROM json_each(?) j JOIN distribution_point d ON d.id = j.value
         WHERE d.village_id = ? AND d.closed_at IS NULL",
    )
    .bind(json_ids(ids))
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
                format!("{id} 不是本村开放的取货点"),
                format!("{id} is not a distribution point of this village"),
            )
        })
        .collect())
}

async fn insert_points(conn: &mut SqliteConnection, round_id: i64, ids: &[i64]) -> Result<()> {
    let sql = "INSERT INTO round_point (round_id, point_id) SELECT ?1, value FROM json_each(?2)";
    Ok(execute_for_each(conn, sql, round_id, ids).await?)
}

/// 409: another round of the village is distributed on `day`.
fn day_taken(day: &str) -> Error {
    Error::Conflict {
        error: LocalText::new(
            format!("村里已经有一轮在 {day} 配送了"),
            format!("the village already has a round distributed on {day}"),
        ),
        fields: vec![FieldError::new(
            "distribution_day",
            "已经有别的一轮用了这个配送日",
            "another round already has this distribution day",
        )],
    }
}

/// `POST /api/organise/villages/{slug}/rounds`.
#[utoipa::path(
    post,
    path = "/organise/villages/{slug}/rounds",
    tag = "organise",
    summary = "Open a round",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    request_body = RoundInput,
    responses(
        (status = 201, description = "Created", body = OrganiseRound)
    ),
    security(("organiser" = [], "csrf" = []))
)]
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
        "INSERT INTO distribution_round (village_id, opens_at, deadline, distribution_day, organising_percent)
         VALUES (?1, ?2, ?3, ?4, (SELECT organising_percent FROM village WHERE id = ?1))",
    )
    .bind(v.id)
    .bind(input.opens_at.unix_timestamp())
    .bind(input.deadline.unix_timestamp())
    .bind(&day)
    .execute(tx.conn())
    .await;
    let id = match inserted {
        Ok(r) => r.last_insert_rowid(),
        Err(e) if is_unique_violation(&e) => return Err(day_taken(&day)),
        Err(e) => return Err(e.into()),
    };
    insert_points(tx.conn(), id, &input.point_ids).await?;
    let (_, round) = round_row(tx.conn(), id).await?;
    let answer = assemble(tx.conn(), &v, round, true, now).await?;
    ChangeLog::new(&o, v.id, now.unix_timestamp())
        .created(tx.conn(), ("round", id), &RoundLog::of(&answer))
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
#[utoipa::path(
    put,
    path = "/organise/rounds/{id}/points",
    tag = "organise",
    params(
        ("id" = i64, Path, description = "The round's id")
    ),
    request_body = RoundPointsInput,
    responses(
        (status = 200, description = "OK", body = OrganiseRound)
    ),
    security(("organiser" = [], "csrf" = []))
)]
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
    .bind(json_ids(&input.point_ids))
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
        ChangeLog::new(&o, v.id, now.unix_timestamp())
            .updated(
                tx.conn(),
                ("round_points", id),
                &RoundLog::of(&before),
                &RoundLog::of(&after),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(Json(after))
}

/// `PUT /api/organise/rounds/{id}`: the round's dates and points, while
/// nobody can have ordered yet.
#[utoipa::path(
    put,
    path = "/organise/rounds/{id}",
    tag = "organise",
    params(
        ("id" = i64, Path, description = "The round's id")
    ),
    request_body = RoundInput,
    responses(
        (status = 200, description = "OK", body = OrganiseRound)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn update(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    JsonBody(input): JsonBody<RoundInput>,
) -> Result<Json<OrganiseRound>> {
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    let (v, round) = round_for(tx.conn(), &o, id).await?;
    if round.phase(now) != RoundPhase::NotYetOpen {
        let opened = domain::wire::format_datetime(round.opens_at.to_offset(domain::SHANGHAI));
        return Err(Error::Conflict {
            error: LocalText::new(
                format!("这一轮已在 {opened} 开始订购，日期不能再改"),
                format!("this round opened for orders at {opened}; its dates can no longer change"),
            ),
            fields: vec![],
        });
    }
    let mut errors = validate_round(&input, now);
    errors.extend(foreign_points(tx.conn(), v.id, &input.point_ids).await?);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let before = assemble(tx.conn(), &v, round, false, now).await?;
    let day = format_date(input.distribution_day);
    let updated = sqlx::query(
        "UPDATE distribution_round SET opens_at = ?, deadline = ?, distribution_day = ? WHERE id = ?",
    )
    .bind(input.opens_at.unix_timestamp())
    .bind(input.deadline.unix_timestamp())
    .bind(&day)
    .bind(id)
    .execute(tx.conn())
    .await;
    match updated {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Err(day_taken(&day)),
        Err(e) => return Err(e.into()),
    }
    sqlx::query("DELETE FROM round_point WHERE round_id = ?")
        .bind(id)
        .execute(tx.conn())
        .await?;
    insert_points(tx.conn(), id, &input.point_ids).await?;
    let (_, round) = round_row(tx.conn(), id).await?;
    let after = assemble(tx.conn(), &v, round, true, now).await?;
    if before.round != after.round || before.points != after.points {
        ChangeLog::new(&o, v.id, now.unix_timestamp())
            .updated(
                tx.conn(),
                ("round", id),
                &RoundLog::of(&before),
                &RoundLog::of(&after),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(Json(after))
}

/// `DELETE /api/organise/rounds/{id}`: a round nobody ordered in (even a
/// cancelled order keeps its round). Its points, supplies and packing go
/// with it.
#[utoipa::path(
    delete,
    path = "/organise/rounds/{id}",
    tag = "organise",
    params(
        ("id" = i64, Path, description = "The round's id")
    ),
    responses(
        (status = 204, description = "Done")
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn remove(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
) -> Result<StatusCode> {
    let now = moment(OffsetDateTime::now_utc().unix_timestamp())?;
    let mut tx = state.write().await?;
    let (v, round) = round_for(tx.conn(), &o, id).await?;
    let (orders,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders WHERE round_id = ?")
        .bind(id)
        .fetch_one(tx.conn())
        .await?;
    if orders > 0 {
        return Err(Error::Conflict {
            error: LocalText::new(
                format!("这一轮有 {orders} 张订单，不能删除"),
                format!("this round has {orders} order(s) and cannot be deleted"),
            ),
            fields: vec![],
        });
    }
    let before = assemble(tx.conn(), &v, round, false, now).await?;
    sqlx::query("DELETE FROM distribution_round WHERE id = ?")
        .bind(id)
        .execute(tx.conn())
        .await?;
    ChangeLog::new(&o, v.id, now.unix_timestamp())
        .record(
            tx.conn(),
            ("round", id),
            "delete",
            Some(crate::organise::change_log::to_value(&RoundLog::of(
                &before,
            ))?),
            None,
        )
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
