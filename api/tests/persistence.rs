//! The database outlives the server: restarting neither re-seeds nor wipes,
//! and the API shows what is stored.

mod common;

use common::{open_db, Env};
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
    ] {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(pool)
            .await
            .unwrap();
        out.push(n);
    }
    out
}

#[tokio::test]
async fn restart_keeps_changes_and_does_not_reseed() {
    let env = Env::new();
    let server = env.start();
    let before: Vec<VillageSummary> = server.json("/api/villages").await;
    server.stop();

    let pool = open_db(&env.db).await;
    let counts_before = counts(&pool).await;
    assert!(counts_before.iter().all(|n| *n > 0), "{counts_before:?}");
    sqlx::query("UPDATE village SET name_en = 'Liu Village (renamed)' WHERE slug = 'liu'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let server = env.start();
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
    env.start().stop();
    let pool = open_db(&env.db).await;
    sqlx::query(
        "DELETE FROM product WHERE village_id = (SELECT id FROM village WHERE slug = 'liu')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let server = env.start();
    let liu: VillageDetail = server.json("/api/villages/liu").await;
    assert!(liu.products.is_empty());
}

#[tokio::test]
async fn withdrawn_products_are_hidden() {
    let env = Env::new();
    let server = env.start();
    let liu: VillageDetail = server.json("/api/villages/liu").await;
    let product = liu.products[0].clone();
    let household = server
        .json::<domain::dto::ProductDetail>(&format!("/api/products/{}", product.id))
        .await
        .households[0]
        .id;

    // Organisers withdraw it while the server runs (a second connection; WAL).
    let pool = open_db(&env.db).await;
    sqlx::query("UPDATE product SET published = 0 WHERE id = ?")
        .bind(product.id)
        .execute(&pool)
        .await
        .unwrap();

    let e = server
        .error(&format!("/api/products/{}", product.id), 404)
        .await;
    assert_eq!(e.error, format!("no product with id {}", product.id));
    let liu_after: VillageDetail = server.json("/api/villages/liu").await;
    assert_eq!(liu_after.products.len(), liu.products.len() - 1);
    assert!(liu_after.products.iter().all(|p| p.id != product.id));
    let villages: Vec<VillageSummary> = server.json("/api/villages").await;
    let summary = villages.iter().find(|v| v.slug == "liu").unwrap();
    assert_eq!(summary.product_count as usize, liu_after.products.len());
    let h: domain::dto::HouseholdDetail =
        server.json(&format!("/api/households/{household}")).await;
    assert!(h.products.iter().all(|p| p.id != product.id));
}

#[tokio::test]
async fn seed_rounds_and_demo_flags_in_the_database() {
    let env = Env::new();
    env.start().stop();
    let pool = open_db(&env.db).await;
    let (not_demo,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM household WHERE demo = 0")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(not_demo, 0);
    let (orphans,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM product p WHERE NOT EXISTS (SELECT 1 FROM product_household ph WHERE ph.product_id = p.id)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0, "every product has a household");
    // Liu: 2 past and 6 upcoming rounds, 20 days apart.
    let days: Vec<(String,)> = sqlx::query_as(
        "SELECT r.distribution_day FROM distribution_round r JOIN village v ON v.id = r.village_id
         WHERE v.slug = 'liu' ORDER BY r.distribution_day",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(days.len(), 8);
    let today = domain::shanghai_date(time::OffsetDateTime::now_utc());
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let dates: Vec<time::Date> = days
        .iter()
        .map(|(d,)| time::Date::parse(d, fmt).unwrap())
        .collect();
    assert_eq!(dates.iter().filter(|d| **d < today).count(), 2);
    for w in dates.windows(2) {
        assert_eq!((w[1] - w[0]).whole_days(), 20);
    }
    // Foreign keys are enforced.
    let res = sqlx::query("INSERT INTO household (village_id, name_zh, name_en, story_zh, story_en, member_since) VALUES (9999, 'a', 'a', 's', 's', '2020-01-01')")
        .execute(&pool)
        .await;
    assert!(res.is_err());
}

/// What the previous version left: the catalogue and its migrations, none
/// of the tables for members, supplies and orders.
async fn downgrade_to_catalogue_only(pool: &sqlx::SqlitePool) {
    // One connection (the pool holds one), so the pragma covers the drops.
    for stmt in [
        "PRAGMA foreign_keys = OFF",
        // Organiser tables (migrations 0010 and later).
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
    ] {
        sqlx::query(stmt).execute(pool).await.unwrap();
    }
}

#[tokio::test]
async fn a_database_of_the_previous_version_gets_members_and_supplies() {
    let env = Env::new();
    env.start().stop();
    let pool = open_db(&env.db).await;
    let catalogue = counts(&pool).await[..7].to_vec();
    downgrade_to_catalogue_only(&pool).await;
    sqlx::query("UPDATE village SET name_en = 'Liu Village (kept)' WHERE slug = 'liu'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let server = env.start();
    let liu: VillageDetail = server.json("/api/villages/liu").await;
    assert_eq!(liu.name.en, "Liu Village (kept)", "nothing was wiped");
    let open = liu.open_round.expect("an open round");
    assert!(open.stock.iter().filter(|s| s.capacity > 0).count() > 20);
    let (_, me) = server.login("13800000001", "demo-password-1").await;
    assert_eq!(me.village_slug, "liu");
    let visit: domain::dto::VisitOffer = server.json("/api/villages/liu/visit").await;
    assert!(visit.hosts.len() >= 2, "visit offers are seeded too");
    // So are the demo organisers.
    let organiser = common::browser();
    let (status, body) = common::send_with(
        &organiser,
        reqwest::Method::POST,
        &server.url("/api/organise/session"),
        &serde_json::json!({"login": "liu-organiser-1", "password": "demo-organiser-1"}),
        &[("X-Requested-With", "storefront")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["villages"].as_array().unwrap().len(), 2);
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
    env.start().stop();
    let pool = open_db(&env.db).await;
    let before = counts(&pool).await;
    // Supplies emptied, one changed member: only supplies come back.
    sqlx::query("DELETE FROM supply")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE member SET name = '改名' WHERE phone = '13800000002'")
        .execute(&pool)
        .await
        .unwrap();
    env.start().stop();
    assert_eq!(counts(&pool).await, before);
    let (name,): (String,) = sqlx::query_as("SELECT name FROM member WHERE phone = '13800000002'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(name, "改名");

    // Deterministic: the same supplies again. A changed supply is kept.
    let total = || async {
        let (n,): (i64,) =
            sqlx::query_as("SELECT SUM(quantity * (round_id + product_id)) FROM supply")
                .fetch_one(&pool)
                .await
                .unwrap();
        n
    };
    let fingerprint = total().await;
    sqlx::query("DELETE FROM supply")
        .execute(&pool)
        .await
        .unwrap();
    env.start().stop();
    assert_eq!(total().await, fingerprint);
    sqlx::query(
        "UPDATE supply SET quantity = quantity + 1
         WHERE (round_id, household_id, product_id) = (SELECT round_id, household_id, product_id FROM supply LIMIT 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    env.start().stop();
    assert_eq!(counts(&pool).await, before);
    assert_ne!(total().await, fingerprint);

    // Members and codes all gone (nothing refers to them): they come back.
    for stmt in [
        "DELETE FROM session",
        "UPDATE member SET invitation_id = NULL, invited_by_member_id = NULL",
        "DELETE FROM invitation",
        "DELETE FROM member",
    ] {
        sqlx::query(stmt).execute(&pool).await.unwrap();
    }
    env.start().stop();
    assert_eq!(counts(&pool).await, before);
}
