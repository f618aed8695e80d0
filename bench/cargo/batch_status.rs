//! Batch status read: 500 stations behind a simulator that takes 50 ms per
//! answer, read with bounded concurrency, against the serial baseline.
//! Run: `cargo bench -p evse-dashboard --features ssr --bench batch_status`

use std::time::{Duration, Instant};

use evse_dashboard::clemap::simulator::{self, Faults, Fleet, StationSpec, Vehicle};
use evse_dashboard::clemap::{ClemapClient, ClientConfig, EvseAddress};
use evse_dashboard::secret::EvseToken;

const STATIONS: usize = 500;
const LATENCY: Duration = Duration::from_millis(50);
const CONCURRENCY: usize = evse_dashboard::clemap::DEFAULT_STATUS_CONCURRENCY;

#[tokio::main]
async fn main() {
    let fleet = Fleet {
        stations: (0..STATIONS)
            .map(|i| {
                StationSpec::new(
                    format!("edge-{}", i / 20),
                    format!("evse-{i}"),
                    format!("bench-token-{i}"),
                    32,
                    Vehicle::Charging,
                )
            })
            .collect(),
    };
    let sim = simulator::spawn(fleet).await.expect("simulator starts");
    sim.set_faults(Faults {
        latency: LATENCY,
        ..Faults::default()
    });
    let client = ClemapClient::new(ClientConfig::new(sim.base_url())).unwrap();
    let stations = || -> Vec<(usize, EvseAddress, EvseToken)> {
        (0..STATIONS)
            .map(|i| {
                (
                    i,
                    EvseAddress::new(format!("edge-{}", i / 20), format!("evse-{i}")),
                    EvseToken::new(format!("bench-token-{i}")),
                )
            })
            .collect()
    };

    // Warm the connection pool so neither run pays for handshakes alone.
    client.status_many(stations(), CONCURRENCY).await;

    let mut concurrent = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let results = client.status_many(stations(), CONCURRENCY).await;
        concurrent.push(started.elapsed());
        assert!(results.iter().all(|(_, r)| r.is_ok()));
    }
    concurrent.sort();
    let p50 = concurrent[concurrent.len() / 2];

    let started = Instant::now();
    let serial = client.status_many(stations(), 1).await;
    let serial_time = started.elapsed();
    assert!(serial.iter().all(|(_, r)| r.is_ok()));

    println!(
        "batch status read: {STATIONS} stations, {} ms simulated latency each",
        LATENCY.as_millis()
    );
    println!(
        "  concurrent ({CONCURRENCY} in flight), p50 of 5: {:>8.1} ms",
        p50.as_secs_f64() * 1e3
    );
    println!(
        "  serial baseline:                      {:>8.1} ms",
        serial_time.as_secs_f64() * 1e3
    );
    println!(
        "  floor (latency × ceil(n / concurrency)): {:>5.1} ms",
        (LATENCY * STATIONS.div_ceil(CONCURRENCY) as u32).as_secs_f64() * 1e3
    );
    println!(
        "  speed-up: {:.1}× (goal: well under 1 s)",
        serial_time.as_secs_f64() / p50.as_secs_f64()
    );
}
