//! `GET /api/villages` and `GET /api/villages/{slug}`.

use std::sync::Arc;

use axum::{extract::State, http::HeaderMap, response::Response, Json};
use domain::{
    dto::{DistributionPoint, OpenRound, Round, VillageDetail, VillageSummary},
    LocalText,
};
use sqlx::{FromRow, SqlitePool};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    db::format_date,
    http::error::{Error, Result},
    http::params::Slug,
    http::read_cache::Answer,
    organise::village_photos::photos_by_owner,
    shop::households::HouseholdRow,
    shop::products::{sorted_summaries, with_thumbnails, ProductRow, PRODUCT_COLUMNS},
    shop::rounds::{self, RoundRow},
    shop::stock,
    AppState,
};

/// At most this many upcoming rounds are listed on a village page.
pub const UPCOMING_ROUNDS: i64 = 6;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(detail))
}

/// 404 for a village slug nobody has.
pub(crate) fn no_village(slug: &str) -> Error {
    Error::not_found(
        format!("没有这个村子：{slug}"),
        format!("no village with slug '{slug}'"),
    )
}

/// A stored count or size as the `u32` the API answers with.
pub(crate) fn to_u32(what: &str, n: i64) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::internal(format_args!("{what} out of range: {n}")))
}

/// What both the village list and a village page show of it: `v.slug`,
/// the names, region, city, distance and tagline.
#[derive(Debug, FromRow)]
struct VillageCard {
    slug: String,
    name_zh: String,
    name_en: String,
    region_zh: String,
    region_en: String,
    city_zh: String,
    city_en: String,
    distance_km: i64,
    tagline_zh: String,
    tagline_en: String,
}

const CARD_COLUMNS: &str = "v.slug, v.name_zh, v.name_en, v.region_zh, v.region_en, \
     v.city_zh, v.city_en, v.distance_km, v.tagline_zh, v.tagline_en";

#[derive(Debug, FromRow)]
struct SummaryRow {
    #[sqlx(flatten)]
    card: VillageCard,
    product_count: i64,
    household_count: i64,
}

#[utoipa::path(
    get,
    path = "/villages",
    tag = "shop",
    summary = "The villages, with counts",
    responses(
        (status = 200, description = "OK", body = Vec<VillageSummary>)
    )
)]
pub(crate) async fn list(State(state): State<AppState>) -> Result<Json<Vec<VillageSummary>>> {
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "SELECT {CARD_COLUMNS},
                (SELECT COUNT(*) FROM product p WHERE p.village_id = v.id AND p.published = 1) AS product_count,
                (SELECT COUNT(*) FROM household h WHERE h.village_id = v.id AND h.retired_at IS NULL) AS household_count
         FROM village v ORDER BY v.id"
    ))
    .fetch_all(&state.db)
    .await?;
    let villages = rows
        .into_iter()
        .map(|r| {
            let c = r.card;
            Ok(VillageSummary {
                distance_km: to_u32("distance_km", c.distance_km)?,
                product_count: to_u32("product_count", r.product_count)?,
                household_count: to_u32("household_count", r.household_count)?,
                slug: c.slug,
                name: LocalText::new(c.name_zh, c.name_en),
                region: LocalText::new(c.region_zh, c.region_en),
                city: LocalText::new(c.city_zh, c.city_en),
                tagline: LocalText::new(c.tagline_zh, c.tagline_en),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Json(villages))
}

#[derive(Debug, FromRow)]
struct VillageRow {
    id: i64,
    #[sqlx(flatten)]
    card: VillageCard,
    story_zh: String,
    story_en: String,
    organising_percent: i64,
}

/// The columns of [`PointRow`], for a query with `distribution_point` aliased `d`.
pub(crate) const POINT_COLUMNS: &str =
    "d.id, d.name_zh, d.name_en, d.address_zh, d.address_en, d.pickup_from, d.pickup_to";

#[derive(Debug, FromRow)]
pub(crate) struct PointRow {
    id: i64,
    name_zh: String,
    name_en: String,
    address_zh: String,
    address_en: String,
    pickup_from: String,
    pickup_to: String,
}

impl PointRow {
    pub(crate) fn into_point(self) -> DistributionPoint {
        DistributionPoint {
            id: self.id,
            name: LocalText::new(self.name_zh, self.name_en),
            address: LocalText::new(self.address_zh, self.address_en),
            pickup_from: self.pickup_from,
            pickup_to: self.pickup_to,
        }
    }
}

#[utoipa::path(
    get,
    path = "/villages/{slug}",
    tag = "shop",
    summary = "A village with its products, households, points and upcoming rounds",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 200, description = "OK", body = VillageDetail, headers(
            ("ETag" = String, description = "The answer's version, for `If-None-Match`")
        )),
        (status = 304, description = "Not modified: `If-None-Match` names the current version")
    )
)]
pub(crate) async fn detail(
    State(state): State<AppState>,
    Slug(slug): Slug,
    request: HeaderMap,
) -> Result<Response> {
    Ok(detail_answer(&state, &slug).await?.respond(&request))
}

/// The village page's answer, kept in memory (see `read_cache`).
pub(crate) async fn detail_answer(state: &AppState, slug: &str) -> Result<Arc<Answer>> {
    state
        .reads
        .read_json(&format!("/villages/{slug}"), |now| {
            build_detail(state, slug, now)
        })
        .await
}

/// The village page at `now`, and when it next changes with no write.
async fn build_detail(
    state: &AppState,
    slug: &str,
    now: OffsetDateTime,
) -> Result<(VillageDetail, OffsetDateTime)> {
    let pool = &state.db;
    let v: VillageRow = sqlx::query_as(&format!(
        "SELECT v.id, {CARD_COLUMNS}, v.story_zh, v.story_en, v.organising_percent
         FROM village v WHERE v.slug = ?"
    ))
    .bind(slug)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| no_village(slug))?;

    let organisers: Vec<(String, String)> = sqlx::query_as(
        "SELECT name_zh, name_en FROM village_organiser WHERE village_id = ? ORDER BY position, id",
    )
    .bind(v.id)
    .fetch_all(pool)
    .await?;
    let products: Vec<ProductRow> = sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS} FROM product p WHERE p.village_id = ? AND p.published = 1"
    ))
    .bind(v.id)
    .fetch_all(pool)
    .await?;
    let households: Vec<HouseholdRow> =
        sqlx::query_as("SELECT h.id, h.name_zh, h.name_en, h.demo FROM household h WHERE h.village_id = ? AND h.retired_at IS NULL ORDER BY h.id")
            .bind(v.id)
            .fetch_all(pool)
            .await?;
    let points: Vec<PointRow> = sqlx::query_as(&format!(
        "SELECT {POINT_COLUMNS} FROM distribution_point d
         WHERE d.village_id = ? AND d.closed_at IS NULL ORDER BY d.id"
    ))
    .bind(v.id)
    .fetch_all(pool)
    .await?;
    let upcoming_rounds = upcoming_rounds(pool, v.id, now).await?;
    let products = with_thumbnails(pool, sorted_summaries(products)?).await?;
    let mut conn = pool.acquire().await?;
    let household_ids: Vec<i64> = households.iter().map(|h| h.id).collect();
    let mut photos = photos_by_owner(&mut conn, v.id, &household_ids).await?;
    // Prices show the open round's share: that is what an order pays.
    let mut organising_percent = u8::try_from(v.organising_percent).map_err(|_| {
        Error::internal(format_args!(
            "village {slug}: organising percent out of range"
        ))
    })?;
    let open_round = {
        match rounds::open_round(&mut conn, v.id, now).await? {
            Some(round) => {
                let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
                let stock = stock::stock(&mut conn, round.id, &ids).await?;
                let point_ids = rounds::round_points(&mut conn, round.id, v.id)
                    .await?
                    .into_iter()
                    .map(|p| p.id)
                    .collect();
                organising_percent = rounds::round_percent(&mut conn, round.id).await?;
                Some(OpenRound {
                    round,
                    stock,
                    point_ids,
                })
            }
            None => None,
        }
    };

    let until = rounds::next_change(&mut conn, v.id, now).await?;
    let c = v.card;
    let village = VillageDetail {
        slug: c.slug,
        name: LocalText::new(c.name_zh, c.name_en),
        region: LocalText::new(c.region_zh, c.region_en),
        distance_km: to_u32("distance_km", c.distance_km)?,
        city: LocalText::new(c.city_zh, c.city_en),
        tagline: LocalText::new(c.tagline_zh, c.tagline_en),
        story: LocalText::new(v.story_zh, v.story_en),
        organisers: organisers
            .into_iter()
            .map(|(zh, en)| LocalText::new(zh, en))
            .collect(),
        photo: photos.remove(&None).and_then(|p| p.into_iter().next()),
        organising_percent,
        products,
        households: households
            .into_iter()
            .map(|h| {
                let mut r = h.into_ref();
                r.photo = photos
                    .remove(&Some(r.id))
                    .and_then(|p| p.into_iter().next());
                r
            })
            .collect(),
        distribution_points: points.into_iter().map(PointRow::into_point).collect(),
        upcoming_rounds,
        open_round,
    };
    Ok((village, until))
}

/// Rounds whose distribution day is `now`'s date in Asia/Shanghai or later,
/// soonest first, at most [`UPCOMING_ROUNDS`].
async fn upcoming_rounds(
    pool: &SqlitePool,
    village_id: i64,
    now: OffsetDateTime,
) -> Result<Vec<Round>> {
    let today = format_date(domain::shanghai_date(now));
    let rows: Vec<RoundRow> = sqlx::query_as(
        "SELECT id, opens_at, deadline, distribution_day FROM distribution_round
         WHERE village_id = ? AND distribution_day >= ?
         ORDER BY distribution_day, id LIMIT ?",
    )
    .bind(village_id)
    .bind(today)
    .bind(UPCOMING_ROUNDS)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(RoundRow::into_round).collect()
}
