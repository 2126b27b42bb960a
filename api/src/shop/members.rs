//! Members of the circle, their sessions and their invitation codes.
//!
//! - `POST   /api/members`           join with an invitation code → 201 `Me` + cookie
//! - `POST   /api/session`           log in → 200 `Me` + cookie
//! - `DELETE /api/session`           log out → 204, cookie cleared
//! - `GET    /api/me`                the logged-in member
//! - `POST   /api/me/invitations`    make an invitation code (at most 5) → 201

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    Json,
};
use domain::{
    dto::{Invitation, LoginRequest, Me, RegisterRequest},
    validate, FieldError, LocalText,
};
use sqlx::{FromRow, SqliteConnection};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    http::{
        auth::{self, MEMBER},
        error::{is_unique_violation, Error, Result},
        json::JsonBody,
        login_limit,
    },
    shop::{
        rounds::moment,
        session::{CurrentMember, PLEASE_LOG_IN, PLEASE_LOG_IN_ZH, SESSION_RENEW_AFTER_SECONDS},
        villages::{PointRow, POINT_COLUMNS},
    },
    AppState,
};

/// How many invitation codes one member may make.
pub const MAX_INVITATIONS: u32 = 5;
pub const WRONG_LOGIN: &str = "phone number or password is wrong";
pub const WRONG_LOGIN_ZH: &str = "手机号或密码不对";
pub const CODE_UNUSABLE: &str = "this invitation code is unknown or already used";
pub const CODE_UNUSABLE_ZH: &str = "这个邀请码不存在或已经用过了";
pub const CODE_EXPIRED: &str =
    "this invitation code has expired; ask whoever gave it to you for a new one";
pub const CODE_EXPIRED_ZH: &str = "这个邀请码已过期，请向给您邀请码的人要一个新的";
pub const CODE_REVOKED: &str = "this invitation code was withdrawn by the village's organisers";
pub const CODE_REVOKED_ZH: &str = "这个邀请码已被村里的组织者收回";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login, logout))
        .routes(routes!(me))
        .routes(routes!(invite))
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[utoipa::path(
    post,
    path = "/members",
    tag = "shop",
    summary = "Join with an invitation code; logs in",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Joined and logged in", body = Me, headers(("set-cookie" = String, description = "The session cookie")))
    )
)]
async fn register(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<RegisterRequest>,
) -> Result<impl IntoResponse> {
    let mut errors: Vec<FieldError> = Vec::new();
    let code = validate::invitation_code("invitation_code", &req.invitation_code)
        .map_err(|e| errors.push(e))
        .ok();
    let _ = validate::name("name", &req.name).map_err(|e| errors.push(e));
    let phone = validate::phone("phone", &req.phone)
        .map_err(|e| errors.push(e))
        .ok();
    let _ = validate::password("password", &req.password).map_err(|e| errors.push(e));
    let point_exists = req.default_point_id > 0
        && sqlx::query_as::<_, (i64,)>(
            "SELECT id FROM distribution_point WHERE id = ? AND closed_at IS NULL",
        )
        .bind(req.default_point_id)
        .fetch_optional(&state.db)
        .await?
        .is_some();
    if !point_exists {
        errors.push(FieldError::new(
            "default_point_id",
            "请选一个本村的取货点",
            "choose one of the village's distribution points",
        ));
    }
    let (Some(code), Some(phone), true) = (code, phone, errors.is_empty()) else {
        return Err(Error::Validation(errors));
    };
    let name = req.name.trim().to_owned();

    // Slow on purpose; done before taking the write lock.
    let password_hash = auth::hash_password(req.password).await?;
    let now = now();

    let mut tx = state.write().await?;
    let invitation: Option<InvitationRow> = sqlx::query_as(
        "SELECT i.id, i.created_by_member_id, i.village_id, i.expires_on, i.revoked_at,
                d.village_id AS point_village_id
         FROM invitation i, distribution_point d
         WHERE i.code = ? AND i.used_by_member_id IS NULL AND d.id = ?",
    )
    .bind(&code)
    .bind(req.default_point_id)
    .fetch_optional(tx.conn())
    .await?;
    let Some(invitation) = invitation else {
        return Err(Error::field(
            "invitation_code",
            CODE_UNUSABLE_ZH,
            CODE_UNUSABLE,
        ));
    };
    invitation.check(domain::shanghai_date(OffsetDateTime::now_utc()))?;
    let (invitation_id, invited_by) = (invitation.id, invitation.created_by_member_id);
    let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM member WHERE phone = ?")
        .bind(&phone)
        .fetch_optional(tx.conn())
        .await?;
    if taken.is_some() {
        return Err(phone_taken());
    }
    let member_id = sqlx::query(
        "INSERT INTO member (name, phone, password_hash, default_point_id, invited_by_member_id,
                             invitation_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&name)
    .bind(&phone)
    .bind(&password_hash)
    .bind(req.default_point_id)
    .bind(invited_by)
    .bind(invitation_id)
    .bind(now)
    .execute(tx.conn())
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            phone_taken()
        } else {
            e.into()
        }
    })?
    .last_insert_rowid();
    // The write lock makes this certain, but say it in SQL too: the code
    // must still be unused at the moment it is taken.
    let used = sqlx::query(
        "UPDATE invitation SET used_by_member_id = ?, used_at = ?
         WHERE id = ? AND used_by_member_id IS NULL",
    )
    .bind(member_id)
    .bind(now)
    .bind(invitation_id)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if used != 1 {
        return Err(Error::field(
            "invitation_code",
            CODE_UNUSABLE_ZH,
            CODE_UNUSABLE,
        ));
    }
    let token = MEMBER.start(tx.conn(), member_id, now).await?;
    let me = load_me(tx.conn(), member_id).await?;
    tx.commit().await?;
    let cookie = MEMBER.set_cookie(&token);
    Ok((StatusCode::CREATED, cookie, Json(me)))
}

#[derive(Debug, FromRow)]
struct InvitationRow {
    id: i64,
    created_by_member_id: Option<i64>,
    /// An organiser's code is for one village.
    village_id: Option<i64>,
    expires_on: Option<String>,
    revoked_at: Option<i64>,
    point_village_id: i64,
}

impl InvitationRow {
    /// Refuses a revoked or expired code (expired after the end of its
    /// last day in Shanghai), and a point of another village than the code's.
    fn check(&self, today: time::Date) -> Result<()> {
        if self.revoked_at.is_some() {
            return Err(Error::field(
                "invitation_code",
                CODE_REVOKED_ZH,
                CODE_REVOKED,
            ));
        }
        let expired = self
            .expires_on
            .as_deref()
            .and_then(crate::db::parse_date)
            .is_some_and(|last| last < today);
        if expired {
            return Err(Error::field(
                "invitation_code",
                CODE_EXPIRED_ZH,
                CODE_EXPIRED,
            ));
        }
        if self.village_id.is_some_and(|v| v != self.point_village_id) {
            return Err(Error::field(
                "default_point_id",
                "这个邀请码属于另一个村，请选那个村的取货点",
                "this invitation is for another village: choose one of its distribution points",
            ));
        }
        Ok(())
    }
}

fn phone_taken() -> Error {
    Error::Conflict {
        error: LocalText::new(
            "这个手机号已经注册过了",
            "this phone number is already registered",
        ),
        fields: vec![FieldError::new(
            "phone",
            "已经注册过了，请直接登录",
            "already registered; log in instead",
        )],
    }
}

#[utoipa::path(
    post,
    path = "/session",
    tag = "shop",
    summary = "Log in as a member",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = Me, headers(("set-cookie" = String, description = "The session cookie"))),
        (status = 429, description = "Too many failed logins", body = domain::organise::RateLimitedError)
    )
)]
async fn login(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    extensions: axum::http::Extensions,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<impl IntoResponse> {
    let wrong = || Error::unauthorized(WRONG_LOGIN_ZH, WRONG_LOGIN);
    // A malformed number cannot be anyone's: the same answer as a wrong one.
    let phone = validate::phone("phone", &req.phone).ok();
    // Counted apart from organiser logins of the same text.
    let account: String = format!(
        "member:{}",
        phone.clone().unwrap_or_else(|| req.phone.trim().to_owned())
    )
    .chars()
    .take(64)
    .collect();
    let address = login_limit::client_address(&extensions, &headers, &state.config.trusted_proxies);
    let attempt = login_limit::begin(&state, &account, &address, now()).await?;
    let row: Option<(i64, String)> = match &phone {
        Some(phone) => {
            sqlx::query_as("SELECT id, password_hash FROM member WHERE phone = ?")
                .bind(phone)
                .fetch_optional(&state.db)
                .await?
        }
        None => None,
    };
    let member_id = auth::password_owner(req.password, row)
        .await?
        .ok_or_else(wrong)?;
    // Only said to whoever knows the password.
    crate::shop::session::refuse_suspended(&state.db, member_id).await?;
    let now = now();
    let mut tx = state.write().await?;
    let token = attempt
        .succeeded(tx.conn(), &MEMBER, member_id, now)
        .await?;
    let me = load_me(tx.conn(), member_id).await?;
    tx.commit().await?;
    Ok((MEMBER.set_cookie(&token), Json(me)))
}

/// Always 204 and a cleared cookie, logged in or not.
#[utoipa::path(
    delete,
    path = "/session",
    tag = "shop",
    responses(
        (status = 204, description = "Logged out; the cookie is cleared", headers(("set-cookie" = String, description = "Clears the session cookie")))
    )
)]
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<impl IntoResponse> {
    MEMBER.end(&state, &headers).await?;
    let cookie = MEMBER.unset_cookie();
    Ok((StatusCode::NO_CONTENT, cookie))
}

/// `GET /api/me`. The app asks on every start, so a phone in use stays
/// logged in: a session used a day or more after it was last renewed gets
/// its full lifetime again, in the database and in the cookie. One write a
/// day per phone at most; a phone left unused for 30 days is logged out.
#[utoipa::path(
    get,
    path = "/me",
    tag = "shop",
    responses(
        (status = 200, description = "The logged-in member (the session is renewed when it is getting old)", body = Me)
    ),
    security(("member" = []))
)]
async fn me(
    State(state): State<AppState>,
    headers: HeaderMap,
    member: CurrentMember,
) -> Result<axum::response::Response> {
    let mut conn = state.db.acquire().await?;
    let me = load_me(&mut conn, member.id).await?;
    let token = MEMBER
        .token(&headers)
        .ok_or_else(|| Error::internal("session without token"))?;
    let hash = auth::token_hash(&token);
    let now = now();
    let expires_at: Option<(i64,)> =
        sqlx::query_as("SELECT expires_at FROM session WHERE token_hash = ?")
            .bind(&hash)
            .fetch_optional(&mut *conn)
            .await?;
    drop(conn);
    // Gone since the check above (a logout meanwhile), or renewed lately.
    let renew_before = now + MEMBER.seconds - SESSION_RENEW_AFTER_SECONDS;
    if expires_at.is_none_or(|(at,)| at > renew_before) {
        return Ok(Json(me).into_response());
    }
    let mut tx = state.write().await?;
    // Only a live session: one logged out meanwhile stays out.
    sqlx::query("UPDATE session SET expires_at = ? WHERE token_hash = ? AND expires_at > ?")
        .bind(now + MEMBER.seconds)
        .bind(&hash)
        .bind(now)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok((MEMBER.set_cookie(&token), Json(me)).into_response())
}

#[utoipa::path(
    post,
    path = "/me/invitations",
    tag = "shop",
    summary = "A new invitation code for the member to pass on",
    responses(
        (status = 201, description = "Created", body = Invitation)
    ),
    security(("member" = []))
)]
async fn invite(
    State(state): State<AppState>,
    member: CurrentMember,
) -> Result<(StatusCode, Json<Invitation>)> {
    let now = now();
    let mut tx = state.write().await?;
    let (made,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM invitation WHERE created_by_member_id = ?")
            .bind(member.id)
            .fetch_one(tx.conn())
            .await?;
    if made >= i64::from(MAX_INVITATIONS) {
        return Err(Error::conflict(
            format!("您的 {MAX_INVITATIONS} 个邀请名额都用完了"),
            format!("you have used all {MAX_INVITATIONS} of your invitations"),
        ));
    }
    // 32^8 codes: a clash is very unlikely, but retry rather than fail.
    for _ in 0..10 {
        let code = auth::new_invitation_code();
        let inserted = sqlx::query(
            "INSERT INTO invitation (code, created_by_member_id, created_at) VALUES (?, ?, ?)",
        )
        .bind(&code)
        .bind(member.id)
        .bind(now)
        .execute(tx.conn())
        .await;
        match inserted {
            Ok(_) => {
                tx.commit().await?;
                return Ok((
                    StatusCode::CREATED,
                    Json(Invitation {
                        code,
                        created_at: moment(now)?,
                        used_by: None,
                    }),
                ));
            }
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::internal("could not find an unused invitation code"))
}

#[derive(Debug, FromRow)]
struct MeRow {
    member_id: i64,
    member_name: String,
    phone: String,
    village_slug: String,
    invited_by: Option<String>,
    #[sqlx(flatten)]
    point: PointRow,
}

/// The member as `GET /api/me` shows them.
pub(crate) async fn load_me(conn: &mut SqliteConnection, member_id: i64) -> Result<Me> {
    let row: MeRow = sqlx::query_as(&format!(
        "SELECT m.id AS member_id, m.name AS member_name, m.phone, v.slug AS village_slug, i.name AS invited_by, {POINT_COLUMNS}
         FROM member m
         JOIN distribution_point d ON d.id = m.default_point_id
         JOIN village v ON v.id = d.village_id
         LEFT JOIN member i ON i.id = m.invited_by_member_id
         WHERE m.id = ?"
    ))
    .bind(member_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::unauthorized(PLEASE_LOG_IN_ZH, PLEASE_LOG_IN))?;
    let invitations: Vec<(String, i64, Option<String>)> = sqlx::query_as(
        "SELECT i.code, i.created_at, u.name
         FROM invitation i LEFT JOIN member u ON u.id = i.used_by_member_id
         WHERE i.created_by_member_id = ? ORDER BY i.id",
    )
    .bind(member_id)
    .fetch_all(&mut *conn)
    .await?;
    let made = u32::try_from(invitations.len()).unwrap_or(u32::MAX);
    Ok(Me {
        id: row.member_id,
        name: row.member_name,
        phone: row.phone,
        default_point: row.point.into_point(),
        village_slug: row.village_slug,
        invited_by: row.invited_by,
        invitations: invitations
            .into_iter()
            .map(|(code, created_at, used_by)| {
                Ok(Invitation {
                    code,
                    created_at: moment(created_at)?,
                    used_by,
                })
            })
            .collect::<Result<_>>()?,
        invitations_left: MAX_INVITATIONS.saturating_sub(made),
    })
}
