//! `/metrics` in Prometheus' text format, on a listener of its own
//! (`--metrics-listen`, off by default) so it can stay off the public
//! network. Requests and CLEMAP calls are recorded as they happen (see
//! `evse_dashboard::metrics`); sessions, tasks, descriptors and the cache
//! ratio are read when Prometheus scrapes.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use evse_dashboard::db::{Backend, Db};
use evse_dashboard::metrics::{HTTP_DURATION, HTTP_REQUESTS};
use evse_dashboard::on_db;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Seconds, from a cached page (~1 ms) to a CLEMAP timeout (10 s).
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder. The `metrics` facade has one global recorder,
/// so it is installed once however many servers a process starts (tests
/// start many).
fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder was installed first; /metrics stays empty");
        }
        evse_dashboard::metrics::describe();
        metrics::describe_gauge!(
            "evse_sessions",
            "Sessions stored (expired ones go within a minute)"
        );
        metrics::describe_gauge!("evse_tokio_alive_tasks", "Async tasks alive in the server");
        metrics::describe_gauge!(
            "process_open_fds",
            "File descriptors the process holds open"
        );
        handle
    })
}

#[derive(Clone)]
struct Scrape {
    handle: PrometheusHandle,
    db: Db,
}

/// Installs the recorder and serves `/metrics` on `at`; returns the bound
/// address (port 0 picks one).
pub async fn start(at: SocketAddr, db: Db) -> std::io::Result<SocketAddr> {
    let handle = recorder().clone();
    let listener = tokio::net::TcpListener::bind(at).await?;
    let addr = listener.local_addr()?;
    // Histograms keep raw samples until upkeep folds them into buckets;
    // without a scrape they would grow.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    let router = Router::new()
        .route("/metrics", get(render))
        .with_state(Scrape { handle, db });
    // The dashboard's own connection handling (deadlines, caps), not
    // `axum::serve`, which would keep an idle connection for ever.
    let limits = crate::listener::ConnectionLimits {
        max_connections: 64,
        max_per_client: 16,
        ..Default::default()
    };
    tokio::spawn(async move {
        let serving = crate::listener::serve(
            listener,
            router,
            limits,
            std::sync::Arc::from([]),
            std::future::pending(),
        );
        if let Err(e) = serving.await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    tracing::info!(%addr, "metrics at http://{addr}/metrics");
    Ok(addr)
}

async fn render(State(scrape): State<Scrape>) -> Response {
    match sessions(&scrape.db).await {
        Ok(n) => metrics::gauge!("evse_sessions").set(n as f64),
        Err(e) => tracing::warn!(error = %e, "cannot count sessions for the metrics"),
    }
    let runtime = tokio::runtime::Handle::current().metrics();
    metrics::gauge!("evse_tokio_alive_tasks").set(runtime.num_alive_tasks() as f64);
    if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
        metrics::gauge!("process_open_fds").set(fds.count() as f64);
    }
    scrape.handle.run_upkeep();
    (
        [("content-type", "text/plain; version=0.0.4")],
        scrape.handle.render(),
    )
        .into_response()
}

/// Sessions stored; expired ones are deleted within a minute (see
/// `Sessions::open`), so this is the sessions alive, near enough.
async fn sessions(db: &Db) -> Result<i64, sqlx::Error> {
    let sql = match db.backend() {
        Backend::Sqlite => "SELECT COUNT(*) FROM sessions",
        Backend::Postgres => "SELECT COUNT(*) FROM tower_sessions.sessions",
    };
    on_db!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await)
}

/// Counts and times every request by its route pattern (`/chargers/{id}`,
/// `/api/set_target`), never the concrete path: ids and typos would make
/// a label per request.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(HTTP_REQUESTS, "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(HTTP_DURATION, "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    response
}
