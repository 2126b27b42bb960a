//! Photo upload against the real binary: a phone JPEG with EXIF GPS comes
//! out of every served version without any metadata; wrong and oversized
//! files are refused with a clear message naming `photo`.

mod common;

use std::io::Cursor;

use common::{header, open_db, Env, Server};
use domain::dto::{PhotoRef, ProductDetail};
use image::{codecs::jpeg::JpegEncoder, Rgb, RgbImage};
use reqwest::{Client, Method};
use serde_json::{json, Value};

// ---- fixtures, built byte by byte (as in api/src/photos/tests.rs) ----

fn card(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let shade = ((x + y) % 32) as u8;
        if x < width / 2 {
            Rgb([220 + shade / 2, 20 + shade, 20])
        } else {
            Rgb([20, 20 + shade, 220 + shade / 2])
        }
    })
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&card(width, height))
        .unwrap();
    out
}

/// Big-endian TIFF as phones write into EXIF: IFD0 with a pointer to a GPS
/// IFD holding a latitude and longitude (a made-up spot in Hebei).
fn exif_tiff() -> Vec<u8> {
    fn entry(t: &mut Vec<u8>, tag: u16, typ: u16, count: u32, value: [u8; 4]) {
        t.extend(tag.to_be_bytes());
        t.extend(typ.to_be_bytes());
        t.extend(count.to_be_bytes());
        t.extend(value);
    }
    let ifd0_len = 2 + 2 * 12 + 4;
    let gps_ifd = 8 + ifd0_len;
    let gps_len = 2 + 5 * 12 + 4;
    let lat_at = (gps_ifd + gps_len) as u32;
    let lon_at = lat_at + 24;
    let mut t = b"MM\x00\x2a".to_vec();
    t.extend(8u32.to_be_bytes());
    t.extend(2u16.to_be_bytes());
    entry(&mut t, 0x0112, 3, 1, [0, 1, 0, 0]);
    entry(&mut t, 0x8825, 4, 1, (gps_ifd as u32).to_be_bytes());
    t.extend(0u32.to_be_bytes());
    t.extend(5u16.to_be_bytes());
    entry(&mut t, 0x0000, 1, 4, [2, 3, 0, 0]);
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, 5, 3, lat_at.to_be_bytes());
    entry(&mut t, 0x0003, 2, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, 5, 3, lon_at.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    assert_eq!(t.len() as u32, lat_at);
    for (num, den) in [(38u32, 1u32), (51, 1), (12, 1), (114, 1), (7, 1), (30, 1)] {
        t.extend(num.to_be_bytes());
        t.extend(den.to_be_bytes());
    }
    t
}

const COMMENT: &[u8] = b"Wang family, back yard";

/// A JPEG as a phone sends it: EXIF with GPS and a comment after SOI.
fn phone_jpeg(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height);
    let segment = |marker: u8, payload: &[u8]| {
        let mut s = vec![0xFF, marker];
        s.extend(((payload.len() + 2) as u16).to_be_bytes());
        s.extend(payload);
        s
    };
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(exif_tiff());
    let mut out = plain[..2].to_vec();
    out.extend(segment(0xE1, &exif));
    out.extend(segment(0xFE, COMMENT));
    out.extend(&plain[2..]);
    out
}

fn gps_latitude(bytes: &[u8]) -> Option<String> {
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()?;
    exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
        .map(|f| f.display_value().to_string())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ---- helpers ----

async fn liu_organiser(server: &Server) -> Client {
    let client = common::browser();
    let res = client
        .post(server.url("/api/organise/session"))
        .header("X-Requested-With", "storefront")
        .json(&json!({"login": "liu-organiser-2", "password": "demo-organiser-2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    client
}

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
        req = req.header("X-Requested-With", "storefront");
    }
    let res = req.send().await.expect("upload");
    let status = res.status().as_u16();
    let ctype = header(&res, "content-type");
    let text = res.text().await.unwrap();
    assert!(
        ctype.starts_with("application/json"),
        "{status} {ctype}: {text}"
    );
    (status, serde_json::from_str(&text).unwrap())
}

async fn liu_product(pool: &sqlx::SqlitePool) -> i64 {
    sqlx::query_as::<_, (i64,)>(
        "SELECT p.id FROM product p JOIN village v ON v.id = p.village_id
         WHERE v.slug = 'liu' AND p.published = 1 ORDER BY p.id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap()
    .0
}

async fn count(pool: &sqlx::SqlitePool, sql: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>(sql)
        .fetch_one(pool)
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn a_phone_photo_is_served_in_sizes_without_its_gps_position() {
    let env = Env::new();
    let server = env.start();
    let pool = open_db(&env.db).await;
    let product = liu_product(&pool).await;
    let o = liu_organiser(&server).await;
    let input = phone_jpeg(1600, 1200);
    // The fixture really carries what must go.
    assert!(gps_latitude(&input).unwrap().contains("38"));
    assert!(contains(&input, b"Exif") && contains(&input, COMMENT));

    // Without the CSRF header: refused, nothing stored.
    let (status, body) = upload(&server, &o, product, input.clone(), false).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM photo").await, 0);

    // Another village's product, or no session: refused with a message
    // (the upload is read first, so the browser gets the answer).
    let song: i64 = count(
        &pool,
        "SELECT p.id FROM product p JOIN village v ON v.id = p.village_id WHERE v.slug = 'song' LIMIT 1",
    )
    .await;
    let (status, body) = upload(&server, &o, song, input.clone(), true).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = upload(&server, &Client::new(), product, input.clone(), true).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM photo").await, 0);

    let (status, body) = upload(&server, &o, product, input, true).await;
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
    let res = o
        .get(server.url(&format!("/api/organise/products/{product}")))
        .send()
        .await
        .unwrap();
    let mine: Value = res.json().await.unwrap();
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
    let res = o.delete(&url).send().await.unwrap();
    assert_eq!(res.status(), 403, "DELETE needs the CSRF header");
    let res = o
        .delete(&url)
        .header("X-Requested-With", "storefront")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(server.get(&photo.versions[0].url).await.status(), 404);
    let detail: ProductDetail = server.json(&format!("/api/products/{product}")).await;
    assert!(detail.photos.is_empty());
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM photo_version").await,
        0,
        "versions go with the photo"
    );
    assert_eq!(
        count(
            &pool,
            "SELECT COUNT(*) FROM change_log WHERE entity = 'photo' AND action = 'delete' AND after IS NULL"
        )
        .await,
        1
    );
    let res = o
        .delete(&url)
        .header("X-Requested-With", "storefront")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn wrong_and_oversized_files_are_refused_with_a_clear_message() {
    let env = Env::new();
    let server = env.start();
    let pool = open_db(&env.db).await;
    let product = liu_product(&pool).await;
    let o = liu_organiser(&server).await;

    // Text named .jpg and sent as image/jpeg.
    let (status, body) = upload(
        &server,
        &o,
        product,
        b"this is not a photo, just text saved as photo.jpg".to_vec(),
        true,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(common::fields(&body), ["photo"]);
    assert!(
        body["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not a photo"),
        "{body}"
    );
    // A GIF is named as such.
    let (status, body) = upload(
        &server,
        &o,
        product,
        b"GIF89a\x01\x00\x01\x00".to_vec(),
        true,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"][0]["message"]
        .as_str()
        .unwrap()
        .contains("GIF"));
    // A JPEG cut short within its headers. (The decoder pads image data
    // cut short, so a photo missing only its tail still comes through.)
    let mut cut = jpeg(200, 100);
    cut.truncate(100);
    let (status, body) = upload(&server, &o, product, cut, true).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(common::fields(&body), ["photo"]);
    // Empty.
    let (status, body) = upload(&server, &o, product, Vec::new(), true).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(common::fields(&body), ["photo"]);

    // One byte over 10 MB: a JSON 413 naming the photo, not the 64 KB
    // limit of other requests.
    let mut big = jpeg(64, 64);
    big.resize(10 * 1024 * 1024 + 1, 0);
    let (status, body) = upload(&server, &o, product, big, true).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(common::fields(&body), ["photo"]);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("photos can be at most 10 MB"),
        "{body}"
    );
    // Well over: still the clear answer.
    let (status, body) = upload(&server, &o, product, vec![0xFF; 13 * 1024 * 1024], true).await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("13.0 MB"),
        "{body}"
    );
    // Under the limit is read whole and judged on its content: a photo
    // with padding after its end is still a photo.
    let mut under = jpeg(64, 64);
    under.resize(3 * 1024 * 1024, 0);
    let (status, body) = upload(&server, &o, product, under, true).await;
    assert_eq!(status, 201, "{body}");

    // The upload path with another method is a JSON 405.
    let res = o
        .get(server.url(&format!("/api/organise/products/{product}/photos")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert!(header(&res, "content-type").starts_with("application/json"));

    // Other requests keep the small limit.
    let res = o
        .request(
            Method::PUT,
            server.url(&format!("/api/organise/products/{product}")),
        )
        .header("X-Requested-With", "storefront")
        .header("content-type", "application/json")
        .body(vec![b' '; 200 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);

    // Only that one was stored and logged; no refusal left anything.
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM photo").await, 1);
    assert_eq!(
        count(
            &pool,
            "SELECT COUNT(*) FROM change_log WHERE entity = 'photo'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn png_and_webp_are_accepted_too_and_photos_keep_their_order() {
    let env = Env::new();
    let server = env.start();
    let pool = open_db(&env.db).await;
    let product = liu_product(&pool).await;
    let o = liu_organiser(&server).await;
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
        let (status, body) = upload(&server, &o, product, bytes, true).await;
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
        sqlx::query(
            "INSERT INTO photo (product_id, position, source_type, width, height, upload_bytes, organiser_id, created_at)
             VALUES (?, (SELECT MAX(position) + 1 FROM photo), 'image/jpeg', 1, 1, 1, (SELECT MIN(id) FROM organiser), 0)",
        )
        .bind(product)
        .execute(&pool)
        .await
        .unwrap();
    }
    let (status, body) = upload(&server, &o, product, jpeg(100, 100), true).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(common::fields(&body), ["photo"]);
    assert!(body["fields"][0]["message"]
        .as_str()
        .unwrap()
        .contains("at most 12 photos"));
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM photo").await, 12);
}
