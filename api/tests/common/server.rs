//! The app served in-process from the library, on a free port of
//! 127.0.0.1 in the test's own tokio runtime: what most tests talk to.

use std::{
    io::Write,
    ops::Deref,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use super::{open_db, Env, Http};

/// The running app. It stops when dropped (and with the test's runtime).
pub struct Server {
    http: Http,
    /// The database file, for a second connection ([`Server::pool`]).
    pub db: PathBuf,
    /// The server's group commit, to check that answered writes are synced.
    pub wal_sync: Arc<api::db::WalSync>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The folder of a server started without one of the test's own.
    _env: Option<Env>,
}

impl Server {
    /// A fresh database (seeded with the demo data) and dist folder.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// [`Server::start`] with settings as the binary reads them from its
    /// environment, e.g. `("STOREFRONT_TRUSTED_PROXIES", "127.0.0.1")`.
    pub async fn start_with(vars: &[(&str, &str)]) -> Self {
        let env = Env::new();
        let mut server = Self::start_at(&env.db, &env.dist, vars).await;
        server._env = Some(env);
        server
    }

    pub async fn start_at(db: &Path, dist: &Path, vars: &[(&str, &str)]) -> Self {
        let (db_text, dist_text) = (db.to_str().unwrap(), dist.to_str().unwrap());
        let defaults = [
            ("STOREFRONT_ADDR", "127.0.0.1:0"),
            ("STOREFRONT_DB", db_text),
            ("STOREFRONT_DIST", dist_text),
        ];
        let config = api::Config::from_lookup(|key| {
            vars.iter()
                .chain(&defaults)
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        })
        .expect("test configuration");
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .expect("bind a free port");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = api::prepare(config).await.expect("prepare the database");
        let wal_sync = state.wal_sync.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            if let Err(e) = api::serve(listener, state, shutdown).await {
                panic!("{e}");
            }
        });
        Self {
            http: Http::new(base),
            db: db.to_owned(),
            wal_sync,
            shutdown: Some(tx),
            _env: None,
        }
    }

    /// A second connection to the server's database.
    pub async fn pool(&self) -> sqlx::SqlitePool {
        open_db(&self.db).await
    }
}

impl Deref for Server {
    type Target = Http;

    fn deref(&self) -> &Http {
        &self.http
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Warnings and errors logged while it lives, on this thread: in a test on
/// the default single-threaded runtime, that is everything the in-process
/// server logs (the binary's stderr, in-process).
pub struct Logs {
    text: Arc<Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

#[derive(Clone)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    /// Starts capturing; call before starting the server.
    pub async fn capture() -> Self {
        let text = Arc::new(Mutex::new(Vec::new()));
        let buffer = Buffer(text.clone());
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .with_writer(move || buffer.clone())
            .finish();
        let logs = Self {
            text,
            _guard: tracing::subscriber::set_default(subscriber),
        };
        // Proves that what a spawned task logs (as a request handler does)
        // is captured, so an empty capture means nothing was logged.
        tokio::spawn(async { tracing::warn!("log capture check") })
            .await
            .unwrap();
        assert!(logs.text().contains("log capture check"), "{}", logs.text());
        logs.text.lock().unwrap().clear();
        logs
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.text.lock().unwrap()).into_owned()
    }
}
