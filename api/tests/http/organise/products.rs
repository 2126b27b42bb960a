//! Product pages: created hidden, published with a price history and a
//! change log entry, and bad input named field by field.

use serde_json::{json, Value};

use super::{household_of, product_body};
use crate::common::{assert_field, fields, scalar, Server};

#[tokio::test]
async fn products_are_created_hidden_then_published_with_a_price_history_and_log() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let h = household_of(&pool, "liu", 0).await;
    let (status, created) = o
        .post("/api/organise/villages/liu/products", &product_body(h))
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["published"], false);
    assert_eq!(created["season"]["months"], json!([9, 10, 11]));
    assert_eq!(created["household_ids"], json!([h]));

    // Hidden: not in the shop, but the organisers see it.
    assert_eq!(
        server.get(&format!("/api/products/{id}")).await.status(),
        404
    );
    let liu = server.village("liu").await;
    assert!(liu.products.iter().all(|p| p.id != id));
    let (_, list) = o.get("/api/organise/villages/liu/products").await;
    assert!(list.as_array().unwrap().iter().any(|p| p["id"] == id));

    // Published with a new price and a stored XSS payload.
    let payload = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>";
    let mut body = product_body(h);
    body["published"] = json!(true);
    body["price_fen"] = json!(3200);
    body["description"]["en"] = json!(payload);
    let (status, edited) = o.put(&format!("/api/organise/products/{id}"), &body).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["price_fen"], 3200);
    let shop: Value = server.json(&format!("/api/products/{id}")).await;
    // Stored and served as the very text typed; the app renders it as text.
    assert_eq!(shop["description"]["en"], payload);
    assert_eq!(shop["price_fen"], 3200);
    let blocks = domain::richtext::parse(shop["description"]["en"].as_str().unwrap());
    assert_eq!(
        blocks,
        vec![
            domain::richtext::Block::Paragraph(vec![domain::richtext::Inline::Text(
                "<script>alert(1)</script>".into()
            )]),
            domain::richtext::Block::Paragraph(vec![domain::richtext::Inline::Text(
                "<img src=x onerror=alert(1)>".into()
            )]),
        ]
    );
    assert!(server
        .village("liu")
        .await
        .products
        .iter()
        .any(|p| p.id == id));

    // The household's page shows the price change.
    let history: Vec<domain::organise::PriceChange> = server
        .json(&format!("/api/households/{h}/price-history"))
        .await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(
        (
            history[0].product_id,
            history[0].old_price_fen,
            history[0].new_price_fen
        ),
        (id, 3000, 3200)
    );
    assert_eq!(history[0].changed_at.offset(), domain::SHANGHAI);

    // A resent save changes nothing and logs nothing more.
    let (status, _) = o.put(&format!("/api/organise/products/{id}"), &body).await;
    assert_eq!(status, 200);
    let page = o.log("liu").await;
    let entries: Vec<(&str, &str)> = page
        .entries
        .iter()
        .map(|e| (e.entity.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(entries, [("product", "update"), ("product", "create")]);
    let update = &page.entries[0];
    assert_eq!(update.entity_id, id.to_string());
    assert_eq!(update.organiser.name.en, "Zhao Xiumei (demo)");
    assert_eq!(update.before.as_ref().unwrap()["price_fen"], 3000);
    assert_eq!(update.after.as_ref().unwrap()["price_fen"], 3200);
    assert_eq!(update.after.as_ref().unwrap()["published"], true);
    assert!(page.entries[1].before.is_none());
    assert_eq!(update.at.offset(), time::UtcOffset::UTC);
    let raw: Value = o.get("/api/organise/villages/liu/log").await.1;
    assert!(raw["entries"][0]["at"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));

    // Hidden again: gone from the shop and from the household's history.
    body["published"] = json!(false);
    o.put(&format!("/api/organise/products/{id}"), &body).await;
    assert_eq!(
        server.get(&format!("/api/products/{id}")).await.status(),
        404
    );
    let history: Vec<Value> = server
        .json(&format!("/api/households/{h}/price-history"))
        .await;
    assert!(history.is_empty());
    assert_eq!(
        server
            .get("/api/households/999999/price-history")
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn bad_product_input_names_each_field_and_writes_nothing() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let o = server.liu_organiser().await;
    let h = household_of(&pool, "liu", 0).await;
    let song_h = household_of(&pool, "song", 0).await;
    let products = scalar(&pool, "SELECT COUNT(*) FROM product").await;
    let url = "/api/organise/villages/liu/products";

    let mut body = product_body(h);
    body["name"]["en"] = json!("  ");
    body["price_fen"] = json!(0);
    body["household_ids"] = json!([h, song_h]);
    let (status, answer) = o.post(url, &body).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        fields(&answer),
        ["name.en", "price_fen", "household_ids[1]"]
    );

    let mut body = product_body(h);
    body["season"] = json!({"kind": "months", "months": [13]});
    let (status, answer) = o.post(url, &body).await;
    assert_eq!(status, 422, "{answer}");
    // serde reads a tagged enum whole, so the error names `season`.
    assert_field(&answer, "season", "month 13");

    let mut body = product_body(h);
    body["category"] = json!("cars");
    let (status, answer) = o.post(url, &body).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(fields(&answer), ["category"]);

    let mut body = product_body(h);
    body["price_fen"] = json!(12.5);
    let (status, answer) = o.post(url, &body).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(fields(&answer), ["price_fen"]);

    let (status, _) = o
        .put("/api/organise/products/999999", &product_body(h))
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM product").await,
        products
    );
    assert!(o.log("liu").await.entries.is_empty());
}
