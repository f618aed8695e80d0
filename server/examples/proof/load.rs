//! `load`: 200 logged-in sessions (10 accounts, 20 logins each) browse for
//! `--seconds` (60): overview, a charger page, the audit page and, for
//! operators, a set or a reset against the simulator. Prints per route
//! count, p50, p99 and 5xx, the server's RSS idle and at peak, then checks
//! that connections, tasks and file descriptors come back to the baseline.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use evse_dashboard::clemap::simulator::{self, Fleet, SimulatorHandle};
use evse_dashboard::types::Outcome;

use crate::client::{self, Session};
use crate::metrics::{self, Gauges};
use crate::procfs::{self, Fds};
use crate::server::{self, Launch, Server};
use crate::stats::{self, Recorder};
use crate::{Args, Verdict, setup};

const CHARGERS: usize = 20;
const SESSIONS_PER_ACCOUNT: usize = 20;
/// How long connections, tasks and fds may take to come back.
const SETTLE_WITHIN: Duration = Duration::from_secs(30);
/// Tasks the baseline may be short of when sampled: the stale-pending
/// sweep, the session-expiry sweep and the schedule engine's tick each
/// wake on their own clock and may be mid-run (or have a one-off task out)
/// at the moment of one sample but not the other.
const TASK_SLACK: f64 = 2.0;
/// Each pooled SQLite connection holds the database, its WAL and the
/// shared memory; sqlx opens them lazily (up to 8) and keeps idle ones
/// for 10 minutes, so a connection first opened under load is not a leak.
const DATABASE_FDS_MAX: usize = 8 * 3 + 1;

/// What the return to baseline compares.
#[derive(Debug, Clone, Copy)]
struct Probe {
    fds: Fds,
    gauges: Option<Gauges>,
}

async fn probe(server: &Server, upstream_port: u16) -> Result<Probe, String> {
    let fds = procfs::fds(server.pid(), server.port, upstream_port)
        .map_err(|e| format!("reading /proc/{}/fd: {e}", server.pid()))?;
    let gauges = metrics::gauges(server.metrics_port).await?;
    Ok(Probe { fds, gauges })
}

/// Stops the simulator, which closes its idle keep-alive connections, and
/// waits (up to 10 s) until the server has dropped its ends. The dashboard
/// keeps idle connections to CLEMAP for 90 s (its HTTP client's pool); a
/// real CLEMAP closes them on its own schedule. Done before the baseline
/// and after the load, so neither counts pooled connections (or the
/// tasks that drive them) and what is compared is what the server holds
/// on to by itself. Returns how long the server took.
async fn close_upstream(
    sim: SimulatorHandle,
    server: &Server,
    upstream_port: u16,
) -> Result<Duration, String> {
    drop(sim);
    let started = Instant::now();
    loop {
        let fds =
            procfs::fds(server.pid(), server.port, upstream_port).map_err(|e| e.to_string())?;
        if fds.upstream == 0 || started.elapsed() > Duration::from_secs(10) {
            return Ok(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Why `now` is not back at `base` (empty: it is).
fn not_back(base: &Probe, now: &Probe) -> Vec<String> {
    let mut why = Vec::new();
    let (b, n) = (base.fds, now.fds);
    if n.inbound > b.inbound {
        why.push(format!(
            "{} browser connections open, {} at baseline",
            n.inbound, b.inbound
        ));
    }
    // Both are taken after the simulator closed its side: a connection
    // whose peer is gone must not be held.
    if n.upstream > 0 {
        why.push(format!(
            "{} connections to CLEMAP still open after CLEMAP closed them",
            n.upstream
        ));
    }
    let pool_growth = n.database.saturating_sub(b.database);
    if n.total > b.total + pool_growth {
        why.push(format!(
            "{} fds, {} at baseline (+{pool_growth} for database connections opened since)",
            n.total, b.total
        ));
    }
    if n.database > DATABASE_FDS_MAX {
        why.push(format!(
            "{} database fds (pool bound {DATABASE_FDS_MAX})",
            n.database
        ));
    }
    if let (Some(b), Some(n)) = (base.gauges, now.gauges) {
        if n.connections > b.connections {
            why.push(format!(
                "{} = {}, {} at baseline",
                metrics::CONNECTIONS,
                n.connections,
                b.connections
            ));
        }
        if n.tasks > b.tasks + TASK_SLACK {
            why.push(format!(
                "{} = {}, {} at baseline",
                metrics::TASKS,
                n.tasks,
                b.tasks
            ));
        }
    }
    why
}

fn describe(probe: &Probe) -> String {
    match probe.gauges {
        Some(g) => format!(
            "{}; metrics: {} tasks, {} connections",
            probe.fds, g.tasks, g.connections
        ),
        None => probe.fds.to_string(),
    }
}

/// Failures that are not a status: a set or reset that CLEMAP (a healthy
/// simulator) did not receive.
#[derive(Default)]
struct NotReceived {
    count: AtomicU64,
    example: std::sync::Mutex<Option<String>>,
}

/// Every session browses until `deadline`, each with its own connection
/// (closed when the session's client is dropped at the end).
async fn browse(
    base: &str,
    sessions: &[Session],
    ids: &[i64],
    run_for: Duration,
    recorder: &Arc<Recorder>,
    failed: &Arc<NotReceived>,
) {
    let deadline = Instant::now() + run_for;
    let tasks = sessions.iter().enumerate().map(|(i, session)| {
        let (base, session, ids) = (base.to_owned(), session.clone(), ids.to_vec());
        let (recorder, failed) = (recorder.clone(), failed.clone());
        tokio::spawn(async move {
            let client = client::browser(&session.jar);
            let mut round = 0usize;
            while Instant::now() < deadline {
                let id = ids[(i + round) % ids.len()];
                recorder.record("GET /", &client::page(&client, &base, "/", true).await);
                let charger = format!("/chargers/{id}");
                recorder.record(
                    "GET /chargers/ID",
                    &client::page(&client, &base, &charger, true).await,
                );
                recorder.record(
                    "GET /audit",
                    &client::page(&client, &base, "/audit", true).await,
                );
                if session.operator {
                    let (route, answer) = if round.is_multiple_of(2) {
                        (
                            "POST /api/set_target",
                            client::set_target(&client, &base, id, 10).await,
                        )
                    } else {
                        (
                            "POST /api/reset_target",
                            client::reset_target(&client, &base, id).await,
                        )
                    };
                    recorder.record(route, &answer);
                    if let Ok(answer) = &answer
                        && answer.status == 200
                    {
                        match client::outcome(answer) {
                            Ok(o) if o.outcome == Outcome::Received => {}
                            other => {
                                failed.count.fetch_add(1, Ordering::Relaxed);
                                let text = match other {
                                    Ok(o) => format!("{route}: {} ({:?})", o.outcome, o.problem),
                                    Err(e) => format!("{route}: {e}"),
                                };
                                failed.example.lock().expect("poisoned").get_or_insert(text);
                            }
                        }
                    }
                }
                round += 1;
            }
        })
    });
    futures::future::join_all(tasks).await;
}

pub async fn run(args: &Args) -> Result<(), String> {
    let seconds = args.seconds.unwrap_or(60);
    let accounts: Vec<(String, bool)> = (1..=5)
        .map(|i| (format!("operator{i}"), true))
        .chain((1..=5).map(|i| (format!("viewer{i}"), false)))
        .collect();
    let setup::Stage {
        dir,
        data,
        fleet,
        sim,
        ids,
    } = setup::stage(&args.bin, CHARGERS, &accounts).await?;
    let upstream_port = sim.addr().port();
    let metrics = server::supports_metrics(&args.bin);
    let log = dir.path().join("server.log");
    let server = Server::start(&Launch {
        bin: &args.bin,
        data_dir: &data,
        site_dir: &args.site_dir,
        clemap_url: &sim.base_url(),
        rust_log: "warn",
        log: &log,
        metrics,
    })
    .await?;
    let pid = server.pid();
    let base = server.base();
    println!(
        "load: {} sessions ({} accounts: 5 operators, 5 viewers, {SESSIONS_PER_ACCOUNT} logins each), \
         {seconds} s, {CHARGERS} chargers; metrics gauges: {}",
        accounts.len() * SESSIONS_PER_ACCOUNT,
        accounts.len(),
        if metrics {
            "yes"
        } else {
            "no (serve has no --metrics-listen)"
        }
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss = procfs::status_mib(pid, "VmRSS").unwrap_or(0.0);

    let started = Instant::now();
    let sessions = client::login_many(&base, &accounts, SESSIONS_PER_ACCOUNT).await?;
    println!(
        "logged in {} sessions in {:.1} s",
        sessions.len(),
        started.elapsed().as_secs_f64()
    );

    // A short warm-up first, then the baseline: the SQLite pool, which
    // the server grows lazily and keeps, is then part of it, and what must
    // come back is what the load added. Keep-alives to CLEMAP are closed
    // before the baseline and after the load (see `close_upstream`).
    let ignored = (
        Arc::new(Recorder::default()),
        Arc::new(NotReceived::default()),
    );
    browse(
        &base,
        &sessions,
        &ids,
        Duration::from_secs(3),
        &ignored.0,
        &ignored.1,
    )
    .await;
    close_upstream(sim, &server, upstream_port).await?;
    // The same fleet again on the same port (SO_REUSEADDR: the closed
    // connections' TIME_WAIT does not block the bind).
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", upstream_port))
        .await
        .map_err(|e| format!("cannot bind the simulator's port again: {e}"))?;
    let sim = simulator::spawn_on(
        listener,
        Fleet {
            stations: fleet.clone(),
        },
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let baseline = probe(&server, upstream_port).await?;
    println!(
        "baseline after a 3 s warm-up, CLEMAP connections closed: {}",
        describe(&baseline)
    );

    let recorder = Arc::new(Recorder::default());
    let failed = Arc::new(NotReceived::default());
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut peak: f64 = 0.0;
            while sampling.load(Ordering::Relaxed) {
                peak = peak.max(procfs::status_mib(pid, "VmRSS").unwrap_or(0.0));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            peak
        })
    };
    let load_started = Instant::now();
    browse(
        &base,
        &sessions,
        &ids,
        Duration::from_secs(seconds),
        &recorder,
        &failed,
    )
    .await;
    let elapsed = load_started.elapsed().as_secs_f64();
    sampling.store(false, Ordering::Relaxed);
    let peak_rss = sampler.await.map_err(|e| e.to_string())?;
    let hwm = procfs::status_mib(pid, "VmHWM").unwrap_or(0.0);

    println!();
    let routes = recorder.routes();
    let (s5xx, unexpected, transport) = stats::print_table(&routes, elapsed);
    let changes = change_bounds(&routes);
    let not_received = failed.count.load(Ordering::Relaxed);
    println!("sets and resets not received by the (healthy) simulator: {not_received}");
    if let Some(example) = failed.example.lock().expect("poisoned").as_ref() {
        println!("    e.g. {example}");
    }
    println!(
        "RSS: idle {idle_rss:.1} MiB, peak {peak_rss:.1} MiB (sampled every 100 ms; VmHWM {hwm:.1} MiB)"
    );

    // Every session's client is dropped: browser connections must close.
    let after = probe(&server, upstream_port).await?;
    println!("\njust after the load: {}", describe(&after));
    let closed_in = close_upstream(sim, &server, upstream_port).await?;
    let settle_start = Instant::now();
    let mut last = probe(&server, upstream_port).await?;
    let mut why = not_back(&baseline, &last);
    while !why.is_empty() && settle_start.elapsed() < SETTLE_WITHIN {
        tokio::time::sleep(Duration::from_millis(500)).await;
        last = probe(&server, upstream_port).await?;
        why = not_back(&baseline, &last);
    }
    println!(
        "settled {:.1} s later (the server dropped its CLEMAP connections {} ms after the simulator closed them): {}",
        settle_start.elapsed().as_secs_f64() + closed_in.as_secs_f64(),
        closed_in.as_millis(),
        describe(&last)
    );
    println!(
        "allowed: browser connections ≤ baseline, none to CLEMAP; fds ≤ baseline + SQLite pool \
         growth (≤ {DATABASE_FDS_MAX} database fds){}",
        if metrics {
            format!("; metrics connections ≤ baseline, tasks ≤ baseline + {TASK_SLACK}")
        } else {
            String::new()
        }
    );
    server.stop()?;
    print_slow_changes(&log);

    let mut verdict = Verdict::default();
    verdict.check(s5xx == 0, format!("{s5xx} answers were 5xx"));
    verdict.check(
        transport == 0,
        format!("{transport} requests failed in transport"),
    );
    verdict.check(
        unexpected == 0,
        format!("{unexpected} answers had an unexpected status (not 2xx)"),
    );
    verdict.check(
        not_received == 0,
        format!("{not_received} sets/resets were not received"),
    );
    for (met, what) in changes {
        verdict.check(met, what);
    }
    for reason in why {
        verdict.check(
            false,
            format!("not back at baseline within {SETTLE_WITHIN:?}: {reason}"),
        );
    }
    verdict.into_result()
}

/// Where slow changes waited: the server logs each set or reset slower
/// than `control::steps::SLOW` with its steps (#38).
fn print_slow_changes(log: &std::path::Path) {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let slow: Vec<&str> = text.lines().filter(|l| l.contains("was slow")).collect();
    println!(
        "changes logged as slow (≥ 500 ms, with their steps): {}",
        slow.len()
    );
    for line in slow.iter().step_by((slow.len() / 5).max(1)).take(5) {
        println!("    {line}");
    }
}

/// A change is never stuck behind page traffic (#38): sets and resets
/// answered with p50 ≤ 300 ms and p99 ≤ 1 s, and a set's p50 at most
/// 1.5× the pages' (the median of the page routes' p50). Printed, and
/// each a check of the verdict.
fn change_bounds(routes: &std::collections::BTreeMap<String, stats::Route>) -> Vec<(bool, String)> {
    let mut pages: Vec<f64> = routes
        .iter()
        .filter(|(name, _)| name.starts_with("GET "))
        .map(|(_, r)| r.percentile(50.0))
        .collect();
    pages.sort_by(f64::total_cmp);
    let page_p50 = pages.get(pages.len() / 2).copied().unwrap_or(0.0);
    let mut checks = Vec::new();
    for name in ["POST /api/set_target", "POST /api/reset_target"] {
        let Some(route) = routes.get(name) else {
            checks.push((false, format!("{name}: no answers")));
            continue;
        };
        let (p50, p99) = (route.percentile(50.0), route.percentile(99.0));
        println!(
            "{name}: p50 {p50:.0} ms (bound 300), p99 {p99:.0} ms (bound 1000), {:.2}× the pages' p50 of {page_p50:.0} ms (bound 1.5×)",
            p50 / page_p50.max(1.0)
        );
        checks.push((p50 <= 300.0, format!("{name} p50 {p50:.0} ms > 300 ms")));
        checks.push((p99 <= 1000.0, format!("{name} p99 {p99:.0} ms > 1 s")));
        checks.push((
            p50 <= 1.5 * page_p50,
            format!("{name} p50 {p50:.0} ms > 1.5 × the pages' {page_p50:.0} ms"),
        ));
    }
    checks
}
