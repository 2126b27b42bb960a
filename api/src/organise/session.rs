//! Organiser access: logging in and out with their own session cookie
//! (and the shared login rate limit), the CSRF guard, and which villages
//! an organiser may touch.
//!
//! - `POST   /api/organise/session`  log in → 200 `OrganiserMe` + cookie
//! - `DELETE /api/organise/session`  log out → 204, cookie cleared
//! - `GET    /api/organise/me`       the logged-in organiser
//!
//! While an organiser must change a one-time password, every endpoint
//! taking [`CurrentOrganiser`] answers 403 (`me`, logout and the password
//! change take [`OrganiserSession`]).
//!
//! Every organiser endpoint takes [`CurrentOrganiser`]: 401 without a live
//! organiser session, 403 for a write without the CSRF header
//! (`X-Requested-With: storefront`), and [`CurrentOrganiser::village`] /
//! [`CurrentOrganiser::check_village`] answer 403 for a village that is
//! not the organiser's.

use axum::{
    extract::{FromRequestParts, State},
    http::{request::Parts, HeaderMap, Method, StatusCode},
    response::IntoResponse,
    Json,
};
use domain::{
    organise::{
        login_name, OrganiserLogin, OrganiserMe, OrganiserVillage, CSRF_HEADER, CSRF_VALUE,
    },
    LocalText,
};
use sqlx::SqliteConnection;
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    http::{
        auth::{self, ORGANISER},
        error::{Error, Result},
        json::JsonBody,
        login_limit,
    },
    shop::villages::no_village,
    AppState,
};

pub const PLEASE_LOG_IN: &str = "please log in as an organiser";
pub const PLEASE_LOG_IN_ZH: &str = "请以组织者身份登录";
pub const WRONG_LOGIN: &str = "login name or password is wrong";
pub const WRONG_LOGIN_ZH: &str = "登录名或密码不对";
pub const CHANGE_PASSWORD: &str =
    "please change the one-time password you were given before anything else";
pub const CHANGE_PASSWORD_ZH: &str = "请先修改发给您的一次性密码，再做其他事";
pub const CSRF_MISSING: &str =
    "this change was refused: it lacks the header X-Requested-With: storefront that the organiser pages send (protection against cross-site requests); reload the page and try again";
pub const CSRF_MISSING_ZH: &str =
    "这次修改被拒绝了：缺少组织者页面会带上的请求头 X-Requested-With: storefront（用来防止跨站请求）；请刷新页面再试";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login, logout))
        .routes(routes!(me))
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

/// The organiser of the request's live session, even one who must still
/// change a one-time password: only for `me` and the password change.
#[derive(Clone, Copy, Debug)]
pub struct OrganiserSession {
    pub id: i64,
}

impl FromRequestParts<AppState> for OrganiserSession {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let unauthorized = || Error::unauthorized(PLEASE_LOG_IN_ZH, PLEASE_LOG_IN);
        let token = ORGANISER.token(&parts.headers).ok_or_else(unauthorized)?;
        let id = ORGANISER
            .owner(&state.db, &token, now())
            .await?
            .ok_or_else(unauthorized)?;
        // The cookie is sent by the browser whoever made the request, so
        // every write must also prove it comes from our own pages.
        if is_write(&parts.method) {
            check_csrf(&parts.headers)?;
        }
        Ok(Self { id })
    }
}

impl FromRequestParts<AppState> for CurrentOrganiser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let OrganiserSession { id } = OrganiserSession::from_request_parts(parts, state).await?;
        let (must_change,): (i64,) =
            sqlx::query_as("SELECT must_change_password FROM organiser WHERE id = ?")
                .bind(id)
                .fetch_one(&state.db)
                .await?;
        if must_change != 0 {
            return Err(Error::forbidden(CHANGE_PASSWORD_ZH, CHANGE_PASSWORD));
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
        match self.lookup(conn, Some(slug), None).await? {
            None => Err(no_village(slug)),
            Some((v, false)) => Err(not_yours(&v.slug)),
            Some((v, true)) => Ok(v),
        }
    }

    /// 403 unless this organiser organises the village with id `village_id`
    /// (found through the entity an endpoint was asked about).
    pub async fn check_village(
        &self,
        conn: &mut SqliteConnection,
        village_id: i64,
    ) -> Result<VillageRef> {
        match self.lookup(conn, None, Some(village_id)).await? {
            None => Err(Error::internal(format_args!(
                "village {village_id} is gone"
            ))),
            Some((v, false)) => Err(not_yours(&v.slug)),
            Some((v, true)) => Ok(v),
        }
    }

    /// The village with this slug or id, and whether this organiser
    /// organises it.
    async fn lookup(
        &self,
        conn: &mut SqliteConnection,
        slug: Option<&str>,
        id: Option<i64>,
    ) -> Result<Option<(VillageRef, bool)>> {
        let row: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT v.id, v.slug,
                    EXISTS (SELECT 1 FROM organiser_village ov
                            WHERE ov.village_id = v.id AND ov.organiser_id = ?1)
             FROM village v WHERE v.slug = ?2 OR v.id = ?3",
        )
        .bind(self.id)
        .bind(slug)
        .bind(id)
        .fetch_optional(conn)
        .await?;
        Ok(row.map(|(id, slug, mine)| (VillageRef { id, slug }, mine != 0)))
    }
}

/// `POST /api/organise/session`.
#[utoipa::path(
    post,
    path = "/organise/session",
    tag = "organise",
    summary = "Log in as an organiser",
    request_body = OrganiserLogin,
    responses(
        (status = 200, description = "Logged in", body = OrganiserMe, headers(("set-cookie" = String, description = "The session cookie"))),
        (status = 429, description = "Too many failed logins", body = domain::organise::RateLimitedError)
    ),
    security(("csrf" = []))
)]
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

    let attempt = login_limit::begin(&state, &account, &address, now).await?;

    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM organiser WHERE login = ?")
            .bind(&account)
            .fetch_optional(&state.db)
            .await?;
    let Some(organiser_id) = auth::password_owner(req.password, row).await? else {
        return Err(Error::unauthorized(WRONG_LOGIN_ZH, WRONG_LOGIN));
    };

    let mut tx = state.write().await?;
    let token = attempt
        .succeeded(tx.conn(), &ORGANISER, organiser_id, now)
        .await?;
    let me = load_me(tx.conn(), organiser_id).await?;
    tx.commit().await?;
    let cookie = ORGANISER.set_cookie(&token);
    Ok((cookie, Json(me)))
}

/// `DELETE /api/organise/session`: always 204 and a cleared cookie (with
/// the CSRF header, so another site cannot log an organiser out).
#[utoipa::path(
    delete,
    path = "/organise/session",
    tag = "organise",
    responses(
        (status = 204, description = "Logged out; the cookie is cleared", headers(("set-cookie" = String, description = "Clears the session cookie")))
    ),
    security(("csrf" = []))
)]
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<impl IntoResponse> {
    check_csrf(&headers)?;
    ORGANISER.end(&state, &headers).await?;
    let cookie = ORGANISER.unset_cookie();
    Ok((StatusCode::NO_CONTENT, cookie))
}

#[utoipa::path(
    get,
    path = "/organise/me",
    tag = "organise",
    summary = "The logged-in organiser and their villages",
    responses(
        (status = 200, description = "OK", body = OrganiserMe)
    ),
    security(("organiser" = []))
)]
async fn me(State(state): State<AppState>, o: OrganiserSession) -> Result<Json<OrganiserMe>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(load_me(&mut conn, o.id).await?))
}

pub async fn load_me(conn: &mut SqliteConnection, id: i64) -> Result<OrganiserMe> {
    let (login, name_zh, name_en, demo, must_change): (String, String, String, i64, i64) =
        sqlx::query_as(
            "SELECT login, name_zh, name_en, demo, must_change_password FROM organiser WHERE id = ?",
        )
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
        must_change_password: must_change != 0,
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
