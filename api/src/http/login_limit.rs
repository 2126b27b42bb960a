//! The login rate limit shared by organisers and members: failures are
//! counted per account and per client address in `login_failure`, and a
//! login is refused with "try again in N minutes" (429) once
//! `domain::organise::login_lockout` says so.
//!
//! An attempt is counted as a failure *before* the password is checked and
//! forgiven when it was right, so parallel guesses cannot slip past the
//! limit while the slow hash runs.

use std::net::{IpAddr, SocketAddr};

use axum::{extract::ConnectInfo, http::HeaderMap};
use domain::organise::{
    login_lockout, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW_MINUTES,
};
use sqlx::SqliteConnection;

use crate::{
    http::{
        auth::SessionKind,
        error::{Error, Result},
    },
    AppState,
};

/// A login attempt: counted as a failed one until it has
/// [`succeeded`](Attempt::succeeded).
pub struct Attempt {
    id: i64,
    account: String,
}

/// The client's address as the limit counts it: the peer of the TCP
/// connection, or, when that peer is one of `trusted` proxies, the client
/// its `X-Forwarded-For` names. Otherwise everyone behind a proxy would
/// share one address and lock each other out.
pub fn client_address(
    extensions: &axum::http::Extensions,
    headers: &HeaderMap,
    trusted: &[IpAddr],
) -> String {
    let Some(peer) = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip())
    else {
        return "unknown".to_owned();
    };
    if trusted.contains(&peer) {
        if let Some(client) = forwarded_client(headers, trusted) {
            return client.to_string();
        }
    }
    peer.to_string()
}

/// The nearest address in `X-Forwarded-For` that is not one of our own
/// proxies: each proxy appends the peer it saw, so what comes before that
/// could have been written by the client.
fn forwarded_client(headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|a| a.trim().parse::<IpAddr>().ok())
        .collect::<Option<Vec<_>>>()?;
    hops.into_iter().rev().find(|a| !trusted.contains(a))
}

/// Unix seconds of the recent failures with `column` = `value`.
async fn failures(
    conn: &mut SqliteConnection,
    column: &str,
    value: &str,
    now: i64,
) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(&format!(
        "SELECT at FROM login_failure WHERE {column} = ? AND at > ?"
    ))
    .bind(value)
    .bind(now - LOGIN_WINDOW_MINUTES * 60)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(t,)| t).collect())
}

/// Refuses the attempt while `account` or `address` is locked; otherwise
/// counts it as a failure until it has [`succeeded`](Attempt::succeeded).
pub async fn begin(state: &AppState, account: &str, address: &str, now: i64) -> Result<Attempt> {
    let mut tx = state.write().await?;
    let by_account = failures(tx.conn(), "account", account, now).await?;
    let by_address = failures(tx.conn(), "address", address, now).await?;
    let wait = [
        login_lockout(&by_account, LOGIN_FAILURES_PER_ACCOUNT, now),
        login_lockout(&by_address, LOGIN_FAILURES_PER_ADDRESS, now),
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(retry_after_minutes) = wait {
        return Err(Error::RateLimited {
            retry_after_minutes,
        });
    }
    // Tidy: failures older than a day count for nothing.
    sqlx::query("DELETE FROM login_failure WHERE at < ?")
        .bind(now - 24 * 60 * 60)
        .execute(tx.conn())
        .await?;
    let id = sqlx::query("INSERT INTO login_failure (account, address, at) VALUES (?, ?, ?)")
        .bind(account)
        .bind(address)
        .bind(now)
        .execute(tx.conn())
        .await?
        .last_insert_rowid();
    tx.commit().await?;
    Ok(Attempt {
        id,
        account: account.to_owned(),
    })
}

impl Attempt {
    /// The password was right: forgives this attempt and the account's
    /// failures (not the address's), and starts a `kind` session for
    /// `owner_id` at `now`; returns its token.
    pub async fn succeeded(
        self,
        conn: &mut SqliteConnection,
        kind: &SessionKind,
        owner_id: i64,
        now: i64,
    ) -> Result<String> {
        sqlx::query("DELETE FROM login_failure WHERE id = ? OR account = ?")
            .bind(self.id)
            .bind(&self.account)
            .execute(&mut *conn)
            .await?;
        kind.start(conn, owner_id, now).await
    }
}
