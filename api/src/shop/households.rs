//! - `GET /api/households/{id}`: a household with the products it supplies.
//! - `GET /api/households/{id}/price-history`: organisers' price changes of
//!   its published products, newest first.

use std::sync::Arc;

use axum::{extract::State, http::HeaderMap, response::Response, Json};
use domain::{
    dto::{HouseholdDetail, HouseholdRef},
    LocalText,
};
use sqlx::{FromRow, SqlitePool};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    db::parse_date,
    http::error::{Error, Result},
    http::params::Id,
    http::read_cache::Answer,
    organise::village_photos::household_photos,
    shop::products::{sorted_summaries, with_thumbnails, ProductRow, PRODUCT_COLUMNS},
    shop::rounds::next_midnight,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(detail))
        .routes(routes!(price_history))
}

/// `SELECT h.id, h.name_zh, h.name_en, h.demo` rows.
#[derive(Debug, FromRow)]
pub(crate) struct HouseholdRow {
    pub(crate) id: i64,
    name_zh: String,
    name_en: String,
    demo: i64,
}

impl HouseholdRow {
    pub(crate) fn into_ref(self) -> HouseholdRef {
        HouseholdRef {
            id: self.id,
            name: LocalText::new(self.name_zh, self.name_en),
            demo: self.demo != 0,
            photo: None,
        }
    }
}

#[derive(Debug, FromRow)]
struct DetailRow {
    id: i64,
    name_zh: String,
    name_en: String,
    demo: i64,
    story_zh: String,
    story_en: String,
    member_since: String,
    retired_at: Option<i64>,
    village_id: i64,
    village_slug: String,
    village_name_zh: String,
    village_name_en: String,
}

#[utoipa::path(
    get,
    path = "/households/{id}",
    tag = "shop",
    summary = "A household: its story, products and feedback summary",
    params(
        ("id" = i64, Path, description = "The household's id")
    ),
    responses(
        (status = 200, description = "OK", body = HouseholdDetail, headers(
            ("ETag" = String, description = "The answer's version, for `If-None-Match`")
        )),
        (status = 304, description = "Not modified: `If-None-Match` names the current version")
    )
)]
pub(crate) async fn detail(
    State(state): State<AppState>,
    Id(id): Id,
    request: HeaderMap,
) -> Result<Response> {
    Ok(detail_answer(&state, id).await?.respond(&request))
}

/// The household page's answer, kept in memory (see `read_cache`). Only
/// writes change it; Shanghai midnight bounds it like the others.
pub(crate) async fn detail_answer(state: &AppState, id: i64) -> Result<Arc<Answer>> {
    state
        .reads
        .read_json(&format!("/households/{id}"), |now| async move {
            Ok((build_detail(&state.db, id).await?, next_midnight(now)))
        })
        .await
}

async fn build_detail(db: &SqlitePool, id: i64) -> Result<HouseholdDetail> {
    let row: DetailRow = sqlx::query_as(
        "SELECT h.id, h.name_zh, h.name_en, h.demo, h.story_zh, h.story_en, h.member_since,
                h.retired_at, h.village_id, v.slug AS village_slug, v.name_zh AS village_name_zh, v.name_en AS village_name_en
         FROM household h JOIN village v ON v.id = h.village_id
         WHERE h.id = ?",
    )
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| {
        Error::not_found(
            format!("没有这个农户：{id}"),
            format!("no household with id {id}"),
        )
    })?;
    let member_since = parse_date(&row.member_since).ok_or_else(|| {
        Error::internal(format_args!(
            "household {id}: bad member_since '{}'",
            row.member_since
        ))
    })?;
    let products: Vec<ProductRow> = sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS}
         FROM product p JOIN product_household ph ON ph.product_id = p.id
         WHERE ph.household_id = ? AND p.published = 1"
    ))
    .bind(id)
    .fetch_all(db)
    .await?;
    Ok(HouseholdDetail {
        id: row.id,
        name: LocalText::new(row.name_zh, row.name_en),
        demo: row.demo != 0,
        village_slug: row.village_slug,
        village_name: LocalText::new(row.village_name_zh, row.village_name_en),
        story: LocalText::new(row.story_zh, row.story_en),
        member_since,
        products: with_thumbnails(db, sorted_summaries(products)?).await?,
        photos: {
            let mut conn = db.acquire().await?;
            household_photos(&mut conn, row.village_id, id).await?
        },
        retired: row.retired_at.is_some(),
        feedback: {
            let mut conn = db.acquire().await?;
            crate::shop::feedback::household_summary(&mut conn, id).await?
        },
    })
}

/// `GET /api/households/{id}/price-history`.
#[utoipa::path(
    get,
    path = "/households/{id}/price-history",
    tag = "shop",
    summary = "The household's products' price changes",
    params(
        ("id" = i64, Path, description = "The household's id")
    ),
    responses(
        (status = 200, description = "OK", body = Vec<domain::organise::PriceChange>)
    )
)]
async fn price_history(
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Json<Vec<domain::organise::PriceChange>>> {
    let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM household WHERE id = ?")
        .bind(id)
        .fetch_optional(&state.db)
        .await?;
    if exists.is_none() {
        return Err(Error::not_found(
            format!("没有这个农户：{id}"),
            format!("no household with id {id}"),
        ));
    }
    type Row = (i64, String, String, String, String, i64, i64, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, p.name_zh, p.name_en, p.unit_zh, p.unit_en, c.old_price_fen,
                c.new_price_fen, c.at
         FROM price_change c
         JOIN product p ON p.id = c.product_id
         JOIN product_household ph ON ph.product_id = p.id
         WHERE ph.household_id = ? AND p.published = 1
         ORDER BY c.at DESC, c.id DESC",
    )
    .bind(id)
    .fetch_all(&state.db)
    .await?;
    rows.into_iter()
        .map(|(pid, nz, ne, uz, ue, old, new, at)| {
            Ok(domain::organise::PriceChange {
                product_id: pid,
                product_name: LocalText::new(nz, ne),
                unit: LocalText::new(uz, ue),
                old_price_fen: old,
                new_price_fen: new,
                changed_at: crate::shop::rounds::moment(at)?,
            })
        })
        .collect::<Result<_>>()
        .map(Json)
}
