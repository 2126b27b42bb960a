//! The JSON endpoints against the real seeded demo data.

use std::collections::HashSet;

use crate::common::{brotli_decode, gzip_decode, header, scalar, Env, Server};
use domain::{
    dto::{Category, HouseholdDetail, ProductDetail, VillageDetail, VillageSummary},
    premium_percent, PriceBreakdown, SHANGHAI,
};
use serde_json::Value;
use time::OffsetDateTime;

#[tokio::test]
async fn health_reports_ok() {
    let env = Env::new();
    let server = env.start().await;
    let health: domain::dto::Health = server.json("/api/health").await;
    assert_eq!(health.status, "ok");
    assert_eq!(health.database, "ok");
    // The database file was created, folder included.
    assert!(env.db.is_file());
}

#[tokio::test]
async fn villages_list_counts_match_the_details() {
    let server = Server::start().await;
    let villages: Vec<VillageSummary> = server.json("/api/villages").await;
    assert!(villages.len() >= 4, "{} villages", villages.len());
    let slugs: HashSet<_> = villages.iter().map(|v| v.slug.as_str()).collect();
    assert_eq!(slugs.len(), villages.len(), "slugs are unique");

    let mut total_households = 0;
    for v in &villages {
        let detail: VillageDetail = server.json(&format!("/api/villages/{}", v.slug)).await;
        assert_eq!(detail.slug, v.slug);
        assert_eq!(detail.name, v.name);
        assert_eq!(
            v.product_count as usize,
            detail.products.len(),
            "{}",
            v.slug
        );
        assert_eq!(
            v.household_count as usize,
            detail.households.len(),
            "{}",
            v.slug
        );
        assert!(v.product_count > 0 && v.household_count > 0, "{}", v.slug);
        assert!((10..=20).contains(&detail.organising_percent));
        assert!(
            detail.households.iter().all(|h| h.demo),
            "{}: all seeded households are demo",
            v.slug
        );
        total_households += detail.households.len();
    }
    assert!(total_households >= 30, "{total_households} households");
}

#[tokio::test]
async fn liu_village_detail() {
    let server = Server::start().await;
    let raw: Value = server.json("/api/villages/liu").await;
    let liu: VillageDetail = serde_json::from_value(raw.clone()).unwrap();
    assert_eq!(liu.name.en, "Liu Village");
    assert_eq!(liu.distance_km, 190);
    assert!(liu.products.len() >= 40, "{} products", liu.products.len());
    // Eight community centres in Beijing (the seed adds a consumer group in Baoding).
    let in_beijing = liu
        .distribution_points
        .iter()
        .filter(|p| p.address.en.contains("Beijing"))
        .count();
    assert_eq!(in_beijing, 8, "{:?}", liu.distribution_points);
    assert!(!liu.organisers.is_empty());
    for p in &liu.distribution_points {
        assert!(p.pickup_from < p.pickup_to, "{p:?}");
        assert_eq!(p.pickup_from.len(), 5);
    }

    // Sorted by category (domain order), then id.
    let rank = |c: Category| Category::ALL.iter().position(|x| *x == c).unwrap();
    let keys: Vec<_> = liu
        .products
        .iter()
        .map(|p| (rank(p.category), p.id))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);

    // Upcoming rounds: today or later in Shanghai, soonest first, at most 6,
    // a round about every 20 days, times with the +08:00 offset.
    let now = OffsetDateTime::now_utc();
    let today = domain::shanghai_date(now);
    let rounds = &liu.upcoming_rounds;
    assert!(
        !rounds.is_empty() && rounds.len() <= 6,
        "{} rounds",
        rounds.len()
    );
    for r in rounds {
        assert!(r.distribution_day >= today, "{r:?}");
        assert!(r.opens_at < r.deadline, "{r:?}");
        assert!(r.deadline.date() <= r.distribution_day, "{r:?}");
        assert_eq!(r.deadline.offset(), SHANGHAI);
    }
    // Freshly seeded: the next round can still be ordered from.
    assert!(rounds[0].deadline > now, "{:?}", rounds[0]);
    for w in rounds.windows(2) {
        let gap = (w[1].distribution_day - w[0].distribution_day).whole_days();
        assert!((18..=22).contains(&gap), "gap of {gap} days");
    }
    for r in raw["upcoming_rounds"].as_array().unwrap() {
        for field in ["opens_at", "deadline"] {
            let s = r[field].as_str().unwrap();
            assert!(s.ends_with("+08:00"), "{field} = {s}");
        }
    }
}

#[tokio::test]
async fn household_detail_lists_its_products() {
    let server = Server::start().await;
    let liu: VillageDetail = server.json("/api/villages/liu").await;
    let mut with_products = 0;
    for h in liu.households.iter().take(6) {
        let detail: HouseholdDetail = server.json(&format!("/api/households/{}", h.id)).await;
        assert_eq!(detail.id, h.id);
        assert_eq!(detail.name, h.name);
        assert!(detail.demo);
        assert_eq!(detail.village_slug, "liu");
        assert_eq!(detail.village_name, liu.name);
        assert!(detail.member_since.year() >= 2000);
        let village_ids: HashSet<_> = liu.products.iter().map(|p| p.id).collect();
        for p in &detail.products {
            assert!(
                village_ids.contains(&p.id),
                "product {} of household {} is in the village",
                p.id,
                h.id
            );
            let product: ProductDetail = server.json(&format!("/api/products/{}", p.id)).await;
            assert!(
                product.households.iter().any(|x| x.id == h.id),
                "product {} names household {}",
                p.id,
                h.id
            );
        }
        if !detail.products.is_empty() {
            with_products += 1;
        }
    }
    assert!(with_products > 0);
}

#[tokio::test]
async fn every_product_detail_follows_the_domain_rules() {
    let server = Server::start().await;
    let villages: Vec<VillageSummary> = server.json("/api/villages").await;
    for v in &villages {
        let village: VillageDetail = server.json(&format!("/api/villages/{}", v.slug)).await;
        let household_ids: HashSet<_> = village.households.iter().map(|h| h.id).collect();
        for summary in &village.products {
            let p: ProductDetail = server.json(&format!("/api/products/{}", summary.id)).await;
            assert_eq!(p.id, summary.id);
            assert_eq!(p.village_slug, v.slug);
            assert_eq!(p.name, summary.name);
            assert_eq!(p.price_fen, summary.price_fen);
            assert_eq!(p.season, summary.season);
            assert!(!p.households.is_empty(), "product {} has a household", p.id);
            assert!(p
                .households
                .iter()
                .all(|h| household_ids.contains(&h.id) && h.demo));
            let b = p.breakdown;
            assert_eq!(
                b.household_fen + b.organising_fen,
                p.price_fen,
                "product {}",
                p.id
            );
            assert_eq!(
                b,
                PriceBreakdown::new(p.price_fen, village.organising_percent).unwrap()
            );
            assert_eq!(
                p.premium_percent,
                premium_percent(p.price_fen, p.local_price_fen)
            );
        }
    }
}

#[tokio::test]
async fn product_detail_example_shape() {
    let server = Server::start().await;
    let liu: VillageDetail = server.json("/api/villages/liu").await;
    let id = liu.products[0].id;
    let raw: Value = server.json(&format!("/api/products/{id}")).await;
    for key in [
        "breakdown",
        "premium_percent",
        "households",
        "description",
        "season",
        "village_name",
    ] {
        assert!(raw.get(key).is_some(), "missing {key}: {raw}");
    }
    assert_eq!(
        raw["breakdown"]["organising_percent"],
        liu.organising_percent
    );
}

#[tokio::test]
async fn unknown_things_are_json_404s() {
    let server = Server::start().await;
    let e = server.error("/api/villages/xyz", 404).await;
    assert_eq!(e.error, "no village with slug 'xyz'");
    let e = server.error("/api/households/999999", 404).await;
    assert!(e.error.contains("999999"), "{}", e.error);
    let e = server.error("/api/products/999999", 404).await;
    assert!(e.error.contains("999999"), "{}", e.error);
    for path in [
        "/api/nope",
        "/api/",
        "/api",
        "/api/villages/liu/extra",
        "/api/products",
    ] {
        let e = server.error(path, 404).await;
        assert!(!e.error.is_empty(), "{path}");
    }
}

#[tokio::test]
async fn malformed_params_are_400s_naming_the_param() {
    let server = Server::start().await;
    for resource in ["households", "products"] {
        for bad in [
            "abc",
            "0",
            "-1",
            "99999999999999999999",
            "1.5",
            "+1",
            "%20",
            "%FF",
        ] {
            let path = format!("/api/{resource}/{bad}");
            let e = server.error(&path, 400).await;
            assert_eq!(e.error, "id must be a positive whole number", "{path}");
            assert_eq!(e.fields.len(), 1, "{path}");
            assert_eq!(e.fields[0].field, "id", "{path}");
        }
    }
    for bad in ["BAD!", "Liu", "a%20b", "%E5%88%98", "%FF"] {
        let path = format!("/api/villages/{bad}");
        let e = server.error(&path, 400).await;
        assert!(e.error.starts_with("slug "), "{path}: {}", e.error);
        assert_eq!(e.fields[0].field, "slug", "{path}");
    }
    let long = "a".repeat(41);
    server.error(&format!("/api/villages/{long}"), 400).await;
}

#[tokio::test]
async fn wrong_method_is_a_json_405() {
    let server = Server::start().await;
    for path in [
        "/api/villages",
        "/api/villages/liu",
        "/api/health",
        "/api/products/1",
    ] {
        let res = server.client.post(server.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 405, "{path}");
        assert!(header(&res, "content-type").starts_with("application/json"));
        let e: domain::dto::ApiError = res.json().await.unwrap();
        assert!(!e.error.is_empty());
    }
    let res = server
        .client
        .delete(server.url("/api/households/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
}

#[tokio::test]
async fn json_is_compressed_with_brotli_and_gzip() {
    let server = Server::start().await;
    let plain = server.get("/api/villages/liu").await;
    assert_eq!(header(&plain, "content-encoding"), "");
    assert_eq!(header(&plain, "cache-control"), "no-cache");
    let plain = plain.bytes().await.unwrap();

    let br = server.get_encoded("/api/villages/liu", "br").await;
    assert_eq!(br.status(), 200);
    assert_eq!(header(&br, "content-encoding"), "br");
    assert!(header(&br, "vary")
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    let br = br.bytes().await.unwrap();
    assert!(br.len() < plain.len());
    assert_eq!(brotli_decode(&br), plain);

    let gz = server.get_encoded("/api/villages/liu", "gzip").await;
    assert_eq!(header(&gz, "content-encoding"), "gzip");
    let gz = gz.bytes().await.unwrap();
    assert_eq!(gzip_decode(&gz), plain);

    // Errors are JSON too, and compressible like the rest.
    let res = server.get_encoded("/api/households/abc", "gzip").await;
    assert_eq!(res.status(), 400);
    let body = gzip_decode_if(
        &header(&res, "content-encoding"),
        &res.bytes().await.unwrap(),
    );
    let e: domain::dto::ApiError = serde_json::from_slice(&body).unwrap();
    assert_eq!(e.fields[0].field, "id");
}

fn gzip_decode_if(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    if encoding == "gzip" {
        gzip_decode(bytes)
    } else {
        bytes.to_vec()
    }
}

#[tokio::test]
async fn withdrawn_products_are_hidden() {
    let server = Server::start().await;
    let liu: VillageDetail = server.json("/api/villages/liu").await;
    let product = liu.products[0].clone();
    let household = server
        .json::<ProductDetail>(&format!("/api/products/{}", product.id))
        .await
        .households[0]
        .id;

    // Organisers withdraw it while the server runs (a second connection; WAL).
    let pool = server.pool().await;
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
    let h: HouseholdDetail = server.json(&format!("/api/households/{household}")).await;
    assert!(h.products.iter().all(|p| p.id != product.id));
}

#[tokio::test]
async fn seed_rounds_and_demo_flags_in_the_database() {
    let server = Server::start().await;
    let pool = server.pool().await;
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM household WHERE demo = 0").await,
        0
    );
    let orphans = scalar(
        &pool,
        "SELECT COUNT(*) FROM product p WHERE NOT EXISTS (SELECT 1 FROM product_household ph WHERE ph.product_id = p.id)",
    )
    .await;
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
    let today = domain::shanghai_date(OffsetDateTime::now_utc());
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

/// Liu Village's two past rounds went all the way: ordered, allocated,
/// collected and paid, rated, one piece reported and refunded; and the
/// organising share has entries. Seeding again adds nothing.
#[tokio::test]
async fn demo_past_rounds_show_the_whole_loop() {
    let env = Env::new();
    let server = env.start().await;
    let pool = server.pool().await;
    let past = "SELECT r.id FROM distribution_round r JOIN village v ON v.id = r.village_id
                WHERE v.slug = 'liu' AND r.deadline < unixepoch()";
    let count = |sql: String| {
        let pool = pool.clone();
        async move { scalar(&pool, &sql).await }
    };
    assert_eq!(
        count(format!(
            "SELECT COUNT(*) FROM allocation WHERE round_id IN ({past})"
        ))
        .await,
        2
    );
    let orders = count(format!(
        "SELECT COUNT(*) FROM orders WHERE round_id IN ({past})"
    ))
    .await;
    assert_eq!(orders, 4, "both Liu demo members ordered in both rounds");
    assert_eq!(
        count(format!(
            "SELECT COUNT(*) FROM pickup p JOIN orders o ON o.id = p.order_id
             WHERE o.round_id IN ({past}) AND p.state = 'paid'"
        ))
        .await,
        orders
    );
    // Paid exactly what was due.
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM pickup p WHERE p.amount_fen !=
               (SELECT SUM(total_fen) FROM order_line WHERE order_id = p.order_id)"
                .into()
        )
        .await,
        0
    );
    // Every line is packed by some household.
    assert_eq!(
        count(format!(
            "SELECT COUNT(*) FROM order_line ol JOIN orders o ON o.id = ol.order_id
             WHERE o.round_id IN ({past}) AND ol.quantity !=
               (SELECT COALESCE(SUM(quantity), 0) FROM packed_line pl
                WHERE pl.order_id = ol.order_id AND pl.product_id = ol.product_id)"
        ))
        .await,
        0
    );
    assert!(count("SELECT COUNT(*) FROM rating WHERE rating = 'bad'".into()).await >= 1);
    assert!(count("SELECT COUNT(*) FROM rating WHERE rating = 'good'".into()).await >= 3);
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM refund f JOIN label_report r ON r.id = f.report_id
             JOIN packed_line pl ON pl.label_code = f.label_code AND pl.order_id = f.order_id
             WHERE r.resolved_at IS NOT NULL"
                .into()
        )
        .await,
        1
    );
    assert_eq!(count("SELECT COUNT(*) FROM share_spending".into()).await, 4);
    // Ratings and reports are by demo members; comments say demo.
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM rating WHERE comment != '' AND comment NOT LIKE '%示例%'".into()
        )
        .await,
        0
    );
    assert_demo_stock_consistent(&pool).await;

    // Started again on the same file: nothing more.
    drop(server);
    let again = env.start().await;
    let pool = again.pool().await;
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM pickup_mark").await, 4);
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM share_spending").await,
        4
    );
}

async fn assert_demo_stock_consistent(pool: &sqlx::SqlitePool) {
    crate::common::assert_totals_consistent(pool).await;
    // No product is sold beyond what its households supplied.
    let over = scalar(
        pool,
        "SELECT COUNT(*) FROM ordered_total t WHERE t.quantity >
           (SELECT COALESCE(SUM(quantity), 0) FROM supply s
            WHERE s.round_id = t.round_id AND s.product_id = t.product_id)",
    )
    .await;
    assert_eq!(over, 0);
}
