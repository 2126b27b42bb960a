//! Households for organisers: created, edited and retired whole.
//!
//! - `GET  /api/organise/villages/{slug}/households` → `[OrganiseHousehold]`
//! - `POST /api/organise/villages/{slug}/households` `HouseholdInput` → 201 `OrganiseHousehold`
//! - `GET  /api/organise/households/{id}`            → `OrganiseHousehold`
//! - `PUT  /api/organise/households/{id}`            `HouseholdInput` → `OrganiseHousehold`
//!
//! A retired household is hidden from the shop's lists but stays for past
//! orders, labels and packing; it gets no new products or supply. The
//! poverty flag is answered here only.

use axum::{extract::State, http::StatusCode, Json};
use domain::{
    organise::village::{HouseholdInput, OrganiseHousehold},
    FieldError, LocalText,
};
use sqlx::{FromRow, SqliteConnection};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    db::{execute_for_each, format_date, json_ids},
    http::error::{Error, Result},
    http::json::JsonBody,
    http::params::{Id, Slug},
    organise::{
        change_log::ChangeLog,
        session::CurrentOrganiser,
        village_photos::{household_photos, household_village, no_household, photos_by_owner},
    },
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(one, edit))
}

#[derive(Debug, FromRow)]
struct Row {
    id: i64,
    village_id: i64,
    village_slug: String,
    name_zh: String,
    name_en: String,
    story_zh: String,
    story_en: String,
    member_since: String,
    registered_poor: i64,
    retired_at: Option<i64>,
}

const SELECT: &str = "SELECT h.id, h.village_id, v.slug AS village_slug, h.name_zh, h.name_en,
        h.story_zh, h.story_en, h.member_since, h.registered_poor, h.retired_at
     FROM household h JOIN village v ON v.id = h.village_id";

impl Row {
    fn into_household(
        self,
        product_ids: Vec<i64>,
        photos: Vec<domain::dto::PhotoRef>,
    ) -> Result<OrganiseHousehold> {
        let joined_year = self
            .member_since
            .get(..4)
            .and_then(|y| y.parse().ok())
            .ok_or_else(|| {
                Error::internal(format_args!(
                    "household {}: bad member_since '{}'",
                    self.id, self.member_since
                ))
            })?;
        Ok(OrganiseHousehold {
            id: self.id,
            village_slug: self.village_slug,
            name: LocalText::new(self.name_zh, self.name_en),
            story: LocalText::new(self.story_zh, self.story_en),
            joined_year,
            product_ids,
            registered_poor: self.registered_poor != 0,
            retired: self.retired_at.is_some(),
            photos,
        })
    }
}

async fn products_of(conn: &mut SqliteConnection, household_id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT product_id FROM product_household WHERE household_id = ? ORDER BY product_id",
    )
    .bind(household_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

/// The household and its village id; 404 when there is none.
async fn load(conn: &mut SqliteConnection, id: i64) -> Result<(i64, OrganiseHousehold)> {
    let row: Row = sqlx::query_as(&format!("{SELECT} WHERE h.id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| no_household(id))?;
    let village_id = row.village_id;
    let products = products_of(conn, id).await?;
    let photos = household_photos(conn, village_id, id).await?;
    Ok((village_id, row.into_household(products, photos)?))
}

#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/households",
    tag = "organise",
    summary = "The village's households",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 200, description = "OK", body = Vec<OrganiseHousehold>)
    ),
    security(("organiser" = []))
)]
async fn list(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
) -> Result<Json<Vec<OrganiseHousehold>>> {
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE h.village_id = ? ORDER BY h.retired_at IS NOT NULL, h.id"
    ))
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    let links: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT ph.household_id, ph.product_id FROM product_household ph
         JOIN household h ON h.id = ph.household_id WHERE h.village_id = ?
         ORDER BY ph.household_id, ph.product_id",
    )
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_household: std::collections::HashMap<i64, Vec<i64>> = Default::default();
    for (h, p) in links {
        by_household.entry(h).or_default().push(p);
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut photos = photos_by_owner(&mut conn, v.id, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let ps = by_household.remove(&r.id).unwrap_or_default();
            let ph = photos.remove(&Some(r.id)).unwrap_or_default();
            r.into_household(ps, ph)
        })
        .collect::<Result<_>>()
        .map(Json)
}

#[utoipa::path(
    get,
    path = "/organise/households/{id}",
    tag = "organise",
    summary = "A household of the organiser's village",
    params(
        ("id" = i64, Path, description = "The household's id")
    ),
    responses(
        (status = 200, description = "OK", body = OrganiseHousehold)
    ),
    security(("organiser" = []))
)]
async fn one(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
) -> Result<Json<OrganiseHousehold>> {
    let mut conn = state.db.acquire().await?;
    let (village_id, h) = load(&mut conn, id).await?;
    o.check_village(&mut conn, village_id).await?;
    Ok(Json(h))
}

fn this_year() -> i32 {
    domain::shanghai_date(OffsetDateTime::now_utc()).year()
}

/// Domain rules, then the products against the village; a retired
/// household gets no product it did not have (`before`).
async fn checked(
    conn: &mut SqliteConnection,
    village_id: i64,
    input: HouseholdInput,
    before: &[i64],
) -> Result<HouseholdInput> {
    let input = input.normalized();
    let mut errors = input.validate(this_year());
    let known: Vec<(i64,)> = sqlx::query_as(
        "SELECT p.id FROM json_each(?) j JOIN product p ON p.id = j.value WHERE p.village_id = ?",
    )
    .bind(json_ids(&input.product_ids))
    .bind(village_id)
    .fetch_all(conn)
    .await?;
    for (i, id) in input.product_ids.iter().enumerate() {
        if !known.iter().any(|(k,)| k == id) {
            errors.push(FieldError::new(
                format!("product_ids[{i}]"),
                format!("{id} 不是本村的产品"),
                format!("{id} is not a product of this village"),
            ));
        } else if input.retired && !before.contains(id) {
            errors.push(FieldError::new(
                format!("product_ids[{i}]"),
                "已退出的农户不能再加产品",
                "a retired household cannot be given new products",
            ));
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(Error::Validation(errors))
    }
}

async fn link_products(conn: &mut SqliteConnection, household_id: i64, ids: &[i64]) -> Result<()> {
    let sql = "INSERT OR IGNORE INTO product_household (household_id, product_id)
               SELECT ?1, value FROM json_each(?2)";
    Ok(execute_for_each(conn, sql, household_id, ids).await?)
}

/// `POST /api/organise/villages/{slug}/households`.
#[utoipa::path(
    post,
    path = "/organise/villages/{slug}/households",
    tag = "organise",
    summary = "Add a household",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    request_body = HouseholdInput,
    responses(
        (status = 201, description = "Created", body = OrganiseHousehold)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn create(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    JsonBody(input): JsonBody<HouseholdInput>,
) -> Result<(StatusCode, Json<OrganiseHousehold>)> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut tx = state.write().await?;
    let v = o.village(tx.conn(), &slug).await?;
    let h = checked(tx.conn(), v.id, input, &[]).await?;
    let id = sqlx::query(
        "INSERT INTO household (village_id, name_zh, name_en, story_zh, story_en, member_since,
                                registered_poor, retired_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(v.id)
    .bind(&h.name.zh)
    .bind(&h.name.en)
    .bind(&h.story.zh)
    .bind(&h.story.en)
    .bind(format!("{:04}-01-01", h.joined_year))
    .bind(h.registered_poor)
    .bind(h.retired.then_some(now))
    .execute(tx.conn())
    .await?
    .last_insert_rowid();
    link_products(tx.conn(), id, &h.product_ids).await?;
    let (_, household) = load(tx.conn(), id).await?;
    ChangeLog::new(&o, v.id, now)
        .created(tx.conn(), ("household", id), &household)
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(household)))
}

/// `PUT /api/organise/households/{id}`: the body is the whole household.
#[utoipa::path(
    put,
    path = "/organise/households/{id}",
    tag = "organise",
    summary = "Save a household; the body is the whole household",
    params(
        ("id" = i64, Path, description = "The household's id")
    ),
    request_body = HouseholdInput,
    responses(
        (status = 200, description = "OK", body = OrganiseHousehold)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn edit(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    JsonBody(input): JsonBody<HouseholdInput>,
) -> Result<Json<OrganiseHousehold>> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let today = format_date(domain::shanghai_date(OffsetDateTime::now_utc()));
    let mut tx = state.write().await?;
    household_village(tx.conn(), &o, id).await?;
    let (village_id, before) = load(tx.conn(), id).await?;
    let h = checked(tx.conn(), village_id, input, &before.product_ids).await?;

    // Products taken off (all of them, when it retires) must not still be
    // supplied for a round not yet distributed: those orders count on them.
    let leaving: Vec<i64> = before
        .product_ids
        .iter()
        .copied()
        .filter(|p| h.retired || !h.product_ids.contains(p))
        .collect();
    if !leaving.is_empty() {
        let supplying: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT s.product_id, s.quantity, r.distribution_day
             FROM supply s JOIN distribution_round r ON r.id = s.round_id
             JOIN json_each(?) j ON j.value = s.product_id
             WHERE s.household_id = ? AND s.quantity > 0 AND r.distribution_day >= ?
             ORDER BY r.distribution_day LIMIT 1",
        )
        .bind(json_ids(&leaving))
        .bind(id)
        .bind(&today)
        .fetch_optional(tx.conn())
        .await?;
        if let Some((p, q, day)) = supplying {
            let field = if h.retired && !before.retired {
                "retired"
            } else {
                "product_ids"
            };
            return Err(Error::Conflict {
                error: LocalText::new(
                    format!("这户还要为 {day} 那一轮供应 {q} 份产品 {p}，请先把供应量改成 0"),
                    format!(
                        "this household still supplies {q} of product {p} for the round of {day}; set that supply to 0 first"
                    ),
                ),
                fields: vec![FieldError::new(
                    field,
                    format!("还在为 {day} 那一轮供货"),
                    format!("still supplies the round of {day}"),
                )],
            });
        }
    }

    // The day it joined stays as it was unless the year changes.
    let member_since = if h.joined_year == before.joined_year {
        None
    } else {
        Some(format!("{:04}-01-01", h.joined_year))
    };
    sqlx::query(
        "UPDATE household SET name_zh = ?, name_en = ?, story_zh = ?, story_en = ?,
                member_since = COALESCE(?, member_since), registered_poor = ?,
                retired_at = CASE WHEN ? THEN COALESCE(retired_at, ?) END
         WHERE id = ?",
    )
    .bind(&h.name.zh)
    .bind(&h.name.en)
    .bind(&h.story.zh)
    .bind(&h.story.en)
    .bind(member_since)
    .bind(h.registered_poor)
    .bind(h.retired)
    .bind(now)
    .bind(id)
    .execute(tx.conn())
    .await?;
    // A retired household keeps its links: past orders still name it.
    if !h.retired {
        let unlink = "DELETE FROM product_household WHERE household_id = ?1
                        AND product_id NOT IN (SELECT value FROM json_each(?2))";
        execute_for_each(tx.conn(), unlink, id, &h.product_ids).await?;
        link_products(tx.conn(), id, &h.product_ids).await?;
    }
    let (_, after) = load(tx.conn(), id).await?;
    if after != before {
        ChangeLog::new(&o, village_id, now)
            .updated(tx.conn(), ("household", id), &before, &after)
            .await?;
    }
    tx.commit().await?;
    Ok(Json(after))
}
