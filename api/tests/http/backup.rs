//! `api backup PATH`, the real binary, while the server takes orders: the
//! copy is whole (it passes `PRAGMA integrity_check` and its stock totals
//! agree with its order lines), it holds every order acknowledged before
//! the backup began, and a backup never overwrites a file.

use std::{
    path::Path,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc,
    },
};

use crate::common::{
    assert_totals_consistent, member_via_sql, new_id, open_db, order_body, order_rows, scalar,
    set_supply, Server,
};

async fn backup(db: &Path, target: &Path) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_api"))
        .arg("backup")
        .arg(target)
        .env("STOREFRONT_DB", db)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("run api backup")
}

#[tokio::test]
async fn a_backup_under_write_load_is_whole_and_holds_every_acknowledged_order() {
    let server = Arc::new(Server::start().await);
    let pool = server.pool().await;
    let v = server.village("liu").await;
    let round = v.open_round.clone().expect("an open round").round.id;
    let point = v.distribution_points[0].id;
    let product = v.open_round.unwrap().stock[0].product_id;
    set_supply(&pool, round, product, 1_000_000).await;

    // Members ordering without pause until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for n in 0..4 {
        let member = member_via_sql(
            &pool,
            &server,
            &format!("Demo Writer {n}"),
            &format!("1390000{n:04}"),
            point,
        )
        .await;
        let (server, stop, acknowledged) = (server.clone(), stop.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let res = member
                    .put(server.url(&format!("/api/orders/{}", new_id())))
                    .json(&order_body(round, point, &[(product, 1)]))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status().as_u16(), 201, "{}", res.text().await.unwrap());
                acknowledged.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    while acknowledged.load(Ordering::Relaxed) < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (orders_before, _) = order_rows(&pool).await;

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("storefront-backup.sqlite3");
    let out = backup(&server.db, &target).await;
    let during = acknowledged.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("integrity ok"), "{stdout}");
    assert!(
        acknowledged.load(Ordering::Relaxed) > during || during > 20,
        "writes went on"
    );
    assert!(
        !target.with_extension("partial").exists(),
        "no partial file is left"
    );

    let copy = open_db(&target).await;
    let check: (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&copy)
        .await
        .unwrap();
    assert_eq!(check.0, "ok");
    assert_totals_consistent(&copy).await;
    let (orders_in_copy, _) = order_rows(&copy).await;
    let (orders_after, _) = order_rows(&pool).await;
    assert!(
        orders_before <= orders_in_copy && orders_in_copy <= orders_after,
        "copy has {orders_in_copy} orders; {orders_before} before the backup, {orders_after} after"
    );
    // The copy is a working database: the same demo villages.
    assert_eq!(
        scalar(&copy, "SELECT COUNT(*) FROM village").await,
        scalar(&pool, "SELECT COUNT(*) FROM village").await
    );
    copy.close().await;

    // Never over an existing file, which stays as it was.
    std::fs::write(&target, b"keep me").unwrap();
    let again = backup(&server.db, &target).await;
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read(&target).unwrap(), b"keep me");

    // No path: the usage, exit 2.
    let usage = tokio::process::Command::new(env!("CARGO_BIN_EXE_api"))
        .arg("backup")
        .env("STOREFRONT_DB", &server.db)
        .output()
        .await
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("usage: api backup PATH"));
}
