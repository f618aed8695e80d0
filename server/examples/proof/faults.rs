//! `faults`: 30 chargers, of which 10 misbehave (2 each: hang, HTTP 500,
//! malformed JSON, 301 redirect, 2 s latency). The same traffic runs
//! twice, `--seconds` (20) each: healthy charger pages measured by viewers,
//! beside a fixed pace of views of the other chargers' pages and the
//! overview and of sets on every charger in turn; first with no faults,
//! then with the faults on. Checks: the healthy pages' p99 stays within the
//! bound; every set is audited with the outcome its fault implies; no
//! token appears in the log, any answer, or the data directory's files.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;

use evse_dashboard::types::ControlOutcome;

use crate::client::{self, Answer, Session};
use crate::leaks::Leaks;
use crate::server::{Launch, Server};
use crate::stats::Recorder;
use crate::{Args, Verdict, setup};

mod audit;
mod kinds;

use kinds::{Fault, KINDS};

const CHARGERS: usize = 30;
/// The healthy p99 may grow to this many times its fault-free value…
const BOUND_FACTOR: f64 = 3.0;
/// …or by this much, whichever is larger.
const BOUND_PLUS_MS: f64 = 250.0;

/// The pace of page views on the other chargers and the overview (10/s).
const OTHERS_EVERY: Duration = Duration::from_millis(100);
/// The pace of sets, every charger in turn (5/s).
const SETS_EVERY: Duration = Duration::from_millis(200);

/// Starts `make(k)` every `every` until `deadline` without waiting for the
/// earlier ones, then waits for all of them.
async fn paced<F, Fut>(every: Duration, deadline: Instant, mut make: F)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut running = futures::stream::FuturesUnordered::new();
    let mut k = 0;
    while Instant::now() < deadline {
        tokio::select! {
            _ = tick.tick() => {
                running.push(make(k));
                k += 1;
            }
            Some(()) = running.next() => {}
        }
    }
    while running.next().await.is_some() {}
}

/// One set as the operator saw it.
struct SetRecord {
    charger: usize,
    fault: Option<Fault>,
    result: Result<ControlOutcome, String>,
}

/// What a phase needs: the server, the chargers and who browses.
struct Run<'a> {
    base: String,
    ids: &'a [i64],
    /// Index → fault, for the chargers that misbehave when faults are on.
    plan: &'a HashMap<usize, Fault>,
    leaks: &'a Arc<Leaks>,
    sets: &'a Arc<Mutex<Vec<SetRecord>>>,
}

impl Run<'_> {
    fn seen(&self, place: &str, answer: &Result<Answer, String>) {
        if let Ok(answer) = answer {
            self.leaks.scan(place, &answer.body);
        }
    }

    /// One phase: `healthy` sessions read healthy chargers' pages as fast
    /// as they are answered (closed loop: the measured route); beside
    /// them, at a fixed pace whatever the answers do (open loop, so a
    /// hung request does not lower the offered load), `others` open the
    /// other chargers' pages and the overview ([`OTHERS_EVERY`]) and
    /// `operators` set each charger in turn ([`SETS_EVERY`]). Both phases
    /// thus offer the same load; only the faults differ.
    async fn phase(
        &self,
        faults_on: bool,
        seconds: u64,
        healthy: &[Session],
        others: &[Session],
        operators: &[Session],
    ) -> Recorder {
        let recorder = Recorder::default();
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let healthy_ids: Vec<usize> = (0..self.ids.len())
            .filter(|i| !self.plan.contains_key(i))
            .collect();
        let mut faulty_ids: Vec<usize> = self.plan.keys().copied().collect();
        faulty_ids.sort_unstable();
        let (rec, healthy_ids, faulty_ids) = (&recorder, &healthy_ids, &faulty_ids);
        let readers = healthy.iter().enumerate().map(|(n, s)| async move {
            let client = client::browser(&s.jar);
            let mut k = n;
            while Instant::now() < deadline {
                let path = format!("/chargers/{}", self.ids[healthy_ids[k % healthy_ids.len()]]);
                let answer = client::page(&client, &self.base, &path, false).await;
                rec.record("healthy GET /chargers/ID", &answer);
                self.seen(&path, &answer);
                k += 1;
            }
        });
        let browsers: Vec<_> = others.iter().map(|s| client::browser(&s.jar)).collect();
        let browsing = paced(OTHERS_EVERY, deadline, |k| {
            let client = &browsers[k % browsers.len()];
            let (path, route) = if k.is_multiple_of(2) {
                let id = self.ids[faulty_ids[(k / 2) % faulty_ids.len()]];
                (format!("/chargers/{id}"), "other GET /chargers/ID")
            } else {
                ("/".to_owned(), "GET /")
            };
            async move {
                let answer = client::page(client, &self.base, &path, false).await;
                rec.record(route, &answer);
                self.seen(&path, &answer);
            }
        });
        let setters: Vec<_> = operators.iter().map(|s| client::browser(&s.jar)).collect();
        let setting = paced(SETS_EVERY, deadline, |k| {
            let client = &setters[k % setters.len()];
            self.set(client, k % self.ids.len(), faults_on, rec)
        });
        futures::future::join3(futures::future::join_all(readers), browsing, setting).await;
        recorder
    }

    async fn set(
        &self,
        client: &reqwest::Client,
        charger: usize,
        faults_on: bool,
        recorder: &Recorder,
    ) {
        let answer = client::set_target(client, &self.base, self.ids[charger], 10).await;
        recorder.record("POST /api/set_target", &answer);
        self.seen("a set_target answer", &answer);
        let fault = if faults_on {
            self.plan.get(&charger).copied()
        } else {
            None
        };
        let result = answer.and_then(|a| client::outcome(&a));
        self.sets.lock().expect("poisoned").push(SetRecord {
            charger,
            fault,
            result,
        });
    }
}

fn p99(recorder: &Recorder, route: &str) -> (f64, f64, usize, u64) {
    let r = recorder.routes().remove(route).unwrap_or_default();
    (
        r.percentile(50.0),
        r.percentile(99.0),
        r.count(),
        r.server_errors + r.transport + r.unexpected,
    )
}

fn print_phase(name: &str, recorder: &Recorder) {
    println!("\n{name}:");
    let routes = recorder.routes();
    for (route, r) in &routes {
        let mut statuses: Vec<String> = r
            .examples
            .iter()
            .map(|e| e.chars().take(90).collect())
            .collect();
        statuses.dedup();
        println!(
            "  {:<26} {:>6} requests  p50 {:>8.1} ms  p99 {:>8.1} ms  max {:>8.1} ms  5xx {:>3}  other {:>3}  transport {:>3}",
            route,
            r.count(),
            r.percentile(50.0),
            r.percentile(99.0),
            r.percentile(100.0),
            r.server_errors,
            r.unexpected,
            r.transport
        );
        for s in statuses {
            println!("      e.g. {s}");
        }
    }
}

pub async fn run(args: &Args) -> Result<(), String> {
    let seconds = args.seconds.unwrap_or(20);
    // The last third misbehaves, two chargers per kind of fault.
    let plan: HashMap<usize, Fault> = (CHARGERS * 2 / 3..CHARGERS)
        .map(|i| (i, KINDS[i % KINDS.len()]))
        .collect();
    let accounts: Vec<(String, bool)> = vec![
        ("fop1".into(), true),
        ("fop2".into(), true),
        ("fview1".into(), false),
        ("fview2".into(), false),
        ("fview3".into(), false),
    ];
    let setup::Stage {
        dir,
        data,
        fleet,
        sim,
        ids,
    } = setup::stage(&args.bin, CHARGERS, &accounts).await?;
    let log = dir.path().join("server.log");
    // Debug for our own crates and the HTTP client: the token check is
    // only as strong as what the log is allowed to say.
    let rust_log =
        "info,evse_dashboard=debug,server=debug,app=debug,reqwest=debug,hyper_util=debug";
    let sim_url = sim.base_url();
    let server = Server::start(&Launch {
        bin: &args.bin,
        data_dir: &data,
        site_dir: &args.site_dir,
        clemap_url: &sim_url,
        rust_log,
        log: &log,
        metrics: false,
    })
    .await?;
    let sessions = client::login_many(&server.base(), &accounts, 4).await?;
    let (operators, viewers): (Vec<Session>, Vec<Session>) =
        sessions.into_iter().partition(|s| s.operator);
    let (healthy, others) = viewers.split_at(8);
    // One setter per operator account.
    let operators = &[operators[0].clone(), operators[operators.len() - 1].clone()];
    println!(
        "faults: {CHARGERS} chargers, {} misbehaving (2 each: hang, HTTP 500, malformed JSON, 301, 2 s latency); \
         {} sessions reading healthy charger pages back to back; beside them, at a fixed pace, {} sessions open \
         the other chargers' pages and the overview ({:.0}/s) and {} operators set every charger in turn ({:.0}/s); \
         {seconds} s per phase",
        plan.len(),
        healthy.len(),
        others.len(),
        1.0 / OTHERS_EVERY.as_secs_f64(),
        operators.len(),
        1.0 / SETS_EVERY.as_secs_f64()
    );
    let tokens = fleet
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("charger {}", ids[i]), s.token.clone()))
        .collect();
    let leaks = Arc::new(Leaks::new(tokens));
    let sets = Arc::new(Mutex::new(Vec::new()));
    let run = Run {
        base: server.base(),
        ids: &ids,
        plan: &plan,
        leaks: &leaks,
        sets: &sets,
    };

    let before = run.phase(false, seconds, healthy, others, operators).await;
    print_phase("without faults", &before);
    for (i, fault) in &plan {
        sim.set_station_faults(&fleet[*i].uuid, fault.faults());
    }
    let during = run.phase(true, seconds, healthy, others, operators).await;
    print_phase("with faults on a third of the chargers", &during);
    // And one more set on every charger at once, each checked below.
    let client = client::browser(&operators[0].jar);
    let sweep = Recorder::default();
    futures::future::join_all((0..CHARGERS).map(|i| run.set(&client, i, true, &sweep))).await;
    // The audit page and the CSV export show what the trail holds.
    for path in ["/audit", "/audit/export.csv?from=2000-01-01"] {
        let answer = client::page(&client, &run.base, path, false).await;
        run.seen(path, &answer);
    }

    let (b50, b99, bn, bbad) = p99(&before, "healthy GET /chargers/ID");
    let (d50, d99, dn, dbad) = p99(&during, "healthy GET /chargers/ID");
    let bound = (b99 * BOUND_FACTOR).max(b99 + BOUND_PLUS_MS);
    println!(
        "\nhealthy charger pages: p99 {b99:.1} ms without faults ({bn} requests, p50 {b50:.1}), \
         {d99:.1} ms with faults ({dn} requests, p50 {d50:.1}); ratio {:.2}×; bound {bound:.1} ms \
         (max of {BOUND_FACTOR}× and +{BOUND_PLUS_MS} ms)",
        d99 / b99.max(0.001)
    );
    let mut verdict = Verdict::default();
    verdict.check(
        d99 <= bound,
        format!("healthy p99 {d99:.1} ms is past the bound {bound:.1} ms"),
    );
    verdict.check(
        bbad + dbad == 0,
        format!("{} healthy page requests failed", bbad + dbad),
    );
    let sets = std::mem::take(&mut *sets.lock().expect("poisoned"));
    audit::check_audit(&data, &ids, &sets, &mut verdict).await?;

    // Tokens: everything answered so far, then the log and the data
    // directory while the server runs and again after it stopped.
    let scanned_files = leaks.scan_dir(&data)?;
    server.stop()?;
    leaks.scan_dir(&data)?;
    leaks.scan_file(&log)?;
    let found = leaks.found();
    println!(
        "\ntoken search: {} tokens in {:.1} MB (answers, the server log, {}): {} found",
        CHARGERS,
        leaks.scanned_bytes() as f64 / 1e6,
        scanned_files.join(", "),
        found.len()
    );
    for f in &found {
        verdict.check(false, format!("token leak: {f}"));
    }
    drop(sim);
    verdict.into_result()
}
