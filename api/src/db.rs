//! The SQLite pool: WAL journal, a busy timeout, foreign keys enforced,
//! migrations from `api/migrations/` applied on start; and the server's
//! write transactions, durable when they answer.

use std::{
    fs::File,
    io,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqliteConnection, SqlitePool,
};
use time::{macros::format_description, Date, Time};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How a commit reaches the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// SQLite syncs the WAL inside every COMMIT (`synchronous=FULL`): for
    /// one-off commands such as `api admin`.
    Full,
    /// SQLite writes the WAL at COMMIT without syncing it
    /// (`synchronous=NORMAL`); the server's [`WriteTx::commit`] then waits
    /// for [`WalSync`], which syncs it once for every commit made so far.
    Grouped,
}

fn options(path: &Path, durability: Durability) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Either way a write answered 2xx (an order, a booking, a pickup
        // mark) is on disk before the answer and survives a power cut.
        .synchronous(match durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Grouped => SqliteSynchronous::Normal,
        })
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
}

/// Opens (creating if needed, with its parent folder) the database at
/// `path` and brings its schema up to date.
pub async fn connect(path: &Path, durability: Durability) -> Result<SqlitePool, String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create database folder {}: {e}", parent.display()))?;
    }
    // Every sqlx SQLite connection is a thread; on a small machine a few
    // beat many (orders benchmark on 2 cores: 4 > 2, 8, 16). Reads in WAL
    // need no more; writes have a connection of their own ([`writer`]).
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        // A file on this machine does not go stale the way a network
        // connection does; the ping before each use was a round trip to
        // the connection's thread on every request.
        .test_before_acquire(false)
        .connect_with(options(path, durability))
        .await
        .map_err(|e| format!("cannot open database {}: {e}", path.display()))?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|e| format!("cannot migrate database {}: {e}", path.display()))?;
    Ok(pool)
}

/// The one connection the server's write transactions use, opened after
/// [`connect`] and never closed. Writes take turns anyway (see
/// [`WriteTx`]); with a connection of their own the writer holding the
/// lock never queues for one behind the reads of requests waiting for it.
pub async fn writer(path: &Path, durability: Durability) -> Result<SqlitePool, String> {
    SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .test_before_acquire(false)
        .connect_with(options(path, durability).create_if_missing(false))
        .await
        .map_err(|e| format!("cannot open database {}: {e}", path.display()))
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

/// Group commit for a database opened with [`Durability::Grouped`].
///
/// With `synchronous=FULL` every COMMIT waits for its own sync of the WAL
/// while it holds the write lock, so writers queue behind one fsync each
/// (about 0.35 ms here, a third of an order's time under the lock). Here a
/// commit only writes the WAL; after the lock is released it waits until
/// one sync of the WAL file has covered it. A sync started after commit `n`
/// returned covers every commit up to `n`, so writers that commit while
/// one sync runs share the next. The guarantee is FULL's: nothing is
/// answered before its frames are on disk.
///
/// The WAL file is looked up by path and opened again when it was replaced
/// (SQLite deletes it when its last connection closes, after a checkpoint
/// that has synced everything into the database file); a missing WAL has
/// nothing left to sync. SQLite keeps no locks on the WAL file, so this
/// process's own descriptor of it cannot disturb SQLite's.
pub struct WalSync {
    wal: PathBuf,
    /// Commits made: each takes the next number, under the write lock.
    committed: AtomicU64,
    /// The highest commit known synced; held while a sync runs.
    synced: tokio::sync::Mutex<u64>,
    /// The open WAL file and its inode; only used under `synced`.
    file: Arc<std::sync::Mutex<Option<(File, u64)>>>,
    syncs: AtomicU64,
}

impl WalSync {
    /// For the database at `db_path` (its WAL is `<db_path>-wal`).
    pub fn new(db_path: &Path) -> Self {
        let mut wal = db_path.as_os_str().to_owned();
        wal.push("-wal");
        Self {
            wal: wal.into(),
            committed: AtomicU64::new(0),
            synced: tokio::sync::Mutex::new(0),
            file: Arc::default(),
            syncs: AtomicU64::new(0),
        }
    }

    /// Counts a commit that has returned; its number, to [`Self::wait`] for.
    pub fn committed(&self) -> u64 {
        self.committed.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Returns once commit `n` is on disk.
    pub async fn wait(&self, n: u64) -> io::Result<()> {
        let mut synced = self.synced.lock().await;
        if *synced >= n {
            return Ok(());
        }
        // Read before the sync: every commit counted so far has written
        // its frames, so this one sync covers them all.
        let upto = self.committed.load(Ordering::SeqCst);
        let (wal, file) = (self.wal.clone(), self.file.clone());
        tokio::task::spawn_blocking(move || sync_wal(&wal, &file))
            .await
            .map_err(io::Error::other)??;
        self.syncs.fetch_add(1, Ordering::Relaxed);
        *synced = upto;
        Ok(())
    }

    /// How many syncs have run: fewer than commits under concurrent writes.
    pub fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }

    /// Commits made, and the highest of them known on disk.
    pub async fn position(&self) -> (u64, u64) {
        let synced = *self.synced.lock().await;
        (self.committed.load(Ordering::SeqCst), synced)
    }
}

fn sync_wal(wal: &Path, file: &std::sync::Mutex<Option<(File, u64)>>) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let ino = match std::fs::metadata(wal) {
        Ok(m) => m.ino(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
    if file.as_ref().is_none_or(|(_, open)| *open != ino) {
        let opened = File::open(wal)?;
        let ino = opened.metadata()?.ino();
        // A new WAL's name must survive a power cut too.
        if let Some(dir) = wal.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        *file = Some((opened, ino));
    }
    let (f, _) = file.as_ref().expect("opened above");
    f.sync_data()
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
    lock: tokio::sync::OwnedMutexGuard<()>,
    sync: Arc<WalSync>,
}

impl WriteTx {
    pub async fn begin(
        pool: &SqlitePool,
        lock: &Arc<tokio::sync::Mutex<()>>,
        sync: &Arc<WalSync>,
    ) -> Result<Self, sqlx::Error> {
        let lock = lock.clone().lock_owned().await;
        let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Self {
            tx,
            lock,
            sync: sync.clone(),
        })
    }

    pub fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.tx
    }

    /// Commits, lets the next writer in, and returns once the commit is on
    /// disk (see [`WalSync`]).
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let Self { tx, lock, sync } = self;
        tx.commit().await?;
        let n = sync.committed();
        drop(lock);
        sync.wait(n).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).unwrap().ino()
    }

    #[tokio::test]
    async fn one_sync_covers_every_commit_counted_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.sqlite3");
        std::fs::write(dir.path().join("x.sqlite3-wal"), b"frames").unwrap();
        let sync = WalSync::new(&db);
        let (a, b, c) = (sync.committed(), sync.committed(), sync.committed());
        assert_eq!((a, b, c), (1, 2, 3));
        sync.wait(c).await.unwrap();
        sync.wait(a).await.unwrap();
        sync.wait(b).await.unwrap();
        assert_eq!(sync.syncs(), 1);
        assert_eq!(sync.position().await, (3, 3));
        // A commit after that sync needs one of its own.
        let d = sync.committed();
        assert_eq!(sync.position().await, (4, 3));
        sync.wait(d).await.unwrap();
        assert_eq!((sync.syncs(), sync.position().await), (2, (4, 4)));
    }

    #[tokio::test]
    async fn a_replaced_wal_is_opened_again_and_a_missing_one_needs_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.sqlite3");
        let wal = dir.path().join("x.sqlite3-wal");
        let sync = WalSync::new(&db);
        // No WAL (e.g. deleted after the last connection's checkpoint).
        let n = sync.committed();
        sync.wait(n).await.unwrap();
        assert_eq!(sync.position().await, (1, 1));
        assert!(sync.file.lock().unwrap().is_none());

        std::fs::write(&wal, b"first").unwrap();
        let n = sync.committed();
        sync.wait(n).await.unwrap();
        let first = inode(&wal);
        assert_eq!(sync.file.lock().unwrap().as_ref().unwrap().1, first);

        // Held open, the old file keeps its inode while the new one gets
        // another.
        let _old = File::open(&wal).unwrap();
        std::fs::remove_file(&wal).unwrap();
        std::fs::write(&wal, b"second").unwrap();
        assert_ne!(inode(&wal), first);
        let n = sync.committed();
        sync.wait(n).await.unwrap();
        assert_eq!(sync.file.lock().unwrap().as_ref().unwrap().1, inode(&wal));
        assert_eq!(sync.position().await, (3, 3));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_transaction_answers_once_its_commit_is_synced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.sqlite3");
        let pool = connect(&path, Durability::Grouped).await.unwrap();
        let writes = writer(&path, Durability::Grouped).await.unwrap();
        let (lock, sync) = (Arc::default(), Arc::new(WalSync::new(&path)));
        // Grouped leaves the sync to WalSync; FULL is for one-off commands.
        let (level,): (i64,) = sqlx::query_as("PRAGMA synchronous")
            .fetch_one(&writes)
            .await
            .unwrap();
        assert_eq!(level, 1, "NORMAL");
        let full = connect(&path, Durability::Full).await.unwrap();
        let (level,): (i64,) = sqlx::query_as("PRAGMA synchronous")
            .fetch_one(&full)
            .await
            .unwrap();
        assert_eq!(level, 2, "FULL");

        sqlx::query("CREATE TABLE probe (x INTEGER)")
            .execute(&pool)
            .await
            .unwrap();
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let (writes, lock, sync) = (writes.clone(), Arc::clone(&lock), sync.clone());
                tokio::spawn(async move {
                    let mut tx = WriteTx::begin(&writes, &lock, &sync).await.unwrap();
                    sqlx::query("INSERT INTO probe VALUES (?)")
                        .bind(i)
                        .execute(tx.conn())
                        .await
                        .unwrap();
                    // Under the lock: this commit will be the next number.
                    let mine = sync.committed.load(Ordering::SeqCst) + 1;
                    tx.commit().await.unwrap();
                    let (_, synced) = sync.position().await;
                    assert!(synced >= mine, "answered before synced: {synced} < {mine}");
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM probe")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(rows, 16);
        assert_eq!(sync.position().await, (16, 16));
        assert!((1..=16).contains(&sync.syncs()));
        pool.close().await;
    }
}
