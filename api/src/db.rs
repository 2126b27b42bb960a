//! The SQLite pool: WAL journal, a busy timeout, foreign keys enforced,
//! migrations from `api/migrations/` applied on start.

use std::{path::Path, time::Duration};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqliteConnection, SqlitePool,
};
use time::{macros::format_description, Date, Time};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (creating if needed, with its parent folder) the database at
/// `path` and brings its schema up to date.
pub async fn connect(path: &Path) -> Result<SqlitePool, String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create database folder {}: {e}", parent.display()))?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a write answered 2xx (an order, a booking, a pickup mark)
        // is on disk before the answer, and survives a power cut; NORMAL
        // could lose the last commits. Measured with bench_orders: see the
        // README's Measuring.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    // Every sqlx SQLite connection is a thread; on a small machine a few
    // beat many (orders benchmark on 2 cores: 4 > 2, 8, 16). Writes queue
    // on one lock anyway (see `WriteTx`); reads in WAL need no more.
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        // A file on this machine does not go stale the way a network
        // connection does; the ping before each use was a round trip to
        // the connection's thread on every request.
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(|e| format!("cannot open database {}: {e}", path.display()))?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|e| format!("cannot migrate database {}: {e}", path.display()))?;
    Ok(pool)
}

/// Dates are stored as text 'YYYY-MM-DD', times of day as 'HH:MM'.
const DATE_FORMAT: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day]");
const HHMM_FORMAT: &[time::format_description::FormatItem<'static>] =
    format_description!("[hour]:[minute]");

pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, DATE_FORMAT).ok()
}

pub fn format_date(d: Date) -> String {
    d.format(DATE_FORMAT)
        .expect("a calendar date always formats")
}

pub fn parse_hhmm(s: &str) -> Option<Time> {
    // Exactly "HH:MM", so the stored text sorts and compares as a time.
    (s.len() == 5)
        .then(|| Time::parse(s, HHMM_FORMAT).ok())
        .flatten()
}

/// `ids` as the JSON array SQLite's `json_each` reads: a list of any
/// length in one parameter.
pub fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).expect("a list of numbers is always JSON")
}

/// Runs `sql` with `?1` = `id` and `?2` = the JSON array of `ids`, e.g.
/// to insert a row per id with `SELECT ?1, value FROM json_each(?2)`.
pub async fn execute_for_each(
    conn: &mut SqliteConnection,
    sql: &str,
    id: i64,
    ids: &[i64],
) -> Result<(), sqlx::Error> {
    sqlx::query(sql)
        .bind(id)
        .bind(json_ids(ids))
        .execute(conn)
        .await?;
    Ok(())
}

/// A write transaction that holds the database's write lock from its first
/// statement (`BEGIN IMMEDIATE`), so whatever it reads stays true until it
/// commits. Writers of this process also queue on one async mutex first
/// (fair, first come first served), so they never spin in SQLite's busy
/// handler against each other; the busy timeout only covers other
/// processes. Dropping it without [`WriteTx::commit`] rolls back.
pub struct WriteTx {
    // Declared first: dropped (rolled back) before the lock is released.
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    _lock: tokio::sync::OwnedMutexGuard<()>,
}

impl WriteTx {
    pub async fn begin(
        pool: &SqlitePool,
        lock: &std::sync::Arc<tokio::sync::Mutex<()>>,
    ) -> Result<Self, sqlx::Error> {
        let guard = lock.clone().lock_owned().await;
        let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Self { tx, _lock: guard })
    }

    pub fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}
