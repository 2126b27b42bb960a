//! Photo upload: a phone JPEG with EXIF GPS comes out of every served
//! version without any metadata; wrong and oversized files are refused
//! with a clear message naming `photo`.

use std::io::Cursor;

use crate::{
    common::{assert_field, call, fields, first_product, header, photo_row, scalar, Server},
    fixtures::{card, contains, gps_latitude, jpeg, phone_jpeg, COMMENT},
};
use domain::{
    dto::{PhotoRef, ProductDetail},
    organise::{CSRF_HEADER, CSRF_VALUE},
};
use reqwest::{Client, Method};
use serde_json::Value;

/// POSTs raw bytes as the photo; status, JSON body.
async fn upload(
    server: &Server,
    client: &Client,
    product: i64,
    bytes: Vec<u8>,
    csrf: bool,
) -> (u16, Value) {
    let mut req = client
        .post(server.url(&format!("/api/organise/products/{product}/photos")))
        .header("content-type", "image/jpeg")
        .body(bytes);
    if csrf {
        req = req.header(CSRF_HEADER, CSRF_VALUE);
    }
    let res = req.send().await.expect("upload");
    let status = res.status().as_u16();
    let ctype = header(&res, "content-type");
    let text = res.text().await.unwrap();
    assert!(
        ctype.starts_with("application/json"),
        "{status} {ctype}: {text}"
    );
    let answer: Value = serde_json::from_str(&text).unwrap();
    let url = format!("/api/organise/products/{product}/photos");
    crate::common::check_answer("POST", &url, status, &answer);
    (status, answer)
}

#[tokio::test]
async fn a_phone_photo_is_served_in_sizes_without_its_gps_position() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let product = first_product(&pool, "liu").await;
    let o = server.liu_organiser().await;
    let input = phone_jpeg(1600, 1200, 1);
    // The fixture really carries what must go.
    assert!(gps_latitude(&input).unwrap().contains("38"));
    assert!(contains(&input, b"Exif") && contains(&input, COMMENT));

    // Without the CSRF header: refused, nothing stored.
    let (status, body) = upload(&server, &o.client, product, input.clone(), false).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM photo").await, 0);

    // Another village's product, or no session: refused with a message
    // (the upload is read first, so the browser gets the answer).
    let song = first_product(&pool, "song").await;
    let (status, body) = upload(&server, &o.client, song, input.clone(), true).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = upload(&server, &Client::new(), product, input.clone(), true).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM photo").await, 0);

    let (status, body) = upload(&server, &o.client, product, input, true).await;
    assert_eq!(status, 201, "{body}");
    let photo: PhotoRef = serde_json::from_value(body).unwrap();
    let widths: Vec<u32> = photo.versions.iter().map(|v| v.width).collect();
    assert_eq!(widths, [320, 640, 1280]);
    for v in &photo.versions {
        assert_eq!(v.height * 4, v.width * 3, "aspect kept: {v:?}");
        let res = server.get(&v.url).await;
        assert_eq!(res.status(), 200, "{}", v.url);
        assert_eq!(header(&res, "content-type"), "image/jpeg");
        assert_eq!(
            header(&res, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        let bytes = res.bytes().await.unwrap();
        assert_eq!(gps_latitude(&bytes), None, "{}", v.url);
        for needle in [&b"Exif"[..], b"GPS", COMMENT] {
            assert!(!contains(&bytes, needle), "{} still has {needle:?}", v.url);
        }
        let img =
            image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).expect("decodes");
        assert_eq!((img.width(), img.height()), (v.width, v.height));
    }

    // The shop page and the organiser's product list the photo.
    let detail: ProductDetail = server.json(&format!("/api/products/{product}")).await;
    assert_eq!(detail.photos.len(), 1);
    assert_eq!(detail.photos[0], photo);
    let (_, mine) = o.get(&format!("/api/organise/products/{product}")).await;
    assert_eq!(mine["photos"][0]["id"], photo.id);

    // Logged without the bytes.
    let (after,): (String,) =
        sqlx::query_as("SELECT after FROM change_log WHERE entity = 'photo' AND action = 'upload'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(after.len() < 1000, "{after}");
    let after: Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after["product_id"], product);
    assert_eq!(after["width"], 1600);

    // Unknown sizes and photos are 404.
    assert_eq!(
        server
            .get(&format!("/api/photos/{}/300.jpg", photo.id))
            .await
            .status(),
        404
    );
    assert_eq!(server.get("/api/photos/999999/320.jpg").await.status(), 404);
    assert_eq!(
        server
            .get(&format!("/api/photos/{}/320.png", photo.id))
            .await
            .status(),
        404
    );

    // Deleted: gone from the page and the URLs, and logged.
    let url = server.url(&format!("/api/organise/photos/{}", photo.id));
    let (status, _) = call(&o.client, Method::DELETE, &url, None, false).await;
    assert_eq!(status, 403, "DELETE needs the CSRF header");
    let (status, _) = call(&o.client, Method::DELETE, &url, None, true).await;
    assert_eq!(status, 204);
    assert_eq!(server.get(&photo.versions[0].url).await.status(), 404);
    let detail: ProductDetail = server.json(&format!("/api/products/{product}")).await;
    assert!(detail.photos.is_empty());
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM photo_version").await,
        0,
        "versions go with the photo"
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM change_log WHERE entity = 'photo' AND action = 'delete' AND after IS NULL"
        )
        .await,
        1
    );
    let (status, _) = call(&o.client, Method::DELETE, &url, None, true).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn wrong_and_oversized_files_are_refused_with_a_clear_message() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let product = first_product(&pool, "liu").await;
    let o = server.liu_organiser().await;
    let send = |bytes: Vec<u8>| upload(&server, &o.client, product, bytes, true);

    // Text named .jpg and sent as image/jpeg.
    let (status, body) = send(b"this is not a photo, just text saved as photo.jpg".to_vec()).await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "photo", "not a photo");
    // A GIF is named as such.
    let (status, body) = send(b"GIF89a\x01\x00\x01\x00".to_vec()).await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "photo", "GIF");
    // A JPEG cut short within its headers. (The decoder pads image data
    // cut short, so a photo missing only its tail still comes through.)
    let mut cut = jpeg(200, 100);
    cut.truncate(100);
    let (status, body) = send(cut).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["photo"]);
    // Empty.
    let (status, body) = send(Vec::new()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["photo"]);

    // One byte over 10 MB: a JSON 413 naming the photo, not the 64 KB
    // limit of other requests.
    let mut big = jpeg(64, 64);
    big.resize(10 * 1024 * 1024 + 1, 0);
    let (status, body) = send(big).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(fields(&body), ["photo"]);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("photos can be at most 10 MB"),
        "{body}"
    );
    // Well over: still the clear answer.
    let (status, body) = send(vec![0xFF; 13 * 1024 * 1024]).await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("13.0 MB"),
        "{body}"
    );
    // Under the limit is read whole and judged on its content: a photo
    // with padding after its end is still a photo.
    let mut under = jpeg(64, 64);
    under.resize(3 * 1024 * 1024, 0);
    let (status, body) = send(under).await;
    assert_eq!(status, 201, "{body}");

    // The upload path with another method is a JSON 405.
    let res = o
        .client
        .get(server.url(&format!("/api/organise/products/{product}/photos")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert!(header(&res, "content-type").starts_with("application/json"));

    // Other requests keep the small limit.
    let res = o
        .client
        .put(server.url(&format!("/api/organise/products/{product}")))
        .header(CSRF_HEADER, CSRF_VALUE)
        .header("content-type", "application/json")
        .body(vec![b' '; 200 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);

    // Only that one was stored and logged; no refusal left anything.
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM photo").await, 1);
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM change_log WHERE entity = 'photo'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn png_and_webp_are_accepted_too_and_photos_keep_their_order() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let product = first_product(&pool, "liu").await;
    let o = server.liu_organiser().await;
    let mut png = Vec::new();
    card(500, 250)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let mut webp = Vec::new();
    card(300, 300)
        .write_to(&mut Cursor::new(&mut webp), image::ImageFormat::WebP)
        .unwrap();
    let mut ids = Vec::new();
    for bytes in [png, webp] {
        let (status, body) = upload(&server, &o.client, product, bytes, true).await;
        assert_eq!(status, 201, "{body}");
        let photo: PhotoRef = serde_json::from_value(body).unwrap();
        // Never upscaled: the largest version is the original's width.
        assert!(photo.versions.last().unwrap().width <= 500);
        ids.push(photo.id);
    }
    let detail: ProductDetail = server.json(&format!("/api/products/{product}")).await;
    assert_eq!(detail.photos.iter().map(|p| p.id).collect::<Vec<_>>(), ids);
    assert_eq!(
        detail.photos[1]
            .versions
            .iter()
            .map(|v| v.width)
            .collect::<Vec<_>>(),
        [300]
    );

    // At most 12 photos a product.
    for _ in 0..10 {
        photo_row(&pool, product).await;
    }
    let (status, body) = upload(&server, &o.client, product, jpeg(100, 100), true).await;
    assert_eq!(status, 422, "{body}");
    assert_field(&body, "photo", "at most 12 photos");
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM photo").await, 12);
}
