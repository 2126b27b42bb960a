//! Product pages for organisers: every product of their villages,
//! hidden ones too, created and edited whole.
//!
//! - `GET  /api/organise/villages/{slug}/products`  → `[OrganiseProduct]`
//! - `POST /api/organise/villages/{slug}/products`  `ProductInput` → 201 `OrganiseProduct`
//! - `GET  /api/organise/products/{id}`             → `OrganiseProduct`
//! - `PUT  /api/organise/products/{id}`             `ProductInput` → `OrganiseProduct`
//!
//! Photos are added and removed in [`crate::organise::photos`].
//!
//! A new price is recorded in `price_change` (shown on the household's
//! page) and every write in the change log, in the same transaction.

use axum::{extract::State, http::StatusCode, Json};
use domain::{
    organise::{OrganiseProduct, ProductInput},
    FieldError, LocalText, Season,
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
        session::{CurrentOrganiser, VillageRef},
    },
    photos::photos_of,
    shop::products::{ProductRow, PRODUCT_COLUMNS},
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(one, edit))
}

/// A product as organisers see it: the shop's columns, and more.
#[derive(Debug, FromRow)]
struct Row {
    #[sqlx(flatten)]
    product: ProductRow,
    village_id: i64,
    village_slug: String,
    description_zh: String,
    description_en: String,
    published: i64,
}

fn select() -> String {
    format!(
        "SELECT {PRODUCT_COLUMNS}, p.village_id, v.slug AS village_slug,
                p.description_zh, p.description_en, p.published
         FROM product p JOIN village v ON v.id = p.village_id"
    )
}

impl Row {
    fn into_product(
        self,
        household_ids: Vec<i64>,
        photos: Vec<domain::dto::PhotoRef>,
    ) -> Result<OrganiseProduct> {
        let p = self.product.into_summary()?;
        Ok(OrganiseProduct {
            id: p.id,
            village_slug: self.village_slug,
            name: p.name,
            description: LocalText::new(self.description_zh, self.description_en),
            category: p.category,
            unit: p.unit,
            price_fen: p.price_fen,
            local_price_fen: p.local_price_fen,
            season: p.season,
            household_ids,
            published: self.published != 0,
            photos,
        })
    }
}

async fn households_of(conn: &mut SqliteConnection, product_id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT household_id FROM product_household WHERE product_id = ? ORDER BY household_id",
    )
    .bind(product_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(h,)| h).collect())
}

/// The product and its village id; 404 when there is none.
async fn load(conn: &mut SqliteConnection, id: i64) -> Result<(i64, OrganiseProduct)> {
    let row: Row = sqlx::query_as(&format!("{} WHERE p.id = ?", select()))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| {
            Error::not_found(
                format!("没有这个产品：{id}"),
                format!("no product with id {id}"),
            )
        })?;
    let village_id = row.village_id;
    let households = households_of(conn, id).await?;
    let photos = photos_of(conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok((village_id, row.into_product(households, photos)?))
}

/// The product if it is in one of the organiser's villages: 404 / 403.
async fn load_for(
    conn: &mut SqliteConnection,
    o: &CurrentOrganiser,
    id: i64,
) -> Result<(VillageRef, OrganiseProduct)> {
    let (village_id, p) = load(conn, id).await?;
    let v = o.check_village(conn, village_id).await?;
    Ok((v, p))
}

#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/products",
    tag = "organise",
    summary = "The village's products",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 200, description = "OK", body = Vec<OrganiseProduct>)
    ),
    security(("organiser" = []))
)]
async fn list(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
) -> Result<Json<Vec<OrganiseProduct>>> {
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{} WHERE p.village_id = ? ORDER BY p.id",
        select()
    ))
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    let links: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT ph.product_id, ph.household_id FROM product_household ph
         JOIN product p ON p.id = ph.product_id WHERE p.village_id = ?
         ORDER BY ph.product_id, ph.household_id",
    )
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_product: std::collections::HashMap<i64, Vec<i64>> = Default::default();
    for (p, h) in links {
        by_product.entry(p).or_default().push(h);
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.product.id).collect();
    let mut photos = photos_of(&mut conn, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let hs = by_product.remove(&r.product.id).unwrap_or_default();
            let ps = photos.remove(&r.product.id).unwrap_or_default();
            r.into_product(hs, ps)
        })
        .collect::<Result<_>>()
        .map(Json)
}

#[utoipa::path(
    get,
    path = "/organise/products/{id}",
    tag = "organise",
    summary = "A product as its organisers see it",
    params(
        ("id" = i64, Path, description = "The product's id")
    ),
    responses(
        (status = 200, description = "OK", body = OrganiseProduct)
    ),
    security(("organiser" = []))
)]
async fn one(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
) -> Result<Json<OrganiseProduct>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(load_for(&mut conn, &o, id).await?.1))
}

/// Domain rules, then the households against the village; a retired
/// household is kept where it was (`before`) but never added.
async fn checked(
    conn: &mut SqliteConnection,
    village_id: i64,
    input: ProductInput,
    before: &[i64],
) -> Result<ProductInput> {
    let input = input.normalized();
    let mut errors = input.validate();
    let ids = json_ids(&input.household_ids);
    let known: Vec<(i64, bool)> = sqlx::query_as(
        "SELECT h.id, h.retired_at IS NOT NULL FROM json_each(?) j JOIN household h ON h.id = j.value
         WHERE h.village_id = ?",
    )
    .bind(ids)
    .bind(village_id)
    .fetch_all(conn)
    .await?;
    for (i, id) in input.household_ids.iter().enumerate() {
        let Some((_, retired)) = known.iter().find(|(k, _)| k == id) else {
            errors.push(FieldError::new(
                format!("household_ids[{i}]"),
                format!("{id} 不是本村的农户"),
                format!("{id} is not a household of this village"),
            ));
            continue;
        };
        if *retired && !before.contains(id) {
            errors.push(FieldError::new(
                format!("household_ids[{i}]"),
                format!("农户 {id} 已经退出，不能再加产品"),
                format!("household {id} has retired and cannot be given new products"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(Error::Validation(errors))
    }
}

type ProductQuery<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Inserts product `p` (its own columns) into village `village_id`;
/// returns its id. The demo seed writes its products this way too.
pub(crate) async fn insert_product(
    conn: &mut SqliteConnection,
    village_id: i64,
    p: &ProductInput,
) -> sqlx::Result<i64> {
    let q = sqlx::query(
        "INSERT INTO product (name_zh, name_en, category, unit_zh, unit_en, price_fen,
                              local_price_fen, all_year, months_mask, description_zh,
                              description_en, published, village_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    let done = bind_columns(q, p).bind(village_id).execute(conn).await?;
    Ok(done.last_insert_rowid())
}

/// Overwrites the own columns of product `id` with `p`'s.
async fn update_product(
    conn: &mut SqliteConnection,
    id: i64,
    p: &ProductInput,
) -> sqlx::Result<()> {
    let q = sqlx::query(
        "UPDATE product SET name_zh = ?, name_en = ?, category = ?, unit_zh = ?, unit_en = ?,
                price_fen = ?, local_price_fen = ?, all_year = ?, months_mask = ?,
                description_zh = ?, description_en = ?, published = ?
         WHERE id = ?",
    );
    bind_columns(q, p).bind(id).execute(conn).await?;
    Ok(())
}

/// Binds `p`'s columns in the order both statements list them.
fn bind_columns<'q>(q: ProductQuery<'q>, p: &'q ProductInput) -> ProductQuery<'q> {
    let (all_year, months_mask) = match p.season {
        Season::AllYear => (1, 0),
        Season::Months { months } => (0, i64::from(months.mask())),
    };
    q.bind(&p.name.zh)
        .bind(&p.name.en)
        .bind(p.category.as_str())
        .bind(&p.unit.zh)
        .bind(&p.unit.en)
        .bind(p.price_fen)
        .bind(p.local_price_fen)
        .bind(all_year)
        .bind(months_mask)
        .bind(&p.description.zh)
        .bind(&p.description.en)
        .bind(p.published)
}

/// `POST /api/organise/villages/{slug}/products`.
#[utoipa::path(
    post,
    path = "/organise/villages/{slug}/products",
    tag = "organise",
    summary = "Add a product",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    request_body = ProductInput,
    responses(
        (status = 201, description = "Created", body = OrganiseProduct)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn create(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    JsonBody(input): JsonBody<ProductInput>,
) -> Result<(StatusCode, Json<OrganiseProduct>)> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut tx = state.write().await?;
    let v = o.village(tx.conn(), &slug).await?;
    let p = checked(tx.conn(), v.id, input, &[]).await?;
    let id = insert_product(tx.conn(), v.id, &p).await?;
    link_households(tx.conn(), id, &p.household_ids).await?;
    let (_, product) = load(tx.conn(), id).await?;
    ChangeLog::new(&o, v.id, now)
        .created(tx.conn(), ("product", id), &product)
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(product)))
}

async fn link_households(conn: &mut SqliteConnection, product_id: i64, ids: &[i64]) -> Result<()> {
    let sql = "INSERT OR IGNORE INTO product_household (product_id, household_id)
               SELECT ?1, value FROM json_each(?2)";
    Ok(execute_for_each(conn, sql, product_id, ids).await?)
}

/// `PUT /api/organise/products/{id}`: the body is the whole product.
#[utoipa::path(
    put,
    path = "/organise/products/{id}",
    tag = "organise",
    summary = "Save a product; the body is the whole product",
    params(
        ("id" = i64, Path, description = "The product's id")
    ),
    request_body = ProductInput,
    responses(
        (status = 200, description = "OK", body = OrganiseProduct)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn edit(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    JsonBody(input): JsonBody<ProductInput>,
) -> Result<Json<OrganiseProduct>> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let today = domain::shanghai_date(OffsetDateTime::now_utc());
    let mut tx = state.write().await?;
    let (v, before) = load_for(tx.conn(), &o, id).await?;
    let p = checked(tx.conn(), v.id, input, &before.household_ids).await?;

    // A household taken off the product loses its supplies (the rows
    // cascade); refuse while it still supplies a round not yet distributed.
    let removed: Vec<i64> = before
        .household_ids
        .iter()
        .copied()
        .filter(|h| !p.household_ids.contains(h))
        .collect();
    if !removed.is_empty() {
        let supplying: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT s.household_id, s.quantity, r.distribution_day
             FROM supply s JOIN distribution_round r ON r.id = s.round_id
             JOIN json_each(?) j ON j.value = s.household_id
             WHERE s.product_id = ? AND s.quantity > 0 AND r.distribution_day >= ?
             ORDER BY r.distribution_day",
        )
        .bind(json_ids(&removed))
        .bind(id)
        .bind(format_date(today))
        .fetch_all(tx.conn())
        .await?;
        if let Some((h, q, day)) = supplying.first() {
            return Err(Error::Conflict {
                error: LocalText::new(
                    format!(
                        "农户 {h} 还要为 {day} 那一轮供应 {q} 份这个产品，请先把它的供应量改成 0"
                    ),
                    format!(
                        "household {h} still supplies {q} of this product for the round of {day}; set its supply to 0 first"
                    ),
                ),
                fields: vec![FieldError::new(
                    "household_ids",
                    format!("农户 {h} 还在为 {day} 那一轮供货"),
                    format!("household {h} still supplies the round of {day}"),
                )],
            });
        }
    }

    update_product(tx.conn(), id, &p).await?;
    let unlink = "DELETE FROM product_household WHERE product_id = ?1
                    AND household_id NOT IN (SELECT value FROM json_each(?2))";
    execute_for_each(tx.conn(), unlink, id, &p.household_ids).await?;
    link_households(tx.conn(), id, &p.household_ids).await?;
    if p.price_fen != before.price_fen {
        sqlx::query(
            "INSERT INTO price_change (product_id, old_price_fen, new_price_fen, organiser_id, at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(before.price_fen)
        .bind(p.price_fen)
        .bind(o.id)
        .bind(now)
        .execute(tx.conn())
        .await?;
    }
    let (_, after) = load(tx.conn(), id).await?;
    // A resent save that changes nothing leaves no trace in the log.
    if after != before {
        ChangeLog::new(&o, v.id, now)
            .updated(tx.conn(), ("product", id), &before, &after)
            .await?;
    }
    tx.commit().await?;
    Ok(Json(after))
}
