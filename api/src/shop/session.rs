//! Who the member of a request is: [`CurrentMember`] for endpoints that
//! need a login (401 `{"error":"please log in"}` without a live session),
//! [`MaybeMember`] for endpoints open to everyone that do more for members.

use axum::{extract::FromRequestParts, http::request::Parts};
use time::OffsetDateTime;

use crate::{
    http::{
        auth::MEMBER,
        error::{Error, Result},
    },
    AppState,
};

pub const PLEASE_LOG_IN: &str = "please log in";
pub const PLEASE_LOG_IN_ZH: &str = "请先登录";
/// A session is renewed when used this long after its last renewal.
pub const SESSION_RENEW_AFTER_SECONDS: i64 = 24 * 60 * 60;

/// The member of the request's live session.
#[derive(Clone, Copy, Debug)]
pub struct CurrentMember {
    pub id: i64,
}

impl FromRequestParts<AppState> for CurrentMember {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let unauthorized = || Error::unauthorized(PLEASE_LOG_IN_ZH, PLEASE_LOG_IN);
        let token = MEMBER.token(&parts.headers).ok_or_else(unauthorized)?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        match MEMBER.owner(&state.db, &token, now).await? {
            Some(id) => Ok(Self { id }),
            None => {
                // A session ended by a suspension says why, so the phone's
                // waiting orders show it rather than asking for a login.
                let ended: Option<(i64,)> = sqlx::query_as(
                    "SELECT 1 FROM session s JOIN member m ON m.id = s.member_id
                     WHERE s.token_hash = ? AND m.suspended_at IS NOT NULL",
                )
                .bind(crate::http::auth::token_hash(&token))
                .fetch_optional(&state.db)
                .await?;
                Err(match ended {
                    Some(_) => suspended(),
                    None => unauthorized(),
                })
            }
        }
    }
}

pub const SUSPENDED: &str =
    "your membership of the circle is suspended; please talk to the village's organisers";
pub const SUSPENDED_ZH: &str = "您的会员资格已被暂停，请联系村里的组织者";

/// The 403 a suspended member gets: they cannot log in or order.
pub fn suspended() -> Error {
    Error::forbidden(SUSPENDED_ZH, SUSPENDED)
}

/// [`suspended`] for a member who is.
pub async fn refuse_suspended(conn: impl sqlx::SqliteExecutor<'_>, member_id: i64) -> Result<()> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM member WHERE id = ? AND suspended_at IS NOT NULL")
            .bind(member_id)
            .fetch_optional(conn)
            .await?;
    match found {
        Some(_) => Err(suspended()),
        None => Ok(()),
    }
}

/// The member of the request's live session, if any (visit bookings).
#[derive(Clone, Copy, Debug)]
pub struct MaybeMember(pub Option<i64>);

impl FromRequestParts<AppState> for MaybeMember {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        match CurrentMember::from_request_parts(parts, state).await {
            Ok(m) => Ok(Self(Some(m.id))),
            // A suspended member may still book a visit, as anyone can.
            Err(Error::Unauthorized(_) | Error::Forbidden(_)) => Ok(Self(None)),
            Err(e) => Err(e),
        }
    }
}
