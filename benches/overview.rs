//! Fleet overview of 500 chargers with 50 ms simulated CLEMAP latency:
//! cold (empty cache) and warm (cache hit) p50, next to the serial baseline.
//! Run: `cargo bench -p evse-dashboard --features ssr --bench overview`
//! Goals: cold ≤ 300 ms, warm ≤ 15 ms.

use std::time::{Duration, Instant};

use evse_dashboard::clemap::simulator::{self, Faults, Fleet, StationSpec, Vehicle};
use evse_dashboard::clemap::{ClemapClient, ClientConfig};
use evse_dashboard::overview::{Overview, OverviewConfig};
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
    let config = OverviewConfig {
        ttl: Duration::from_secs(3600),
        ..OverviewConfig::default()
    };

    // Warm the HTTP connection pool once.
    Overview::new(registry.clone(), clemap.clone(), config)
        .fleet()
        .await
        .unwrap();

    let mut cold = Vec::new();
    for _ in 0..5 {
        let ov = Overview::new(registry.clone(), clemap.clone(), config);
        let t = Instant::now();
        let fleet = ov.fleet().await.unwrap();
        cold.push(t.elapsed());
        assert!(fleet.iter().all(|c| c.problem.is_none()));
    }
    let ov = Overview::new(registry.clone(), clemap.clone(), config);
    ov.fleet().await.unwrap();
    let mut warm = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        ov.fleet().await.unwrap();
        warm.push(t.elapsed());
    }
    let serial = Overview::new(
        registry.clone(),
        clemap.clone(),
        OverviewConfig {
            concurrency: 1,
            ..config
        },
    );
    let t = Instant::now();
    serial.fleet().await.unwrap();
    let serial_time = t.elapsed();

    let (cold, warm) = (p50(cold), p50(warm));
    println!(
        "fleet overview: {N} chargers, 50 ms simulated latency per CLEMAP call (2 calls each)"
    );
    println!(
        "  cold p50 ({} in flight): {cold:>9.1} ms  (goal ≤ 300 ms)",
        config.concurrency
    );
    println!("  warm p50 (cache hit):    {warm:>9.2} ms  (goal ≤ 15 ms)");
    println!(
        "  serial baseline:         {:>9.1} ms",
        serial_time.as_secs_f64() * 1e3
    );
    println!(
        "  cold vs serial: {:.0}×, warm vs cold: {:.0}×",
        serial_time.as_secs_f64() * 1e3 / cold,
        cold / warm
    );
}
