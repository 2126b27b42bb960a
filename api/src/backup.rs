//! `api backup PATH`: a consistent copy of the live database, made with
//! SQLite's `VACUUM INTO` while the server keeps serving (a read
//! transaction sees one moment; writers in WAL mode are not held up). The
//! copy is written next to `PATH` first and renamed into place once it
//! passes `PRAGMA integrity_check`, so `PATH` is never a half-written file.
//! It refuses to overwrite an existing file.

use std::path::{Path, PathBuf};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode},
    ConnectOptions as _, Connection as _,
};

use crate::admin::Failure;

pub const USAGE: &str =
    "usage: api backup PATH   (copies the database STOREFRONT_DB names to PATH)";

fn failed(message: impl Into<String>) -> Failure {
    Failure {
        code: 1,
        message: message.into(),
    }
}

/// Runs `api backup` with its arguments; returns what to print.
pub async fn run(args: &[String], db: &Path) -> Result<String, Failure> {
    let [target] = args else {
        return Err(Failure {
            code: crate::admin::USAGE_ERROR,
            message: USAGE.to_owned(),
        });
    };
    let target = PathBuf::from(target);
    if target.exists() {
        return Err(failed(format!(
            "{} already exists; choose a new file name (a backup never overwrites)",
            target.display()
        )));
    }
    if !db.is_file() {
        return Err(failed(format!(
            "there is no database at {} (set STOREFRONT_DB)",
            db.display()
        )));
    }
    let partial = target.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let result = copy(db, &partial).await;
    let checked = match result {
        Ok(()) => check(&partial).await,
        Err(e) => Err(e),
    };
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &target)
        .map_err(|e| failed(format!("cannot move the copy to {}: {e}", target.display())))?;
    let bytes = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
    Ok(format!(
        "backup: {} ({bytes} bytes), integrity ok\n",
        target.display()
    ))
}

async fn copy(db: &Path, to: &Path) -> Result<(), Failure> {
    let to_text = to
        .to_str()
        .ok_or_else(|| failed(format!("{} is not a UTF-8 path", to.display())))?;
    // Not migrated, not seeded: the copy is of the database as it is.
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(std::time::Duration::from_secs(30))
        .connect()
        .await
        .map_err(|e| failed(format!("cannot open {}: {e}", db.display())))?;
    sqlx::query("VACUUM INTO ?")
        .bind(to_text)
        .execute(&mut conn)
        .await
        .map_err(|e| {
            failed(format!(
                "cannot copy {} to {}: {e}",
                db.display(),
                to.display()
            ))
        })?;
    conn.close().await.ok();
    Ok(())
}

/// The copy opens and SQLite finds nothing wrong in it.
async fn check(copy: &Path) -> Result<(), Failure> {
    let mut conn = SqliteConnectOptions::new()
        .filename(copy)
        .read_only(true)
        .connect()
        .await
        .map_err(|e| failed(format!("cannot open the copy {}: {e}", copy.display())))?;
    let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| failed(format!("cannot check the copy: {e}")))?;
    conn.close().await.ok();
    match rows.as_slice() {
        [(ok,)] if ok == "ok" => Ok(()),
        _ => Err(failed(format!(
            "the copy failed its integrity check: {}",
            rows.into_iter()
                .map(|(r,)| r)
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}
