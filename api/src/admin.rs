//! `api admin ...`: commands for whoever runs the server, against the
//! database named by `STOREFRONT_DB` (migrated if needed, never seeded),
//! whether or not the server is running (SQLite WAL and a busy timeout
//! let both write).
//!
//! `api admin create-village --slug SLUG --name-zh 名称 --name-en NAME --organiser LOGIN
//! [--organiser-name-zh 名字] [--organiser-name-en NAME]` creates a village and its
//! first organiser. A new login gets a one-time password, printed once on
//! a line `password: …`, that must be changed at the first login; an
//! existing login keeps its password and gets the village added.

use std::{collections::HashMap, path::Path};

use domain::{organise::login_name, validate};
use sqlx::SqlitePool;
use time::OffsetDateTime;

use crate::http::auth;

/// Exit code for arguments that are wrong (as `clap` and most tools do).
pub const USAGE_ERROR: i32 = 2;

pub const USAGE: &str =
    "usage: api admin create-village --slug SLUG --name-zh 名称 --name-en NAME \
--organiser LOGIN [--organiser-name-zh 名字] [--organiser-name-en NAME]";

/// What went wrong, and the exit code that says so.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        code: USAGE_ERROR,
        message: format!("{}\n{USAGE}", message.into()),
    }
}

fn failed(message: impl Into<String>) -> Failure {
    Failure {
        code: 1,
        message: message.into(),
    }
}

/// The arguments of `create-village`, checked.
#[derive(Debug, PartialEq)]
pub struct CreateVillage {
    pub slug: String,
    pub name_zh: String,
    pub name_en: String,
    pub login: String,
    pub organiser_zh: String,
    pub organiser_en: String,
}

const FLAGS: [&str; 6] = [
    "--slug",
    "--name-zh",
    "--name-en",
    "--organiser",
    "--organiser-name-zh",
    "--organiser-name-en",
];

impl CreateVillage {
    /// Parses `--flag value` pairs (or `--flag=value`); every problem names its flag.
    pub fn parse(args: &[String]) -> Result<Self, Failure> {
        let mut values: HashMap<&str, String> = HashMap::new();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) => (f, Some(v.to_owned())),
                None => (arg.as_str(), None),
            };
            let Some(flag) = FLAGS.iter().find(|f| **f == flag) else {
                return Err(usage(format!("unknown argument '{arg}'")));
            };
            let value = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| usage(format!("{flag} needs a value")))?,
            };
            if values.insert(flag, value).is_some() {
                return Err(usage(format!("{flag} is given twice")));
            }
        }
        let mut take = |flag: &str| -> Result<String, Failure> {
            values
                .remove(flag)
                .ok_or_else(|| usage(format!("{flag} is required")))
        };
        let slug = take("--slug")?.trim().to_owned();
        let name_zh = take("--name-zh")?.trim().to_owned();
        let name_en = take("--name-en")?.trim().to_owned();
        let login_raw = take("--organiser")?;
        let bad = |flag: &str, e: domain::FieldError| usage(format!("{flag}: {}", e.message));
        validate::slug("slug", &slug).map_err(|e| bad("--slug", e))?;
        validate::name("name_zh", &name_zh).map_err(|e| bad("--name-zh", e))?;
        validate::name("name_en", &name_en).map_err(|e| bad("--name-en", e))?;
        let login = login_name("login", &login_raw).map_err(|e| bad("--organiser", e))?;
        let organiser_zh = values
            .remove("--organiser-name-zh")
            .map_or_else(|| login.clone(), |v| v.trim().to_owned());
        let organiser_en = values
            .remove("--organiser-name-en")
            .map_or_else(|| login.clone(), |v| v.trim().to_owned());
        validate::name("name", &organiser_zh).map_err(|e| bad("--organiser-name-zh", e))?;
        validate::name("name", &organiser_en).map_err(|e| bad("--organiser-name-en", e))?;
        Ok(Self {
            slug,
            name_zh,
            name_en,
            login,
            organiser_zh,
            organiser_en,
        })
    }
}

/// Runs `api admin ARGS...` against `db_path`; what to print on success.
pub async fn run(args: &[String], db_path: &Path) -> Result<String, Failure> {
    match args.split_first() {
        Some((cmd, rest)) if cmd == "create-village" => {
            let input = CreateVillage::parse(rest)?;
            let db = crate::db::connect(db_path, crate::db::Durability::Full)
                .await
                .map_err(failed)?;
            let out = create_village(&db, &input).await;
            db.close().await;
            out
        }
        Some((cmd, _)) => Err(usage(format!("unknown admin command '{cmd}'"))),
        None => Err(usage("an admin command is required")),
    }
}

/// A one-time password: 16 letters and digits from the OS's CSPRNG, in
/// groups of four to read out or copy.
fn one_time_password() -> String {
    let raw = auth::random_code(16);
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

async fn create_village(db: &SqlitePool, c: &CreateVillage) -> Result<String, Failure> {
    let sql = |e: sqlx::Error| failed(format!("database error: {e}"));
    let password = one_time_password();
    // Hashed before the write transaction: slow on purpose.
    let hash = auth::hash_password(password.clone())
        .await
        .map_err(|e| failed(format!("{e:?}")))?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await.map_err(sql)?;
    let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM village WHERE slug = ?")
        .bind(&c.slug)
        .fetch_optional(&mut *tx)
        .await
        .map_err(sql)?;
    if taken.is_some() {
        return Err(failed(format!(
            "a village with slug '{}' already exists; nothing was written",
            c.slug
        )));
    }
    // Empty texts for the organisers to fill in from the workspace; the
    // middle of the organising share's allowed 10–20%.
    let village_id = sqlx::query(
        "INSERT INTO village (slug, name_zh, name_en, region_zh, region_en, city_zh, city_en,
                              distance_km, tagline_zh, tagline_en, story_zh, story_en,
                              organising_percent)
         VALUES (?, ?, ?, '', '', '', '', 0, '', '', '', '', 15)",
    )
    .bind(&c.slug)
    .bind(&c.name_zh)
    .bind(&c.name_en)
    .execute(&mut *tx)
    .await
    .map_err(sql)?
    .last_insert_rowid();
    let existing: Option<(i64,)> = sqlx::query_as("SELECT id FROM organiser WHERE login = ?")
        .bind(&c.login)
        .fetch_optional(&mut *tx)
        .await
        .map_err(sql)?;
    let (organiser_id, new) = match existing {
        Some((id,)) => (id, false),
        None => {
            let id = sqlx::query(
                "INSERT INTO organiser (login, name_zh, name_en, password_hash, demo, created_at,
                                        must_change_password)
                 VALUES (?, ?, ?, ?, 0, ?, 1)",
            )
            .bind(&c.login)
            .bind(&c.organiser_zh)
            .bind(&c.organiser_en)
            .bind(&hash)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(sql)?
            .last_insert_rowid();
            (id, true)
        }
    };
    sqlx::query("INSERT INTO organiser_village (organiser_id, village_id, since) VALUES (?, ?, ?)")
        .bind(organiser_id)
        .bind(village_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(sql)?;
    // The village's first change-log entry, by its first organiser.
    sqlx::query(
        "INSERT INTO change_log (organiser_id, village_id, entity, entity_id, action, at, before, after)
         VALUES (?, ?, 'village', ?, 'create', ?, NULL, ?)",
    )
    .bind(organiser_id)
    .bind(village_id)
    .bind(village_id.to_string())
    .bind(now)
    .bind(
        serde_json::json!({
            "slug": c.slug, "name": {"zh": c.name_zh, "en": c.name_en},
            "organiser": c.login, "by": "api admin create-village",
        })
        .to_string(),
    )
    .execute(&mut *tx)
    .await
    .map_err(sql)?;
    tx.commit().await.map_err(sql)?;
    let mut out = format!(
        "created village '{}' ({} / {}) with organiser '{}'\n",
        c.slug, c.name_zh, c.name_en, c.login
    );
    if new {
        out.push_str(&format!(
            "password: {password}\n(one-time: it must be changed at the first login at /organise)\n"
        ));
    } else {
        out.push_str("the organiser already had an account: their password is unchanged\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn parses_and_names_the_bad_flag() {
        let ok = CreateVillage::parse(&args(&[
            "--slug",
            "hill",
            "--name-zh",
            "山村",
            "--name-en=Hill",
            "--organiser",
            "Hill-One",
        ]))
        .unwrap();
        assert_eq!(
            (ok.login.as_str(), ok.organiser_en.as_str()),
            ("hill-one", "hill-one")
        );
        for (bad, flag) in [
            (vec!["--slug", "Hill Village"], "--slug"),
            (
                vec!["--slug", "hill", "--name-zh", "山村", "--name-en", "Hill"],
                "--organiser",
            ),
            (vec!["--slug"], "--slug"),
            (vec!["--colour", "red"], "--colour"),
        ] {
            let e = CreateVillage::parse(&args(&bad)).unwrap_err();
            assert_eq!(e.code, USAGE_ERROR);
            assert!(e.message.contains(flag), "{flag}: {}", e.message);
        }
    }

    #[test]
    fn one_time_passwords_are_random_and_long() {
        let p = one_time_password();
        assert_eq!(p.len(), 19, "{p}");
        assert!(domain::organise::people::organiser_password("p", &p).is_ok());
        assert_ne!(p, one_time_password());
    }
}
