//! Charging sessions and the monthly report on either backend (#42):
//! one session however many samplers, restarts and handovers see it, and
//! a session across midnight and a month boundary counted where its
//! energy was used, the report adding up to the buckets.

use std::time::Duration;

use chrono::{DateTime, Duration as Span, Utc};
use evse_dashboard::clemap::simulator::Vehicle;
use evse_dashboard::history::rollup::{self, BUCKET_S};
use evse_dashboard::history::samples::Sample;
use evse_dashboard::history::sessions::{Sessions, detect};
use evse_dashboard::history::{History, HistoryConfig, Sampler, buckets};
use evse_dashboard::sites::Sites;
use evse_dashboard::types::{Month, SessionEnd, SessionFilter};

use crate::fixtures::{World, station};

const TIMEOUT: Duration = Duration::from_millis(400);

fn sampler(world: &World) -> Sampler {
    Sampler::new(
        world.audit.clone(),
        world.registry.clone(),
        world.clemap.clone(),
        HistoryConfig {
            interval: Duration::from_secs(30),
            settle: Duration::ZERO,
            deadline: Duration::from_millis(800),
            ..HistoryConfig::default()
        },
        Duration::from_secs(24 * 3600),
    )
}

#[tokio::test]
async fn a_session_is_one_row_across_a_restart_a_handover_and_a_repeated_round() {
    let spec = station("evse-ses", "tok-sessions-0a1b2c3d4e5f", 32);
    let world = World::new(vec![spec.clone()], TIMEOUT).await;
    let id = world.register(&spec, "Bay 1", 6, 32).await;
    let history = History::new(world.db().clone());
    let sessions = Sessions::new(world.db().clone());
    let t0 = Utc::now();

    let first = sampler(&world);
    assert!(first.tick(t0).await.unwrap());
    let open = sessions.open().await.unwrap();
    assert_eq!(open.len(), 1, "the car charging is a session");
    let session_id = open[0].id;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(first.tick(t0 + Span::seconds(30)).await.unwrap());

    // A restart: a new sampler, nothing in memory, takes the lease back.
    first.release().await.unwrap();
    let restarted = sampler(&world);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(restarted.tick(t0 + Span::seconds(60)).await.unwrap());
    // A handover: the restarted one dies, another instance takes over
    // after one and a half intervals.
    let other = sampler(&world);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(other.tick(t0 + Span::seconds(120)).await.unwrap());
    let open = sessions.open().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, session_id, "the same session goes on");
    let seen = open[0].seen_ms;
    assert!(seen > t0.timestamp_millis(), "it took the new readings in");

    // The same round applied twice (two instances that both thought they
    // sampled): the second changes nothing. (10 ms after the last reading:
    // the sampler's next real reading comes after it.)
    let again = Sample {
        charger_id: id,
        at_ms: seen + 10,
        plug: 0,
        status: "charging".into(),
        l1_da: Some(160),
        l2_da: Some(160),
        l3_da: Some(160),
        power_w: Some(11_000),
        limit_da: None,
        target_a: None,
        simulated: 0,
    };
    let rules = detect::Rules {
        offline_after_ms: 120_000,
        max_gap_ms: 90_000,
    };
    let steps = detect::round(&open, std::slice::from_ref(&again), again.at_ms, rules);
    sessions.apply(&steps).await.unwrap();
    let once = sessions.open().await.unwrap();
    sessions.apply(&steps).await.unwrap();
    assert_eq!(
        sessions.open().await.unwrap(),
        once,
        "a repeat adds nothing"
    );
    assert_eq!(
        once[0].energy_mwh - open[0].energy_mwh,
        (11_000 + open[0].seen_power_w.unwrap()) * 10 / 2 / 3_600,
        "one trapezoid, once"
    );

    // The car leaves: the session ends, unplugged, and nothing is open.
    world.sim.set_vehicle("evse-ses", Vehicle::None);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(other.tick(Utc::now() + Span::seconds(150)).await.unwrap());
    assert!(sessions.open().await.unwrap().is_empty());
    let page = history
        .session_page(&SessionFilter::default(), None, "Europe/Zurich")
        .await
        .unwrap();
    assert_eq!(page.sessions.len(), 1, "{:?}", page.sessions);
    let s = &page.sessions[0];
    assert_eq!((s.id, s.charger_id, s.plug), (session_id, id, 0));
    assert_eq!(s.end, Some(SessionEnd::Unplugged));
    assert!(s.ended.is_some() && s.peak_a.is_some());
    assert_eq!(s.charger_name, "Bay 1");
    // One session, read by its id and as its charger's latest.
    assert_eq!(history.session(session_id).await.unwrap().as_ref(), Some(s));
    assert_eq!(history.session(session_id + 1000).await.unwrap(), None);
    let latest = history.latest_sessions((None, Some(id)), 5).await.unwrap();
    assert_eq!(latest, page.sessions);
    // The session page's audit rows: a set while it ran is among them.
    let control = world.control();
    control
        .set_target(&crate::fixtures::actor("olga"), id, 10, 600)
        .await
        .unwrap();
    let rows = world
        .audit
        .for_charger_between(id, (t0 - Span::hours(1), Utc::now() + Span::hours(1)), 10)
        .await
        .unwrap();
    assert!(
        rows.iter()
            .any(|e| e.action == evse_dashboard::types::AuditAction::SetTarget),
        "{rows:?}"
    );
    // The target in force at a session's start is the last one received
    // before it: none before the first round, the set after it.
    let before = world.audit.last_target_before(id, t0).await.unwrap();
    assert!(before.is_none(), "{before:?}");
    let last = world
        .audit
        .last_target_before(id, Utc::now() + Span::seconds(1))
        .await
        .unwrap()
        .expect("the set");
    assert_eq!(last.requested_current, Some(10));
}

/// A reading every 30 s of 7.2 kW from `from` to `to`, then a free plug.
fn charging(charger_id: i64, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Sample> {
    let mut out = Vec::new();
    let mut at = from;
    while at <= to {
        out.push(Sample {
            charger_id,
            at_ms: at.timestamp_millis(),
            plug: 0,
            status: "charging".into(),
            l1_da: Some(104),
            l2_da: Some(104),
            l3_da: Some(104),
            power_w: Some(7200),
            limit_da: Some(160),
            target_a: Some(16),
            simulated: 0,
        });
        at += Span::seconds(30);
    }
    out.push(Sample {
        at_ms: (to + Span::seconds(30)).timestamp_millis(),
        status: "idle".into(),
        l1_da: Some(0),
        l2_da: Some(0),
        l3_da: Some(0),
        power_w: Some(0),
        target_a: None,
        ..out[0].clone()
    });
    out
}

#[tokio::test]
async fn a_session_across_midnight_and_a_month_end_counts_where_its_energy_was_used() {
    let spec = station("evse-month", "tok-month-0a1b2c3d4e5f", 32);
    let world = World::new(vec![spec.clone()], TIMEOUT).await;
    let id = world.register(&spec, "Bay M", 6, 32).await;
    let charger = world.registry.get(id).await.unwrap();
    let site = Sites::new(world.db().clone())
        .set_planning(charger.site_id, "Europe/Zurich", Some(32))
        .await
        .unwrap();
    // 23:00 on 31 October to 01:00 on 1 November, Zurich (UTC+1).
    let from: DateTime<Utc> = "2026-10-31T22:00:00Z".parse().unwrap();
    let to: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
    let rows = charging(id, from, to);
    let snapshots = rollup::snapshots(&rows);
    let first = rollup::bucket_start(from.timestamp_millis());
    let rolled: Vec<_> = (first..=to.timestamp() + BUCKET_S)
        .step_by(BUCKET_S as usize)
        .filter_map(|start| rollup::bucket(id, start, &snapshots, 90_000))
        .collect();
    buckets::Buckets::of(world.db())
        .upsert(&rolled)
        .await
        .unwrap();
    let found = detect::replay(
        &rows,
        detect::Rules {
            offline_after_ms: 120_000,
            max_gap_ms: 90_000,
        },
    );
    assert_eq!(found.len(), 1);
    Sessions::new(world.db().clone())
        .insert_detected(&found)
        .await
        .unwrap();

    let history = History::new(world.db().clone());
    let now = Utc::now();
    let october = history
        .site_report(
            &site,
            Month {
                year: 2026,
                month: 10,
            },
            now,
        )
        .await
        .unwrap();
    let november = history
        .site_report(
            &site,
            Month {
                year: 2026,
                month: 11,
            },
            now,
        )
        .await
        .unwrap();
    // An hour of 7.2 kW each side of midnight (and November has the last
    // 30 s down to the free plug's 0 W: 30 Wh); the session started in
    // October, so it is October's.
    assert!((7_195..=7_205).contains(&october.energy_wh), "{october:?}");
    assert!(
        (7_225..=7_235).contains(&november.energy_wh),
        "{november:?}"
    );
    assert_eq!((october.sessions, november.sessions), (1, 0));
    assert!(october.complete && november.complete);
    assert_eq!(october.chargers.len(), 1);
    assert_eq!(october.chargers[0].energy_wh, october.energy_wh);
    assert_eq!(october.limited_share(), Some(1.0), "a target was in force");
    let peak = october.peak.as_ref().unwrap();
    assert_eq!(peak.watts, 7_200, "7.2 kW all along");
    assert_eq!(peak.at, from, "the first of equal quarters");
    assert_eq!(peak.local.to_rfc3339(), "2026-10-31T23:00:00+01:00");
    // 30 A of a 32 A supply is 94 %: never at the limit.
    assert_eq!(october.hours_at_limit, Some(0.0));

    // The report is the buckets' sum (SES3): every bucket of each month.
    for report in [&october, &november] {
        let (from_s, to_s) = (report.from.timestamp(), report.to.timestamp());
        let buckets_wh: i64 = buckets::Buckets::of(world.db())
            .between(id, from_s, to_s)
            .await
            .unwrap()
            .iter()
            .map(|b| b.energy_wh)
            .sum();
        let off = (report.energy_wh - buckets_wh).abs() as f64;
        assert!(
            off <= buckets_wh as f64 * 0.001,
            "{} vs {buckets_wh}",
            report.energy_wh
        );
    }
    // The session's own energy is both months' (to rounding).
    let session = history
        .latest_sessions((Some(site.id), None), 5)
        .await
        .unwrap();
    assert_eq!(session.len(), 1);
    let total = october.energy_wh + november.energy_wh;
    assert!(
        (session[0].energy_wh - total).abs() <= 2,
        "{} vs {total}",
        session[0].energy_wh
    );
    assert_eq!(session[0].end, Some(SessionEnd::Unplugged));
    assert!(session[0].limited);

    // Bad input: a month not begun, one before the history kept.
    let future = history
        .site_report(
            &site,
            Month {
                year: 2099,
                month: 1,
            },
            now,
        )
        .await
        .unwrap_err();
    assert_eq!(
        future.problem(),
        evse_dashboard::problem::Problem::Invalid(evse_dashboard::problem::Invalid::new(
            evse_dashboard::problem::Field::Month,
            evse_dashboard::problem::Rule::MonthInFuture
        ))
    );
    assert!(
        history
            .site_report(
                &site,
                Month {
                    year: 2024,
                    month: 1
                },
                now
            )
            .await
            .is_err()
    );
    // A list filtered to under a limit, by date range on the site's clock.
    let filter = SessionFilter {
        site: Some(site.id),
        from: Some("2026-10-31".into()),
        to: Some("2026-10-31".into()),
        limited: true,
        ..SessionFilter::default()
    };
    let page = history
        .session_page(&filter, None, &site.time_zone)
        .await
        .unwrap();
    assert_eq!(page.sessions.len(), 1);
    let next_day = SessionFilter {
        from: Some("2026-11-01".into()),
        to: Some("2026-11-01".into()),
        ..filter.clone()
    };
    let page = history
        .session_page(&next_day, None, &site.time_zone)
        .await
        .unwrap();
    assert!(
        page.sessions.is_empty(),
        "it started on the 31st, local time"
    );
    let too_long = SessionFilter {
        from: Some("2025-01-01".into()),
        to: Some("2026-10-31".into()),
        ..filter
    };
    assert!(
        history
            .session_page(&too_long, None, "Europe/Zurich")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_months_peak_so_far_is_the_reports_and_reused_days_agree() {
    let spec = station("evse-peak", "tok-peak-0a1b2c3d4e5f", 32);
    let world = World::new(vec![spec.clone()], TIMEOUT).await;
    let id = world.register(&spec, "Bay P", 6, 32).await;
    let charger = world.registry.get(id).await.unwrap();
    let site = Sites::new(world.db().clone())
        .set_planning(charger.site_id, "Europe/Zurich", None)
        .await
        .unwrap();
    let now = Utc::now();
    let zone = evse_dashboard::history::sessions::reads::zone_of(&site.time_zone);
    let this_month = evse_dashboard::history::sessions::month::current(zone, now);
    let (first, _) = evse_dashboard::history::sessions::month::bounds(this_month, zone);
    // The month's first quarter hour used 5 kWh (20 kW), the current one 4 kWh.
    let quarter = |start_s: i64, energy_wh: i64| rollup::Bucket {
        charger_id: id,
        start_s,
        samples: 30,
        avg_l1_da: Some(290),
        avg_l2_da: Some(290),
        avg_l3_da: Some(290),
        max_l1_da: Some(300),
        max_l2_da: Some(300),
        max_l3_da: Some(300),
        avg_power_w: Some(energy_wh * 4),
        energy_wh,
        charging_s: 900,
        target_a: None,
        limit_da: None,
        simulated: 0,
    };
    let first_s = first.timestamp();
    let now_s = rollup::bucket_start(now.timestamp_millis());
    let mut rows = vec![quarter(first_s, 5_000)];
    if now_s > first_s {
        rows.push(quarter(now_s, 4_000));
    }
    buckets::Buckets::of(world.db())
        .upsert(&rows)
        .await
        .unwrap();

    let history = History::new(world.db().clone());
    let peak = history.month_peak(&site, now).await.unwrap();
    let again = history.month_peak(&site, now).await.unwrap();
    let report = history.site_report(&site, this_month, now).await.unwrap();
    assert_eq!(peak, report.peak);
    assert_eq!(again, peak, "the days kept give the same peak");
    let peak = peak.unwrap();
    assert_eq!((peak.at, peak.watts), (first, 20_000));
}
