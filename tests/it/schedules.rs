//! The schedule engine against the simulator, with the clock moved by
//! hand: windows start and end, a restart and a second engine send
//! nothing twice, a person's target wins, overlaps are refused, a site's
//! schedule is clamped per charger, and a failing call is retried later.

use std::time::Duration;

use chrono::{DateTime, Duration as Span, DurationRound, Utc};
use evse_dashboard::clemap::simulator::Faults;
use evse_dashboard::schedule::engine::{Engine, Tick};
use evse_dashboard::schedule::{ScheduleError, Schedules, Target};
use evse_dashboard::types::{Outcome, Problem, Schedule, ScheduleInput};

use crate::fixtures::{World, actor, station};

const TOKEN_A: &str = "tok-sched-a-77c1d0e9f8a7b6c5d4e3";
const TOKEN_B: &str = "tok-sched-b-0a1b2c3d4e5f60718293";

struct Setup {
    world: World,
    schedules: Schedules,
    engine: Engine,
    bay1: i64,
    site: i64,
    /// The simulator's now, rounded down to the minute.
    t0: DateTime<Utc>,
}

/// Two stations on site "Depot": Bay 1 (6–16 A), Bay 2 (6–32 A).
async fn setup() -> Setup {
    let (a, b) = (
        station("evse-a", TOKEN_A, 32),
        station("evse-b", TOKEN_B, 32),
    );
    let world = World::new(vec![a.clone(), b.clone()], Duration::from_millis(400)).await;
    let bay1 = world.register(&a, "Bay 1", 6, 16).await;
    world.register(&b, "Bay 2", 6, 32).await;
    let site = evse_dashboard::on_db!(world.db(), pool => {
        sqlx::query_scalar("SELECT site_id FROM chargers WHERE id = $1")
            .bind(bay1)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    let schedules = Schedules::new(world.audit.clone());
    let engine = engine(&world, &schedules);
    let t0 = world.sim.now().duration_trunc(Span::minutes(1)).unwrap();
    Setup {
        world,
        schedules,
        engine,
        bay1,
        site,
        t0,
    }
}

/// A new engine over the same database: what a restart, or a second
/// instance, starts with.
fn engine(world: &World, schedules: &Schedules) -> Engine {
    Engine::new(schedules.clone(), world.registry.clone(), world.control())
}

/// Every day, in UTC, from `from` for `hours`, at `amps`.
fn window(name: &str, from: DateTime<Utc>, hours: i64, amps: u32) -> ScheduleInput {
    ScheduleInput {
        name: name.into(),
        from: from.format("%H:%M").to_string(),
        to: (from + Span::hours(hours)).format("%H:%M").to_string(),
        current: amps.to_string(),
        time_zone: "UTC".into(),
        ..Default::default()
    }
    .with_days(0b111_1111)
}

impl Setup {
    async fn add(&self, target: Target, input: ScheduleInput) -> Schedule {
        self.schedules
            .create(&actor("olga"), target, &input)
            .await
            .unwrap()
            .schedule
    }

    /// Moves the simulator's clock to `at` (only forward) and ticks there.
    async fn tick_at(&self, engine: &Engine, at: DateTime<Utc>) -> Tick {
        let ahead = at - self.world.sim.now();
        if ahead > Span::zero() {
            self.world.sim.advance_clock(ahead.to_std().unwrap());
        }
        engine.tick(at).await.unwrap()
    }

    fn calls(&self, method: &str) -> Vec<(String, Option<String>)> {
        self.world
            .sim
            .requests()
            .into_iter()
            .filter(|r| r.method == method && r.resource == "currentsettings")
            .map(|r| (r.evse_uuid, r.body))
            .collect()
    }

    async fn audit(&self) -> Vec<(String, String, String, Option<i64>)> {
        evse_dashboard::on_db!(self.world.db(), pool => sqlx::query_as(
            "SELECT actor, action, outcome, requested_current FROM audit_events ORDER BY id",
        )
        .fetch_all(pool)
        .await
        .unwrap())
    }
}

#[tokio::test]
async fn a_window_applies_once_at_its_start_with_the_time_it_has_left_and_then_expires() {
    let s = setup().await;
    let office = s
        .add(Target::Charger(s.bay1), window("Office", s.t0, 2, 10))
        .await;
    let now = s.t0 + Span::seconds(20);
    assert_eq!(s.tick_at(&s.engine, now).await.sent, 1);
    let (_, body) = &s.calls("POST")[0];
    let expected = (s.t0 + Span::hours(2) - now).num_seconds();
    assert_eq!(
        body.as_deref(),
        Some(format!("{{\"current\":10,\"duration\":{expected}}}").as_str())
    );
    assert_eq!(s.world.sim.active_target("evse-a").map(|t| t.0), Some(10));
    // The trail names the schedule as the actor, intent then outcome.
    let rows = s.audit().await;
    let last = rows.last().unwrap();
    assert_eq!(last.0, format!("schedule:{} (Office)", office.id));
    assert_eq!(
        (last.1.as_str(), last.2.as_str(), last.3),
        ("set_target", "received", Some(10))
    );
    // Later ticks in the window send nothing more.
    for minutes in [1, 30, 119] {
        s.tick_at(&s.engine, s.t0 + Span::minutes(minutes)).await;
    }
    assert_eq!(s.calls("POST").len(), 1);
    // At the end the target expires by itself: no reset is sent.
    s.tick_at(&s.engine, s.t0 + Span::minutes(121)).await;
    assert_eq!(s.world.sim.active_target("evse-a"), None);
    assert!(s.calls("DELETE").is_empty());
    assert_eq!(s.calls("POST").len(), 1);
}

#[tokio::test]
async fn a_restart_mid_window_and_a_second_engine_send_nothing_twice() {
    let s = setup().await;
    s.add(Target::Charger(s.bay1), window("Office", s.t0, 3, 10))
        .await;
    // Two engines on one database tick at the same moment.
    let (a, b) = (
        engine(&s.world, &s.schedules),
        engine(&s.world, &s.schedules),
    );
    let now = s.t0 + Span::minutes(5);
    s.world
        .sim
        .advance_clock((now - s.world.sim.now()).to_std().unwrap());
    let (ta, tb) = tokio::join!(a.tick(now), b.tick(now));
    assert_eq!(ta.unwrap().sent + tb.unwrap().sent, 1);
    // A restart (a third engine, nothing in memory) mid-window.
    let restarted = engine(&s.world, &s.schedules);
    s.tick_at(&restarted, s.t0 + Span::minutes(90)).await;
    assert_eq!(s.calls("POST").len(), 1, "one POST, not two");
}

#[tokio::test]
async fn a_persons_target_wins_and_the_schedule_resumes_when_it_ends() {
    let s = setup().await;
    s.add(Target::Charger(s.bay1), window("Office hours", s.t0, 4, 10))
        .await;
    s.tick_at(&s.engine, s.t0 + Span::minutes(1)).await;
    let manual = s
        .world
        .control()
        .set_target(&actor("olga"), s.bay1, 16, 3600)
        .await
        .unwrap();
    assert!(manual.succeeded());
    let t = s.tick_at(&s.engine, s.t0 + Span::minutes(2)).await;
    assert_eq!((t.sent, t.held_back), (0, 1));
    assert_eq!(s.world.sim.active_target("evse-a").map(|t| t.0), Some(16));
    // The charger page can say why, and until when.
    let charger = s.world.registry.get(s.bay1).await.unwrap();
    let saved = s.schedules.for_charger(s.bay1).await.unwrap();
    let held = s
        .engine
        .held_back(&charger, &saved, s.world.sim.now())
        .await
        .unwrap();
    assert_eq!(held.schedule, "Office hours");
    assert!(held.until.is_some());
    // The person's target ends after an hour; the schedule takes over.
    let t = s.tick_at(&s.engine, s.t0 + Span::minutes(63)).await;
    assert_eq!(t.sent, 1);
    assert_eq!(s.world.sim.active_target("evse-a").map(|t| t.0), Some(10));
    assert_eq!(s.calls("POST").len(), 3);
}

#[tokio::test]
async fn an_overlapping_save_is_refused_naming_the_other_schedule_and_audited() {
    let s = setup().await;
    s.add(Target::Charger(s.bay1), window("Office", s.t0, 4, 10))
        .await;
    // A site schedule meets the charger's on Bay 1.
    let clash = window("Event", s.t0 + Span::hours(3), 2, 6);
    let refused = s
        .schedules
        .create(&actor("olga"), Target::Site(s.site), &clash)
        .await
        .unwrap_err();
    let ScheduleError::Overlap { other, overlap } = &refused else {
        panic!("not refused as an overlap: {refused:?}");
    };
    assert_eq!(other, "Office");
    assert_eq!(overlap.days.bits(), 0b111_1111);
    assert_eq!(overlap.from, (s.t0 + Span::hours(3)).time());
    assert_eq!(overlap.to, (s.t0 + Span::hours(4)).time());
    assert!(matches!(refused.problem(), Problem::ScheduleOverlap { .. }));
    let rows = s.audit().await;
    let last = rows.last().unwrap();
    assert_eq!(
        (last.1.as_str(), last.2.as_str()),
        ("schedule_created", "failed")
    );
    // Right after it is fine.
    let after = window("Event", s.t0 + Span::hours(4), 2, 6);
    s.schedules
        .create(&actor("olga"), Target::Site(s.site), &after)
        .await
        .unwrap();
    assert_eq!(s.schedules.for_site(s.site).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_site_schedule_is_clamped_to_each_chargers_range() {
    let s = setup().await;
    s.add(Target::Site(s.site), window("Night", s.t0, 6, 20))
        .await;
    assert_eq!(s.tick_at(&s.engine, s.t0 + Span::seconds(10)).await.sent, 2);
    assert_eq!(s.world.sim.active_target("evse-a").map(|t| t.0), Some(16));
    assert_eq!(s.world.sim.active_target("evse-b").map(|t| t.0), Some(20));
}

#[tokio::test]
async fn disabling_a_schedule_in_force_withdraws_its_target_once() {
    let s = setup().await;
    let office = s
        .add(Target::Charger(s.bay1), window("Office", s.t0, 4, 10))
        .await;
    s.tick_at(&s.engine, s.t0 + Span::minutes(1)).await;
    s.schedules
        .set_enabled(&actor("olga"), office.id, false)
        .await
        .unwrap();
    let t = s.tick_at(&s.engine, s.t0 + Span::minutes(2)).await;
    assert_eq!(t.withdrawn, 1);
    assert_eq!(s.world.sim.active_target("evse-a"), None);
    s.tick_at(&s.engine, s.t0 + Span::minutes(3)).await;
    assert_eq!(s.calls("DELETE").len(), 1);
    let actions: Vec<String> = s.audit().await.into_iter().map(|r| r.1).collect();
    assert!(actions.contains(&"schedule_disabled".to_owned()));
    assert_eq!(actions.last().map(String::as_str), Some("reset_target"));
}

#[tokio::test]
async fn deleting_a_schedule_leaves_a_persons_target_alone() {
    let s = setup().await;
    let office = s
        .add(Target::Charger(s.bay1), window("Office", s.t0, 4, 10))
        .await;
    s.tick_at(&s.engine, s.t0 + Span::minutes(1)).await;
    s.world
        .control()
        .set_target(&actor("olga"), s.bay1, 12, 3600)
        .await
        .unwrap();
    s.schedules.delete(&actor("olga"), office.id).await.unwrap();
    s.tick_at(&s.engine, s.t0 + Span::minutes(2)).await;
    assert!(s.calls("DELETE").is_empty());
    assert_eq!(s.world.sim.active_target("evse-a").map(|t| t.0), Some(12));
    assert!(s.schedules.for_charger(s.bay1).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failing_call_is_shown_on_the_schedule_and_retried_with_backoff() {
    let s = setup().await;
    let office = s
        .add(Target::Charger(s.bay1), window("Office", s.t0, 4, 10))
        .await;
    s.world.sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let t = s.tick_at(&s.engine, s.t0 + Span::seconds(5)).await;
    assert_eq!(t.failed, 1);
    let (shown, _) = s.schedules.get(office.id).await.unwrap();
    assert!(matches!(shown.last_error, Some((Problem::Clemap(_), _))));
    // Within the backoff nothing is tried.
    let before = s.world.sim.requests().len();
    s.tick_at(&s.engine, s.t0 + Span::seconds(20)).await;
    assert_eq!(s.world.sim.requests().len(), before);
    // After it, the call goes through and the failure is cleared.
    s.world.sim.clear_faults();
    let t = s.tick_at(&s.engine, s.t0 + Span::seconds(40)).await;
    assert_eq!(t.sent, 1);
    let (shown, _) = s.schedules.get(office.id).await.unwrap();
    assert_eq!(shown.last_error, None);
    let outcomes: Vec<String> = s.audit().await.into_iter().map(|r| r.2).collect();
    assert!(outcomes.contains(&Outcome::Received.to_string()));
    assert!(!outcomes.contains(&Outcome::Pending.to_string()));
}
