//! Load test for placing orders (a script, not a test).
//!
//! ```sh
//! cargo run --release -p api --example bench_orders
//! ```
//!
//! Builds (if needed) and starts the release `api` binary on a fresh SQLite
//! file in a temp folder, listening on 127.0.0.1 with a free port; logs in
//! the demo members and registers a few more with the demo codes; gives one
//! product of Liu Village's open round a huge supply with SQL; then runs
//! concurrent clients, each placing 1-unit orders with fresh UUIDs one after
//! another, until the order count or the time limit is reached. Prints the
//! orders placed, orders per second, latency percentiles and any non-2xx
//! answers. Only loopback traffic.
//!
//! | Variable        | Default | Meaning                                        |
//! |-----------------|---------|------------------------------------------------|
//! | `BENCH_CLIENTS` | 32      | concurrent clients                             |
//! | `BENCH_ORDERS`  | 5000    | orders to place in all                         |
//! | `BENCH_SECONDS` | 60      | stop after this long even if not all are done  |
//! | `BENCH_API_BIN` | —       | the `api` binary to run instead of building it |

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use domain::dto::VillageDetail;
use serde_json::json;

fn env_num(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// `BENCH_API_BIN`, or the release `api` beside this example's executable
/// (`<target>/release/examples/bench_orders` → `<target>/release/api`),
/// built first with the cargo that runs us.
fn api_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("BENCH_API_BIN") {
        return PathBuf::from(bin);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "api", "--bin", "api"])
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build --release -p api failed");
    let exe = std::env::current_exe().expect("own path");
    let release = exe
        .parent()
        .and_then(|examples| examples.parent())
        .expect("<target>/release/examples/");
    let bin = release.join(format!("api{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.is_file(), "no api binary at {}", bin.display());
    bin
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(bin: &PathBuf, db: &PathBuf, dist: &PathBuf) -> Server {
    let mut child = Command::new(bin)
        .env("STOREFRONT_ADDR", "127.0.0.1:0")
        .env("STOREFRONT_DB", db)
        .env("STOREFRONT_DIST", dist)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the api binary");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("read the server's first line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Server { child, base }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(256)
        .build()
        .unwrap()
}

async fn post(client: &reqwest::Client, url: String, body: serde_json::Value) {
    let res = client.post(&url).json(&body).send().await.expect("request");
    let status = res.status();
    assert!(
        status.is_success(),
        "{url}: {status} {}",
        res.text().await.unwrap_or_default()
    );
}

#[tokio::main]
async fn main() {
    let clients = env_num("BENCH_CLIENTS", 32).max(1) as usize;
    let total = env_num("BENCH_ORDERS", 5000) as usize;
    let limit = Duration::from_secs(env_num("BENCH_SECONDS", 60));

    let bin = api_binary();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.sqlite3");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let server = start(&bin, &db, &dist);
    let url = |path: &str| format!("{}{path}", server.base);
    eprintln!("server {} on {}", bin.display(), server.base);

    let liu: VillageDetail = reqwest::get(url("/api/villages/liu"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let open = liu.open_round.expect("Liu Village has an open round");
    let product_id = open.stock[0].product_id;
    let point_id = liu.distribution_points[0].id;

    // Members: the demo members log in; more join with the demo codes.
    let mut members = Vec::new();
    for (phone, password) in [
        ("13800000001", "demo-password-1"),
        ("13800000002", "demo-password-2"),
        ("13800000003", "demo-password-3"),
    ] {
        let c = browser();
        post(
            &c,
            url("/api/session"),
            json!({"phone": phone, "password": password}),
        )
        .await;
        members.push(c);
    }
    for (i, code) in ["LIUDEMO1", "LIUDEMO2", "LIUDEMO3", "SONGDEMO1", "SONGDEMO2"]
        .into_iter()
        .enumerate()
    {
        let c = browser();
        post(
            &c,
            url("/api/members"),
            json!({"invitation_code": code, "name": format!("压测{i}"),
                   "phone": format!("1350000{i:04}"), "default_point_id": point_id,
                   "password": "bench password"}),
        )
        .await;
        members.push(c);
    }

    // A supply no run can exhaust.
    {
        use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                SqliteConnectOptions::new()
                    .filename(&db)
                    .busy_timeout(Duration::from_secs(5)),
            )
            .await
            .unwrap();
        sqlx::query("DELETE FROM supply WHERE round_id = ? AND product_id = ?")
            .bind(open.round.id)
            .bind(product_id)
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO supply (round_id, household_id, product_id, quantity)
             SELECT ?, MIN(household_id), ?, 100000000 FROM product_household WHERE product_id = ?",
        )
        .bind(open.round.id)
        .bind(product_id)
        .bind(product_id)
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }

    let body = Arc::new(json!({
        "round_id": open.round.id,
        "point_id": point_id,
        "lines": [{"product_id": product_id, "quantity": 1}],
    }));
    eprintln!(
        "{} members, {clients} clients, {total} orders of product {product_id} in round {} (at most {}s)",
        members.len(),
        open.round.id,
        limit.as_secs()
    );

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..clients {
        let client = members[w % members.len()].clone();
        let (next, body, base) = (next.clone(), body.clone(), server.base.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
            while next.fetch_add(1, Ordering::Relaxed) < total && started.elapsed() < limit {
                let id = uuid::Uuid::new_v4();
                let t = Instant::now();
                let res = client
                    .put(format!("{base}/api/orders/{id}"))
                    .json(&*body)
                    .send()
                    .await;
                let status = match res {
                    Ok(res) => {
                        let s = res.status();
                        let _ = res.bytes().await;
                        s.as_u16().to_string()
                    }
                    Err(e) => format!("error: {e}"),
                };
                latencies.push(t.elapsed());
                *statuses.entry(status).or_default() += 1;
            }
            (latencies, statuses)
        });
    }
    let mut latencies = Vec::new();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for (l, s) in tasks.join_all().await {
        latencies.extend(l);
        for (k, v) in s {
            *statuses.entry(k).or_default() += v;
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(f64::NAN)
    };
    let placed = statuses.get("201").copied().unwrap_or(0);
    println!("orders sent:     {}", latencies.len());
    println!("orders placed:   {placed} (201)");
    println!("elapsed:         {:.2} s", elapsed.as_secs_f64());
    println!(
        "orders/s:        {:.0}",
        placed as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency ms:      p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
        pct(0.50),
        pct(0.95),
        pct(0.99),
        pct(1.0)
    );
    let others: Vec<String> = statuses
        .iter()
        .filter(|(k, _)| !k.starts_with('2'))
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    println!(
        "non-2xx:         {}",
        if others.is_empty() {
            "none".to_owned()
        } else {
            others.join(", ")
        }
    );
    drop(server);
}
