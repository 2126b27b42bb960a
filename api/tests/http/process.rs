//! The real binary: the database outlives the server (restarting neither
//! re-seeds nor wipes, and the API shows what is stored), it fails to start
//! with a clear message, and it reads its settings from the environment.

use serde_json::json;

use crate::common::{browser, execute, header, open_db, scalar, Env, Process};
use domain::dto::{VillageDetail, VillageSummary};

async fn counts(pool: &sqlx::SqlitePool) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "village",
        "village_organiser",
        "household",
        "product",
        "product_household",
        "distribution_point",
        "distribution_round",
        "member",
        "invitation",
        "supply",
        "orders",
        "pickup_mark",
        "share_spending",
    ] {
        out.push(scalar(pool, &format!("SELECT COUNT(*) FROM {table}")).await);
    }
    out
}

/// Renames Liu Village in English, then closes the connection.
async fn rename_liu(pool: sqlx::SqlitePool, name_en: &str) {
    sqlx::query("UPDATE village SET name_en = ? WHERE slug = 'liu'")
        .bind(name_en)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

#[tokio::test]
async fn restart_keeps_changes_and_does_not_reseed() {
    let env = Env::new();
    let server = Process::start(&env);
    let before: Vec<VillageSummary> = server.json("/api/villages").await;
    server.stop();

    let pool = open_db(&env.db).await;
    let counts_before = counts(&pool).await;
    assert!(counts_before.iter().all(|n| *n > 0), "{counts_before:?}");
    rename_liu(pool, "Liu Village (renamed)").await;

    let server = Process::start(&env);
    let after: Vec<VillageSummary> = server.json("/api/villages").await;
    assert_eq!(after.len(), before.len());
    let liu = after.iter().find(|v| v.slug == "liu").unwrap();
    assert_eq!(liu.name.en, "Liu Village (renamed)");
    for (a, b) in after.iter().zip(&before) {
        assert_eq!(
            (a.product_count, a.household_count),
            (b.product_count, b.household_count)
        );
    }
    server.stop();

    let pool = open_db(&env.db).await;
    assert_eq!(counts(&pool).await, counts_before);
}

#[tokio::test]
async fn an_emptied_catalogue_is_not_refilled_while_villages_exist() {
    let env = Env::new();
    Process::start(&env).stop();
    let pool = open_db(&env.db).await;
    forget_the_demo_loop(&pool).await;
    execute(
        &pool,
        &["DELETE FROM product WHERE village_id = (SELECT id FROM village WHERE slug = 'liu')"],
    )
    .await;
    let server = Process::start(&env);
    let liu: VillageDetail = server.json("/api/villages/liu").await;
    assert!(liu.products.is_empty());
}

/// Removes the demo's past orders and everything that follows from them,
/// so that what they refer to can go.
async fn forget_the_demo_loop(pool: &sqlx::SqlitePool) {
    execute(
        pool,
        &[
            "DELETE FROM rating",
            "DELETE FROM refund",
            "DELETE FROM label_report",
            "DELETE FROM pickup_mark",
            "DELETE FROM household_payment",
            "DELETE FROM share_spending",
            "DELETE FROM allocation",
            "DELETE FROM orders",
        ],
    )
    .await;
}

/// What the previous version left: the catalogue and its migrations, none
/// of the tables for members, supplies and orders.
async fn downgrade_to_catalogue_only(pool: &sqlx::SqlitePool) {
    // One connection (the pool holds one), so the pragma covers the drops.
    let statements = &[
        "PRAGMA foreign_keys = OFF",
        // Photos with ratings (migration 0019).
        "DROP TABLE IF EXISTS rating_photo_version",
        "DROP TABLE IF EXISTS rating_photo",
        // The loop after packing (migration 0018).
        "DROP VIEW IF EXISTS pickup",
        "DROP TABLE IF EXISTS label_report",
        "DROP TABLE IF EXISTS rating",
        "DROP TABLE IF EXISTS share_spending",
        "DROP TABLE IF EXISTS household_payment",
        "DROP TABLE IF EXISTS refund",
        "DROP TABLE IF EXISTS pickup_mark",
        // What migration 0016 added to the catalogue's tables.
        "DROP TABLE IF EXISTS village_photo_version",
        "DROP TABLE IF EXISTS village_photo",
        "ALTER TABLE household DROP COLUMN retired_at",
        "ALTER TABLE household DROP COLUMN registered_poor",
        "ALTER TABLE distribution_point DROP COLUMN closed_at",
        "ALTER TABLE distribution_round DROP COLUMN organising_percent",
        // Organiser tables (migrations 0010 and later).
        "DROP TABLE IF EXISTS organiser_invitation",
        "DROP TABLE IF EXISTS photo_version",
        "DROP TABLE IF EXISTS photo",
        "DROP TABLE IF EXISTS packed_line",
        "DROP TABLE IF EXISTS allocation",
        "DROP TABLE IF EXISTS withdrawn_line",
        "DROP TABLE IF EXISTS withdrawal",
        "DROP TABLE IF EXISTS round_point",
        "DROP TABLE IF EXISTS price_change",
        "DROP TABLE IF EXISTS change_log",
        "DROP TABLE IF EXISTS login_failure",
        "DROP TABLE IF EXISTS organiser_session",
        "DROP TABLE IF EXISTS organiser_village",
        "DROP TABLE IF EXISTS organiser",
        "DROP TABLE booking_night",
        "DROP TABLE booking",
        "DROP TABLE closed_day",
        "DROP TABLE visit_policy",
        "DROP TABLE host",
        "DROP TABLE ordered_total",
        "DROP TABLE order_line",
        "DROP TABLE orders",
        "DROP TABLE supply",
        "DROP TABLE session",
        "DROP TABLE member",
        "DROP TABLE invitation",
        "DELETE FROM _sqlx_migrations WHERE version >= 5",
        "PRAGMA foreign_keys = ON",
    ];
    execute(pool, statements).await;
}

#[tokio::test]
async fn a_database_of_the_previous_version_gets_members_and_supplies() {
    let env = Env::new();
    Process::start(&env).stop();
    let pool = open_db(&env.db).await;
    let catalogue = counts(&pool).await[..7].to_vec();
    downgrade_to_catalogue_only(&pool).await;
    rename_liu(pool, "Liu Village (kept)").await;

    let server = Process::start(&env);
    let liu: VillageDetail = server.json("/api/villages/liu").await;
    assert_eq!(liu.name.en, "Liu Village (kept)", "nothing was wiped");
    let open = liu.open_round.expect("an open round");
    assert!(open.stock.iter().filter(|s| s.capacity > 0).count() > 20);
    let (_, me) = server.login("13800000001", "demo-password-1").await;
    assert_eq!(me.village_slug, "liu");
    let visit: domain::dto::VisitOffer = server.json("/api/villages/liu/visit").await;
    assert!(visit.hosts.len() >= 2, "visit offers are seeded too");
    // So are the demo organisers.
    let organiser = server
        .organiser("liu-organiser-1", "demo-organiser-1")
        .await;
    assert_eq!(organiser.me.villages.len(), 2);
    server
        .register(
            "LIUDEMO1",
            "冯雪",
            "13600000001",
            liu.distribution_points[0].id,
        )
        .await;
    let pool = open_db(&env.db).await;
    assert_eq!(counts(&pool).await[..7], catalogue[..]);
}

#[tokio::test]
async fn each_group_of_demo_data_is_seeded_only_into_its_own_empty_tables() {
    let env = Env::new();
    Process::start(&env).stop();
    let pool = open_db(&env.db).await;
    let before = counts(&pool).await;
    // Supplies emptied, one changed member: only supplies come back.
    execute(&pool, &["DELETE FROM supply"]).await;
    execute(
        &pool,
        &["UPDATE member SET name = '改名' WHERE phone = '13800000002'"],
    )
    .await;
    Process::start(&env).stop();
    assert_eq!(counts(&pool).await, before);
    let (name,): (String,) = sqlx::query_as("SELECT name FROM member WHERE phone = '13800000002'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(name, "改名");

    // Deterministic: the same supplies again. A changed supply is kept.
    let total = || {
        scalar(
            &pool,
            "SELECT SUM(quantity * (round_id + product_id)) FROM supply",
        )
    };
    let fingerprint = total().await;
    execute(&pool, &["DELETE FROM supply"]).await;
    Process::start(&env).stop();
    assert_eq!(total().await, fingerprint);
    execute(
        &pool,
        &["UPDATE supply SET quantity = quantity + 1
         WHERE (round_id, household_id, product_id) = (SELECT round_id, household_id, product_id FROM supply LIMIT 1)"],
    )
    .await;
    Process::start(&env).stop();
    assert_eq!(counts(&pool).await, before);
    assert_ne!(total().await, fingerprint);

    // Members and codes all gone (with the demo orders that refer to
    // them): they come back, and so do the orders.
    forget_the_demo_loop(&pool).await;
    execute(
        &pool,
        &[
            "DELETE FROM session",
            "UPDATE member SET invitation_id = NULL, invited_by_member_id = NULL",
            "DELETE FROM invitation",
            "DELETE FROM member",
        ],
    )
    .await;
    Process::start(&env).stop();
    assert_eq!(counts(&pool).await, before);
}

#[tokio::test]
async fn it_says_where_it_listens_and_why_it_cannot_start() {
    let env = Env::new();
    // The first stdout line names the bound port (checked by the harness).
    let server = Process::start(&env);
    assert!(
        server.base.starts_with("http://127.0.0.1:"),
        "{}",
        server.base
    );
    server.stop();
    for (key, value) in [
        ("STOREFRONT_ADDR", "localhost"),
        ("STOREFRONT_SECURE_COOKIE", "yes"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_api"))
            .env("STOREFRONT_DB", &env.db)
            .env("STOREFRONT_DIST", &env.dist)
            .env(key, value)
            .output()
            .expect("run the api binary");
        assert_eq!(out.status.code(), Some(1), "{key}={value}");
        assert!(out.stdout.is_empty(), "{key}={value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("api: ") && stderr.contains(key),
            "{stderr}"
        );
    }
}

#[tokio::test]
async fn the_cookie_is_secure_when_configured() {
    let env = Env::new();
    let server = Process::start_with(&env, &[("STOREFRONT_SECURE_COOKIE", "1")]);
    let res = browser()
        .post(server.url("/api/session"))
        .json(&json!({"phone": "13800000002", "password": "demo-password-2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = header(&res, "set-cookie");
    assert!(
        cookie.ends_with("; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000; Secure"),
        "{cookie}"
    );
}
