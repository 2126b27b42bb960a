//! Catalogue reads kept in memory: always current (an order, an edit by
//! another connection, a deadline passing), with `ETag` and 304; hashed
//! assets served from memory.

use domain::dto::{ProductDetail, VillageDetail};
use serde_json::json;

use crate::common::{
    self, brotli_decode, execute, header, member_via_sql, order_body, place, Env, Server,
    HASHED_WASM,
};

/// `(ETag, body)` of a GET, checking it is 200 and JSON.
async fn read(server: &Server, path: &str) -> (String, serde_json::Value) {
    let res = server.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(header(&res, "vary"), "accept-encoding", "{path}");
    let etag = header(&res, "etag");
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "{path}: {etag}"
    );
    (etag, res.json().await.unwrap())
}

async fn text(server: &Server, path: &str) -> String {
    server.get(path).await.text().await.unwrap()
}

fn remaining(village: &VillageDetail, product: i64) -> i64 {
    let open = village.open_round.as_ref().expect("an open round");
    let s = open.stock.iter().find(|s| s.product_id == product).unwrap();
    s.remaining
}

#[tokio::test]
async fn an_order_shows_in_the_next_read_with_the_cache_warm() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let village = server.village("liu").await;
    let open = village.open_round.clone().unwrap();
    let product = open
        .stock
        .iter()
        .find(|s| s.remaining >= 2)
        .unwrap()
        .product_id;
    let (village_path, product_path) = ("/api/villages/liu", format!("/api/products/{product}"));

    // Warm: the same answer twice, the same version.
    let (v1, _) = read(&server, village_path).await;
    let (p1, _) = read(&server, &product_path).await;
    assert_eq!(read(&server, village_path).await.0, v1);
    assert_eq!(read(&server, &product_path).await.0, p1);
    let before = remaining(&village, product);

    let member = member_via_sql(&pool, &server, "读", "13900000021", open.point_ids[0]).await;
    place(
        &server,
        &member,
        &order_body(open.round.id, open.point_ids[0], &[(product, 2)]),
    )
    .await;

    let (v2, body) = read(&server, village_path).await;
    let after: VillageDetail = serde_json::from_value(body).unwrap();
    assert_eq!(remaining(&after, product), before - 2, "the very next read");
    assert_ne!(v2, v1, "a new version");
    let (p2, body) = read(&server, &product_path).await;
    let detail: ProductDetail = serde_json::from_value(body).unwrap();
    assert_eq!(detail.open_round.unwrap().stock.remaining, before - 2);
    assert_ne!(p2, p1);
}

#[tokio::test]
async fn a_write_by_another_connection_shows_in_the_next_read() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let product = common::first_product(&pool, "liu").await;
    let path = format!("/api/products/{product}");
    let (first, _) = read(&server, &path).await;
    read(&server, "/api/villages/liu").await;
    execute(
        &pool,
        &[&format!(
            "UPDATE product SET name_en = 'Renamed eggs' WHERE id = {product}"
        )],
    )
    .await;
    let (second, body) = read(&server, &path).await;
    assert_eq!(body["name"]["en"], "Renamed eggs");
    assert_ne!(first, second);
    let (_, body) = read(&server, "/api/villages/liu").await;
    let village: VillageDetail = serde_json::from_value(body).unwrap();
    assert!(village.products.iter().any(|p| p.name.en == "Renamed eggs"));

    // A household's page: its own story, and a product it supplies.
    let household = common::scalar(
        &pool,
        &format!("SELECT MIN(household_id) FROM product_household WHERE product_id = {product}"),
    )
    .await;
    let path = format!("/api/households/{household}");
    let (first, body) = read(&server, &path).await;
    assert_eq!(read(&server, &path).await.0, first, "kept");
    assert!(body["products"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"]["en"] == "Renamed eggs"));
    execute(
        &pool,
        &[
            &format!("UPDATE household SET story_en = 'A new story' WHERE id = {household}"),
            &format!("UPDATE product SET name_en = 'Eggs again' WHERE id = {product}"),
        ],
    )
    .await;
    let (second, body) = read(&server, &path).await;
    assert_ne!(first, second);
    assert_eq!(body["story"]["en"], "A new story");
    assert!(body["products"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"]["en"] == "Eggs again"));
}

/// No write happens between the two reads: only the deadline passes.
#[tokio::test]
async fn a_deadline_passing_shows_without_a_write() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let open = server.open_round("liu").await;
    let product = open.stock[0].product_id;
    let deadline = time::OffsetDateTime::now_utc().unix_timestamp() + 2;
    execute(
        &pool,
        &[&format!(
            "UPDATE distribution_round SET deadline = {deadline} WHERE id = {}",
            open.round.id
        )],
    )
    .await;
    let village = server.village("liu").await;
    assert_eq!(village.open_round.map(|o| o.round.id), Some(open.round.id));
    let (_, body) = read(&server, &format!("/api/products/{product}")).await;
    assert!(!body["open_round"].is_null());
    while time::OffsetDateTime::now_utc().unix_timestamp() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let village = server.village("liu").await;
    assert_ne!(village.open_round.map(|o| o.round.id), Some(open.round.id));
    let (_, body) = read(&server, &format!("/api/products/{product}")).await;
    assert_ne!(body["open_round"]["round"]["id"], json!(open.round.id));
}

#[tokio::test]
async fn a_repeat_read_is_not_modified_until_an_edit() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let product = common::first_product(&pool, "liu").await;
    for path in [
        "/api/villages/liu".to_owned(),
        format!("/api/products/{product}"),
        "/api/households/1".to_owned(),
    ] {
        let (etag, body) = read(&server, &path).await;
        let again = reqwest::Client::new()
            .get(server.url(&path))
            .header("if-none-match", &etag)
            .header("accept-encoding", "br")
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(header(&again, "etag"), etag, "{path}");
        assert!(again.bytes().await.unwrap().is_empty(), "{path}");

        // Compressed, the same answer.
        let br = server.get_encoded(&path, "br").await;
        assert_eq!(header(&br, "content-encoding"), "br");
        assert_eq!(header(&br, "etag"), etag);
        let decoded: serde_json::Value =
            serde_json::from_slice(&brotli_decode(&br.bytes().await.unwrap())).unwrap();
        assert_eq!(decoded, body);
    }
    let (etag, _) = read(&server, &format!("/api/products/{product}")).await;
    execute(
        &pool,
        &[&format!(
            "UPDATE product SET price_fen = price_fen + 100 WHERE id = {product}"
        )],
    )
    .await;
    let res = reqwest::Client::new()
        .get(server.url(&format!("/api/products/{product}")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "edited: a new version");
    assert_ne!(header(&res, "etag"), etag);
}

#[tokio::test]
async fn hashed_assets_are_served_from_memory_once_read() {
    let env = Env::new();
    let compressed = b"not really brotli, but what the build wrote".to_vec();
    std::fs::write(env.dist.join(format!("{HASHED_WASM}.br")), &compressed).unwrap();
    std::fs::write(env.dist.join("sw.js"), "// one").unwrap();
    let server = env.start().await;
    let path = format!("/{HASHED_WASM}");
    let first = server.get_encoded(&path, "br").await;
    assert_eq!(header(&first, "content-encoding"), "br");
    assert_eq!(header(&first, "content-type"), "application/wasm");
    assert_eq!(first.bytes().await.unwrap().as_ref(), compressed.as_slice());
    assert_eq!(text(&server, "/sw.js").await, "// one");

    // A hashed name never changes its content: gone from disk, still
    // served. A file without a hash is read afresh.
    std::fs::remove_file(env.dist.join(HASHED_WASM)).unwrap();
    std::fs::remove_file(env.dist.join(format!("{HASHED_WASM}.br"))).unwrap();
    std::fs::write(env.dist.join("sw.js"), "// two").unwrap();
    let plain = server.get_encoded(&path, "identity").await;
    assert_eq!(plain.status(), 200);
    assert_eq!(
        plain.bytes().await.unwrap().as_ref(),
        common::wasm_bytes().as_slice()
    );
    let br = server.get_encoded(&path, "br").await;
    assert_eq!(br.bytes().await.unwrap().as_ref(), compressed.as_slice());
    assert_eq!(text(&server, "/sw.js").await, "// two");
}
