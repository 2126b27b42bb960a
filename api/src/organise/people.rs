//! A village's circle of members as its organisers run it: the members
//! (phones masked), the invitation codes organisers make for the village,
//! and suspending and reinstating a member.
//!
//! - `GET    /api/organise/villages/{slug}/members`      → `VillageMembers`
//! - `GET    /api/organise/villages/{slug}/invitations`  → `VillageInvitations`
//! - `POST   /api/organise/villages/{slug}/invitations`  `InvitationInput` → 201 `VillageInvitation`
//! - `DELETE /api/organise/invitations/{code}`           revoke an unused code → 204 (409 if used)
//! - `PUT    /api/organise/members/{id}/suspension`      `SuspensionInput` → `VillageMember`
//! - `DELETE /api/organise/members/{id}/suspension`      reinstate → `VillageMember`
//!
//! A member's village is their default point's. An organiser's code
//! carries its village, and joining with it must pick one of its points.

use axum::{
    extract::{rejection::PathRejection, Path, State},
    http::StatusCode,
    Json,
};
use domain::{
    organise::people::{
        code_status, mask_phone, InvitationInput, MemberStatus, SuspensionInput, VillageInvitation,
        VillageInvitations, VillageMember, VillageMembers,
    },
    validate, LocalText,
};
use sqlx::{FromRow, SqliteConnection};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    db::{format_date, parse_date},
    http::{
        auth,
        error::{is_unique_violation, Error, Result},
        json::JsonBody,
        params::{Id, Slug},
    },
    organise::{
        change_log::{to_value, ChangeLog},
        session::CurrentOrganiser,
    },
    shop::rounds::moment,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(members))
        .routes(routes!(invitations, create_invitation))
        .routes(routes!(revoke))
        .routes(routes!(suspend, reinstate))
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[derive(Debug, FromRow)]
struct MemberRow {
    id: i64,
    name: String,
    phone: String,
    created_at: i64,
    invited_by_member_id: Option<i64>,
    invited_by_member: Option<String>,
    organiser_zh: Option<String>,
    organiser_en: Option<String>,
    suspended_at: Option<i64>,
    suspension_reason: String,
}

const MEMBER_SELECT: &str = "SELECT m.id, m.name, m.phone, m.created_at, m.invited_by_member_id,
            im.name AS invited_by_member, o.name_zh AS organiser_zh, o.name_en AS organiser_en,
            m.suspended_at, m.suspension_reason
     FROM member m
     JOIN distribution_point d ON d.id = m.default_point_id
     LEFT JOIN member im ON im.id = m.invited_by_member_id
     LEFT JOIN invitation i ON i.id = m.invitation_id
     LEFT JOIN organiser o ON o.id = i.created_by_organiser_id";

impl MemberRow {
    fn into_member(self) -> Result<VillageMember> {
        Ok(VillageMember {
            id: self.id,
            name: self.name,
            // The full number never leaves the server in these answers.
            phone_masked: mask_phone(&self.phone),
            joined_at: moment(self.created_at)?,
            invited_by_member_id: self.invited_by_member_id,
            invited_by_member: self.invited_by_member,
            invited_by_organiser: self
                .organiser_zh
                .zip(self.organiser_en)
                .map(|(zh, en)| LocalText::new(zh, en)),
            status: if self.suspended_at.is_some() {
                MemberStatus::Suspended
            } else {
                MemberStatus::Active
            },
            suspension_reason: self.suspension_reason,
        })
    }
}

/// `GET /api/organise/villages/{slug}/members`.
#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/members",
    tag = "organise",
    summary = "The village's members",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 200, description = "OK", body = VillageMembers)
    ),
    security(("organiser" = []))
)]
async fn members(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
) -> Result<Json<VillageMembers>> {
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    let rows: Vec<MemberRow> = sqlx::query_as(&format!(
        "{MEMBER_SELECT} WHERE d.village_id = ? ORDER BY m.created_at, m.id"
    ))
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    let members = rows
        .into_iter()
        .map(MemberRow::into_member)
        .collect::<Result<_>>()?;
    Ok(Json(VillageMembers { members }))
}

#[derive(Debug, FromRow)]
struct InvitationRow {
    code: String,
    note: String,
    expires_on: Option<String>,
    created_at: i64,
    created_zh: String,
    created_en: String,
    revoked_at: Option<i64>,
    used_by: Option<String>,
    used_at: Option<i64>,
}

const INVITATION_SELECT: &str =
    "SELECT i.code, i.note, i.expires_on, i.created_at, o.name_zh AS created_zh,
            o.name_en AS created_en, i.revoked_at, u.name AS used_by, i.used_at
     FROM invitation i
     JOIN organiser o ON o.id = i.created_by_organiser_id
     LEFT JOIN member u ON u.id = i.used_by_member_id";

impl InvitationRow {
    fn into_invitation(self, today: time::Date) -> Result<VillageInvitation> {
        let expires = self.expires_on.as_deref().and_then(parse_date);
        Ok(VillageInvitation {
            status: code_status(
                self.used_at.is_some(),
                self.revoked_at.is_some(),
                expires,
                today,
            ),
            code: self.code,
            note: self.note,
            expires_on: self.expires_on,
            created_at: moment(self.created_at)?,
            created_by: LocalText::new(self.created_zh, self.created_en),
            used_by: self.used_by,
        })
    }
}

fn today() -> time::Date {
    domain::shanghai_date(OffsetDateTime::now_utc())
}

/// `GET /api/organise/villages/{slug}/invitations`: the organisers' codes, newest first.
#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/invitations",
    tag = "organise",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    responses(
        (status = 200, description = "OK", body = VillageInvitations)
    ),
    security(("organiser" = []))
)]
async fn invitations(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
) -> Result<Json<VillageInvitations>> {
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    let rows: Vec<InvitationRow> = sqlx::query_as(&format!(
        "{INVITATION_SELECT} WHERE i.village_id = ? ORDER BY i.id DESC"
    ))
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    let today = today();
    let invitations = rows
        .into_iter()
        .map(|r| r.into_invitation(today))
        .collect::<Result<_>>()?;
    Ok(Json(VillageInvitations { invitations }))
}

async fn load_invitation(conn: &mut SqliteConnection, code: &str) -> Result<VillageInvitation> {
    let row: InvitationRow = sqlx::query_as(&format!("{INVITATION_SELECT} WHERE i.code = ?"))
        .bind(code)
        .fetch_one(conn)
        .await?;
    row.into_invitation(today())
}

/// `POST /api/organise/villages/{slug}/invitations`.
#[utoipa::path(
    post,
    path = "/organise/villages/{slug}/invitations",
    tag = "organise",
    summary = "A new invitation code for members",
    params(
        ("slug" = String, Path, description = "The village's slug")
    ),
    request_body = InvitationInput,
    responses(
        (status = 201, description = "Created", body = VillageInvitation)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn create_invitation(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    JsonBody(input): JsonBody<InvitationInput>,
) -> Result<(StatusCode, Json<VillageInvitation>)> {
    let now = now();
    let mut tx = state.write().await?;
    let v = o.village(tx.conn(), &slug).await?;
    let expires = input.validate(today()).map_err(Error::Validation)?;
    // 32^8 codes: a clash is very unlikely, but retry rather than fail.
    for _ in 0..10 {
        let code = auth::new_invitation_code();
        let inserted = sqlx::query(
            "INSERT INTO invitation (code, created_by_member_id, created_at, village_id,
                                     created_by_organiser_id, note, expires_on)
             VALUES (?, NULL, ?, ?, ?, ?, ?)",
        )
        .bind(&code)
        .bind(now)
        .bind(v.id)
        .bind(o.id)
        .bind(input.note.trim())
        .bind(expires.map(format_date))
        .execute(tx.conn())
        .await;
        match inserted {
            Ok(_) => {
                let made = load_invitation(tx.conn(), &code).await?;
                // Organisers of the village may see its codes, so the log may too.
                ChangeLog::new(&o, v.id, now)
                    .created(tx.conn(), ("invitation", &code), &made)
                    .await?;
                tx.commit().await?;
                return Ok((StatusCode::CREATED, Json(made)));
            }
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::internal("could not find an unused invitation code"))
}

/// `DELETE /api/organise/invitations/{code}`: revoke an unused code.
#[utoipa::path(
    delete,
    path = "/organise/invitations/{code}",
    tag = "organise",
    params(
        ("code" = String, Path, description = "The invitation code")
    ),
    responses(
        (status = 204, description = "Done")
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn revoke(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    code: std::result::Result<Path<String>, PathRejection>,
) -> Result<StatusCode> {
    let Path(raw) =
        code.map_err(|_| Error::bad_param("code", "不是邀请码", "is not an invitation code"))?;
    let code = validate::invitation_code("code", &raw)
        .map_err(|e| Error::bad_param("code", e.message_zh, e.message))?;
    let now = now();
    let mut tx = state.write().await?;
    let row: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT village_id FROM invitation WHERE code = ? AND created_by_organiser_id IS NOT NULL",
    )
    .bind(&code)
    .fetch_optional(tx.conn())
    .await?;
    let Some((Some(village_id),)) = row else {
        return Err(Error::NotFound(LocalText::new(
            format!("没有这个组织者邀请码：{code}"),
            format!("no organiser's invitation code {code}"),
        )));
    };
    let v = o.check_village(tx.conn(), village_id).await?;
    let before = load_invitation(tx.conn(), &code).await?;
    match before.status {
        domain::organise::people::CodeStatus::Used => {
            return Err(Error::conflict(
                "这个邀请码已经有人用过了，不能收回",
                "this code has already been used and cannot be revoked",
            ))
        }
        domain::organise::people::CodeStatus::Revoked => return Ok(StatusCode::NO_CONTENT),
        _ => {}
    }
    sqlx::query("UPDATE invitation SET revoked_at = ? WHERE code = ? AND used_at IS NULL")
        .bind(now)
        .bind(&code)
        .execute(tx.conn())
        .await?;
    let after = load_invitation(tx.conn(), &code).await?;
    ChangeLog::new(&o, v.id, now)
        .updated(tx.conn(), ("invitation", &code), &before, &after)
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The member and their village, 404 unknown, 403 another village's.
async fn member_for(
    conn: &mut SqliteConnection,
    o: &CurrentOrganiser,
    id: i64,
) -> Result<(i64, VillageMember)> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT d.village_id FROM member m JOIN distribution_point d ON d.id = m.default_point_id
         WHERE m.id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((village_id,)) = row else {
        return Err(Error::NotFound(LocalText::new(
            format!("没有这位会员：{id}"),
            format!("no member with id {id}"),
        )));
    };
    let v = o.check_village(conn, village_id).await?;
    Ok((v.id, load_member(conn, id).await?))
}

async fn load_member(conn: &mut SqliteConnection, id: i64) -> Result<VillageMember> {
    let row: MemberRow = sqlx::query_as(&format!("{MEMBER_SELECT} WHERE m.id = ?"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    row.into_member()
}

/// `PUT /api/organise/members/{id}/suspension`: the member cannot log in
/// or order, and their sessions end; their orders stay.
#[utoipa::path(
    put,
    path = "/organise/members/{id}/suspension",
    tag = "organise",
    summary = "Suspend a member: no login or orders, sessions end; their orders stay",
    params(
        ("id" = i64, Path, description = "The member's id")
    ),
    request_body = SuspensionInput,
    responses(
        (status = 200, description = "OK", body = VillageMember)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn suspend(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    JsonBody(input): JsonBody<SuspensionInput>,
) -> Result<Json<VillageMember>> {
    let errors = input.validate();
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    set_suspension(&state, &o, id, Some(input.reason.trim())).await
}

/// `DELETE /api/organise/members/{id}/suspension`: reinstate.
#[utoipa::path(
    delete,
    path = "/organise/members/{id}/suspension",
    tag = "organise",
    summary = "Reinstate a suspended member",
    params(
        ("id" = i64, Path, description = "The member's id")
    ),
    responses(
        (status = 200, description = "OK", body = VillageMember)
    ),
    security(("organiser" = [], "csrf" = []))
)]
async fn reinstate(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
) -> Result<Json<VillageMember>> {
    set_suspension(&state, &o, id, None).await
}

/// Suspends (with the reason) or reinstates (`None`) the member, logged.
async fn set_suspension(
    state: &AppState,
    o: &CurrentOrganiser,
    id: i64,
    reason: Option<&str>,
) -> Result<Json<VillageMember>> {
    let now = now();
    let mut tx = state.write().await?;
    let (village_id, before) = member_for(tx.conn(), o, id).await?;
    sqlx::query(
        "UPDATE member SET suspended_at = CASE WHEN ?1 IS NULL THEN NULL ELSE COALESCE(suspended_at, ?2) END,
                           suspension_reason = COALESCE(?1, '')
         WHERE id = ?3",
    )
    .bind(reason)
    .bind(now)
    .bind(id)
    .execute(tx.conn())
    .await?;
    if reason.is_some() {
        // Ended, not deleted: the member's phone is told why (see `CurrentMember`).
        sqlx::query("UPDATE session SET expires_at = MIN(expires_at, ?) WHERE member_id = ?")
            .bind(now)
            .bind(id)
            .execute(tx.conn())
            .await?;
    }
    let after = load_member(tx.conn(), id).await?;
    let action = if reason.is_some() {
        "suspend"
    } else {
        "reinstate"
    };
    ChangeLog::new(o, village_id, now)
        .record(
            tx.conn(),
            ("member", id),
            action,
            Some(to_value(&before)?),
            Some(to_value(&after)?),
        )
        .await?;
    tx.commit().await?;
    Ok(Json(after))
}
