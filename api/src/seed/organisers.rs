//! Demo organiser accounts (all fictional, marked demo), named after each
//! demo village's representatives. Seeded when the `organiser` table is
//! empty, also into a database made by an earlier version; existing rows
//! are never touched. Villages that do not exist are skipped.
//!
//! | login                  | password           | villages       |
//! |------------------------|--------------------|----------------|
//! | `liu-organiser-1`      | `demo-organiser-1` | liu, song      |
//! | `liu-organiser-2`      | `demo-organiser-2` | liu            |
//! | `liu-organiser-3`      | `demo-organiser-3` | liu            |
//! | `song-organiser-1`     | `demo-organiser-4` | song           |
//! | `conggang-organiser-1` | `demo-organiser-5` | conggang       |
//! | `hanyuan-organiser-1`  | `demo-organiser-6` | hanyuan        |
//! | `badagong-organiser-1` | `demo-organiser-7` | badagong       |
//!
//! The hashes are argon2id PHC strings of the passwords, computed once (a
//! unit test checks them), so seeding costs no hashing.

use super::Seeded;
use sqlx::SqlitePool;
use time::OffsetDateTime;

pub struct DemoOrganiser {
    pub login: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// What to type; only its hash is stored (a test checks they match).
    #[allow(dead_code)]
    pub password: &'static str,
    pub password_hash: &'static str,
    pub villages: &'static [&'static str],
}

pub const DEMO_ORGANISERS: [DemoOrganiser; 7] = [
    DemoOrganiser {
        login: "liu-organiser-1",
        name_zh: "刘建国（示例）",
        name_en: "Liu Jianguo (demo)",
        password: "demo-organiser-1",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$VTl0L9wfDrk9ae+135n0Xw$s93AZ/ZI+URxLlXfyT7Pwv3ditJ2xrMJfiM3KdZpwyc",
        // Also helps the neighbouring Song Village.
        villages: &["liu", "song"],
    },
    DemoOrganiser {
        login: "liu-organiser-2",
        name_zh: "赵秀梅（示例）",
        name_en: "Zhao Xiumei (demo)",
        password: "demo-organiser-2",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$LQdV/VLmuY8w9WlPhvbKwA$t4jnjZghka+NGbWUlW5hLesfBhvVa8GZWPZ06FIP8PU",
        villages: &["liu"],
    },
    DemoOrganiser {
        login: "liu-organiser-3",
        name_zh: "刘志强（示例）",
        name_en: "Liu Zhiqiang (demo)",
        password: "demo-organiser-3",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$KcsB6OXmro3Ip8R6ER1bMg$JhZzh1XgzMrNyePrUfTenk26XdNgB/rf0kj9bbtGCh4",
        villages: &["liu"],
    },
    DemoOrganiser {
        login: "song-organiser-1",
        name_zh: "宋春生（示例）",
        name_en: "Song Chunsheng (demo)",
        password: "demo-organiser-4",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$jEGR1cgmAxuW5ejZRX7cNQ$G4eq6ecU1wQTwuTq/v2a6md9ba8pfPzUtghOuZh0YMQ",
        villages: &["song"],
    },
    DemoOrganiser {
        login: "conggang-organiser-1",
        name_zh: "杨永福（示例）",
        name_en: "Yang Yongfu (demo)",
        password: "demo-organiser-5",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$940yYDKBaGFhZvjqyD5rtg$XRhiKv7NfxZELSeF8/81unAMl1laXM128LAhunk1M4w",
        villages: &["conggang"],
    },
    DemoOrganiser {
        login: "hanyuan-organiser-1",
        name_zh: "王俊（示例）",
        name_en: "Wang Jun (demo)",
        password: "demo-organiser-6",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$xYIJuZa3cfJKthZoKQ4Z2g$KG/q9Y2B5iM4EW9y/YTmxdV8PEmsA9LvKLUgG7K1Jls",
        villages: &["hanyuan"],
    },
    DemoOrganiser {
        login: "badagong-organiser-1",
        name_zh: "向春燕（示例）",
        name_en: "Xiang Chunyan (demo)",
        password: "demo-organiser-7",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$KBC2guzp+eCU7fdivStbyQ$S6DO+NKwhXISH3fxhsnAnqPq2TqjHLfpdZsjeThOQic",
        villages: &["badagong"],
    },
];

/// Counts the rows already there: any, and this step leaves the database alone.
const EMPTY: &str = "SELECT COUNT(*) FROM organiser";
const FAILED: &str = "seeding demo organisers failed";

/// Seeds the demo organisers if there are none. Returns how many accounts
/// were made, `None` when the table already had rows.
pub async fn seed_if_empty(pool: &SqlitePool, now: OffsetDateTime) -> Seeded<usize> {
    let Some(mut tx) = super::begin_if_empty(pool, EMPTY, FAILED).await? else {
        return Ok(None);
    };
    let db = super::failed(FAILED);
    let mut made = 0;
    for o in &DEMO_ORGANISERS {
        let mut village_ids = Vec::new();
        for slug in o.villages {
            let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM village WHERE slug = ?")
                .bind(slug)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
            if let Some((id,)) = row {
                village_ids.push(id);
            }
        }
        if village_ids.is_empty() {
            continue;
        }
        let id = sqlx::query(
            "INSERT INTO organiser (login, name_zh, name_en, password_hash, demo, created_at)
             VALUES (?, ?, ?, ?, 1, ?)",
        )
        .bind(o.login)
        .bind(o.name_zh)
        .bind(o.name_en)
        .bind(o.password_hash)
        .bind(now.unix_timestamp())
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .last_insert_rowid();
        for v in village_ids {
            sqlx::query("INSERT INTO organiser_village (organiser_id, village_id) VALUES (?, ?)")
                .bind(id)
                .bind(v)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        made += 1;
    }
    tx.commit().await.map_err(db)?;
    Ok(Some(made))
}
