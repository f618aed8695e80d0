//! The fleet overview and bulk targets against the simulator: each charger
//! fails on its own, views read the sampler's readings (never CLEMAP),
//! bulk changes clamp, share a batch id and report per charger.

use std::time::{Duration, Instant};

use evse_dashboard::clemap::simulator::Faults;
use evse_dashboard::control::SetSeveral;
use evse_dashboard::history::{HistoryConfig, Sampler};
use evse_dashboard::overview::Overview;
use evse_dashboard::secret::EvseToken;
use evse_dashboard::types::{ClemapFailure, Outcome, Problem};

use crate::fixtures::{World, actor, station};

struct Setup {
    world: World,
    ids: Vec<i64>,
}

fn token(i: usize) -> String {
    format!("tok-overview-{i}-8c7d6e5f4a3b")
}

fn rated(i: usize) -> u32 {
    if i < 3 { 32 } else { 16 }
}

/// Six chargers: 0–2 rated 32 A in "North", 3–5 rated 16 A in "South".
async fn setup() -> Setup {
    let stations: Vec<_> = (0..6)
        .map(|i| station(&format!("evse-{i}"), &token(i), rated(i)))
        .collect();
    let world = World::with_client(stations.clone(), |c| {
        c.request_timeout = Duration::from_millis(600);
        c.read_retries = 0;
    })
    .await;
    let mut ids = Vec::new();
    for (i, spec) in stations.iter().enumerate() {
        let site = if i < 3 { "North" } else { "South" };
        let name = format!("C{i}");
        ids.push(world.register_at(spec, &name, site, (6, rated(i))).await);
    }
    Setup { world, ids }
}

/// The sampler and the overview over it, with a short deadline per charger.
fn sampled(s: &Setup) -> (Sampler, Overview) {
    let config = HistoryConfig {
        interval: Duration::from_secs(1),
        concurrency: 8,
        deadline: Duration::from_millis(800),
        ..HistoryConfig::default()
    };
    let sampler = Sampler::new(
        s.world.audit.clone(),
        s.world.registry.clone(),
        s.world.clemap.clone(),
        config,
        Duration::from_secs(24 * 3600),
    );
    let overview = Overview::new(
        s.world.registry.clone(),
        s.world.db().clone(),
        sampler.clone(),
    );
    (sampler, overview)
}

#[tokio::test]
async fn one_failing_charger_gets_its_own_error_and_blocks_nothing() {
    let s = setup().await;
    let hang = Faults {
        hang: true,
        ..Faults::default()
    };
    s.world.sim.set_station_faults("evse-1", hang);
    s.world
        .registry
        .set_token(s.ids[4], &EvseToken::new("tok-wrong"))
        .await
        .unwrap();
    let (sampler, overview) = sampled(&s);
    let started = Instant::now();
    assert!(
        sampler.tick(chrono::Utc::now()).await.unwrap(),
        "one instance holds the lease"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let fleet = overview.fleet().await.unwrap();
    assert_eq!(fleet.len(), 6);
    for (i, c) in fleet.iter().enumerate() {
        match i {
            1 => assert!(
                matches!(
                    c.problem,
                    Some(Problem::Clemap(ClemapFailure::Timeout { .. }))
                ),
                "{:?}",
                c.problem
            ),
            4 => assert_eq!(
                c.problem,
                Some(Problem::Clemap(ClemapFailure::TokenRejected {
                    status: 401
                }))
            ),
            _ => {
                assert_eq!(c.problem, None, "charger {i}");
                assert_eq!(c.plugs.len(), 1);
                assert!(c.read_at.is_some());
            }
        }
    }
}

#[tokio::test]
async fn viewers_read_the_sampler_s_readings_and_never_call_clemap() {
    let s = setup().await;
    let sim = &s.world.sim;
    let (sampler, overview) = sampled(&s);
    // A charger never read is read once, at the first view.
    overview.fleet().await.unwrap();
    let first = sim.requests().len();
    assert_eq!(first, 12, "status and settings for each of 6 chargers");
    for _ in 0..5 {
        overview.fleet().await.unwrap();
        overview.charger(s.ids[0]).await.unwrap();
    }
    assert_eq!(sim.requests().len(), first, "views ask CLEMAP nothing");
    sampler.tick(chrono::Utc::now()).await.unwrap();
    assert_eq!(
        sim.requests().len(),
        first + 12,
        "one round reads each charger once"
    );
    // A change CLEMAP received shows at once, without another reading.
    let outcome = s
        .world
        .control()
        .set_target(&actor("olga"), s.ids[0], 10, 600)
        .await
        .unwrap();
    let before = sim.requests().len();
    assert!(outcome.succeeded());
    let live = overview.charger(s.ids[0]).await.unwrap();
    assert_eq!(live.settings.current, Some(10));
    assert_eq!(sim.requests().len(), before);
}

#[tokio::test]
async fn bulk_targets_clamp_share_a_batch_and_report_each_charger() {
    let s = setup().await;
    s.world.sim.set_disconnected("evse-2", true);
    s.world
        .registry
        .set_token(s.ids[5], &EvseToken::new("tok-wrong"))
        .await
        .unwrap();
    let hang = Faults {
        hang: true,
        ..Faults::default()
    };
    s.world.sim.set_station_faults("evse-0", hang);
    let control = s.world.control();

    let outcome = sent(
        control
            .set_several(&actor("olga"), &s.ids, Ok((20, 1800)))
            .await
            .unwrap(),
    );
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
    for name in ["C1", "C3", "C4"] {
        assert_eq!(
            by_name[name].result.as_ref().unwrap().outcome,
            Outcome::Received,
            "{name}"
        );
    }
    assert_eq!(
        by_name["C2"].result.as_ref().unwrap().outcome,
        Outcome::Rejected
    );
    assert_eq!(
        by_name["C5"].result.as_ref().unwrap().outcome,
        Outcome::Error
    );
    assert_eq!(
        by_name["C5"].result.as_ref().unwrap().problem,
        Some(Problem::Clemap(ClemapFailure::TokenRejected {
            status: 401
        }))
    );
    assert_eq!(
        by_name["C0"].result.as_ref().unwrap().outcome,
        Outcome::Error,
        "the hung one times out"
    );
    assert_eq!(s.world.sim.active_target("evse-3").map(|t| t.0), Some(16));

    let batch: Vec<(Option<String>, i64)> = evse_dashboard::on_db!(s.world.db(), pool => sqlx::query_as(
        "SELECT batch_id, requested_current FROM audit_events WHERE action = 'set_target' ORDER BY charger_id",
    )
    .fetch_all(pool)
    .await
    .unwrap());
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

/// A charger that fails after others were already sent (here: deleted
/// while the bulk runs) gets its own result; the others keep theirs.
#[tokio::test]
async fn a_bulk_change_reports_every_charger_even_when_one_fails_midway() {
    // One more charger than are sent at once.
    let n = evse_dashboard::control::BULK_CONCURRENCY + 1;
    let deleted = n - 1;
    let stations: Vec<_> = (0..n)
        .map(|i| station(&format!("bulk-{i}"), &token(i), 32))
        .collect();
    let world = World::new(stations.clone(), Duration::from_secs(2)).await;
    let mut ids = Vec::new();
    for (i, spec) in stations.iter().enumerate() {
        ids.push(world.register(spec, &format!("B{i}"), 6, 32).await);
    }
    // The first BULK_CONCURRENCY wait on CLEMAP while the last, not yet
    // started, is deleted.
    world.sim.set_faults(Faults {
        latency: Duration::from_millis(300),
        ..Faults::default()
    });
    let control = world.control();
    let olga = actor("olga");
    let bulk = control.set_several(&olga, &ids, Ok((10, 600)));
    let delete = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        world.registry.delete(ids[deleted]).await.unwrap();
    };
    let (outcome, ()) = tokio::join!(bulk, delete);
    let outcome = sent(outcome.expect("a failure midway must not fail the whole change"));
    assert_eq!(outcome.items.len(), n);
    assert_eq!(
        outcome.items.iter().filter(|i| i.succeeded()).count(),
        n - 1
    );
    let last = outcome
        .items
        .iter()
        .find(|i| i.charger_id == ids[deleted])
        .unwrap();
    assert_eq!(
        last.result,
        Err(Problem::NotFound(evse_dashboard::types::Missing::Charger(
            ids[deleted]
        )))
    );
}

fn sent(set: SetSeveral) -> evse_dashboard::types::BulkOutcome {
    match set {
        SetSeveral::Sent(outcome) => outcome,
        SetSeveral::Refused { invalid, .. } => panic!("refused: {invalid:?}"),
    }
}

/// One rule for a current asked of several chargers, whichever path asks
/// (#39): clamped to each charger's range, refused (and audited on each
/// charger, nothing sent) past what any charger may be rated for, with a
/// duration out of limits, or when it is no number at all.
#[tokio::test]
async fn several_chargers_clamp_within_their_ranges_and_refuse_outside_all() {
    let s = setup().await;
    let control = s.world.control();
    let olga = actor("olga");
    let ids = &s.ids[..3];
    let before = s.world.sim.requests().len();
    let typo = evse_dashboard::control::validate::parse_amps("ten").unwrap_err();
    for (who, asked) in [
        ("ana", Ok((99, 1800))),
        ("ben", Ok((20, 5))),
        ("cy", Err(typo)),
    ] {
        // One person each: a person's sixth refusal in a minute is summarised.
        let set = control.set_several(&actor(who), ids, asked).await.unwrap();
        let SetSeveral::Refused { audit_ids, .. } = set else {
            panic!("sent: {set:?}");
        };
        assert_eq!(audit_ids.len(), 3, "one refusal on each charger");
    }
    assert_eq!(s.world.sim.requests().len(), before, "nothing was sent");
    let outcome = sent(
        control
            .set_several(&olga, ids, Ok((20, 1800)))
            .await
            .unwrap(),
    );
    assert!(
        outcome
            .items
            .iter()
            .all(|i| i.requested == 20 && i.sent <= 20)
    );
}
