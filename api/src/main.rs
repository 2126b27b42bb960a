//! The storefront's server: reads the configuration (see `api::config`),
//! prepares the database, prints the address it listens on, and serves
//! until Ctrl-C or SIGTERM; `api admin ...` runs an admin command
//! instead (`api::admin`), and `api backup PATH` copies the live database
//! (`api::backup`).

use std::io::Write as _;

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("admin") => std::process::exit(admin(&args[1..]).await),
        Some("backup") => std::process::exit(backup(&args[1..]).await),
        _ => {}
    }
    if let Err(e) = run().await {
        eprintln!("api: {e}");
        std::process::exit(1);
    }
}

/// `api admin ...` (see `api::admin`): its output, and its exit code.
async fn admin(args: &[String]) -> i32 {
    let outcome = match api::Config::from_env() {
        Ok(config) => api::admin::run(args, &config.db_path).await,
        Err(e) => Err(api::admin::Failure {
            code: 1,
            message: e,
        }),
    };
    match outcome {
        Ok(out) => {
            print!("{out}");
            0
        }
        Err(f) => {
            eprintln!("api admin: {}", f.message);
            f.code
        }
    }
}

/// `api backup PATH` (see `api::backup`): its output, and its exit code.
async fn backup(args: &[String]) -> i32 {
    let outcome = match api::Config::from_env() {
        Ok(config) => api::backup::run(args, &config.db_path).await,
        Err(e) => Err(api::admin::Failure {
            code: 1,
            message: e,
        }),
    };
    match outcome {
        Ok(out) => {
            print!("{out}");
            0
        }
        Err(f) => {
            eprintln!("api backup: {}", f.message);
            f.code
        }
    }
}

async fn run() -> Result<(), String> {
    let config = api::Config::from_env()?;
    let addr = config.addr;
    let state = api::prepare(config).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(
        db = %state.config.db_path.display(),
        dist = %state.config.dist_dir.display(),
        "ready"
    );
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{local}")
            .and_then(|()| out.flush())
            .map_err(|e| e.to_string())?;
    }
    api::serve(listener, state, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
