//! The real binary: `STOREFRONT_DEMO=0` starts from nothing, and `api admin
//! create-village` makes a village and its first organiser (with the
//! server stopped or running), whose one-time password must be changed
//! before anything else.

use std::process::{Command, Output};

use reqwest::Method;
use serde_json::json;

use crate::common::{browser, call, open_db, scalar, Env, Http, Process};

/// `api admin ARGS` against the env's database.
fn admin(env: &Env, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_api"))
        .arg("admin")
        .args(args)
        .env("STOREFRONT_DB", &env.db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run api admin")
}

fn create(env: &Env, slug: &str, login: &str) -> Output {
    admin(
        env,
        &[
            "create-village",
            "--slug",
            slug,
            "--name-zh",
            "山花村",
            "--name-en",
            "Shanhua",
            "--organiser",
            login,
        ],
    )
}

/// The one-time password of a successful run.
fn password_of(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap_or_else(|| panic!("no password line in {stdout}"))
        .trim()
        .to_owned()
}

/// Logs in with the one-time password; gets 403 until it is changed, then 200.
async fn first_login(server: &Http, slug: &str, login: &str, password: &str) {
    let client = browser();
    let (status, me) = call(
        &client,
        Method::POST,
        &server.url("/api/organise/session"),
        Some(&json!({"login": login, "password": password})),
        true,
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["must_change_password"], true);
    assert_eq!(me["villages"][0]["slug"], slug);
    let log = server.url(&format!("/api/organise/villages/{slug}/log"));
    let (status, b) = call(&client, Method::GET, &log, None, false).await;
    assert_eq!(status, 403, "{b}");
    assert!(b["error"].as_str().unwrap().contains("password"), "{b}");
    assert!(b["error_zh"].as_str().unwrap().contains("密码"), "{b}");
    let (status, _) = call(
        &client,
        Method::GET,
        &server.url("/api/organise/me"),
        None,
        false,
    )
    .await;
    assert_eq!(status, 200, "me answers");
    let change = json!({"current_password": password, "new_password": "my own long password"});
    let (status, me) = call(
        &client,
        Method::PUT,
        &server.url("/api/organise/session/password"),
        Some(&change),
        true,
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["must_change_password"], false);
    let (status, page) = call(&client, Method::GET, &log, None, false).await;
    assert_eq!(status, 200, "{page}");
    let actions: Vec<&str> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["change_password", "create"]);
    // The shop shows the new village, with its empty texts.
    let (status, v) = call(
        &browser(),
        Method::GET,
        &server.url(&format!("/api/villages/{slug}")),
        None,
        false,
    )
    .await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test]
async fn an_empty_storefront_gets_its_first_village_from_the_admin_command() {
    let env = Env::new();
    // Before the server ever ran: the command migrates the new file.
    let out = create(&env, "shanhua", "shanhua-1");
    let password = password_of(&out);
    assert_eq!(password.len(), 19, "{password}");
    let server = Process::start_with(&env, &[("STOREFRONT_DEMO", "0")]);
    let pool = open_db(&env.db).await;
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM village").await,
        1,
        "no demo data"
    );
    for table in ["product", "member", "invitation", "household"] {
        assert_eq!(
            scalar(&pool, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    assert!(
        !scalar_text(&pool).await.contains(&password),
        "only its hash is stored"
    );
    first_login(&server, "shanhua", "shanhua-1", &password).await;

    // While it runs: a second village, and the first slug again is refused.
    let out = create(&env, "beipo", "beipo-1");
    let password = password_of(&out);
    let out = create(&env, "shanhua", "someone-else");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM organiser WHERE login = 'someone-else'"
        )
        .await,
        0
    );
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM village").await, 2);
    first_login(&server, "beipo", "beipo-1", &password).await;
}

async fn scalar_text(pool: &sqlx::SqlitePool) -> String {
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM organiser")
        .fetch_one(pool)
        .await
        .unwrap();
    hash
}

#[test]
fn bad_arguments_name_the_flag_and_exit_2() {
    let env = Env::new();
    for (args, flag) in [
        (
            vec![
                "create-village",
                "--slug",
                "ok",
                "--name-zh",
                "村",
                "--name-en",
                "V",
            ],
            "--organiser",
        ),
        (
            vec![
                "create-village",
                "--slug",
                "Not OK",
                "--name-zh",
                "村",
                "--name-en",
                "V",
                "--organiser",
                "abc",
            ],
            "--slug",
        ),
        (
            vec![
                "create-village",
                "--slug",
                "ok",
                "--name-zh",
                "村",
                "--name-en",
                "V",
                "--organiser",
                "a",
            ],
            "--organiser",
        ),
        (vec!["create-village", "--nmae-en", "V"], "--nmae-en"),
        (vec!["make-village"], "make-village"),
    ] {
        let out = admin(&env, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag), "{flag} in {err}");
        assert!(out.stdout.is_empty());
    }
    assert!(!env.db.exists(), "nothing written");
}
