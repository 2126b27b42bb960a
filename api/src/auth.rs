//! Passwords, session tokens and the session cookie.
//!
//! - Passwords are hashed with argon2id (the `argon2` crate's default
//!   parameters) on the blocking thread pool, never on the async workers.
//! - A session token is 32 random bytes, sent to the browser as 64 hex
//!   characters in the `sf_session` cookie (`HttpOnly; SameSite=Lax;
//!   Path=/; Max-Age=2592000`, plus `Secure` when configured). The database
//!   keeps only the SHA-256 of the token.
//! - [`CurrentMember`] is the extractor for endpoints that need a login:
//!   401 `{"error":"please log in"}` without a live session.

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderMap, HeaderValue},
};
use rand::{rngs::OsRng, Rng, RngCore};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::{
    error::{Error, Result},
    AppState,
};

pub const COOKIE_NAME: &str = "sf_session";
/// 30 days.
pub const SESSION_SECONDS: i64 = 30 * 24 * 60 * 60;
/// A session is renewed when used this long after its last renewal.
pub const SESSION_RENEW_AFTER_SECONDS: i64 = 24 * 60 * 60;
pub const PLEASE_LOG_IN: &str = "please log in";
pub const PLEASE_LOG_IN_ZH: &str = "请先登录";

/// Hashes a password with argon2id and a random salt (PHC string).
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(format_args!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| Error::internal(format_args!("password hashing task: {e}")))?
}

/// True when `password` matches the stored PHC string. Without a stored
/// hash (unknown phone number) a dummy hash is checked anyway, so both
/// failures take the same time.
pub async fn verify_password(password: String, stored: Option<String>) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&phc)
            .map_err(|e| Error::internal(format_args!("stored password hash: {e}")))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && ok)
    })
    .await
    .map_err(|e| Error::internal(format_args!("password check task: {e}")))?
}

/// argon2id (default parameters) of a random string nobody knows.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$M35wLzU2R4lTckuax2GaLw$ShXBHm5YtQ4i/X4TJVIO3MrOq5PsGYYtgW3ZYSc3/Ms";

/// A fresh session token (64 hex characters) and its stored hash.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// SHA-256 of the token, lower-case hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The alphabet of invitation codes: no I, O, 0 or 1 to misread.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
pub const CODE_LEN: usize = 8;

pub fn new_invitation_code() -> String {
    let mut rng = OsRng;
    (0..CODE_LEN)
        .map(|_| char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())]))
        .collect()
}

/// `Set-Cookie` for a new session.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    cookie(token, SESSION_SECONDS, secure)
}

/// `Set-Cookie` that makes the browser forget the session.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    cookie("", 0, secure)
}

fn cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{secure}"
    ))
    .expect("hex token and fixed attributes are a valid header value")
}

/// The organisers' session cookie: a name of its own, so a member session
/// never opens the workspace; only sent to the organiser API; `Strict`,
/// because no cross-site navigation ever needs it.
pub const ORGANISER_COOKIE_NAME: &str = "sf_organiser";
/// 7 days.
pub const ORGANISER_SESSION_SECONDS: i64 = 7 * 24 * 60 * 60;

pub fn organiser_cookie(token: &str, secure: bool) -> HeaderValue {
    organiser_cookie_with(token, ORGANISER_SESSION_SECONDS, secure)
}

pub fn clear_organiser_cookie(secure: bool) -> HeaderValue {
    organiser_cookie_with("", 0, secure)
}

fn organiser_cookie_with(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{ORGANISER_COOKIE_NAME}={value}; HttpOnly; SameSite=Strict; Path=/api/organise; Max-Age={max_age}{secure}"
    ))
    .expect("hex token and fixed attributes are a valid header value")
}

/// The member session token from the `Cookie` header(s), if it looks like one.
pub fn token_from(headers: &HeaderMap) -> Option<String> {
    token_named(headers, COOKIE_NAME)
}

/// The token in cookie `cookie_name`, if it looks like one.
pub fn token_named(headers: &HeaderMap, cookie_name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == cookie_name)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .filter(|t| t.len() == 64 && t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// The member of the request's live session.
#[derive(Clone, Copy, Debug)]
pub struct CurrentMember {
    pub id: i64,
}

impl FromRequestParts<AppState> for CurrentMember {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let unauthorized = || Error::unauthorized(PLEASE_LOG_IN_ZH, PLEASE_LOG_IN);
        let token = token_from(&parts.headers).ok_or_else(unauthorized)?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT member_id FROM session WHERE token_hash = ? AND expires_at > ?")
                .bind(token_hash(&token))
                .bind(now)
                .fetch_optional(&state.db)
                .await?;
        row.map(|(id,)| Self { id }).ok_or_else(unauthorized)
    }
}

/// The member of the request's live session, if any: for endpoints open to
/// everyone that do more for members (visit bookings).
#[derive(Clone, Copy, Debug)]
pub struct MaybeMember(pub Option<i64>);

impl FromRequestParts<AppState> for MaybeMember {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        match CurrentMember::from_request_parts(parts, state).await {
            Ok(m) => Ok(Self(Some(m.id))),
            Err(Error::Unauthorized(_)) => Ok(Self(None)),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_only_with_the_right_one() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse".into(), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!verify_password("wrong horse".into(), Some(hash))
            .await
            .unwrap());
        assert!(!verify_password("anything".into(), None).await.unwrap());
    }

    #[test]
    fn tokens_and_codes() {
        let (token, hash) = new_token();
        assert_eq!(token.len(), 64);
        assert_eq!(hash, token_hash(&token));
        assert_eq!(hash.len(), 64);
        assert_ne!(new_token().0, token);
        for _ in 0..100 {
            let code = new_invitation_code();
            assert_eq!(code.len(), CODE_LEN);
            assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
            assert_eq!(domain::validate::invitation_code("c", &code).unwrap(), code);
        }
    }

    #[test]
    fn cookies() {
        let c = session_cookie("ab", false);
        assert_eq!(
            c,
            "sf_session=ab; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000"
        );
        assert!(session_cookie("ab", true)
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
        assert!(clear_cookie(false).to_str().unwrap().contains("Max-Age=0"));

        let token = "0123456789abcdef".repeat(4);
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("lang=zh"));
        h.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=1; {COOKIE_NAME}={token}")).unwrap(),
        );
        assert_eq!(token_from(&h).as_deref(), Some(token.as_str()));
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("sf_session=short"));
        assert_eq!(token_from(&h), None);
        assert_eq!(token_from(&HeaderMap::new()), None);
    }
}
