//! A change is never stuck behind page traffic (#38), on either backend:
//! while 64 tasks run the pages' queries in a loop (the overview, a
//! charger's trail, the audit page), 20 concurrent sets each complete
//! within a generous bound. The figure itself is `.ci/proof load`'s.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use evse_dashboard::audit::{self, query};
use evse_dashboard::history::{HistoryConfig, Sampler};
use evse_dashboard::overview::Overview;
use evse_dashboard::types::{AuditFilter, Outcome};

use crate::fixtures::{World, actor, station};

const READERS: usize = 64;
const SETS: usize = 20;
/// Generous: on a quiet machine a set takes milliseconds.
const BOUND: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sets_complete_within_a_bound_while_pages_read_in_a_loop() {
    let stations: Vec<_> = (0..SETS)
        .map(|i| {
            station(
                &format!("evse-busy-{i}"),
                &format!("tok-busy-{i}-1a2b3c4d5e6f"),
                32,
            )
        })
        .collect();
    let world = World::new(stations.clone(), Duration::from_secs(2)).await;
    let mut ids = Vec::new();
    for (i, s) in stations.iter().enumerate() {
        ids.push(world.register(s, &format!("Bay {i}"), 6, 32).await);
    }
    let sampler = Sampler::new(
        world.audit.clone(),
        world.registry.clone(),
        world.clemap.clone(),
        HistoryConfig::default(),
        Duration::from_secs(24 * 3600),
    );
    let overview = Overview::new(world.registry.clone(), world.db().clone(), sampler);
    overview.fleet().await.unwrap();

    let reading = Arc::new(AtomicBool::new(true));
    let reads = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = (0..READERS)
        .map(|n| {
            let (overview, db) = (overview.clone(), world.db().clone());
            let (reading, reads, id) = (reading.clone(), reads.clone(), ids[n % SETS]);
            tokio::spawn(async move {
                while reading.load(Ordering::Relaxed) {
                    overview.fleet().await.unwrap();
                    audit::recent_for_charger(&db, id, 20).await.unwrap();
                    query::page(&db, &AuditFilter::default(), None)
                        .await
                        .unwrap();
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    // The readers are under way before the sets start.
    while reads.load(Ordering::Relaxed) < READERS as u64 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let control = world.control();
    let sets: Vec<_> = ids
        .iter()
        .map(|&id| {
            let control = control.clone();
            tokio::spawn(async move {
                let started = Instant::now();
                let outcome = control.set_target(&actor("olga"), id, 10, 3600).await;
                (outcome, started.elapsed())
            })
        })
        .collect();
    let mut slowest = Duration::ZERO;
    for set in sets {
        let (outcome, took) = set.await.unwrap();
        assert_eq!(outcome.unwrap().outcome, Outcome::Received);
        slowest = slowest.max(took);
    }
    reading.store(false, Ordering::Relaxed);
    for reader in readers {
        reader.await.unwrap();
    }
    assert!(
        slowest <= BOUND,
        "the slowest of {SETS} sets took {slowest:?} while {READERS} tasks read"
    );
    assert!(
        reads.load(Ordering::Relaxed) > READERS as u64,
        "the pages kept reading"
    );
}
