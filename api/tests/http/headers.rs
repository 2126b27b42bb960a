//! Security headers on every answer, the page policy that allows exactly
//! the page's inline scripts, and `Secure` cookies over HTTPS.

use crate::common::{header, template_of, Env, Server, HASHED_JS};
use reqwest::Client;
use serde_json::json;

const PAGE: &str = "<!doctype html><html><head><script type=module>import init from '/x.js';\nawait init();</script>\
<script src=/other.js></script></head><body><script>register()</script></body></html>";

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let env = Env::new();
    std::fs::write(env.dist.join("index.html"), PAGE).unwrap();
    let server = env.start().await;
    let cases = [
        ("/", "page"),
        ("/index.html", "page"),
        ("/v/liu", "page"),
        ("/no/such/page", "page"),
        (&*format!("/{HASHED_JS}"), "script"),
        ("/api/villages/liu", "json"),
        ("/api/villages/nowhere", "json"),
        ("/api/no-such-endpoint", "json"),
        ("/api/me", "json"),
    ];
    for (path, kind) in cases {
        let res = server.get(path).await;
        let csp = header(&res, "content-security-policy");
        assert_eq!(
            header(&res, "referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        let permissions = header(&res, "permissions-policy");
        assert!(permissions.contains("camera=()"), "{path}: {permissions}");
        assert_eq!(header(&res, "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(&res, "x-content-type-options"), "nosniff", "{path}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        match kind {
            "page" => {
                let body = res.text().await.unwrap();
                assert_eq!(template_of(&body), template_of(PAGE), "{path}");
                let script_src = csp
                    .split(';')
                    .map(str::trim)
                    .find(|d| d.starts_with("script-src "))
                    .unwrap_or_else(|| panic!("{path}: {csp}"));
                assert!(script_src.contains("'wasm-unsafe-eval'"), "{csp}");
                assert!(!script_src.contains("unsafe-inline"), "{csp}");
                // Both inline scripts, by their hash (as `openssl dgst -sha256 -binary | base64`).
                for script in ["import init from '/x.js';\nawait init();", "register()"] {
                    use base64::Engine as _;
                    use sha2::Digest as _;
                    let hash = base64::engine::general_purpose::STANDARD
                        .encode(sha2::Sha256::digest(script.as_bytes()));
                    assert!(script_src.contains(&format!("'sha256-{hash}'")), "{csp}");
                }
                assert_eq!(script_src.matches("'sha256-").count(), 2, "{csp}");
            }
            "script" => assert!(csp.starts_with("default-src 'self'"), "{path}: {csp}"),
            _ => assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}"),
        }
    }
}

async fn login_cookie(server: &Server, proto: Option<&str>) -> String {
    let mut req = Client::new()
        .post(server.url("/api/session"))
        .json(&json!({"phone": "13800000001", "password": "demo-password-1"}));
    if let Some(p) = proto {
        req = req.header("x-forwarded-proto", p);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    header(&res, "set-cookie")
}

#[tokio::test]
async fn cookies_are_secure_when_a_trusted_proxy_says_https() {
    let server = Server::start_with(&[("STOREFRONT_TRUSTED_PROXIES", "127.0.0.1")]).await;
    assert!(login_cookie(&server, Some("https"))
        .await
        .ends_with("; Secure"));
    assert!(!login_cookie(&server, Some("http")).await.contains("Secure"));
    assert!(!login_cookie(&server, None).await.contains("Secure"));
    // The organiser's cookie too.
    let res = Client::new()
        .post(server.url("/api/organise/session"))
        .header("x-forwarded-proto", "https")
        .header(domain::organise::CSRF_HEADER, domain::organise::CSRF_VALUE)
        .json(&json!({"login": "liu-organiser-1", "password": "demo-organiser-1"}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let cookie = header(&res, "set-cookie");
    assert_eq!(status, 200, "{cookie}");
    assert!(
        cookie.starts_with("sf_organiser=") && cookie.ends_with("; Secure"),
        "{cookie}"
    );
}

#[tokio::test]
async fn a_client_cannot_claim_https_itself() {
    // No trusted proxy: the header is the client's word only.
    let server = Server::start().await;
    assert!(!login_cookie(&server, Some("https"))
        .await
        .contains("Secure"));
    let forced = Server::start_with(&[("STOREFRONT_SECURE_COOKIE", "1")]).await;
    assert!(login_cookie(&forced, None).await.ends_with("; Secure"));
}
