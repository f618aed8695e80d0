//! Fleet overview of 500 chargers with 50 ms simulated CLEMAP latency: one
//! sampling round, and the overview read from the sampler's readings.
//! Run: `cargo bench -p evse-dashboard --features ssr --bench overview`
//! Goal: the overview ≤ 15 ms p50 (it reads the database, not CLEMAP).

use std::time::{Duration, Instant};

use evse_dashboard::audit::{AuditKey, AuditLog};
use evse_dashboard::clemap::simulator::{self, Faults, Fleet, StationSpec, Vehicle};
use evse_dashboard::clemap::{ClemapClient, ClientConfig};
use evse_dashboard::history::{HistoryConfig, Sampler};
use evse_dashboard::overview::Overview;
use evse_dashboard::registry::Registry;
use evse_dashboard::secret::EvseToken;
use evse_dashboard::types::ChargerInput;
use evse_dashboard::vault::{TokenKey, Vault};

const N: usize = 500;

fn p50(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let pool =
        evse_dashboard::db::Db::connect(&evse_dashboard::db::Location::DataDir(dir.path().into()))
            .await
            .unwrap();
    let stations = (0..N)
        .map(|i| {
            StationSpec::new(
                format!("edge-{}", i / 20),
                format!("evse-{i}"),
                format!("bench-{i}"),
                32,
                Vehicle::Charging,
            )
        })
        .collect();
    let sim = simulator::spawn(Fleet { stations }).await.unwrap();
    let clemap = ClemapClient::new(ClientConfig::new(sim.base_url())).unwrap();
    let registry = Registry::new(pool.clone(), Vault::new(TokenKey::generate()));
    for i in 0..N {
        let input = ChargerInput {
            name: format!("C{i}"),
            site: format!("Site {}", i / 100),
            edge_device_id: format!("edge-{}", i / 20),
            evse_uuid: format!("evse-{i}"),
            min_current: None,
            max_current: None,
            notes: None,
        };
        registry
            .add(&input, &EvseToken::new(format!("bench-{i}")))
            .await
            .unwrap();
    }
    sim.set_faults(Faults {
        latency: Duration::from_millis(50),
        ..Faults::default()
    });
    let sampler = Sampler::new(
        AuditLog::new(pool.clone(), AuditKey::generate()),
        registry.clone(),
        clemap.clone(),
        HistoryConfig {
            concurrency: 128,
            ..HistoryConfig::default()
        },
        Duration::from_secs(24 * 3600),
    );
    // Warm the HTTP connection pool once.
    sampler.tick(chrono::Utc::now()).await.unwrap();

    let mut rounds = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        sampler.tick(chrono::Utc::now()).await.unwrap();
        rounds.push(t.elapsed());
    }
    let overview = Overview::new(registry.clone(), pool.clone(), sampler.clone());
    let mut views = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let fleet = overview.fleet().await.unwrap();
        views.push(t.elapsed());
        assert!(fleet.iter().all(|c| c.problem.is_none()));
    }
    let (round, view) = (p50(rounds), p50(views));
    println!(
        "fleet overview: {N} chargers, 50 ms simulated latency per CLEMAP call (2 calls each)"
    );
    println!("  sampling round p50 (128 in flight): {round:>9.1} ms  (one every 30 s)");
    println!("  overview p50 (from the readings):   {view:>9.2} ms  (goal ≤ 15 ms)");
}
