//! Demo data, seeded on start into whatever of it the database lacks:
//! each group (villages and their products, supplies, members, visit
//! offers, organiser accounts, past rounds that went all the way) only
//! when its own tables are empty, so a database made before a group
//! existed gets it too.

pub mod demo;
pub mod loop_round;
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
    // After the members and organisers it needs.
    if let Some(report) = loop_round::seed_if_empty(db, now).await? {
        tracing::info!(
            ?report,
            "seeded the demo of past rounds, from order to refund"
        );
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

#[cfg(test)]
mod tests {
    use super::{members::DEMO_MEMBERS, organisers::DEMO_ORGANISERS};
    use crate::http::auth::verify_password;

    #[test]
    fn demo_members_and_codes_are_valid() {
        for m in &DEMO_MEMBERS {
            domain::validate::phone("phone", m.phone).unwrap();
            domain::validate::name("name", m.name).unwrap();
        }
        for code in super::members::DEMO_CODES {
            assert_eq!(domain::validate::invitation_code("c", code).unwrap(), code);
        }
    }

    #[test]
    fn demo_organisers_are_valid() {
        for o in &DEMO_ORGANISERS {
            assert_eq!(
                domain::organise::login_name("login", o.login).unwrap(),
                o.login
            );
            assert!(o.name_zh.contains("示例") && o.name_en.contains("(demo)"));
        }
        assert!(DEMO_ORGANISERS.iter().any(|o| o.villages.len() > 1));
    }

    /// The hashes are computed once and stored, so seeding costs no hashing.
    #[tokio::test]
    async fn demo_hashes_match_the_demo_passwords() {
        let members = DEMO_MEMBERS
            .iter()
            .map(|m| (m.phone, m.password, m.password_hash));
        let organisers = DEMO_ORGANISERS
            .iter()
            .map(|o| (o.login, o.password, o.password_hash));
        for (who, password, hash) in members.chain(organisers) {
            let ok = verify_password(password.into(), Some(hash.into()))
                .await
                .unwrap();
            assert!(ok, "{who}");
        }
    }
}
