//! The core journey against the simulator: set, read, reset, and every way
//! it can go wrong, each attempt audited (and never a token in the trail).

use std::time::{Duration, Instant};

use evse_dashboard::clemap::simulator::Faults;
use evse_dashboard::control::Control;
use evse_dashboard::secret::EvseToken;
use evse_dashboard::types::{AuditAction, ClemapFailure, Field, Invalid, Outcome, Problem, Rule};

use evse_dashboard::db::Db;
use evse_dashboard::on_db;

use crate::fixtures::{World, actor, station};

const TOKEN: &str = "tok-control-4f3e2d1c0b9a8f7e6d5c";

struct Setup {
    world: World,
    control: Control,
    charger: i64,
}

/// One 32 A station registered with a 6–16 A range.
async fn setup() -> Setup {
    let spec = station("evse", TOKEN, 32);
    let world = World::new(vec![spec.clone()], Duration::from_millis(400)).await;
    let charger = world.register(&spec, "Bay 1", 6, 16).await;
    Setup {
        control: world.control(),
        world,
        charger,
    }
}

type Row = (String, String, Option<i64>, Option<String>, Option<String>);

async fn rows(db: &Db) -> Vec<Row> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT action, outcome, upstream_status, upstream_answer, error FROM audit_events ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap())
}

async fn assert_no_token_in_audit(db: &Db) {
    let texts: Vec<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT coalesce(actor,'') || coalesce(upstream_answer,'') || coalesce(previous_settings,'') \
         || coalesce(error,'') || coalesce(subject,'') FROM audit_events",
    )
    .fetch_all(pool)
    .await
    .unwrap());
    assert!(!texts.is_empty());
    assert!(!texts.concat().contains(TOKEN));
}

#[tokio::test]
async fn set_is_received_visible_and_audited_with_its_context() {
    let s = setup().await;
    let outcome = s
        .control
        .set_target(&actor("olga"), s.charger, 10, 7200)
        .await
        .unwrap();
    assert_eq!(outcome.outcome, Outcome::Received);
    assert!(outcome.succeeded());
    assert_eq!(
        (outcome.requested_current, outcome.requested_duration),
        (Some(10), Some(7200))
    );
    let live = s.control.live(s.charger).await.unwrap();
    assert_eq!(live.settings.current, Some(10));
    assert!(live.plugs[0].max_phase_current().unwrap() <= 10.0);

    type Context = (
        String,
        String,
        i64,
        i64,
        Option<i64>,
        String,
        String,
        String,
    );
    let row: Context = on_db!(s.world.db(), pool => sqlx::query_as(
        "SELECT actor, charger_name, requested_current, requested_duration, upstream_status, \
         upstream_answer, request_id, client_ip FROM audit_events WHERE id = $1",
    )
    .bind(outcome.audit_id)
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(
        (row.0.as_str(), row.1.as_str(), row.2, row.3),
        ("olga", "Bay 1", 10, 7200)
    );
    assert_eq!(row.4, Some(201));
    assert!(row.5.contains("\"received\""));
    assert_eq!((row.6.as_str(), row.7.as_str()), ("req-1", "127.0.0.1"));
    assert_no_token_in_audit(s.world.db()).await;
}

#[tokio::test]
async fn a_disconnected_device_rejects_and_it_is_audited() {
    let s = setup().await;
    s.world.sim.set_disconnected("evse", true);
    let outcome = s
        .control
        .set_target(&actor("olga"), s.charger, 10, 600)
        .await
        .unwrap();
    assert_eq!(outcome.outcome, Outcome::Rejected);
    assert_eq!(outcome.problem, None);
    assert_eq!(rows(s.world.db()).await[0].1, "rejected");
}

#[tokio::test]
async fn a_wrong_token_is_a_typed_error_audited_with_its_status() {
    let s = setup().await;
    s.world
        .registry
        .set_token(s.charger, &EvseToken::new("tok-not-the-right-one"))
        .await
        .unwrap();
    let outcome = s
        .control
        .set_target(&actor("olga"), s.charger, 10, 600)
        .await
        .unwrap();
    assert_eq!(outcome.outcome, Outcome::Error);
    assert_eq!(
        outcome.problem,
        Some(Problem::Clemap(ClemapFailure::TokenRejected {
            status: 401
        }))
    );
    let row = &rows(s.world.db()).await[0];
    assert_eq!((row.1.as_str(), row.2), ("error", Some(401)));
    assert_no_token_in_audit(s.world.db()).await;
}

#[tokio::test]
async fn an_upstream_timeout_is_an_error_and_nothing_hangs() {
    let s = setup().await;
    s.world.sim.set_faults(Faults {
        hang: true,
        ..Faults::default()
    });
    let started = Instant::now();
    let outcome = s
        .control
        .set_target(&actor("olga"), s.charger, 10, 600)
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(outcome.outcome, Outcome::Error);
    assert!(
        matches!(
            outcome.problem,
            Some(Problem::Clemap(ClemapFailure::Timeout { .. }))
        ),
        "{:?}",
        outcome.problem
    );
    assert_eq!(s.world.sim.requests().len(), 1, "a set is never retried");
    let row = &rows(s.world.db()).await[0];
    assert_eq!(row.1, "error");
    assert!(row.4.as_deref().unwrap().contains("timeout"), "{row:?}");
}

#[tokio::test]
async fn out_of_range_input_is_refused_without_an_upstream_request() {
    let s = setup().await;
    let amps = |got| {
        Invalid::new(
            Field::Amps,
            Rule::OutOfRange {
                got,
                min: 6,
                max: 16,
            },
        )
    };
    let duration = |got| {
        Invalid::new(
            Field::Duration,
            Rule::OutOfRange {
                got,
                min: 60,
                max: 86_400,
            },
        )
    };
    for (a, d, expect) in [
        (5, 600, amps(5)),
        (17, 600, amps(17)),
        (-1, 600, amps(-1)),
        (10, 59, duration(59)),
        (10, 86_401, duration(86_401)),
    ] {
        let outcome = s
            .control
            .set_target(&actor("olga"), s.charger, a, d)
            .await
            .unwrap();
        assert_eq!(outcome.outcome, Outcome::Refused);
        assert_eq!(outcome.problem, Some(Problem::Invalid(expect)));
    }
    assert!(
        s.world.sim.requests().is_empty(),
        "the simulator saw {:?}",
        s.world.sim.requests()
    );
    let rows = rows(s.world.db()).await;
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r.1 == "refused" && r.2.is_none()));
}

#[tokio::test]
async fn reset_returns_and_records_the_previous_settings() {
    let s = setup().await;
    let olga = actor("olga");
    s.control
        .set_target(&olga, s.charger, 12, 3600)
        .await
        .unwrap();
    let outcome = s.control.reset(&olga, s.charger).await.unwrap();
    assert_eq!(outcome.outcome, Outcome::Received);
    let previous = outcome.previous.clone().unwrap();
    assert_eq!(previous.current, Some(12));
    assert!(previous.valid_until.is_some());
    assert_eq!(
        s.control.live(s.charger).await.unwrap().settings.current,
        None
    );
    let stored: String = on_db!(s.world.db(), pool => {
        sqlx::query_scalar("SELECT previous_settings FROM audit_events WHERE id = $1")
            .bind(outcome.audit_id)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert!(stored.contains("\"current\":12"), "{stored}");

    let again = s.control.reset(&olga, s.charger).await.unwrap();
    assert_eq!(again.previous.and_then(|p| p.current), None);
}

#[tokio::test]
async fn a_row_cut_off_between_intent_and_outcome_becomes_unknown() {
    let s = setup().await;
    // What a crash leaves behind: the intent, committed, never completed.
    let id = s
        .world
        .audit
        .begin(
            &actor("olga"),
            evse_dashboard::audit::Intent {
                action: AuditAction::SetTarget,
                charger_id: s.charger,
                charger_name: "Bay 1",
                requested_current: Some(10),
                requested_duration: Some(600),
                batch_id: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(rows(s.world.db()).await[0].1, "pending");
    // A row begun after the cutoff may still be waiting on its call.
    let before = chrono::Utc::now() - chrono::TimeDelta::minutes(1);
    assert_eq!(s.world.audit.resolve_pending(before).await.unwrap(), 0);
    let now = chrono::Utc::now() + chrono::TimeDelta::milliseconds(5);
    assert_eq!(s.world.audit.resolve_pending(now).await.unwrap(), 1);
    let outcome = s.control.outcome(id).await.unwrap();
    assert_eq!(outcome.outcome, Outcome::Unknown);
    assert_eq!(outcome.problem, Some(Problem::Interrupted));
    // Completed rows are not touched again.
    assert_eq!(s.world.audit.resolve_pending(now).await.unwrap(), 0);
}

#[tokio::test]
async fn history_lists_the_latest_events_newest_first() {
    let s = setup().await;
    let olga = actor("olga");
    for amps in [6, 7, 8] {
        s.control
            .set_target(&olga, s.charger, amps, 600)
            .await
            .unwrap();
    }
    s.control.reset(&olga, s.charger).await.unwrap();
    let history = s.control.history(s.charger, 10).await.unwrap();
    let actions: Vec<_> = history
        .iter()
        .map(|h| (h.action, h.requested_current))
        .collect();
    assert_eq!(
        actions,
        [
            (AuditAction::ResetTarget, None),
            (AuditAction::SetTarget, Some(8)),
            (AuditAction::SetTarget, Some(7)),
            (AuditAction::SetTarget, Some(6))
        ]
    );
}
