//! Demo data, seeded on start into whatever of it the database lacks:
//! each group (villages and their products, supplies, members, visit
//! offers, organiser accounts) only when its own tables are empty, so a
//! database made before a group existed gets it too.

pub mod demo;
pub mod members;
pub mod organisers;
pub mod supply;
pub mod visits;

use sqlx::{Sqlite, SqlitePool, Transaction};
use time::OffsetDateTime;

/// Seeds every group of demo data whose tables are empty, and logs what.
pub async fn seed_all(db: &SqlitePool, now: OffsetDateTime) -> Result<(), String> {
    match demo::seed_if_empty(db, now).await? {
        Some(report) => tracing::info!(?report, "seeded an empty database with demo data"),
        None => tracing::info!("database already has data; not seeding"),
    }
    if let Some(rows) = supply::seed_if_empty(db).await? {
        tracing::info!(rows, "seeded demo supplies for every round");
    }
    if let Some(report) = members::seed_if_empty(db, now).await? {
        tracing::info!(?report, "seeded demo members and invitation codes");
    }
    if let Some(report) = visits::seed_if_empty(db, now).await? {
        tracing::info!(?report, "seeded demo visit offers");
    }
    if let Some(accounts) = organisers::seed_if_empty(db, now).await? {
        tracing::info!(accounts, "seeded demo organiser accounts");
    }
    Ok(())
}

/// What a seeding step returns: what it seeded, or `None` when its tables
/// already had rows.
pub type Seeded<T> = Result<Option<T>, String>;

/// The error text of a failed seeding step: `"{failed}: {e}"`.
fn failed(failed: &'static str) -> impl Fn(sqlx::Error) -> String + Copy {
    move |e| format!("{failed}: {e}")
}

/// A write transaction to seed in, or `None` when `count_sql` (one
/// number: the rows already there) finds anything. `what_failed` starts
/// the error text.
async fn begin_if_empty(
    pool: &SqlitePool,
    count_sql: &str,
    what_failed: &'static str,
) -> Result<Option<Transaction<'static, Sqlite>>, String> {
    let db = failed(what_failed);
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let (rows,): (i64,) = sqlx::query_as(count_sql)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    Ok((rows == 0).then_some(tx))
}
