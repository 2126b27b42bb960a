//! Demo members and invitation codes (all fictional). Seeded when both the
//! `member` and `invitation` tables are empty, also into a database made by
//! an earlier version; existing rows are never touched.
//!
//! | phone         | password          | name   | default point               |
//! |---------------|-------------------|--------|-----------------------------|
//! | `13800000001` | `demo-password-1` | 陈晓梅 | Liu Village's first point   |
//! | `13800000002` | `demo-password-2` | 王建国 | Song Village's first point  |
//! | `13800000003` | `demo-password-3` | 赵丽   | Liu Village's first point, invited by 陈晓梅 |
//!
//! Unused codes made by an organiser: `LIUDEMO1`–`LIUDEMO3`,
//! `SONGDEMO1`–`SONGDEMO2`. 陈晓梅 has made one code, `CHENXM01`, used by 赵丽.
//!
//! The password hashes are argon2id PHC strings of the passwords above,
//! computed once (a unit test checks them), so seeding costs no hashing.

use super::Seeded;
use sqlx::{SqliteConnection, SqlitePool};
use time::OffsetDateTime;

pub struct DemoMember {
    pub name: &'static str,
    pub phone: &'static str,
    /// What to type; only its hash is stored (a test checks they match).
    #[allow(dead_code)]
    pub password: &'static str,
    pub password_hash: &'static str,
    pub village_slug: &'static str,
    /// Index into [`DEMO_MEMBERS`] of the member whose code this one used,
    /// with that code.
    pub invited_by: Option<(usize, &'static str)>,
}

pub const DEMO_MEMBERS: [DemoMember; 3] = [
    DemoMember {
        name: "陈晓梅",
        phone: "13800000001",
        password: "demo-password-1",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$4bNv6zG+YghhxHYdVBvPWw$RRyDp4FlHOnUIkEfhkh6dHtNyHT1TNIWg0CTVkSD858",
        village_slug: "liu",
        invited_by: None,
    },
    DemoMember {
        name: "王建国",
        phone: "13800000002",
        password: "demo-password-2",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$ATDfUt30zvxzw3YE2Bw0aw$kiyKCjGeXYsnhnPM2o4faie1FU8S1TeMiSQx7m+PECE",
        village_slug: "song",
        invited_by: None,
    },
    DemoMember {
        name: "赵丽",
        phone: "13800000003",
        password: "demo-password-3",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$piXNFghO8P0iFkJz7jLRUw$BB1BqDh19B7BW6fmoV5MTXJwC6bdwMqFKtCX2xdDtbs",
        village_slug: "liu",
        invited_by: Some((0, "CHENXM01")),
    },
];

/// Codes made by an organiser, unused, for trying out joining.
pub const DEMO_CODES: [&str; 5] = ["LIUDEMO1", "LIUDEMO2", "LIUDEMO3", "SONGDEMO1", "SONGDEMO2"];

#[derive(Debug, Default, PartialEq, Eq)]
pub struct MembersReport {
    pub members: usize,
    pub invitations: usize,
}

async fn first_point(conn: &mut SqliteConnection, slug: &str) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT d.id FROM distribution_point d JOIN village v ON v.id = d.village_id
         WHERE v.slug = ? ORDER BY d.id LIMIT 1",
    )
    .bind(slug)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Counts the rows already there: any, and this step leaves the database alone.
const EMPTY: &str = "SELECT (SELECT COUNT(*) FROM member) + (SELECT COUNT(*) FROM invitation)";
const FAILED: &str = "seeding demo members failed";

/// Seeds the demo members and codes if there are no members and no codes.
pub async fn seed_if_empty(pool: &SqlitePool, now: OffsetDateTime) -> Seeded<MembersReport> {
    let Some(mut tx) = super::begin_if_empty(pool, EMPTY, FAILED).await? else {
        return Ok(None);
    };
    let db = super::failed(FAILED);
    let now = now.unix_timestamp();
    let mut report = MembersReport::default();

    for code in DEMO_CODES {
        sqlx::query(
            "INSERT INTO invitation (code, created_by_member_id, created_at) VALUES (?, NULL, ?)",
        )
        .bind(code)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        report.invitations += 1;
    }

    let mut ids: Vec<Option<i64>> = Vec::new();
    for m in &DEMO_MEMBERS {
        let Some(point) = first_point(&mut tx, m.village_slug).await.map_err(db)? else {
            tracing::warn!(
                village = m.village_slug,
                "no such village; demo member skipped"
            );
            ids.push(None);
            continue;
        };
        let (invited_by, invitation_id) = match m.invited_by {
            Some((inviter, code)) => match ids.get(inviter).copied().flatten() {
                Some(inviter_id) => {
                    let invitation_id = sqlx::query(
                        "INSERT INTO invitation (code, created_by_member_id, created_at) VALUES (?, ?, ?)",
                    )
                    .bind(code)
                    .bind(inviter_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?
                    .last_insert_rowid();
                    report.invitations += 1;
                    (Some(inviter_id), Some(invitation_id))
                }
                None => (None, None),
            },
            None => (None, None),
        };
        let id = sqlx::query(
            "INSERT INTO member (name, phone, password_hash, default_point_id, invited_by_member_id,
                                 invitation_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(m.name)
        .bind(m.phone)
        .bind(m.password_hash)
        .bind(point)
        .bind(invited_by)
        .bind(invitation_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .last_insert_rowid();
        if let Some(invitation_id) = invitation_id {
            sqlx::query("UPDATE invitation SET used_by_member_id = ?, used_at = ? WHERE id = ?")
                .bind(id)
                .bind(now)
                .bind(invitation_id)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        ids.push(Some(id));
        report.members += 1;
    }
    tx.commit().await.map_err(db)?;
    Ok(Some(report))
}
