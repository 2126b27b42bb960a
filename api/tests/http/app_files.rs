//! Serving the built app: content types, compression, cache headers, deep
//! links, and a clear answer when the app is not built.

use crate::common::{
    self, brotli_decode, gzip_decode, header, template_of, Env, Server, HASHED_JS, HASHED_WASM,
    INDEX_HTML,
};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[tokio::test]
async fn hashed_assets_are_immutable_and_typed() {
    let server = Server::start().await;
    let wasm = server.get(&format!("/{HASHED_WASM}")).await;
    assert_eq!(wasm.status(), 200);
    assert_eq!(header(&wasm, "content-type"), "application/wasm");
    assert_eq!(header(&wasm, "cache-control"), IMMUTABLE);
    assert_eq!(
        wasm.bytes().await.unwrap().as_ref(),
        common::wasm_bytes().as_slice()
    );

    let js = server.get(&format!("/{HASHED_JS}")).await;
    assert_eq!(js.status(), 200);
    assert!(
        header(&js, "content-type").contains("javascript"),
        "{}",
        header(&js, "content-type")
    );
    assert_eq!(header(&js, "cache-control"), IMMUTABLE);
}

#[tokio::test]
async fn static_files_are_compressed() {
    let server = Server::start().await;
    let path = format!("/{HASHED_WASM}");
    let br = server.get_encoded(&path, "br").await;
    assert_eq!(br.status(), 200);
    assert_eq!(header(&br, "content-encoding"), "br");
    assert_eq!(header(&br, "content-type"), "application/wasm");
    assert_eq!(header(&br, "cache-control"), IMMUTABLE);
    let body = br.bytes().await.unwrap();
    assert!(body.len() < common::wasm_bytes().len());
    assert_eq!(brotli_decode(&body), common::wasm_bytes());

    let gz = server.get_encoded(&format!("/{HASHED_JS}"), "gzip").await;
    assert_eq!(header(&gz, "content-encoding"), "gzip");
    assert_eq!(gzip_decode(&gz.bytes().await.unwrap()), common::js_bytes());

    let index = server.get_encoded("/", "br, gzip").await;
    assert_eq!(header(&index, "content-encoding"), "br");
    let index = String::from_utf8(brotli_decode(&index.bytes().await.unwrap())).unwrap();
    assert_eq!(template_of(&index), template_of(INDEX_HTML));
}

#[tokio::test]
async fn index_html_is_never_cached_stale() {
    let server = Server::start().await;
    for path in ["/", "/index.html"] {
        let res = server.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "cache-control"), "no-cache", "{path}");
        assert!(
            header(&res, "content-type").starts_with("text/html"),
            "{path}"
        );
        let page = res.text().await.unwrap();
        assert_eq!(template_of(&page), template_of(INDEX_HTML), "{path}");
    }
}

#[tokio::test]
async fn deep_links_get_the_app() {
    let server = Server::start().await;
    for path in [
        "/v/liu/h/3",
        "/v/liu",
        "/no/such/page",
        "/apifoo",
        "/missing-0123456789abcdef.js",
    ] {
        let res = server.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(
            header(&res, "content-type").starts_with("text/html"),
            "{path}"
        );
        assert_eq!(header(&res, "cache-control"), "no-cache", "{path}");
        let page = res.text().await.unwrap();
        assert_eq!(template_of(&page), template_of(INDEX_HTML), "{path}");
    }
}

#[tokio::test]
async fn path_traversal_does_not_leave_dist() {
    let env = Env::new();
    std::fs::write(env.dir.path().join("secret.txt"), "top secret").unwrap();
    let server = env.start().await;
    for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"] {
        let res = server.get(path).await;
        let body = res.text().await.unwrap();
        assert!(!body.contains("top secret"), "{path}");
    }
}

#[tokio::test]
async fn missing_build_is_a_clear_503() {
    let env = Env::new();
    let missing = env.dir.path().join("not-built");
    let server = Server::start_at(&env.db, &missing, &[]).await;
    let res = server.get("/").await;
    assert_eq!(res.status(), 503);
    let text = res.text().await.unwrap();
    assert!(text.contains("not built"), "{text}");
    let res = server.get("/v/liu").await;
    assert_eq!(res.status(), 503);
    // The API still works.
    let health: domain::dto::Health = server.json("/api/health").await;
    assert_eq!(health.status, "ok");

    // A dist folder without index.html is not a built app either.
    std::fs::create_dir_all(&missing).unwrap();
    std::fs::write(missing.join(HASHED_JS), "x").unwrap();
    let res = server.get("/").await;
    assert_eq!(res.status(), 503);
}

/// Each part of the app is a separate bundle in its own directory
/// (`domain::bundle`): deep links get their bundle's page, every other path
/// still gets the shop's, and each bundle's hashed files are served from its
/// directory.
#[tokio::test]
async fn each_path_gets_its_bundles_page() {
    let env = Env::new();
    let bundles = [
        (
            "app/account",
            "account",
            &[
                "/cart",
                "/orders",
                "/orders/3f2a",
                "/login",
                "/join",
                "/me",
                "/label/K7QX-3MPD",
            ][..],
        ),
        (
            "app/visit",
            "visit",
            &["/v/liu/visit", "/trips", "/trips/3f2a"][..],
        ),
        (
            "organise",
            "organise",
            &["/organise", "/organise/login", "/organise/v/liu/visits"][..],
        ),
        (
            "organise/app/products",
            "organise_products",
            &["/organise/v/liu/products", "/organise/v/liu/products/new"][..],
        ),
        (
            "organise/app/rounds",
            "organise_rounds",
            &["/organise/v/liu/rounds", "/organise/rounds/3/packing"][..],
        ),
        (
            "organise/app/village",
            "organise_village",
            &["/organise/v/liu/households/new", "/organise/v/liu/village"][..],
        ),
    ];
    for (dir, name, _) in bundles {
        let d = env.dist.join(dir);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("index.html"),
            format!("<html>{name} bundle</html>\n"),
        )
        .unwrap();
        std::fs::write(
            d.join(format!("{name}-0123456789abcdef_bg.wasm")),
            common::wasm_bytes(),
        )
        .unwrap();
    }
    let server = env.start().await;

    for (dir, name, paths) in bundles {
        for path in paths {
            let res = server.get(path).await;
            assert_eq!(res.status(), 200, "{path}");
            assert_eq!(header(&res, "cache-control"), "no-cache", "{path}");
            assert_eq!(
                res.text().await.unwrap(),
                format!("<html>{name} bundle</html>\n"),
                "{path}"
            );
        }
        let wasm = server
            .get(&format!("/{dir}/{name}-0123456789abcdef_bg.wasm"))
            .await;
        assert_eq!(wasm.status(), 200, "{dir}");
        assert_eq!(header(&wasm, "cache-control"), IMMUTABLE, "{dir}");
    }
    for path in [
        "/",
        "/organiser",
        "/v/liu",
        "/v/liu/h/3",
        "/p/12",
        "/carts",
        "/no/such/page",
    ] {
        let res = server.get(path).await;
        let page = res.text().await.unwrap();
        assert_eq!(template_of(&page), template_of(INDEX_HTML), "{path}");
    }
}

/// A path segment longer than any file name can be is no file: the app's
/// page outside `/api`, a JSON 404 inside, and nothing logged as an error.
#[tokio::test]
async fn over_long_path_segments_are_not_found_quietly() {
    let logs = common::Logs::capture().await;
    let server = Server::start().await;
    let long = "a".repeat(256);
    let longer = "字".repeat(400);
    for path in [
        format!("/{long}"),
        format!("/app/{long}"),
        format!("/app/account/{long}.js"),
        format!("/{longer}"),
        format!("/v/{long}/h/1"),
        format!("/{}", [long.as_str(); 20].join("/")),
        // A NUL byte, percent-encoded: not a file name either.
        "/%00".to_owned(),
        "/app/%00.js".to_owned(),
    ] {
        let res = server.get(&path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(
            header(&res, "content-type").starts_with("text/html"),
            "{path}"
        );
    }
    for path in [
        format!("/api/{long}"),
        format!("/api/villages/{long}"),
        format!("/api/products/{long}"),
        format!("/api/labels/{long}"),
        format!("/api/photos/{long}/{long}.jpg"),
    ] {
        let res = server.get(&path).await;
        let status = res.status().as_u16();
        assert!((400..500).contains(&status), "{path}: {status}");
        assert!(
            header(&res, "content-type").starts_with("application/json"),
            "{path}"
        );
        let body: serde_json::Value = res.json().await.unwrap();
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{path}: {body}"
        );
    }
    let logged = logs.text();
    assert!(!logged.contains("ERROR"), "{logged}");
}
