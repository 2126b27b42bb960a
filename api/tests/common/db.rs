//! The test's own connection to the server's database: fixtures made with
//! SQL (members, supplies) and checks read back with SQL.

use std::{path::Path, time::Duration};

use super::Http;

/// Opens the server's database directly, as a second connection would.
pub async fn open_db(path: &Path) -> sqlx::SqlitePool {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let options = SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("open test db")
}

/// The one value `sql` selects.
pub async fn scalar(pool: &sqlx::SqlitePool, sql: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>(sql)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .0
}

/// Runs each statement in turn.
pub async fn execute(pool: &sqlx::SqlitePool, statements: &[&str]) {
    for sql in statements {
        sqlx::query(sql)
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// A member made straight in the database, logged in with a session row:
/// quick fixtures for tests about orders (joining is tested on its own).
pub async fn member_via_sql(
    pool: &sqlx::SqlitePool,
    server: &Http,
    name: &str,
    phone: &str,
    point_id: i64,
) -> reqwest::Client {
    session_via_sql(pool, server, name, phone, point_id).await.0
}

/// [`member_via_sql`], also returning the session token (the cookie value).
pub async fn session_via_sql(
    pool: &sqlx::SqlitePool,
    server: &Http,
    name: &str,
    phone: &str,
    point_id: i64,
) -> (reqwest::Client, String) {
    use sha2::Digest as _;
    let member_id = sqlx::query(
        "INSERT INTO member (name, phone, password_hash, default_point_id, created_at)
         VALUES (?, ?, 'not-a-hash', ?, 0)",
    )
    .bind(name)
    .bind(phone)
    .bind(point_id)
    .execute(pool)
    .await
    .unwrap()
    .last_insert_rowid();
    let token = format!("{:064x}", member_id as u128 * 0x9E37_79B9_7F4A_7C15 + 7);
    let hash = hex::encode(sha2::Sha256::digest(token.as_bytes()));
    sqlx::query("INSERT INTO session (token_hash, member_id, created_at, expires_at) VALUES (?, ?, 0, 4102444800)")
        .bind(hash)
        .bind(member_id)
        .execute(pool)
        .await
        .unwrap();
    let jar = reqwest::cookie::Jar::default();
    jar.add_cookie_str(
        &format!("sf_session={token}; Path=/"),
        &server.base.parse().unwrap(),
    );
    let client = reqwest::Client::builder()
        .cookie_provider(std::sync::Arc::new(jar))
        .build()
        .unwrap();
    (client, token)
}

/// Makes the product's total supply in the round exactly `total` (one
/// household supplies it all).
pub async fn set_supply(pool: &sqlx::SqlitePool, round_id: i64, product_id: i64, total: i64) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("DELETE FROM supply WHERE round_id = ? AND product_id = ?")
        .bind(round_id)
        .bind(product_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO supply (round_id, household_id, product_id, quantity)
         SELECT ?, MIN(household_id), ?, ? FROM product_household WHERE product_id = ?",
    )
    .bind(round_id)
    .bind(product_id)
    .bind(total)
    .bind(product_id)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Units of the product held by confirmed orders of the round, by SQL.
pub async fn sold(pool: &sqlx::SqlitePool, round_id: i64, product_id: i64) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(SUM(ol.quantity), 0) FROM order_line ol JOIN orders o ON o.id = ol.order_id
         WHERE o.round_id = ? AND ol.product_id = ? AND o.status = 'confirmed'",
    )
    .bind(round_id)
    .bind(product_id)
    .fetch_one(pool)
    .await
    .unwrap();
    n
}

/// Rows in `orders` and `order_line`.
pub async fn order_rows(pool: &sqlx::SqlitePool) -> (i64, i64) {
    sqlx::query_as("SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM order_line)")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// `ordered_total` (kept by triggers) agrees with the order lines.
pub async fn assert_totals_consistent(pool: &sqlx::SqlitePool) {
    let wrong = scalar(
        pool,
        "WITH live AS (
             SELECT o.round_id, ol.product_id, SUM(ol.quantity) AS quantity
             FROM order_line ol JOIN orders o ON o.id = ol.order_id
             WHERE o.status = 'confirmed' GROUP BY o.round_id, ol.product_id)
         SELECT (SELECT COUNT(*) FROM (
                     SELECT round_id, product_id, quantity FROM live
                     EXCEPT SELECT round_id, product_id, quantity FROM ordered_total WHERE quantity > 0))
              + (SELECT COUNT(*) FROM (
                     SELECT round_id, product_id, quantity FROM ordered_total WHERE quantity > 0
                     EXCEPT SELECT round_id, product_id, quantity FROM live))",
    )
    .await;
    assert_eq!(wrong, 0, "ordered_total disagrees with the order lines");
}

/// The first published product of the village, by id.
pub async fn first_product(pool: &sqlx::SqlitePool, slug: &str) -> i64 {
    scalar(
        pool,
        &format!(
            "SELECT p.id FROM product p JOIN village v ON v.id = p.village_id
             WHERE v.slug = '{slug}' AND p.published = 1 ORDER BY p.id LIMIT 1"
        ),
    )
    .await
}

/// Adds a photo row for the product after its last (no bytes: enough for
/// checks that come before the bytes are read, and for counting).
pub async fn photo_row(pool: &sqlx::SqlitePool, product: i64) -> i64 {
    sqlx::query(
        "INSERT INTO photo (product_id, position, source_type, width, height, upload_bytes, organiser_id, created_at)
         VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM photo), 'image/jpeg', 1, 1, 1, (SELECT MIN(id) FROM organiser), 0)",
    )
    .bind(product)
    .execute(pool)
    .await
    .unwrap()
    .last_insert_rowid()
}
