//! Security headers on every answer, and `Secure` cookies over HTTPS.
//!
//! - Pages get a strict Content-Security-Policy: scripts only from our own
//!   origin, plus the page's own inline scripts (trunk's loader, the
//!   service-worker registration) by their SHA-256, so no `'unsafe-inline'`
//!   for scripts; `'wasm-unsafe-eval'` lets the app's wasm compile. Style
//!   attributes, which the views set, are allowed; style sheets only from
//!   our origin. Nothing may frame us.
//! - Every other answer gets a policy that loads nothing (scripts, which
//!   the service worker runs as a worker, may fetch from our origin).
//! - `Referrer-Policy`, a `Permissions-Policy` that turns off what the app
//!   never uses, and `X-Frame-Options` for browsers without CSP level 2.
//! - A request that reached us over HTTPS gets `Secure` on every cookie it
//!   is sent: when `STOREFRONT_SECURE_COOKIE=1`, or when it came from one
//!   of `STOREFRONT_TRUSTED_PROXIES` with `X-Forwarded-Proto: https` (from
//!   anyone else the header is ignored, since a client can write it).

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue},
    middleware::Next,
    response::Response,
};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use crate::AppState;

pub const REFERRER_POLICY: &str = "strict-origin-when-cross-origin";
pub const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
/// Answers that are not pages: JSON, photos, files.
pub const NOT_A_PAGE_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
/// Scripts: only the service worker's policy matters, and it fetches pages,
/// assets and catalogue answers from our origin.
pub const SCRIPT_CSP: &str = "default-src 'self'; frame-ancestors 'none'";

/// The policy of a page, allowing exactly its own inline scripts.
pub fn page_csp(html: &[u8]) -> String {
    let hashes: String = inline_scripts(html)
        .map(|script| {
            let digest = Sha256::digest(script);
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; \
         connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The text of every `<script>` without a `src`, as the browser hashes it.
fn inline_scripts(html: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = html;
    std::iter::from_fn(move || loop {
        let start = find(rest, b"<script")?;
        let after_tag = start + find(&rest[start..], b">")? + 1;
        let tag = &rest[start..after_tag];
        let end = after_tag + find(&rest[after_tag..], b"</script")?;
        let body = &rest[after_tag..end];
        rest = &rest[end..];
        if find(tag, b" src=").is_none() {
            return Some(body);
        }
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether the client's request reached us over HTTPS, as far as we can
/// trust what we are told.
pub fn via_https(
    secure_configured: bool,
    extensions: &axum::http::Extensions,
    headers: &HeaderMap,
    trusted: &[IpAddr],
) -> bool {
    if secure_configured {
        return true;
    }
    let from_trusted = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(a)| trusted.contains(&a.ip()));
    // The proxy nearest us appends its own value last.
    from_trusted
        && headers
            .get_all("x-forwarded-proto")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// The middleware around the whole app.
pub async fn security(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let https = via_https(
        state.config.secure_cookie,
        req.extensions(),
        req.headers(),
        &state.config.trusted_proxies,
    );
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let script = headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"text/javascript"));
        let csp = if script { SCRIPT_CSP } else { NOT_A_PAGE_CSP };
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }
    for (name, value) in [
        (header::REFERRER_POLICY, REFERRER_POLICY),
        (
            header::HeaderName::from_static("permissions-policy"),
            PERMISSIONS_POLICY,
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if https {
        let cookies: Vec<HeaderValue> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|c| match c.to_str() {
                Ok(text) if !text.contains("; Secure") => {
                    HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or_else(|_| c.clone())
                }
                _ => c.clone(),
            })
            .collect();
        headers.remove(header::SET_COOKIE);
        for c in cookies {
            headers.append(header::SET_COOKIE, c);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = br#"<head><script type=module>import a from '/a.js';</script><link href=/x.css rel=stylesheet><script src=/b.js></script></head><body><script>go()</script></body>"#;
        let scripts: Vec<&[u8]> = inline_scripts(html).collect();
        assert_eq!(scripts, vec![&b"import a from '/a.js';"[..], b"go()"]);
        let csp = page_csp(html);
        assert!(csp.contains("'sha256-"), "{csp}");
        assert_eq!(csp.matches("'sha256-").count(), 2, "{csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn the_hash_is_what_browsers_compute() {
        let csp = page_csp(b"<script>alert(1)</script>");
        // As `printf 'alert(1)' | openssl dgst -sha256 -binary | base64`.
        assert!(
            csp.contains("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"),
            "{csp}"
        );
    }

    #[test]
    fn https_is_believed_only_from_trusted_proxies() {
        use axum::http::Extensions;
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let from = |ip: &str| {
            let mut e = Extensions::new();
            e.insert(ConnectInfo(SocketAddr::new(ip.parse().unwrap(), 4000)));
            e
        };
        assert!(via_https(false, &from("10.0.0.2"), &headers, &[proxy]));
        assert!(!via_https(false, &from("10.0.0.9"), &headers, &[proxy]));
        assert!(!via_https(
            false,
            &from("10.0.0.2"),
            &HeaderMap::new(),
            &[proxy]
        ));
        assert!(via_https(true, &Extensions::new(), &HeaderMap::new(), &[]));
        let mut http = HeaderMap::new();
        http.insert("x-forwarded-proto", HeaderValue::from_static("https, http"));
        assert!(!via_https(false, &from("10.0.0.2"), &http, &[proxy]));
    }
}
