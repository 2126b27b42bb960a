//! Organiser access: accounts, their own session cookie, the
//! login rate limit, CSRF, village membership and the change log.
//!
//! - `POST   /api/organise/session`  log in → 200 `OrganiserMe` + cookie
//! - `DELETE /api/organise/session`  log out → 204, cookie cleared
//! - `GET    /api/organise/me`       the logged-in organiser
//! - `GET    /api/organise/villages/{slug}/log?before=ID&limit=N`  change log
//!
//! Every organiser endpoint takes [`CurrentOrganiser`]: 401 without a live
//! organiser session, 403 for a write without the CSRF header
//! (`X-Requested-With: storefront`), and [`CurrentOrganiser::village`] /
//! [`CurrentOrganiser::check_village`] answer 403 for a village that is
//! not the organiser's.

use axum::{
    extract::{FromRequestParts, RawQuery, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode},
    response::IntoResponse,
    routing::{get, post},
    Json, Router,
};
use domain::{
    organise::{
        login_name, ChangeLogEntry, ChangeLogPage, OrganiserLogin, OrganiserMe, OrganiserRef,
        OrganiserVillage, CSRF_HEADER, CSRF_VALUE,
    },
    LocalText,
};
use serde_json::Value;
use sqlx::SqliteConnection;
use time::{OffsetDateTime, UtcOffset};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{
    auth,
    error::{Error, Result},
    json::JsonBody,
    login_limit,
    params::Slug,
    AppState,
};

pub const PLEASE_LOG_IN: &str = "please log in as an organiser";
pub const PLEASE_LOG_IN_ZH: &str = "请以组织者身份登录";
pub const WRONG_LOGIN: &str = "login name or password is wrong";
pub const WRONG_LOGIN_ZH: &str = "登录名或密码不对";
pub const CSRF_MISSING: &str =
    "this change was refused: it lacks the header X-Requested-With: storefront that the organiser pages send (protection against cross-site requests); reload the page and try again";
pub const CSRF_MISSING_ZH: &str =
    "这次修改被拒绝了：缺少组织者页面会带上的请求头 X-Requested-With: storefront（用来防止跨站请求）；请刷新页面再试";

/// The organiser routes, all under `/organise`; each resource module adds
/// its own.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organise/session", post(login).delete(logout))
        .route("/organise/me", get(me))
        .route("/organise/villages/{slug}/log", get(log))
}

/// Wraps every organiser route: answers are never cached.
pub fn no_store<S: Clone + Send + Sync + 'static>(r: Router<S>) -> Router<S> {
    r.layer(SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ))
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// 403 unless the request carries the CSRF header.
pub fn check_csrf(headers: &HeaderMap) -> Result<()> {
    let ok = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(CSRF_VALUE));
    if ok {
        Ok(())
    } else {
        Err(Error::forbidden(CSRF_MISSING_ZH, CSRF_MISSING))
    }
}

/// The organiser of the request's live session.
#[derive(Clone, Copy, Debug)]
pub struct CurrentOrganiser {
    pub id: i64,
}

/// A village as organiser endpoints need it.
#[derive(Clone, Debug)]
pub struct VillageRef {
    pub id: i64,
    pub slug: String,
}

impl FromRequestParts<AppState> for CurrentOrganiser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let unauthorized = || Error::unauthorized(PLEASE_LOG_IN_ZH, PLEASE_LOG_IN);
        let token = auth::token_named(&parts.headers, auth::ORGANISER_COOKIE_NAME)
            .ok_or_else(unauthorized)?;
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT organiser_id FROM organiser_session WHERE token_hash = ? AND expires_at > ?",
        )
        .bind(auth::token_hash(&token))
        .bind(now())
        .fetch_optional(&state.db)
        .await?;
        let (id,) = row.ok_or_else(unauthorized)?;
        // The cookie is sent by the browser whoever made the request, so
        // every write must also prove it comes from our own pages.
        if is_write(&parts.method) {
            check_csrf(&parts.headers)?;
        }
        Ok(Self { id })
    }
}

fn not_yours(slug: &str) -> Error {
    Error::forbidden(
        format!("您不是这个村的组织者（{slug}）"),
        format!("you do not organise village '{slug}'"),
    )
}

impl CurrentOrganiser {
    /// The village `slug` if this organiser organises it: 404 when there
    /// is no such village, 403 when it is someone else's.
    pub async fn village(&self, conn: &mut SqliteConnection, slug: &str) -> Result<VillageRef> {
        let row: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT v.id, v.slug,
                    EXISTS (SELECT 1 FROM organiser_village ov
                            WHERE ov.village_id = v.id AND ov.organiser_id = ?)
             FROM village v WHERE v.slug = ?",
        )
        .bind(self.id)
        .bind(slug)
        .fetch_optional(conn)
        .await?;
        match row {
            None => Err(Error::not_found(
                format!("没有这个村子：{slug}"),
                format!("no village with slug '{slug}'"),
            )),
            Some((_, _, 0)) => Err(not_yours(slug)),
            Some((id, slug, _)) => Ok(VillageRef { id, slug }),
        }
    }

    /// 403 unless this organiser organises the village with id `village_id`
    /// (found through the entity an endpoint was asked about).
    pub async fn check_village(
        &self,
        conn: &mut SqliteConnection,
        village_id: i64,
    ) -> Result<VillageRef> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT v.slug,
                    EXISTS (SELECT 1 FROM organiser_village ov
                            WHERE ov.village_id = v.id AND ov.organiser_id = ?)
             FROM village v WHERE v.id = ?",
        )
        .bind(self.id)
        .bind(village_id)
        .fetch_optional(conn)
        .await?;
        match row {
            Some((slug, 1)) => Ok(VillageRef {
                id: village_id,
                slug,
            }),
            Some((slug, _)) => Err(not_yours(&slug)),
            None => Err(Error::internal(format_args!(
                "village {village_id} is gone"
            ))),
        }
    }
}

/// `POST /api/organise/session`.
async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    JsonBody(req): JsonBody<OrganiserLogin>,
) -> Result<impl IntoResponse> {
    check_csrf(&headers)?;
    let address = login_limit::client_address(&extensions, &headers, &state.config.trusted_proxies);
    // A malformed name cannot be anyone's, but it still counts against the
    // name typed and the address.
    let account: String = login_name("login", &req.login)
        .unwrap_or_else(|_| req.login.trim().to_lowercase())
        .chars()
        .take(64)
        .collect();
    let now = now();

    let attempt_id = login_limit::begin(&state, &account, &address, now).await?;

    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM organiser WHERE login = ?")
            .bind(&account)
            .fetch_optional(&state.db)
            .await?;
    let (organiser_id, stored) = match row {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let ok = auth::verify_password(req.password, stored).await?;
    let Some(organiser_id) = organiser_id.filter(|_| ok) else {
        return Err(Error::unauthorized(WRONG_LOGIN_ZH, WRONG_LOGIN));
    };

    let (token, token_hash) = auth::new_token();
    let mut tx = state.write().await?;
    login_limit::forgive(tx.conn(), attempt_id, &account).await?;
    sqlx::query("DELETE FROM organiser_session WHERE organiser_id = ? AND expires_at <= ?")
        .bind(organiser_id)
        .bind(now)
        .execute(tx.conn())
        .await?;
    sqlx::query(
        "INSERT INTO organiser_session (token_hash, organiser_id, created_at, expires_at)
         VALUES (?, ?, ?, ?)",
    )
    .bind(&token_hash)
    .bind(organiser_id)
    .bind(now)
    .bind(now + auth::ORGANISER_SESSION_SECONDS)
    .execute(tx.conn())
    .await?;
    let me = load_me(tx.conn(), organiser_id).await?;
    tx.commit().await?;
    Ok((
        [(
            header::SET_COOKIE,
            auth::organiser_cookie(&token, state.config.secure_cookie),
        )],
        Json(me),
    ))
}

/// `DELETE /api/organise/session`: always 204 and a cleared cookie (with
/// the CSRF header, so another site cannot log an organiser out).
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<impl IntoResponse> {
    check_csrf(&headers)?;
    if let Some(token) = auth::token_named(&headers, auth::ORGANISER_COOKIE_NAME) {
        let mut tx = state.write().await?;
        sqlx::query("DELETE FROM organiser_session WHERE token_hash = ?")
            .bind(auth::token_hash(&token))
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            auth::clear_organiser_cookie(state.config.secure_cookie),
        )],
    ))
}

async fn me(State(state): State<AppState>, o: CurrentOrganiser) -> Result<Json<OrganiserMe>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(load_me(&mut conn, o.id).await?))
}

async fn load_me(conn: &mut SqliteConnection, id: i64) -> Result<OrganiserMe> {
    let (login, name_zh, name_en, demo): (String, String, String, i64) =
        sqlx::query_as("SELECT login, name_zh, name_en, demo FROM organiser WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| Error::unauthorized(PLEASE_LOG_IN_ZH, PLEASE_LOG_IN))?;
    let villages: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT v.slug, v.name_zh, v.name_en FROM organiser_village ov
         JOIN village v ON v.id = ov.village_id WHERE ov.organiser_id = ? ORDER BY v.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(OrganiserMe {
        id,
        login,
        name: LocalText::new(name_zh, name_en),
        demo: demo != 0,
        villages: villages
            .into_iter()
            .map(|(slug, zh, en)| OrganiserVillage {
                slug,
                name: LocalText::new(zh, en),
            })
            .collect(),
        csrf_header: "X-Requested-With".to_owned(),
        csrf_value: CSRF_VALUE.to_owned(),
    })
}

// ---- the change log ----

/// One organiser write to record, in the transaction of the write.
pub struct Change<'a> {
    pub organiser_id: i64,
    pub village_id: i64,
    pub entity: &'a str,
    pub entity_id: String,
    pub action: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Records `c` at `at` (Unix seconds).
pub async fn record(conn: &mut SqliteConnection, c: Change<'_>, at: i64) -> Result<()> {
    let json = |v: &Option<Value>| v.as_ref().map(Value::to_string);
    sqlx::query(
        "INSERT INTO change_log (organiser_id, village_id, entity, entity_id, action, at, before, after)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(c.organiser_id)
    .bind(c.village_id)
    .bind(c.entity)
    .bind(&c.entity_id)
    .bind(c.action)
    .bind(at)
    .bind(json(&c.before))
    .bind(json(&c.after))
    .execute(conn)
    .await?;
    Ok(())
}

/// Any serializable value as JSON for the log.
pub fn to_value<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(Error::internal)
}

/// The value of `name` in a query string (plain ASCII values only).
pub fn query_param<'a>(query: &'a Option<String>, name: &str) -> Option<&'a str> {
    query
        .as_deref()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
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
async fn log(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    RawQuery(query): RawQuery,
) -> Result<Json<ChangeLogPage>> {
    let before = match query_param(&query, "before") {
        Some(raw) => Some(crate::params::Id::parse("before", raw)?.0),
        None => None,
    };
    let limit = match query_param(&query, "limit") {
        Some(raw) => {
            let n = crate::params::Id::parse("limit", raw)?.0;
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
