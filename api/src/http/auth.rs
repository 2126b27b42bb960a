//! Passwords, session tokens and session cookies, for both logins:
//! members' (`shop`) and organisers' (`organise`). They live here, shared,
//! because the two work the same way and differ only in the names and
//! lifetimes that [`SessionKind`] lists.
//!
//! - Passwords are hashed with argon2id (the `argon2` crate's default
//!   parameters) on the blocking thread pool, never on the async workers.
//! - A session token is 32 random bytes, sent to the browser as 64 hex
//!   characters in the session's cookie (`HttpOnly`, plus `Secure` when
//!   configured). The database keeps only the SHA-256 of the token.

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use rand::{rngs::OsRng, Rng, RngCore};
use sha2::{Digest, Sha256};
use sqlx::{SqliteConnection, SqlitePool};

use crate::{
    http::error::{Error, Result},
    AppState,
};

/// One kind of login session: where it is stored and how its cookie is set.
pub struct SessionKind {
    /// The table of sessions, and its column naming whose session it is.
    table: &'static str,
    owner: &'static str,
    pub cookie_name: &'static str,
    /// How long a new session lives.
    pub seconds: i64,
    same_site: &'static str,
    path: &'static str,
}

/// Members' sessions: 30 days, `sf_session`, sent with every request.
pub const MEMBER: SessionKind =
    SessionKind::new("session", "member_id", "sf_session", 30, "Lax", "/");

/// Organisers' sessions: a cookie name of its own, so a member session
/// never opens the workspace; only sent to the organiser API; `Strict`,
/// because no cross-site navigation ever needs it. 7 days.
pub const ORGANISER: SessionKind = SessionKind::new(
    "organiser_session",
    "organiser_id",
    "sf_organiser",
    7,
    "Strict",
    "/api/organise",
);

impl SessionKind {
    /// Sessions stored in `table` (whose session: `owner`), with cookie
    /// `cookie_name` living `days` days, `SameSite=same_site`, `Path=path`.
    const fn new(
        table: &'static str,
        owner: &'static str,
        cookie_name: &'static str,
        days: i64,
        same_site: &'static str,
        path: &'static str,
    ) -> Self {
        Self {
            table,
            owner,
            cookie_name,
            seconds: days * 24 * 60 * 60,
            same_site,
            path,
        }
    }

    /// `Set-Cookie` for a new (or renewed) session. (`Secure` is added
    /// to every cookie of an HTTPS answer by [`super::headers`].)
    pub fn cookie(&self, token: &str) -> HeaderValue {
        self.cookie_with(token, self.seconds)
    }

    /// The `Set-Cookie` header of an answer that starts (or renews) a session.
    pub fn set_cookie(&self, token: &str) -> [(HeaderName, HeaderValue); 1] {
        [(header::SET_COOKIE, self.cookie(token))]
    }

    /// The `Set-Cookie` header of an answer that ends the session.
    pub fn unset_cookie(&self) -> [(HeaderName, HeaderValue); 1] {
        [(header::SET_COOKIE, self.clear_cookie())]
    }

    /// `Set-Cookie` that makes the browser forget the session.
    pub fn clear_cookie(&self) -> HeaderValue {
        self.cookie_with("", 0)
    }

    fn cookie_with(&self, value: &str, max_age: i64) -> HeaderValue {
        HeaderValue::from_str(&format!(
            "{}={value}; HttpOnly; SameSite={}; Path={}; Max-Age={max_age}",
            self.cookie_name, self.same_site, self.path
        ))
        .expect("hex token and fixed attributes are a valid header value")
    }

    /// The session token in this kind's cookie, if it looks like one.
    pub fn token(&self, headers: &HeaderMap) -> Option<String> {
        cookie(headers, self.cookie_name)
            .filter(|t| t.len() == 64 && t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    }

    /// Whose live session (at `now`, Unix seconds) `token` is.
    pub async fn owner(&self, db: &SqlitePool, token: &str, now: i64) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(&format!(
            "SELECT {} FROM {} WHERE token_hash = ? AND expires_at > ?",
            self.owner, self.table
        ))
        .bind(token_hash(token))
        .bind(now)
        .fetch_optional(db)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Starts a session for `owner_id` at `now`, tidying away the owner's
    /// expired ones; returns the token for the cookie.
    pub async fn start(
        &self,
        conn: &mut SqliteConnection,
        owner_id: i64,
        now: i64,
    ) -> Result<String> {
        let (token, token_hash) = new_token();
        sqlx::query(&format!(
            "DELETE FROM {} WHERE {} = ? AND expires_at <= ?",
            self.table, self.owner
        ))
        .bind(owner_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO {} (token_hash, {}, created_at, expires_at) VALUES (?, ?, ?, ?)",
            self.table, self.owner
        ))
        .bind(&token_hash)
        .bind(owner_id)
        .bind(now)
        .bind(now + self.seconds)
        .execute(conn)
        .await?;
        Ok(token)
    }

    /// Ends the session named by the request's cookie, if there is one.
    pub async fn end(&self, state: &AppState, headers: &HeaderMap) -> Result<()> {
        if let Some(token) = self.token(headers) {
            let mut tx = state.write().await?;
            sqlx::query(&format!("DELETE FROM {} WHERE token_hash = ?", self.table))
                .bind(token_hash(&token))
                .execute(tx.conn())
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

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
/// hash (unknown account) a dummy hash is checked anyway, so both
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

/// The account of `row` (its id and stored hash) if `password` is its
/// password. Without a row the check takes as long anyway.
pub async fn password_owner(password: String, row: Option<(i64, String)>) -> Result<Option<i64>> {
    let (id, stored) = row.unzip();
    let ok = verify_password(password, stored).await?;
    Ok(id.filter(|_| ok))
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

/// The alphabet of codes people type (invitation codes, booking
/// references): no I, O, 0 or 1 to misread.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
pub const CODE_LEN: usize = 8;

/// `len` random letters of [`CODE_ALPHABET`].
pub fn random_code(len: usize) -> String {
    let mut rng = OsRng;
    (0..len)
        .map(|_| char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())]))
        .collect()
}

pub fn new_invitation_code() -> String {
    random_code(CODE_LEN)
}

/// The value of the cookie `name` the request carries, if any.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
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
        let c = MEMBER.cookie("ab");
        assert_eq!(
            c,
            "sf_session=ab; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000"
        );
        assert!(MEMBER
            .clear_cookie()
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
        assert_eq!(
            ORGANISER.cookie("ab"),
            "sf_organiser=ab; HttpOnly; SameSite=Strict; Path=/api/organise; Max-Age=604800"
        );

        let token = "0123456789abcdef".repeat(4);
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("lang=zh"));
        h.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=1; sf_session={token}")).unwrap(),
        );
        assert_eq!(MEMBER.token(&h).as_deref(), Some(token.as_str()));
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("sf_session=short"));
        assert_eq!(MEMBER.token(&h), None);
        assert_eq!(MEMBER.token(&HeaderMap::new()), None);
    }
}
