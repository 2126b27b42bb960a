//! The organisers themselves: who organises a village, one-time codes that
//! make a co-organiser, using such a code, and changing one's password.
//!
//! - `GET  /api/organise/villages/{slug}/organisers`             → `VillageOrganisers`
//! - `POST /api/organise/villages/{slug}/organiser-invitations`  → 201 `OrganiserCode` (7 days)
//! - `POST /api/organise/join`              `OrganiserJoin` → 201 `OrganiserMe` + cookie
//! - `PUT  /api/organise/session/password`  `PasswordChange` → `OrganiserMe`; ends the
//!   organiser's other sessions and clears `must_change_password`

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    Json,
};
use domain::{
    organise::{
        people::{
            OrganiserCode, OrganiserJoin, PasswordChange, VillageOrganiser, VillageOrganisers,
            ORGANISER_CODE_DAYS,
        },
        OrganiserMe,
    },
    FieldError, LocalText,
};
use serde_json::json;
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    http::{
        auth::{self, ORGANISER},
        error::{is_unique_violation, Error, Result},
        json::JsonBody,
        params::Slug,
    },
    organise::{
        change_log::ChangeLog,
        session::{check_csrf, load_me, CurrentOrganiser, OrganiserSession},
    },
    shop::rounds::moment,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(create_code))
        .routes(routes!(join))
        .routes(routes!(change_password))
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// `GET /api/organise/villages/{slug}/organisers`, longest-serving first.
#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/organisers",
    tag = "organise",
    summary = "The village's organisers, longest-serving first",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 200, description = "OK", body = VillageOrganisers)
    ),
    security(("organiser" = []))
)]
async fn list(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
) -> Result<Json<VillageOrganisers>> {
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT o.id, o.login, o.name_zh, o.name_en, COALESCE(ov.since, o.created_at) AS since
         FROM organiser_village ov JOIN organiser o ON o.id = ov.organiser_id
         WHERE ov.village_id = ? ORDER BY since, o.id",
    )
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    let organisers = rows
        .into_iter()
        .map(|(id, login, zh, en, since)| {
            Ok(VillageOrganiser {
                id,
                login,
                name: LocalText::new(zh, en),
                since: moment(since)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Json(VillageOrganisers { organisers }))
}

/// `POST /api/organise/villages/{slug}/organiser-invitations`.
#[utoipa::path(
    post,
    path = "/organise/villages/{slug}/organiser-invitations",
    tag = "organise",
    summary = "A one-time code for a new organiser",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 201, description = "Created", body = OrganiserCode)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn create_code(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
) -> Result<(StatusCode, Json<OrganiserCode>)> {
    let now = now();
    let expires_at = now + ORGANISER_CODE_DAYS * 24 * 60 * 60;
    let mut tx = state.write().await?;
    let v = o.village(tx.conn(), &slug).await?;
    for _ in 0..10 {
        let code = auth::new_invitation_code();
        let inserted = sqlx::query(
            "INSERT INTO organiser_invitation (code, village_id, created_by, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&code)
        .bind(v.id)
        .bind(o.id)
        .bind(now)
        .bind(expires_at)
        .execute(tx.conn())
        .await;
        match inserted {
            Ok(r) => {
                let made = OrganiserCode {
                    code,
                    expires_at: moment(expires_at)?,
                };
                ChangeLog::new(&o, v.id, now)
                    .created(
                        tx.conn(),
                        ("organiser_invitation", r.last_insert_rowid()),
                        &made,
                    )
                    .await?;
                tx.commit().await?;
                return Ok((StatusCode::CREATED, Json(made)));
            }
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::internal("could not find an unused code"))
}

const CODE_UNUSABLE: &str = "this organiser code is unknown, used or expired";
const CODE_UNUSABLE_ZH: &str = "这个组织者邀请码不存在、已用过或已过期";

/// `POST /api/organise/join`: a new account in the code's village, or the
/// village added to an existing login (after checking its password);
/// logs in. The code works once.
#[utoipa::path(
    post,
    path = "/organise/join",
    tag = "organise",
    request_body = OrganiserJoin,
    responses(
        (status = 201, description = "Joined and logged in", body = OrganiserMe, headers(("set-cookie" = String, description = "The session cookie")))
    ),
    security(("csrf" = []))
)]
async fn join(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<OrganiserJoin>,
) -> Result<impl IntoResponse> {
    check_csrf(&headers)?;
    // Normalized first so the account lookup uses the canonical login.
    let (_, login) = req.validate(false).map_err(Error::Validation)?;
    let existing: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM organiser WHERE login = ?")
            .bind(&login)
            .fetch_optional(&state.db)
            .await?;
    let (code, _) = req
        .validate(existing.is_none())
        .map_err(Error::Validation)?;
    // Slow on purpose; done before taking the write lock.
    let new_hash = match &existing {
        Some(_) => {
            if auth::password_owner(req.password.clone(), existing.clone())
                .await?
                .is_none()
            {
                return Err(Error::field(
                    "password",
                    "这个登录名已经有人用了；如果是您的，请输入它的密码",
                    "this login is taken; if it is yours, enter its password",
                ));
            }
            None
        }
        None => Some(auth::hash_password(req.password.clone()).await?),
    };
    let now = now();
    let mut tx = state.write().await?;
    let invitation: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, village_id FROM organiser_invitation
         WHERE code = ? AND used_at IS NULL AND expires_at > ?",
    )
    .bind(&code)
    .bind(now)
    .fetch_optional(tx.conn())
    .await?;
    let Some((invitation_id, village_id)) = invitation else {
        return Err(Error::field("code", CODE_UNUSABLE_ZH, CODE_UNUSABLE));
    };
    let organiser_id = match (existing, new_hash) {
        (Some((id, _)), _) => id,
        (None, Some(hash)) => sqlx::query(
            "INSERT INTO organiser (login, name_zh, name_en, password_hash, demo, created_at)
             VALUES (?, ?, ?, ?, 0, ?)",
        )
        .bind(&login)
        .bind(req.name_zh.trim())
        .bind(req.name_en.trim())
        .bind(&hash)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                Error::field(
                    "login",
                    "这个登录名刚被别人用了",
                    "this login was just taken",
                )
            } else {
                e.into()
            }
        })?
        .last_insert_rowid(),
        (None, None) => return Err(Error::internal("no hash for a new organiser")),
    };
    let added = sqlx::query(
        "INSERT OR IGNORE INTO organiser_village (organiser_id, village_id, since) VALUES (?, ?, ?)",
    )
    .bind(organiser_id)
    .bind(village_id)
    .bind(now)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if added == 0 {
        return Err(Error::conflict(
            "您已经是这个村的组织者了",
            "you already organise this village",
        ));
    }
    sqlx::query("UPDATE organiser_invitation SET used_by = ?, used_at = ? WHERE id = ?")
        .bind(organiser_id)
        .bind(now)
        .bind(invitation_id)
        .execute(tx.conn())
        .await?;
    let me = load_me(tx.conn(), organiser_id).await?;
    ChangeLog::new(&CurrentOrganiser { id: organiser_id }, village_id, now)
        .record(
            tx.conn(),
            ("organiser", organiser_id),
            "join",
            None,
            Some(
                json!({"login": me.login, "name": me.name, "organiser_invitation": invitation_id}),
            ),
        )
        .await?;
    let token = ORGANISER.start(tx.conn(), organiser_id, now).await?;
    tx.commit().await?;
    let cookie = ORGANISER.set_cookie(&token);
    Ok((StatusCode::CREATED, cookie, Json(me)))
}

/// `PUT /api/organise/session/password`.
#[utoipa::path(
    put,
    path = "/organise/session/password",
    tag = "organise",
    summary = "Change the organiser's password",
    request_body = PasswordChange,
    responses(
        (status = 200, description = "OK", body = OrganiserMe)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    o: OrganiserSession,
    JsonBody(req): JsonBody<PasswordChange>,
) -> Result<Json<OrganiserMe>> {
    let errors = req.validate();
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let (stored, must_change): (String, i64) =
        sqlx::query_as("SELECT password_hash, must_change_password FROM organiser WHERE id = ?")
            .bind(o.id)
            .fetch_one(&state.db)
            .await?;
    if !auth::verify_password(req.current_password, Some(stored)).await? {
        return Err(Error::Validation(vec![FieldError::new(
            "current_password",
            "现在的密码不对",
            "the current password is wrong",
        )]));
    }
    let hash = auth::hash_password(req.new_password).await?;
    let token = ORGANISER
        .token(&headers)
        .ok_or_else(|| Error::internal("session without token"))?;
    let now = now();
    let mut tx = state.write().await?;
    sqlx::query("UPDATE organiser SET password_hash = ?, must_change_password = 0 WHERE id = ?")
        .bind(&hash)
        .bind(o.id)
        .execute(tx.conn())
        .await?;
    let ended =
        sqlx::query("DELETE FROM organiser_session WHERE organiser_id = ? AND token_hash <> ?")
            .bind(o.id)
            .bind(auth::token_hash(&token))
            .execute(tx.conn())
            .await?
            .rows_affected();
    let me = load_me(tx.conn(), o.id).await?;
    // Logged in each of their villages; never the password or its hash.
    let villages: Vec<(i64,)> =
        sqlx::query_as("SELECT village_id FROM organiser_village WHERE organiser_id = ?")
            .bind(o.id)
            .fetch_all(tx.conn())
            .await?;
    for (village_id,) in villages {
        ChangeLog::new(&CurrentOrganiser { id: o.id }, village_id, now)
            .record(
                tx.conn(),
                ("organiser", o.id),
                "change_password",
                Some(json!({"must_change_password": must_change != 0})),
                Some(json!({"must_change_password": false, "other_sessions_ended": ended})),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(Json(me))
}
