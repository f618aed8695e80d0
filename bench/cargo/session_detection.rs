//! SES2 (#42): what detecting charging sessions adds to a sampling round
//! of 1,000 chargers: reading the sessions in progress, the pure
//! detection, and writing the round's starts, advances and ends, on
//! SQLite, while about a third of the plugs have a car and a few cars
//! come and go every round. Prints `SES2 <ms per round> <% of a core at
//! a 30 s interval> <rounds>`.
//! Run: `cargo bench -p evse-dashboard --features ssr --bench session_detection`

use std::time::Instant;

use evse_dashboard::db::{Db, Location};
use evse_dashboard::history::samples::Sample;
use evse_dashboard::history::sessions::{Sessions, detect};

const CHARGERS: i64 = 1_000;
const ROUNDS: i64 = 60;
const INTERVAL_MS: i64 = 30_000;

/// Charger `c`'s plug in round `r`: a car on a third of the plugs, each
/// staying 40 rounds, arrivals spread over the rounds.
fn sample(c: i64, r: i64, at_ms: i64) -> Sample {
    let car = (r + c) % 120 < 40;
    let amps = if car { 100 + c % 60 } else { 0 };
    Sample {
        charger_id: c,
        at_ms,
        plug: 0,
        status: if car { "charging" } else { "idle" }.into(),
        l1_da: Some(amps),
        l2_da: Some(amps),
        l3_da: Some(amps),
        power_w: Some(amps * 69),
        limit_da: Some(320),
        target_a: (c % 5 == 0).then_some(16),
        simulated: 0,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&Location::DataDir(dir.path().into()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let store = Sessions::new(db.clone());
    let rules = detect::Rules {
        offline_after_ms: 120_000,
        max_gap_ms: 90_000,
    };
    let start_ms = 1_800_000_000_000;
    let mut took = std::time::Duration::ZERO;
    let mut measured = 0;
    for r in 0..ROUNDS {
        let at_ms = start_ms + r * INTERVAL_MS;
        let round: Vec<Sample> = (1..=CHARGERS).map(|c| sample(c, r, at_ms)).collect();
        let started = Instant::now();
        let open = store.open().await.unwrap();
        let steps = detect::round(&open, &round, at_ms, rules);
        store.apply(&steps).await.unwrap();
        // The first rounds fill the table; measure the steady state.
        if r >= 10 {
            took += started.elapsed();
            measured += 1;
        }
    }
    let ms = took.as_secs_f64() * 1000.0 / f64::from(measured);
    println!(
        "SES2 {ms:.2} {:.3} {measured}",
        ms / INTERVAL_MS as f64 * 100.0
    );
}
