//! `GET /api/products/{id}`, and the product rows shared with the village
//! and household pages.

use std::sync::Arc;

use axum::{extract::State, http::HeaderMap, response::Response};
use domain::{
    dto::{Category, HouseholdRef, ProductDetail, ProductRoundStock, ProductSummary},
    premium_percent, LocalText, MonthSet, PriceBreakdown, Season,
};
use sqlx::{FromRow, SqlitePool};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    http::error::{Error, Result},
    http::params::Id,
    http::read_cache::Answer,
    shop::households::HouseholdRow,
    shop::rounds,
    shop::stock,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(detail))
}

/// The columns of [`ProductRow`], for a query with `product` aliased `p`.
pub(crate) const PRODUCT_COLUMNS: &str =
    "p.id, p.name_zh, p.name_en, p.category, p.unit_zh, p.unit_en, \
     p.price_fen, p.local_price_fen, p.all_year, p.months_mask";

#[derive(Debug, FromRow)]
pub(crate) struct ProductRow {
    pub id: i64,
    name_zh: String,
    name_en: String,
    category: String,
    unit_zh: String,
    unit_en: String,
    price_fen: i64,
    local_price_fen: i64,
    all_year: i64,
    months_mask: i64,
}

impl ProductRow {
    pub(crate) fn into_summary(self) -> Result<ProductSummary> {
        let category = Category::parse(&self.category).ok_or_else(|| {
            Error::internal(format_args!(
                "product {}: unknown category '{}'",
                self.id, self.category
            ))
        })?;
        let season = if self.all_year != 0 {
            Season::AllYear
        } else {
            let mask = u16::try_from(self.months_mask).map_err(|_| {
                Error::internal(format_args!("product {}: month mask out of range", self.id))
            })?;
            let months = MonthSet::from_mask(mask)
                .map_err(|e| Error::internal(format_args!("product {}: {e}", self.id)))?;
            Season::Months { months }
        };
        Ok(ProductSummary {
            id: self.id,
            name: LocalText::new(self.name_zh, self.name_en),
            category,
            unit: LocalText::new(self.unit_zh, self.unit_en),
            price_fen: self.price_fen,
            local_price_fen: self.local_price_fen,
            season,
            photo: None,
        })
    }
}

/// Gives each listed product its first photo, for thumbnails.
pub(crate) async fn with_thumbnails(
    pool: &SqlitePool,
    mut products: Vec<ProductSummary>,
) -> Result<Vec<ProductSummary>> {
    let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
    let mut conn = pool.acquire().await?;
    let mut photos = crate::photos::photos_of(&mut conn, &ids).await?;
    for p in &mut products {
        p.photo = photos.remove(&p.id).and_then(|v| v.into_iter().next());
    }
    Ok(products)
}

/// Converts rows and orders them as pages list products: by category (in
/// the order of [`Category::ALL`]), then by id.
pub(crate) fn sorted_summaries(rows: Vec<ProductRow>) -> Result<Vec<ProductSummary>> {
    let mut products = rows
        .into_iter()
        .map(ProductRow::into_summary)
        .collect::<Result<Vec<_>>>()?;
    let rank = |c: Category| {
        Category::ALL
            .iter()
            .position(|x| *x == c)
            .unwrap_or(usize::MAX)
    };
    products.sort_by_key(|p| (rank(p.category), p.id));
    Ok(products)
}

#[derive(Debug, FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    product: ProductRow,
    description_zh: String,
    description_en: String,
    village_id: i64,
    village_slug: String,
    village_name_zh: String,
    village_name_en: String,
    organising_percent: i64,
}

#[utoipa::path(
    get,
    path = "/products/{id}",
    tag = "shop",
    summary = "A product with its price breakdown, premium and stock in the open round",
    params(
        ("id" = i64, Path, description = "The product's id")
    ),
    responses(
        (status = 200, description = "OK", body = ProductDetail, headers(
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

/// The product page's answer, kept in memory (see `read_cache`).
pub(crate) async fn detail_answer(state: &AppState, id: i64) -> Result<Arc<Answer>> {
    state
        .reads
        .read_json(&format!("/products/{id}"), |now| {
            build_detail(&state.db, id, now)
        })
        .await
}

/// The product page at `now`, and when it next changes with no write.
async fn build_detail(
    pool: &SqlitePool,
    id: i64,
    now: OffsetDateTime,
) -> Result<(ProductDetail, OffsetDateTime)> {
    let row: DetailRow = sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS}, p.description_zh, p.description_en,
                v.id AS village_id, v.slug AS village_slug, v.name_zh AS village_name_zh, v.name_en AS village_name_en,
                v.organising_percent
         FROM product p JOIN village v ON v.id = p.village_id
         WHERE p.id = ? AND p.published = 1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| Error::not_found(format!("没有这个产品：{id}"), format!("no product with id {id}")))?;
    let households = households_of(pool, id).await?;
    let summary = row.product.into_summary()?;
    let mut percent = u8::try_from(row.organising_percent).map_err(|_| {
        Error::internal(format_args!(
            "village {}: organising percent out of range",
            row.village_slug
        ))
    })?;
    let mut conn = pool.acquire().await?;
    let open_round = {
        match rounds::open_round(&mut conn, row.village_id, now).await? {
            Some(round) => {
                let stock = stock::stock(&mut conn, round.id, &[id])
                    .await?
                    .pop()
                    .ok_or_else(|| {
                        Error::internal(format_args!("no stock row for product {id}"))
                    })?;
                // The open round's share is what an order pays.
                percent = rounds::round_percent(&mut conn, round.id).await?;
                Some(ProductRoundStock { round, stock })
            }
            None => None,
        }
    };
    let breakdown = PriceBreakdown::new(summary.price_fen, percent)
        .map_err(|e| Error::internal(format_args!("product {id}: {e}")))?;
    let until = rounds::next_change(&mut conn, row.village_id, now).await?;
    let product = ProductDetail {
        id,
        village_slug: row.village_slug,
        village_name: LocalText::new(row.village_name_zh, row.village_name_en),
        name: summary.name,
        category: summary.category,
        unit: summary.unit,
        price_fen: summary.price_fen,
        local_price_fen: summary.local_price_fen,
        season: summary.season,
        description: LocalText::new(row.description_zh, row.description_en),
        households,
        breakdown,
        premium_percent: premium_percent(summary.price_fen, summary.local_price_fen),
        open_round,
        photos: crate::photos::photos_of(&mut conn, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default(),
    };
    Ok((product, until))
}

async fn households_of(pool: &SqlitePool, product_id: i64) -> Result<Vec<HouseholdRef>> {
    let rows: Vec<HouseholdRow> = sqlx::query_as(
        "SELECT h.id, h.name_zh, h.name_en, h.demo
         FROM household h JOIN product_household ph ON ph.household_id = h.id
         WHERE ph.product_id = ? AND h.retired_at IS NULL ORDER BY h.id",
    )
    .bind(product_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(HouseholdRow::into_ref).collect())
}
