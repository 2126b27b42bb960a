//! Configuration from environment variables, each with a default so that
//! `cargo run -p api` works from the workspace root with no setup.
//!
//! | Variable           | Default                   | Meaning                                                  |
//! |--------------------|---------------------------|----------------------------------------------------------|
//! | `STOREFRONT_ADDR`  | `127.0.0.1:8080`          | Address to listen on; port `0` picks a free port.        |
//! | `STOREFRONT_DB`    | `data/storefront.sqlite3` | SQLite file; created (with its folder) when missing.     |
//! | `STOREFRONT_DIST`  | `dist`                    | The app as built by `trunk build`; served outside `/api`. |
//! | `STOREFRONT_SECURE_COOKIE` | `0`               | `1`: the session cookie gets `Secure` (serve over HTTPS). |
//! | `STOREFRONT_TRUSTED_PROXIES` | (none)          | Comma-separated IPs of reverse proxies whose `X-Forwarded-For` names the client. |
//! | `STOREFRONT_DEMO` | `1`                      | `0`: no demo data is ever seeded (start from nothing).   |
//! | `RUST_LOG`         | `info,sqlx=warn`          | Log filter for `tracing` (logs go to stderr).            |
//!
//! On start the server prints exactly one line to stdout,
//! `listening on http://HOST:PORT`, with the port actually bound.

use std::{
    env,
    net::{IpAddr, SocketAddr},
    path::PathBuf,
};

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_DB: &str = "data/storefront.sqlite3";
pub const DEFAULT_DIST: &str = "dist";

#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub db_path: PathBuf,
    pub dist_dir: PathBuf,
    /// Mark the session cookie `Secure` (only sent over HTTPS). Off by
    /// default because the demo runs on http://127.0.0.1.
    pub secure_cookie: bool,
    /// Reverse proxies in front of the server. A request from one of them
    /// is counted by the login limit under the client its
    /// `X-Forwarded-For` names; from anyone else the header is ignored,
    /// since a client can write it.
    pub trusted_proxies: Vec<IpAddr>,
    /// Seed the demo data into an empty database (the default); `false`
    /// starts a real storefront from nothing (see `api admin`).
    pub demo: bool,
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|key| env::var(key).ok())
    }

    /// Reads the settings through `lookup`; blank values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |key: &str, default: &str| {
            lookup(key)
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        let addr_text = get("STOREFRONT_ADDR", DEFAULT_ADDR);
        let addr = addr_text.trim().parse().map_err(|e| {
            format!(
                "STOREFRONT_ADDR must be an address like {DEFAULT_ADDR}, got '{addr_text}': {e}"
            )
        })?;
        let flag = |key: &str, default: &str| match get(key, default).trim() {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            other => Err(format!("{key} must be 1 or 0, got '{other}'")),
        };
        let secure_cookie = flag("STOREFRONT_SECURE_COOKIE", "0")?;
        let demo = flag("STOREFRONT_DEMO", "1")?;
        let trusted_proxies = get("STOREFRONT_TRUSTED_PROXIES", "")
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpAddr>().map_err(|e| {
                    format!(
                        "STOREFRONT_TRUSTED_PROXIES must be IP addresses separated by commas, got '{p}': {e}"
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            addr,
            db_path: PathBuf::from(get("STOREFRONT_DB", DEFAULT_DB)),
            dist_dir: PathBuf::from(get("STOREFRONT_DIST", DEFAULT_DIST)),
            secure_cookie,
            trusted_proxies,
            demo,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let c = Config::from_lookup(|_| None).unwrap();
        assert_eq!(c.addr.to_string(), DEFAULT_ADDR);
        assert_eq!(c.db_path, PathBuf::from(DEFAULT_DB));
        assert_eq!(c.dist_dir, PathBuf::from(DEFAULT_DIST));
        assert!(!c.secure_cookie);
        assert!(c.trusted_proxies.is_empty());
        assert!(c.demo, "demo data by default");

        let c = Config::from_lookup(|k| match k {
            "STOREFRONT_ADDR" => Some("127.0.0.1:0".into()),
            "STOREFRONT_DB" => Some("/tmp/x.sqlite3".into()),
            "STOREFRONT_DIST" => Some(" ".into()),
            "STOREFRONT_SECURE_COOKIE" => Some("1".into()),
            "STOREFRONT_TRUSTED_PROXIES" => Some("10.0.0.2, ::1".into()),
            "STOREFRONT_DEMO" => Some("0".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            c.trusted_proxies,
            [
                "10.0.0.2".parse::<IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
        assert_eq!(c.addr.port(), 0);
        assert_eq!(c.db_path, PathBuf::from("/tmp/x.sqlite3"));
        assert_eq!(c.dist_dir, PathBuf::from(DEFAULT_DIST));
        assert!(c.secure_cookie);
        assert!(!c.demo);
    }

    #[test]
    fn bad_address_is_refused_with_the_variable_name() {
        let err = Config::from_lookup(|k| (k == "STOREFRONT_ADDR").then(|| "localhost".into()))
            .unwrap_err();
        assert!(err.contains("STOREFRONT_ADDR"), "{err}");
        let err = Config::from_lookup(|k| (k == "STOREFRONT_SECURE_COOKIE").then(|| "yes".into()))
            .unwrap_err();
        assert!(err.contains("STOREFRONT_SECURE_COOKIE"), "{err}");
        let err =
            Config::from_lookup(|k| (k == "STOREFRONT_DEMO").then(|| "no".into())).unwrap_err();
        assert!(err.contains("STOREFRONT_DEMO"), "{err}");
        let err =
            Config::from_lookup(|k| (k == "STOREFRONT_TRUSTED_PROXIES").then(|| "proxy".into()))
                .unwrap_err();
        assert!(err.contains("STOREFRONT_TRUSTED_PROXIES"), "{err}");
    }
}
