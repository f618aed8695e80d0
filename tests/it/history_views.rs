//! The history as the pages and the CSV show it, on either backend: a
//! charger's chart from raw samples (a day) and buckets (a week), a site's
//! sum and energy per local day, the CSV export, and a lease given up.

use std::time::Duration;

use chrono::{Duration as Span, Utc};
use evse_dashboard::history::energy_days::EnergyDays;
use evse_dashboard::history::export::{self, Scope};
use evse_dashboard::history::samples::{self, Sample};
use evse_dashboard::history::{HistoryConfig, Sampler, backfill, buckets, series};
use evse_dashboard::types::ChartRange;
use futures::TryStreamExt;

use crate::fixtures::{World, station};

fn reading(charger_id: i64, minutes_ago: i64, amps: i64) -> Sample {
    Sample {
        charger_id,
        at_ms: (Utc::now() - Span::minutes(minutes_ago)).timestamp_millis(),
        plug: 0,
        status: "charging".into(),
        l1_da: Some(amps * 10),
        l2_da: Some(amps * 10),
        l3_da: None,
        power_w: Some(amps * 460),
        limit_da: Some(320),
        target_a: Some(16),
        simulated: 0,
    }
}

async fn world_with_history() -> (World, i64, Sampler) {
    let spec = station("evse-h", "tok-views-1f2e3d4c5b6a", 32);
    let world = World::new(vec![spec.clone()], Duration::from_millis(400)).await;
    let id = world.register(&spec, "Bay 7", 6, 32).await;
    let rows: Vec<Sample> = (0..120).map(|m| reading(id, m, 10 + m % 3)).collect();
    samples::Samples::of(world.db())
        .insert(&rows)
        .await
        .unwrap();
    let sampler = Sampler::new(
        world.audit.clone(),
        world.registry.clone(),
        world.clemap.clone(),
        HistoryConfig {
            interval: Duration::from_secs(60),
            ..HistoryConfig::default()
        },
        Duration::from_secs(24 * 3600),
    );
    sampler.roll_up(Utc::now()).await.unwrap();
    (world, id, sampler)
}

#[tokio::test]
async fn a_chargers_chart_reads_its_buckets_for_a_day_and_a_week() {
    let (world, id, _) = world_with_history().await;
    let charger = world.registry.get(id).await.unwrap();
    let now = Utc::now();
    let day = series::charger(
        world.db(),
        &charger,
        (ChartRange::Day, "Europe/Zurich"),
        now,
    )
    .await
    .unwrap();
    // Two hours of readings in 15-minute steps; L3 was never measured.
    assert!((8..=9).contains(&day.points.len()), "{}", day.points.len());
    assert!(
        day.points.iter().all(|p| p.phases[2].is_none()),
        "unknown is not 0 A"
    );
    assert!(
        day.points
            .iter()
            .all(|p| p.target == Some(16) && p.limit == Some(32.0))
    );
    assert!(
        (4..=5).contains(&day.ticks.len()),
        "a mark every six hours of a day"
    );
    let week = series::charger(
        world.db(),
        &charger,
        (ChartRange::Week, "Europe/Zurich"),
        now,
    )
    .await
    .unwrap();
    assert!(
        (4..=6).contains(&week.points.len()),
        "{}",
        week.points.len()
    );
    let amps = week.points[0].phases[0].unwrap();
    assert!((10.0..=12.0).contains(&amps), "{amps}");
}

#[tokio::test]
async fn a_sites_chart_sums_its_chargers_and_its_energy_per_local_day() {
    let (world, id, _) = world_with_history().await;
    let charger = world.registry.get(id).await.unwrap();
    let energy = EnergyDays::default();
    let site = series::site(
        world.db(),
        &energy,
        charger.site_id,
        std::slice::from_ref(&charger),
        ("Europe/Zurich", Some(63)),
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(site.steps.len(), 96);
    assert_eq!(site.chargers.len(), 1);
    assert_eq!(site.supply_limit, Some(63));
    let known = site.chargers[0].amps.iter().flatten().count();
    assert!((8..=10).contains(&known), "{known} of 96 steps measured");
    // The highest phase, though L3 was never measured (unknown is skipped,
    // not taken for the answer).
    let highest = site.chargers[0].amps.iter().flatten();
    assert!(
        highest.clone().all(|a| (10.0..=12.0).contains(a)),
        "{:?}",
        site.chargers[0].amps
    );
    assert_eq!(site.days.len(), 30);
    let kwh: f64 = site.days.iter().map(|d| d.kwh).sum();
    // ~11 A × 460 W/A for two hours ≈ 10 kWh.
    assert!((9.0..=11.5).contains(&kwh), "{kwh}");
}

#[tokio::test]
async fn the_history_csv_has_one_row_per_bucket_in_the_days_asked_for() {
    let (world, id, _) = world_with_history().await;
    let charger = world.registry.get(id).await.unwrap();
    let days = export::days(None, None, "UTC", Utc::now()).unwrap();
    let limit = Duration::from_secs(30);
    for scope in [Scope::Charger(id), Scope::Site(charger.site_id)] {
        let chunks: Vec<Vec<u8>> = export::csv(world.db().clone(), scope, days, limit, ())
            .try_collect()
            .await
            .unwrap();
        let text = String::from_utf8(chunks.concat()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(export::COLUMNS.join(",").as_str()));
        let rows: Vec<&str> = lines.collect();
        assert!(!rows.is_empty() && rows.len() <= 10, "{text}");
        assert!(rows.iter().all(|r| r.contains(",Bay 7,")), "{text}");
    }
    // A day with nothing: the header only.
    let empty = export::days(Some("2020-01-01"), Some("2020-01-02"), "UTC", Utc::now()).unwrap();
    let chunks: Vec<Vec<u8>> =
        export::csv(world.db().clone(), Scope::Charger(id), empty, limit, ())
            .try_collect()
            .await
            .unwrap();
    assert_eq!(
        String::from_utf8(chunks.concat()).unwrap().lines().count(),
        1
    );
}

#[tokio::test]
async fn a_lease_given_up_is_taken_at_once() {
    let (world, _, first) = world_with_history().await;
    let second = Sampler::new(
        world.audit.clone(),
        world.registry.clone(),
        world.clemap.clone(),
        HistoryConfig::default(),
        Duration::from_secs(3600),
    );
    let now = Utc::now();
    assert!(first.tick(now).await.unwrap());
    assert!(!second.tick(now).await.unwrap());
    first.release().await.unwrap();
    assert!(
        second.tick(now).await.unwrap(),
        "no wait for the lease to run out"
    );
}

#[tokio::test]
async fn the_demo_backfill_makes_up_one_marked_day_of_cars_coming_and_going() {
    let spec = station("evse-past", "tok-backfill-9a8b7c6d5e", 32);
    let world = World::new(vec![spec.clone()], Duration::from_millis(400)).await;
    let id = world.register(&spec, "Bay 9", 6, 32).await;
    let now = Utc::now();
    let filled = backfill::last_day(world.db(), &[(id, spec.clone())], now)
        .await
        .unwrap();
    assert_eq!(filled, 1);

    let day_ago = (now - Span::hours(24)).timestamp_millis();
    let past = samples::Samples::of(world.db())
        .between(id, day_ago, now.timestamp_millis())
        .await
        .unwrap();
    assert!(
        past.len() >= 24 * 60 - 1,
        "a reading a minute: {}",
        past.len()
    );
    assert!(
        past.iter().all(|s| s.simulated == 1),
        "never passed off as measured"
    );
    // The car that charges now came and went in the made-up past: some
    // minutes at its full 32 A, some away at 0 A, not one flat line.
    let full = past.iter().filter(|s| s.l1_da == Some(320)).count();
    let away = past.iter().filter(|s| s.l1_da == Some(0)).count();
    assert!(full > 60 && away > 60, "full {full} min, away {away} min");

    let rolled = buckets::Buckets::of(world.db())
        .between(id, day_ago / 1000, now.timestamp())
        .await
        .unwrap();
    assert!(
        rolled.len() >= 95,
        "a day of 15-minute buckets: {}",
        rolled.len()
    );
    assert!(rolled.iter().all(|b| b.simulated > 0));
    let energy = |buckets: &[evse_dashboard::history::rollup::Bucket]| {
        buckets.iter().map(|b| b.energy_wh).sum::<i64>()
    };
    // 32 A on three phases for a good part of the day: well over 50 kWh.
    assert!(energy(&rolled) > 50_000, "{} Wh", energy(&rolled));

    // The sampler's first roll-up after the start recomputes the kept
    // buckets; its short interval does not make the minute-apart made-up
    // readings gaps, so the day keeps its energy.
    let sampler = Sampler::new(
        world.audit.clone(),
        world.registry.clone(),
        world.clemap.clone(),
        HistoryConfig {
            interval: Duration::from_secs(2),
            ..HistoryConfig::default()
        },
        Duration::from_secs(24 * 3600),
    );
    sampler.roll_up(now).await.unwrap();
    let again_rolled = buckets::Buckets::of(world.db())
        .between(id, day_ago / 1000, now.timestamp())
        .await
        .unwrap();
    assert_eq!(energy(&again_rolled), energy(&rolled));

    // A second start finds the day filled and leaves it alone.
    let again = backfill::last_day(world.db(), &[(id, spec)], now)
        .await
        .unwrap();
    assert_eq!(again, 0);
    let after = samples::Samples::of(world.db())
        .between(id, day_ago, now.timestamp_millis())
        .await
        .unwrap();
    assert_eq!(after.len(), past.len());
}

#[tokio::test]
async fn a_sites_finished_days_are_kept_a_while_and_today_is_read_every_time() {
    let spec = station("evse-e", "tok-energy-9a8b7c6d5e4f", 32);
    let world = World::new(vec![spec.clone()], Duration::from_millis(400)).await;
    let id = world.register(&spec, "Bay 9", 6, 32).await;
    let site_id = world.registry.get(id).await.unwrap().site_id;
    let now = Utc::now();
    let midnight = now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    let bucket =
        |start: chrono::DateTime<Utc>, energy_wh| evse_dashboard::history::rollup::Bucket {
            charger_id: id,
            start_s: start.timestamp(),
            samples: 30,
            avg_l1_da: Some(100),
            avg_l2_da: Some(100),
            avg_l3_da: Some(100),
            max_l1_da: Some(100),
            max_l2_da: Some(100),
            max_l3_da: Some(100),
            avg_power_w: Some(6900),
            energy_wh,
            charging_s: 900,
            target_a: None,
            limit_da: None,
            simulated: 0,
        };
    let yesterday_noon = midnight - Span::hours(12);
    let db = world.db().clone();
    let store = |yesterday_wh, today_wh| {
        let rows = [
            bucket(yesterday_noon, yesterday_wh),
            bucket(midnight, today_wh),
        ];
        let db = db.clone();
        async move { buckets::Buckets::of(&db).upsert(&rows).await.unwrap() }
    };
    let kwh = |days: &[evse_dashboard::types::SiteDay]| {
        let [.., yesterday, today] = days else {
            panic!("30 days")
        };
        (yesterday.kwh, today.kwh)
    };
    let energy = EnergyDays::default();
    let zone: chrono_tz::Tz = "UTC".parse().unwrap();

    store(5000, 1000).await;
    let first = energy
        .last_30(world.db(), site_id, zone, now)
        .await
        .unwrap();
    assert_eq!(first.len(), 30);
    assert_eq!(kwh(&first), (5.0, 1.0));

    store(7000, 2000).await;
    let again = energy
        .last_30(world.db(), site_id, zone, now)
        .await
        .unwrap();
    assert_eq!(kwh(&again), (5.0, 2.0), "yesterday kept, today read again");
    let fresh = EnergyDays::default();
    let read = fresh.last_30(world.db(), site_id, zone, now).await.unwrap();
    assert_eq!(kwh(&read), (7.0, 2.0));
}
