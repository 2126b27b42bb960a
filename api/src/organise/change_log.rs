//! The change log: every organiser write records what it changed, in its
//! own transaction, and organisers read their village's log page by page.
//!
//! - `GET /api/organise/villages/{slug}/log?before=ID&limit=N`

use axum::{
    extract::{RawQuery, State},
    Json,
};
use domain::{
    organise::{ChangeLogEntry, ChangeLogPage, OrganiserRef},
    LocalText,
};
use serde_json::Value;
use sqlx::SqliteConnection;
use time::{OffsetDateTime, UtcOffset};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    http::{
        error::{Error, Result},
        params::{query_param, Id, Slug},
    },
    organise::session::CurrentOrganiser,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(log))
}

/// Who changed which village when: what the entries of one write share.
#[derive(Clone, Copy, Debug)]
pub struct ChangeLog {
    organiser_id: i64,
    village_id: i64,
    /// Unix seconds.
    at: i64,
}

impl ChangeLog {
    pub fn new(o: &CurrentOrganiser, village_id: i64, at: i64) -> Self {
        Self {
            organiser_id: o.id,
            village_id,
            at,
        }
    }

    /// Records that `entity` `entity_id` was created, as `after`.
    pub async fn created(
        &self,
        conn: &mut SqliteConnection,
        what: (&str, impl std::fmt::Display),
        after: &impl serde::Serialize,
    ) -> Result<()> {
        self.record(conn, what, "create", None, Some(to_value(after)?))
            .await
    }

    /// Records that `entity` `entity_id` was changed from `before` to `after`.
    pub async fn updated(
        &self,
        conn: &mut SqliteConnection,
        what: (&str, impl std::fmt::Display),
        before: &impl serde::Serialize,
        after: &impl serde::Serialize,
    ) -> Result<()> {
        let before = Some(to_value(before)?);
        self.record(conn, what, "update", before, Some(to_value(after)?))
            .await
    }

    /// Records that `action` was done to `entity` `entity_id`, with what it
    /// was before and after (`None`: it did not exist).
    pub async fn record(
        &self,
        conn: &mut SqliteConnection,
        (entity, entity_id): (&str, impl std::fmt::Display),
        action: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> Result<()> {
        let json = |v: &Option<Value>| v.as_ref().map(Value::to_string);
        sqlx::query(
            "INSERT INTO change_log (organiser_id, village_id, entity, entity_id, action, at, before, after)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(self.organiser_id)
        .bind(self.village_id)
        .bind(entity)
        .bind(entity_id.to_string())
        .bind(action)
        .bind(self.at)
        .bind(json(&before))
        .bind(json(&after))
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// Any serializable value as JSON for the log.
pub fn to_value<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(Error::internal)
}

pub const LOG_PAGE_DEFAULT: i64 = 50;
pub const LOG_PAGE_MAX: i64 = 200;

type LogRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
);

/// `GET /api/organise/villages/{slug}/log?before=ID&limit=N`.
#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/log",
    tag = "organise",
    summary = "The change log, newest first, a page at a time",
    params(
        ("slug" = String, Path, description = "The village's slug"),
        ("before" = Option<i64>, Query, description = "Only entries older than this entry id (the next page)"),
        ("limit" = Option<i64>, Query, description = "How many entries, at most")
    ),
    responses(
        (status = 200, description = "OK", body = ChangeLogPage)
    ),
    security(("organiser" = []))
)]
async fn log(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    RawQuery(query): RawQuery,
) -> Result<Json<ChangeLogPage>> {
    let before = match query_param(&query, "before") {
        Some(raw) => Some(Id::parse("before", raw)?.0),
        None => None,
    };
    let limit = match query_param(&query, "limit") {
        Some(raw) => {
            let n = Id::parse("limit", raw)?.0;
            if n > LOG_PAGE_MAX {
                return Err(Error::bad_param(
                    "limit",
                    format!("最多 {LOG_PAGE_MAX}"),
                    format!("must be at most {LOG_PAGE_MAX}"),
                ));
            }
            n
        }
        None => LOG_PAGE_DEFAULT,
    };
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    // One more than asked, to know whether there is an older page.
    let rows: Vec<LogRow> = sqlx::query_as(
        "SELECT c.id, c.organiser_id, o.name_zh, o.name_en, c.entity, c.entity_id, c.action, c.at,
                c.before, c.after
         FROM change_log c JOIN organiser o ON o.id = c.organiser_id
         WHERE c.village_id = ? AND c.id < ?
         ORDER BY c.id DESC LIMIT ?",
    )
    .bind(v.id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit + 1)
    .fetch_all(&mut *conn)
    .await?;
    let more = rows.len() as i64 > limit;
    let parse = |s: Option<String>| -> Result<Option<Value>> {
        s.map(|s| serde_json::from_str(&s).map_err(Error::internal))
            .transpose()
    };
    let entries = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(
            |(id, oid, zh, en, entity, entity_id, action, at, before, after)| {
                Ok(ChangeLogEntry {
                    id,
                    organiser: OrganiserRef {
                        id: oid,
                        name: LocalText::new(zh, en),
                    },
                    village_slug: v.slug.clone(),
                    entity,
                    entity_id,
                    action,
                    at: OffsetDateTime::from_unix_timestamp(at)
                        .map_err(Error::internal)?
                        .to_offset(UtcOffset::UTC),
                    before: parse(before)?,
                    after: parse(after)?,
                })
            },
        )
        .collect::<Result<Vec<_>>>()?;
    let next_before = if more {
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(Json(ChangeLogPage {
        entries,
        next_before,
    }))
}
