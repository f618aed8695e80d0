//! The fleet overview and bulk targets against the simulator: each charger
//! fails on its own, the shared cache spares CLEMAP, bulk changes clamp,
//! share a batch id and report per charger.

use std::time::{Duration, Instant};

use evse_dashboard::audit::Actor;
use evse_dashboard::clemap::simulator::{
    self, Faults, Fleet, SimulatorHandle, StationSpec, Vehicle,
};
use evse_dashboard::clemap::{ClemapClient, ClientConfig};
use evse_dashboard::control::{Control, Limits};
use evse_dashboard::overview::{Overview, OverviewConfig};
use evse_dashboard::registry::Registry;
use evse_dashboard::secret::EvseToken;
use evse_dashboard::types::ChargerInput;
use evse_dashboard::vault::{TokenKey, Vault};

struct Setup {
    _dir: tempfile::TempDir,
    pool: sqlx::SqlitePool,
    sim: SimulatorHandle,
    registry: Registry,
    clemap: ClemapClient,
    ids: Vec<i64>,
}

fn token(i: usize) -> String {
    format!("tok-overview-{i}-8c7d6e5f4a3b")
}

/// Six chargers: 0–2 rated 32 A, 3–5 rated 16 A.
async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let pool = evse_dashboard::db::open(dir.path()).await.unwrap();
    evse_dashboard::db::migrate(&pool).await.unwrap();
    let stations = (0..6)
        .map(|i| {
            StationSpec::new(
                "edge",
                format!("evse-{i}"),
                token(i),
                if i < 3 { 32 } else { 16 },
                Vehicle::Charging,
            )
        })
        .collect();
    let sim = simulator::spawn(Fleet { stations }).await.unwrap();
    let mut config = ClientConfig::new(sim.base_url());
    config.request_timeout = Duration::from_millis(600);
    config.read_retries = 0;
    let clemap = ClemapClient::new(config).unwrap();
    let registry = Registry::new(pool.clone(), Vault::new(TokenKey::generate()));
    let mut ids = Vec::new();
    for i in 0..6 {
        let input = ChargerInput {
            name: format!("C{i}"),
            site: if i < 3 {
                "North".into()
            } else {
                "South".into()
            },
            edge_device_id: "edge".into(),
            evse_uuid: format!("evse-{i}"),
            min_current: Some(6),
            max_current: Some(if i < 3 { 32 } else { 16 }),
            notes: None,
        };
        ids.push(
            registry
                .add(&input, &EvseToken::new(token(i)))
                .await
                .unwrap()
                .id,
        );
    }
    Setup {
        _dir: dir,
        pool,
        sim,
        registry,
        clemap,
        ids,
    }
}

fn overview(s: &Setup, ttl: Duration) -> Overview {
    Overview::new(
        s.registry.clone(),
        s.clemap.clone(),
        OverviewConfig {
            ttl,
            concurrency: 8,
            per_charger_deadline: Duration::from_millis(800),
        },
    )
}

#[tokio::test]
async fn one_failing_charger_gets_its_own_error_and_blocks_nothing() {
    let s = setup().await;
    s.sim.set_station_faults(
        "evse-1",
        Faults {
            hang: true,
            ..Faults::default()
        },
    );
    s.registry
        .set_token(s.ids[4], &EvseToken::new("tok-wrong"))
        .await
        .unwrap();
    let started = Instant::now();
    let fleet = overview(&s, Duration::from_secs(10)).fleet().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fleet.len(), 6);
    for (i, c) in fleet.iter().enumerate() {
        match i {
            1 => assert!(
                c.error.as_deref().unwrap().contains("did not answer"),
                "{:?}",
                c.error
            ),
            4 => assert!(
                c.error
                    .as_deref()
                    .unwrap()
                    .contains("update this charger's token"),
                "{:?}",
                c.error
            ),
            _ => {
                assert_eq!(c.error, None, "charger {i}");
                assert_eq!(c.plugs.len(), 1);
                assert!(c.read_at.is_some());
            }
        }
    }
}

#[tokio::test]
async fn the_cache_serves_readings_until_they_are_stale_or_invalidated() {
    let s = setup().await;
    let ov = overview(&s, Duration::from_millis(300));
    ov.fleet().await.unwrap();
    let first = s.sim.requests().len();
    assert_eq!(first, 12, "status and settings for each of 6 chargers");
    ov.fleet().await.unwrap();
    assert_eq!(
        s.sim.requests().len(),
        first,
        "a warm overview asks CLEMAP nothing"
    );
    ov.invalidate(s.ids[0]).await;
    ov.fleet().await.unwrap();
    assert_eq!(
        s.sim.requests().len(),
        first + 2,
        "only the invalidated charger is read"
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    ov.fleet().await.unwrap();
    assert_eq!(s.sim.requests().len(), first + 14);
}

#[tokio::test]
async fn bulk_targets_clamp_share_a_batch_and_report_each_charger() {
    let s = setup().await;
    s.sim.set_disconnected("evse-2", true);
    s.registry
        .set_token(s.ids[5], &EvseToken::new("tok-wrong"))
        .await
        .unwrap();
    s.sim.set_station_faults(
        "evse-0",
        Faults {
            hang: true,
            ..Faults::default()
        },
    );
    let control = Control::new(
        s.pool.clone(),
        s.registry.clone(),
        s.clemap.clone(),
        Limits::default(),
    );
    let actor = Actor {
        username: "olga".into(),
        ..Default::default()
    };

    let outcome = control.set_targets(&actor, &s.ids, 20, 1800).await.unwrap();
    let by_name: std::collections::HashMap<_, _> = outcome
        .items
        .iter()
        .map(|i| (i.charger_name.as_str(), i))
        .collect();
    assert_eq!(outcome.items.len(), 6);
    assert_eq!(by_name["C1"].sent, 20);
    assert_eq!(
        by_name["C3"].sent, 16,
        "clamped to the 16 A charger's maximum"
    );
    assert_eq!(by_name["C1"].outcome.outcome, "received");
    assert_eq!(by_name["C3"].outcome.outcome, "received");
    assert_eq!(by_name["C4"].outcome.outcome, "received");
    assert_eq!(by_name["C2"].outcome.outcome, "rejected");
    assert_eq!(by_name["C5"].outcome.outcome, "error");
    assert!(by_name["C5"].outcome.message.contains("token"));
    assert_eq!(
        by_name["C0"].outcome.outcome, "error",
        "the hung one times out"
    );
    assert_eq!(s.sim.active_target("evse-3").map(|t| t.0), Some(16));

    let batch: Vec<(Option<String>, i64)> =
        sqlx::query_as("SELECT batch_id, requested_current FROM audit_events WHERE action = 'set_target' ORDER BY charger_id")
            .fetch_all(&s.pool)
            .await
            .unwrap();
    assert_eq!(batch.len(), 6, "each charger is its own audit event");
    assert!(
        batch
            .iter()
            .all(|(b, _)| b.as_deref() == Some(outcome.batch_id.as_str()))
    );
    assert_eq!(
        batch.iter().map(|(_, a)| *a).collect::<Vec<_>>(),
        [20, 20, 20, 16, 16, 16]
    );
}
