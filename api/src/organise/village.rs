//! The village page and its distribution points, for organisers.
//!
//! - `GET /api/organise/villages/{slug}` → `OrganiseVillagePage`
//! - `PUT /api/organise/villages/{slug}` `VillageInput` → `OrganiseVillagePage`
//! - `GET  /api/organise/villages/{slug}/points` → `[OrganisePoint]` (closed ones too)
//! - `POST /api/organise/villages/{slug}/points` `PointInput` → 201 `OrganisePoint`
//! - `PUT  /api/organise/points/{id}` `PointInput` → `OrganisePoint`
//!
//! The organising percent is kept on each round (set when it is made).
//! A new percent applies to the village's rounds that have not opened
//! yet and to later ones; a round already open, and every order placed,
//! keep theirs (orders store each line's household share).
//!
//! A closed point is offered for no new round, joining or order, but
//! stays for history. It cannot close while a round not yet distributed
//! uses it (409, naming the round).

use axum::{extract::State, http::StatusCode, Json};
use domain::{
    organise::village::{OrganisePoint, OrganiseVillagePage, PointInput, VillageInput},
    FieldError, LocalText,
};
use sqlx::{FromRow, SqliteConnection};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    db::format_date,
    http::error::{Error, Result},
    http::json::JsonBody,
    http::params::{Id, Slug},
    organise::{
        change_log::ChangeLog,
        session::{CurrentOrganiser, VillageRef},
        village_photos::village_photos,
    },
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(page, edit_page))
        .routes(routes!(points, create_point))
        .routes(routes!(one_point, edit_point))
}

type PageRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
);

async fn load_page(conn: &mut SqliteConnection, v: &VillageRef) -> Result<OrganiseVillagePage> {
    let (slug, nz, ne, tz, te, sz, se, rz, re, percent): PageRow = sqlx::query_as(
        "SELECT slug, name_zh, name_en, tagline_zh, tagline_en, story_zh, story_en,
                region_zh, region_en, organising_percent
         FROM village WHERE id = ?",
    )
    .bind(v.id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(OrganiseVillagePage {
        slug,
        name: LocalText::new(nz, ne),
        tagline: LocalText::new(tz, te),
        story: LocalText::new(sz, se),
        region: LocalText::new(rz, re),
        organising_percent: u8::try_from(percent)
            .map_err(|_| Error::internal(format_args!("village {}: bad percent", v.slug)))?,
        photos: village_photos(conn, v.id).await?,
    })
}

#[utoipa::path(
    get,
    path = "/organise/villages/{slug}",
    tag = "organise",
    summary = "The village page as its organisers edit it",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 200, description = "OK", body = OrganiseVillagePage)
    ),
    security(("organiser" = []))
)]
async fn page(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
) -> Result<Json<OrganiseVillagePage>> {
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    Ok(Json(load_page(&mut conn, &v).await?))
}

fn validated<T>(errors: Vec<FieldError>, input: T) -> Result<T> {
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(Error::Validation(errors))
    }
}

/// `PUT /api/organise/villages/{slug}`.
#[utoipa::path(
    put,
    path = "/organise/villages/{slug}",
    tag = "organise",
    summary = "Save the village page",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    request_body = VillageInput,
    responses(
        (status = 200, description = "OK", body = OrganiseVillagePage)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn edit_page(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    JsonBody(input): JsonBody<VillageInput>,
) -> Result<Json<OrganiseVillagePage>> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let input = input.normalized();
    let mut tx = state.write().await?;
    let v = o.village(tx.conn(), &slug).await?;
    let input = validated(input.validate(), input.clone())?;
    let before = load_page(tx.conn(), &v).await?;
    sqlx::query(
        "UPDATE village SET tagline_zh = ?, tagline_en = ?, story_zh = ?, story_en = ?,
                region_zh = ?, region_en = ?, organising_percent = ?
         WHERE id = ?",
    )
    .bind(&input.tagline.zh)
    .bind(&input.tagline.en)
    .bind(&input.story.zh)
    .bind(&input.story.en)
    .bind(&input.region.zh)
    .bind(&input.region.en)
    .bind(i64::from(input.organising_percent))
    .bind(v.id)
    .execute(tx.conn())
    .await?;
    let log = ChangeLog::new(&o, v.id, now);
    if input.organising_percent != before.organising_percent {
        // Rounds not open yet take the new percent; open ones keep theirs.
        let repriced: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, organising_percent FROM distribution_round
             WHERE village_id = ? AND opens_at > ? AND organising_percent != ?",
        )
        .bind(v.id)
        .bind(now)
        .bind(i64::from(input.organising_percent))
        .fetch_all(tx.conn())
        .await?;
        for (round_id, old) in repriced {
            sqlx::query("UPDATE distribution_round SET organising_percent = ? WHERE id = ?")
                .bind(i64::from(input.organising_percent))
                .bind(round_id)
                .execute(tx.conn())
                .await?;
            log.updated(
                tx.conn(),
                ("round_percent", round_id),
                &serde_json::json!({ "organising_percent": old }),
                &serde_json::json!({ "organising_percent": input.organising_percent }),
            )
            .await?;
        }
    }
    let after = load_page(tx.conn(), &v).await?;
    if after != before {
        log.updated(tx.conn(), ("village", v.id), &before, &after)
            .await?;
    }
    tx.commit().await?;
    Ok(Json(after))
}

#[derive(Debug, FromRow)]
struct PointRow {
    id: i64,
    village_id: i64,
    village_slug: String,
    name_zh: String,
    name_en: String,
    address_zh: String,
    address_en: String,
    pickup_from: String,
    pickup_to: String,
    closed_at: Option<i64>,
}

const POINT_SELECT: &str = "SELECT d.id, d.village_id, v.slug AS village_slug, d.name_zh,
        d.name_en, d.address_zh, d.address_en, d.pickup_from, d.pickup_to, d.closed_at
     FROM distribution_point d JOIN village v ON v.id = d.village_id";

impl PointRow {
    fn into_point(self) -> OrganisePoint {
        OrganisePoint {
            id: self.id,
            village_slug: self.village_slug,
            name: LocalText::new(self.name_zh, self.name_en),
            address: LocalText::new(self.address_zh, self.address_en),
            pickup_from: self.pickup_from,
            pickup_to: self.pickup_to,
            closed: self.closed_at.is_some(),
        }
    }
}

/// The point if it is in one of the organiser's villages: 404 / 403.
async fn load_point(
    conn: &mut SqliteConnection,
    o: &CurrentOrganiser,
    id: i64,
) -> Result<(i64, OrganisePoint)> {
    let row: PointRow = sqlx::query_as(&format!("{POINT_SELECT} WHERE d.id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| {
            Error::not_found(
                format!("没有这个取货点：{id}"),
                format!("no distribution point with id {id}"),
            )
        })?;
    let village_id = row.village_id;
    o.check_village(conn, village_id).await?;
    Ok((village_id, row.into_point()))
}

#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/points",
    tag = "organise",
    summary = "The village's distribution points",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 200, description = "OK", body = Vec<OrganisePoint>)
    ),
    security(("organiser" = []))
)]
async fn points(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
) -> Result<Json<Vec<OrganisePoint>>> {
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    let rows: Vec<PointRow> = sqlx::query_as(&format!(
        "{POINT_SELECT} WHERE d.village_id = ? ORDER BY d.closed_at IS NOT NULL, d.id"
    ))
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Json(rows.into_iter().map(PointRow::into_point).collect()))
}

#[utoipa::path(
    get,
    path = "/organise/points/{id}",
    tag = "organise",
    summary = "A distribution point",
    params(
        ("id" = i64, Path, description = "The distribution point's id")
    ),
    responses(
        (status = 200, description = "OK", body = OrganisePoint)
    ),
    security(("organiser" = []))
)]
async fn one_point(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
) -> Result<Json<OrganisePoint>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(load_point(&mut conn, &o, id).await?.1))
}

/// `POST /api/organise/villages/{slug}/points`.
#[utoipa::path(
    post,
    path = "/organise/villages/{slug}/points",
    tag = "organise",
    summary = "Add a distribution point",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    request_body = PointInput,
    responses(
        (status = 201, description = "Created", body = OrganisePoint)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn create_point(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    JsonBody(input): JsonBody<PointInput>,
) -> Result<(StatusCode, Json<OrganisePoint>)> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let input = input.normalized();
    let mut tx = state.write().await?;
    let v = o.village(tx.conn(), &slug).await?;
    let p = validated(input.validate(), input.clone())?;
    let id = sqlx::query(
        "INSERT INTO distribution_point (village_id, name_zh, name_en, address_zh, address_en,
                                         pickup_from, pickup_to, closed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(v.id)
    .bind(&p.name.zh)
    .bind(&p.name.en)
    .bind(&p.address.zh)
    .bind(&p.address.en)
    .bind(&p.pickup_from)
    .bind(&p.pickup_to)
    .bind(p.closed.then_some(now))
    .execute(tx.conn())
    .await?
    .last_insert_rowid();
    let (_, point) = load_point(tx.conn(), &o, id).await?;
    ChangeLog::new(&o, v.id, now)
        .created(tx.conn(), ("point", id), &point)
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(point)))
}

/// `PUT /api/organise/points/{id}`: the whole point; `closed: true` closes it.
#[utoipa::path(
    put,
    path = "/organise/points/{id}",
    tag = "organise",
    params(
        ("id" = i64, Path, description = "The distribution point's id")
    ),
    request_body = PointInput,
    responses(
        (status = 200, description = "OK", body = OrganisePoint)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn edit_point(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    JsonBody(input): JsonBody<PointInput>,
) -> Result<Json<OrganisePoint>> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let today = format_date(domain::shanghai_date(OffsetDateTime::now_utc()));
    let input = input.normalized();
    let mut tx = state.write().await?;
    let (village_id, before) = load_point(tx.conn(), &o, id).await?;
    let p = validated(input.validate(), input.clone())?;
    if p.closed && !before.closed {
        // A round lists its points, or (with none listed) is served by all.
        let using: Option<(i64, String)> = sqlx::query_as(
            "SELECT r.id, r.distribution_day FROM distribution_round r
             WHERE r.village_id = ?1 AND r.distribution_day >= ?2
               AND (EXISTS (SELECT 1 FROM round_point rp WHERE rp.round_id = r.id AND rp.point_id = ?3)
                    OR NOT EXISTS (SELECT 1 FROM round_point rp WHERE rp.round_id = r.id))
             ORDER BY r.distribution_day LIMIT 1",
        )
        .bind(village_id)
        .bind(&today)
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
        if let Some((round_id, day)) = using {
            return Err(Error::Conflict {
                error: LocalText::new(
                    format!("{day} 配送的那一轮（第 {round_id} 轮）还要用这个取货点，配送完才能关闭"),
                    format!(
                        "the round distributed on {day} (round {round_id}) still uses this point; it can close once that round is distributed"
                    ),
                ),
                fields: vec![FieldError::new(
                    "closed",
                    format!("{day} 那一轮还在用"),
                    format!("the round of {day} still uses it"),
                )],
            });
        }
    }
    sqlx::query(
        "UPDATE distribution_point SET name_zh = ?, name_en = ?, address_zh = ?, address_en = ?,
                pickup_from = ?, pickup_to = ?,
                closed_at = CASE WHEN ? THEN COALESCE(closed_at, ?) END
         WHERE id = ?",
    )
    .bind(&p.name.zh)
    .bind(&p.name.en)
    .bind(&p.address.zh)
    .bind(&p.address.en)
    .bind(&p.pickup_from)
    .bind(&p.pickup_to)
    .bind(p.closed)
    .bind(now)
    .bind(id)
    .execute(tx.conn())
    .await?;
    let (_, after) = load_point(tx.conn(), &o, id).await?;
    if after != before {
        ChangeLog::new(&o, village_id, now)
            .updated(tx.conn(), ("point", id), &before, &after)
            .await?;
    }
    tx.commit().await?;
    Ok(Json(after))
}
