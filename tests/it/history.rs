//! The status sampler and its history on either backend: roll-ups that a
//! restart or a second instance can repeat without doubling or losing a
//! bucket, one sampler at a time across instances, verdicts on targets,
//! and pruning.

use std::time::Duration;

use chrono::{DateTime, Duration as Span, Utc};
use evse_dashboard::clemap::simulator::{Behaviour, Faults};
use evse_dashboard::history::rollup::{BUCKET_S, bucket_start};
use evse_dashboard::history::samples::{self, Sample};
use evse_dashboard::history::{HistoryConfig, Sampler, buckets, latest};
use evse_dashboard::types::{AuditAction, Verdict};

use crate::fixtures::{World, actor, station};

const INTERVAL: Duration = Duration::from_secs(30);
/// The simulated CLEMAP answers at once: a short client timeout.
const TIMEOUT: Duration = Duration::from_millis(400);

fn sampler(world: &World, config: HistoryConfig) -> Sampler {
    Sampler::new(
        world.audit.clone(),
        world.registry.clone(),
        world.clemap.clone(),
        config,
        Duration::from_secs(24 * 3600),
    )
}

fn config() -> HistoryConfig {
    HistoryConfig {
        interval: INTERVAL,
        settle: Duration::ZERO,
        deadline: Duration::from_millis(800),
        ..HistoryConfig::default()
    }
}

/// Two hours of 7.2 kW charging at 30 s, the last reading a second ago.
fn two_hours(charger_id: i64, now: DateTime<Utc>) -> Vec<Sample> {
    (0..240)
        .map(|i| Sample {
            charger_id,
            at_ms: (now - Span::seconds(1) - Span::seconds(30 * (239 - i))).timestamp_millis(),
            plug: 0,
            status: "charging".into(),
            l1_da: Some(104),
            l2_da: Some(104),
            l3_da: Some(104),
            power_w: Some(7200),
            limit_da: Some(160),
            target_a: Some(16),
            simulated: 0,
        })
        .collect()
}

#[tokio::test]
async fn a_roll_up_repeated_after_a_restart_or_by_a_second_instance_changes_nothing() {
    let world = World::new(
        vec![station("evse-r", "tok-rollup-1a2b3c4d5e6f", 32)],
        TIMEOUT,
    )
    .await;
    let id = world
        .register(
            &station("evse-r", "tok-rollup-1a2b3c4d5e6f", 32),
            "Bay",
            6,
            32,
        )
        .await;
    let now = Utc::now();
    samples::Samples::of(world.db())
        .insert(&two_hours(id, now))
        .await
        .unwrap();
    let from = bucket_start((now - Span::hours(3)).timestamp_millis());
    let read = || async {
        buckets::Buckets::of(world.db())
            .between(id, from, now.timestamp() + 1)
            .await
            .unwrap()
    };
    let first = sampler(&world, config());
    first.roll_up(now).await.unwrap();
    let once = read().await;
    // A restart: a new sampler, which starts from the newest bucket.
    sampler(&world, config()).roll_up(now).await.unwrap();
    // Two instances at once.
    let (a, b) = (sampler(&world, config()), sampler(&world, config()));
    let (ra, rb) = tokio::join!(a.roll_up(now), b.roll_up(now));
    ra.unwrap();
    rb.unwrap();
    first.roll_up(now).await.unwrap();
    let again = read().await;
    assert_eq!(once, again, "the same buckets, none doubled");
    let starts: Vec<i64> = again.iter().map(|b| b.start_s).collect();
    let mut unique = starts.clone();
    unique.dedup();
    assert_eq!(starts, unique);
    // Two hours span 8 or 9 buckets; their energy is the whole: 7.2 kW for
    // the 119.5 minutes between the first and the last reading = 14.34 kWh.
    assert!((8..=9).contains(&again.len()), "{}", again.len());
    let wh: i64 = again.iter().map(|b| b.energy_wh).sum();
    assert!((14_335..=14_345).contains(&wh), "{wh} Wh");
    assert!(
        again
            .iter()
            .all(|b| b.start_s % BUCKET_S == 0 && b.simulated == 0)
    );
}

#[tokio::test]
async fn one_sampler_reads_at_a_time_and_another_takes_over_when_it_stops() {
    let specs: Vec<_> = (0..3)
        .map(|i| {
            station(
                &format!("evse-{i}"),
                &format!("tok-lease-{i}-9f8e7d6c5b4a"),
                32,
            )
        })
        .collect();
    let world = World::new(specs.clone(), TIMEOUT).await;
    for (i, spec) in specs.iter().enumerate() {
        world.register(spec, &format!("C{i}"), 6, 32).await;
    }
    let status_reads = || {
        world
            .sim
            .requests()
            .iter()
            .filter(|r| r.resource == "status")
            .count()
    };
    let (one, two) = (sampler(&world, config()), sampler(&world, config()));
    let t0 = Utc::now();
    assert!(one.tick(t0).await.unwrap(), "the first takes the lease");
    assert!(!two.tick(t0).await.unwrap(), "the second does not sample");
    assert_eq!(status_reads(), 3, "each charger read once");
    let t1 = t0 + Span::seconds(30);
    assert!(one.tick(t1).await.unwrap());
    assert!(!two.tick(t1 + Span::seconds(15)).await.unwrap());
    assert_eq!(status_reads(), 6);
    // The first stops (it died after t1). Followers look twice per
    // interval; within two intervals of its last round the second samples.
    let mut looked = t1 + Span::seconds(15);
    while !two.tick(looked).await.unwrap() {
        looked += Span::seconds(15);
        assert!(
            looked <= t1 + Span::seconds(60),
            "no takeover within two intervals"
        );
    }
    assert!(looked - t1 <= Span::seconds(60));
    assert_eq!(status_reads(), 9);
    assert!(
        !one.tick(looked).await.unwrap(),
        "the first, back, is a follower now"
    );
}

#[tokio::test]
async fn every_target_in_force_is_judged_and_a_new_verdict_only_when_it_changes() {
    let follower = station("evse-f", "tok-verdict-f-0a1b2c3d", 32);
    let mut stubborn = station("evse-s", "tok-verdict-s-4e5f6a7b", 32);
    stubborn.behaviour = Behaviour {
        ignores_targets: true,
        ..Behaviour::default()
    };
    let world = World::new(vec![follower.clone(), stubborn.clone()], TIMEOUT).await;
    let f = world.register(&follower, "Follower", 6, 32).await;
    let s = world.register(&stubborn, "Stubborn", 6, 32).await;
    let control = world.control();
    let set_f = control
        .set_target(&actor("olga"), f, 10, 3600)
        .await
        .unwrap();
    let set_s = control
        .set_target(&actor("olga"), s, 10, 3600)
        .await
        .unwrap();
    let sampler = sampler(&world, config());
    sampler.tick(Utc::now()).await.unwrap();
    sampler.tick(Utc::now()).await.unwrap();
    let verdicts = || async {
        evse_dashboard::on_db!(world.db(), pool => sqlx::query_as::<_, (i64, String)>(
            "SELECT refers_to, verdict FROM audit_events WHERE action = 'target_checked' ORDER BY id",
        )
        .fetch_all(pool)
        .await
        .unwrap())
    };
    let mut first = verdicts().await;
    first.sort();
    assert_eq!(
        first,
        [
            (set_f.audit_id, "followed".to_owned()),
            (set_s.audit_id, "not_followed".to_owned())
        ],
        "one row each: the second round's verdicts had not changed"
    );
    let stubborn_now = latest::LatestReadings::of(world.db())
        .one(s)
        .await
        .unwrap()
        .unwrap();
    let finding = stubborn_now.finding.unwrap();
    assert_eq!((finding.verdict, finding.asked), (Verdict::NotFollowed, 10));
    assert_eq!(finding.measured, Some(32.0));
    // The follower's station goes silent: the verdict changes, appended.
    world.sim.set_station_faults(
        "evse-f",
        Faults {
            hang: true,
            ..Faults::default()
        },
    );
    sampler.tick(Utc::now()).await.unwrap();
    let rows = verdicts().await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2], (set_f.audit_id, "could_not_be_checked".to_owned()));
    // Verdict rows are audit rows like any other: the chain holds.
    let verified = world.audit.verify(None).await.unwrap();
    assert_eq!(verified.broken, None);
    let page = evse_dashboard::audit::query::page(
        world.db(),
        &evse_dashboard::types::AuditFilter::default(),
        None,
    )
    .await
    .unwrap();
    let set_row = page
        .entries
        .iter()
        .find(|e| e.id == set_f.audit_id)
        .unwrap();
    assert_eq!(
        set_row.verdict,
        Some(Verdict::CouldNotBeChecked),
        "the set shows its latest verdict"
    );
    assert!(
        page.entries
            .iter()
            .any(|e| e.action == AuditAction::TargetChecked)
    );
}

#[tokio::test]
async fn samples_and_buckets_past_keeping_are_pruned() {
    let spec = station("evse-p", "tok-prune-5a6b7c8d9e0f", 32);
    let world = World::new(vec![spec.clone()], TIMEOUT).await;
    let id = world.register(&spec, "Bay", 6, 32).await;
    let now = Utc::now();
    let mut old = two_hours(id, now - Span::hours(50));
    old.extend(two_hours(id, now));
    samples::Samples::of(world.db()).insert(&old).await.unwrap();
    let sampler = sampler(
        &world,
        HistoryConfig {
            keep_history: Duration::from_secs(24 * 3600),
            ..config()
        },
    );
    // Buckets from 50 h ago exist too (rolled up back then).
    let snapshots = evse_dashboard::history::rollup::snapshots(&old[..240]);
    let start = bucket_start(old[0].at_ms);
    let bucket = evse_dashboard::history::rollup::bucket(id, start, &snapshots, 90_000).unwrap();
    buckets::Buckets::of(world.db())
        .upsert(&[bucket])
        .await
        .unwrap();
    sampler.tick(now).await.unwrap();
    let kept = samples::Samples::of(world.db())
        .between(id, 0, now.timestamp_millis() + 1)
        .await
        .unwrap();
    assert!(!kept.is_empty());
    assert!(
        kept.iter()
            .all(|s| s.at_ms >= (now - Span::hours(48)).timestamp_millis())
    );
    let history = buckets::Buckets::of(world.db())
        .between(id, 0, now.timestamp() + 1)
        .await
        .unwrap();
    assert!(
        history
            .iter()
            .all(|b| b.start_s >= (now - Span::hours(24)).timestamp() - BUCKET_S)
    );
    assert!(!history.is_empty());
}
