//! The organising share's ledger: what the village's share of each sale
//! paid for, and what is left.
//!
//! - `GET  /api/organise/villages/{slug}/share-spending?year=YYYY` →
//!   `ShareLedger` (this year in Asia/Shanghai when left out)
//! - `POST /api/organise/villages/{slug}/share-spending` (`SpendingInput`)
//!   → 201 `SpendingEntry`
//! - `PUT  /api/organise/share-spending/{id}` (`SpendingInput`) → 200
//!   `SpendingEntry`; `DELETE` → 204
//!
//! What the share collected is the organising share of settled rounds
//! (see `settlement`), so it follows pickups and refunds by itself. A
//! removed entry is kept, marked removed, and counts nowhere. The public
//! yearly summary (`shop::share_spending`) is [`figures`].

use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    Json,
};
use domain::{
    income::{
        category_totals, ShareCategory, ShareFigures, ShareLedger, SpendingEntry, SpendingInput,
    },
    organise::OrganiserRef,
    wire::{format_date, parse_date},
    LocalText,
};
use sqlx::{FromRow, SqliteConnection};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    http::{
        error::{Error, Result},
        json::JsonBody,
        params::{Id, Slug},
    },
    organise::{
        change_log::{to_value, ChangeLog},
        session::CurrentOrganiser,
        settlement::{round_years, settled_rounds, year_param},
    },
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ledger, create))
        .routes(routes!(update, remove))
}

#[derive(FromRow)]
struct EntryRow {
    id: i64,
    spent_on: String,
    category: String,
    amount_fen: i64,
    note_zh: String,
    note_en: String,
    organiser_id: i64,
    organiser_zh: String,
    organiser_en: String,
}

const ENTRY_COLUMNS: &str = "s.id, s.spent_on, s.category, s.amount_fen, s.note_zh, s.note_en,
     s.organiser_id, g.name_zh AS organiser_zh, g.name_en AS organiser_en";

impl EntryRow {
    fn into_entry(self) -> Result<SpendingEntry> {
        Ok(SpendingEntry {
            id: self.id,
            spent_on: parse_date(&self.spent_on).ok_or_else(|| {
                Error::internal(format_args!("entry {}: day '{}'", self.id, self.spent_on))
            })?,
            category: ShareCategory::parse(&self.category).ok_or_else(|| {
                Error::internal(format_args!("entry {}: '{}'", self.id, self.category))
            })?,
            amount_fen: self.amount_fen,
            note: LocalText::new(self.note_zh, self.note_en),
            by: OrganiserRef {
                id: self.organiser_id,
                name: LocalText::new(self.organiser_zh, self.organiser_en),
            },
        })
    }
}

/// The village's live entries; of one year only when `year` is given.
async fn entries(
    conn: &mut SqliteConnection,
    village_id: i64,
    year: Option<i32>,
) -> Result<Vec<SpendingEntry>> {
    let rows: Vec<EntryRow> = sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM share_spending s JOIN organiser g ON g.id = s.organiser_id
         WHERE s.village_id = ?1 AND s.removed_at IS NULL
           AND (?2 IS NULL OR substr(s.spent_on, 1, 4) = ?2)
         ORDER BY s.spent_on DESC, s.id DESC"
    ))
    .bind(village_id)
    .bind(year.map(|y| format!("{y:04}")))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(EntryRow::into_entry).collect()
}

/// The year's figures of the village's organising share, and the balance
/// since the village began.
pub(crate) async fn figures(
    conn: &mut SqliteConnection,
    village_id: i64,
    year: i32,
) -> Result<(ShareFigures, i64)> {
    let (percent,): (i64,) = sqlx::query_as("SELECT organising_percent FROM village WHERE id = ?")
        .bind(village_id)
        .fetch_one(&mut *conn)
        .await?;
    let rounds = settled_rounds(conn, village_id, None).await?;
    let collected_all: i64 = rounds.iter().map(|r| r.settlement.organising_fen).sum();
    let collected_fen: i64 = rounds
        .iter()
        .filter(|r| r.day.year() == year)
        .map(|r| r.settlement.organising_fen)
        .sum();
    let all = entries(conn, village_id, None).await?;
    let spent_all: i64 = all.iter().map(|e| e.amount_fen).sum();
    let of_year: Vec<&SpendingEntry> = all.iter().filter(|e| e.spent_on.year() == year).collect();
    let spent_fen = of_year.iter().map(|e| e.amount_fen).sum();
    let mut years = round_years(conn, village_id).await?;
    years.extend(all.iter().map(|e| e.spent_on.year()));
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    Ok((
        ShareFigures {
            organising_percent: u8::try_from(percent).unwrap_or(0),
            collected_fen,
            spent_fen,
            balance_fen: collected_fen - spent_fen,
            by_category: category_totals(of_year.iter().map(|e| (e.category, e.amount_fen))),
            years,
        },
        collected_all - spent_all,
    ))
}

/// `GET /api/organise/villages/{slug}/share-spending?year=YYYY`.
#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/share-spending",
    tag = "organise",
    summary = "The organising share's ledger for a year",
    params(
        ("slug" = String, Path, description = "The village's slug"),
        ("year" = Option<i32>, Query, description = "The year; this year in Asia/Shanghai when left out")
    ),
    responses((status = 200, description = "OK", body = ShareLedger)),
    security(("organiser" = []))
)]
async fn ledger(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    RawQuery(query): RawQuery,
) -> Result<Json<ShareLedger>> {
    let year = year_param(&query)?;
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    let (summary, balance_all_time_fen) = figures(&mut conn, v.id, year).await?;
    Ok(Json(ShareLedger {
        year,
        summary,
        entries: entries(&mut conn, v.id, Some(year)).await?,
        balance_all_time_fen,
    }))
}

async fn entry(conn: &mut SqliteConnection, id: i64) -> Result<Option<(i64, SpendingEntry)>> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT village_id FROM share_spending WHERE id = ? AND removed_at IS NULL")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((village_id,)) = row else {
        return Ok(None);
    };
    let row: EntryRow = sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM share_spending s JOIN organiser g ON g.id = s.organiser_id
         WHERE s.id = ?"
    ))
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some((village_id, row.into_entry()?)))
}

fn no_entry(id: i64) -> Error {
    Error::not_found(
        format!("没有编号为 {id} 的支出记录"),
        format!("no spending entry {id}"),
    )
}

fn checked(input: SpendingInput, now: OffsetDateTime) -> Result<SpendingInput> {
    input
        .validate(domain::shanghai_date(now))
        .map_err(Error::Validation)
}

/// `POST /api/organise/villages/{slug}/share-spending`.
#[utoipa::path(
    post,
    path = "/organise/villages/{slug}/share-spending",
    tag = "organise",
    summary = "Record what the organising share paid for",
    params(("slug" = String, Path, description = "The village's slug")),
    request_body = SpendingInput,
    responses((status = 201, description = "Created", body = SpendingEntry)),
    security(("organiser" = [], "csrf" = []))
)]
async fn create(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    JsonBody(input): JsonBody<SpendingInput>,
) -> Result<(StatusCode, Json<SpendingEntry>)> {
    let now = OffsetDateTime::now_utc();
    let mut tx = state.write().await?;
    let v = o.village(tx.conn(), &slug).await?;
    let input = checked(input, now)?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO share_spending
             (village_id, spent_on, category, amount_fen, note_zh, note_en, organiser_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(v.id)
    .bind(format_date(input.spent_on))
    .bind(input.category.as_str())
    .bind(input.amount_fen)
    .bind(&input.note_zh)
    .bind(&input.note_en)
    .bind(o.id)
    .bind(now.unix_timestamp())
    .fetch_one(tx.conn())
    .await?;
    ChangeLog::new(&o, v.id, now.unix_timestamp())
        .created(tx.conn(), ("share_spending", id), &input)
        .await?;
    let (_, saved) = entry(tx.conn(), id)
        .await?
        .ok_or_else(|| Error::internal("entry just written is gone"))?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `PUT /api/organise/share-spending/{id}`.
#[utoipa::path(
    put,
    path = "/organise/share-spending/{id}",
    tag = "organise",
    summary = "Change a ledger entry",
    params(("id" = i64, Path, description = "The entry's id")),
    request_body = SpendingInput,
    responses((status = 200, description = "OK", body = SpendingEntry)),
    security(("organiser" = [], "csrf" = []))
)]
async fn update(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    JsonBody(input): JsonBody<SpendingInput>,
) -> Result<Json<SpendingEntry>> {
    let now = OffsetDateTime::now_utc();
    let mut tx = state.write().await?;
    let (village_id, before) = entry(tx.conn(), id).await?.ok_or_else(|| no_entry(id))?;
    let v = o.check_village(tx.conn(), village_id).await?;
    let input = checked(input, now)?;
    sqlx::query(
        "UPDATE share_spending SET spent_on = ?, category = ?, amount_fen = ?, note_zh = ?,
                note_en = ?, organiser_id = ?
         WHERE id = ?",
    )
    .bind(format_date(input.spent_on))
    .bind(input.category.as_str())
    .bind(input.amount_fen)
    .bind(&input.note_zh)
    .bind(&input.note_en)
    .bind(o.id)
    .bind(id)
    .execute(tx.conn())
    .await?;
    ChangeLog::new(&o, v.id, now.unix_timestamp())
        .updated(tx.conn(), ("share_spending", id), &before, &input)
        .await?;
    let (_, saved) = entry(tx.conn(), id)
        .await?
        .ok_or_else(|| Error::internal("entry just written is gone"))?;
    tx.commit().await?;
    Ok(Json(saved))
}

/// `DELETE /api/organise/share-spending/{id}`.
#[utoipa::path(
    delete,
    path = "/organise/share-spending/{id}",
    tag = "organise",
    summary = "Remove a ledger entry (kept, counted nowhere)",
    params(("id" = i64, Path, description = "The entry's id")),
    responses((status = 204, description = "Removed")),
    security(("organiser" = [], "csrf" = []))
)]
async fn remove(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
) -> Result<StatusCode> {
    let now = OffsetDateTime::now_utc();
    let mut tx = state.write().await?;
    let (village_id, before) = entry(tx.conn(), id).await?.ok_or_else(|| no_entry(id))?;
    let v = o.check_village(tx.conn(), village_id).await?;
    sqlx::query("UPDATE share_spending SET removed_at = ? WHERE id = ?")
        .bind(now.unix_timestamp())
        .bind(id)
        .execute(tx.conn())
        .await?;
    ChangeLog::new(&o, v.id, now.unix_timestamp())
        .record(
            tx.conn(),
            ("share_spending", id),
            "delete",
            Some(to_value(&before)?),
            None,
        )
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
