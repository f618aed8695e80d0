//! The core journey against the simulator: set, read, reset, and every way
//! it can go wrong, each attempt audited (and never a token in the trail).

use std::time::{Duration, Instant};

use evse_dashboard::audit::{self, Actor};
use evse_dashboard::clemap::simulator::{
    self, Faults, Fleet, SimulatorHandle, StationSpec, Vehicle,
};
use evse_dashboard::clemap::{ClemapClient, ClientConfig};
use evse_dashboard::control::{Control, Limits};
use evse_dashboard::registry::Registry;
use evse_dashboard::secret::EvseToken;
use evse_dashboard::types::ChargerInput;
use evse_dashboard::vault::{TokenKey, Vault};

const TOKEN: &str = "tok-control-4f3e2d1c0b9a8f7e6d5c";

struct Setup {
    _dir: tempfile::TempDir,
    pool: sqlx::SqlitePool,
    sim: SimulatorHandle,
    control: Control,
    registry: Registry,
    charger: i64,
    actor: Actor,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let pool = evse_dashboard::db::open(dir.path()).await.unwrap();
    evse_dashboard::db::migrate(&pool).await.unwrap();
    let sim = simulator::spawn(Fleet {
        stations: vec![StationSpec::new(
            "edge",
            "evse",
            TOKEN,
            32,
            Vehicle::Charging,
        )],
    })
    .await
    .unwrap();
    let mut config = ClientConfig::new(sim.base_url());
    config.request_timeout = Duration::from_millis(400);
    config.retry_backoff = Duration::from_millis(5);
    let clemap = ClemapClient::new(config).unwrap();
    let registry = Registry::new(pool.clone(), Vault::new(TokenKey::generate()));
    let charger = registry
        .add(
            &ChargerInput {
                name: "Bay 1".into(),
                site: "Depot".into(),
                edge_device_id: "edge".into(),
                evse_uuid: "evse".into(),
                min_current: Some(6),
                max_current: Some(16),
                notes: None,
            },
            &EvseToken::new(TOKEN),
        )
        .await
        .unwrap()
        .id;
    let control = Control::new(pool.clone(), registry.clone(), clemap, Limits::default());
    let actor = Actor {
        user_id: Some(1),
        username: "olga".into(),
        request_id: Some("req-1".into()),
        client_ip: Some("127.0.0.1".into()),
    };
    Setup {
        _dir: dir,
        pool,
        sim,
        control,
        registry,
        charger,
        actor,
    }
}

async fn rows(
    pool: &sqlx::SqlitePool,
) -> Vec<(String, String, Option<i64>, Option<String>, Option<String>)> {
    sqlx::query_as("SELECT action, outcome, upstream_status, upstream_answer, error FROM audit_events ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn assert_no_token_in_audit(pool: &sqlx::SqlitePool) {
    let dump: Option<String> = sqlx::query_scalar(
        "SELECT group_concat(coalesce(actor,'') || coalesce(upstream_answer,'') || coalesce(previous_settings,'') \
         || coalesce(error,'') || coalesce(subject,''), '|') FROM audit_events",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(!dump.unwrap_or_default().contains(TOKEN));
}

#[tokio::test]
async fn set_is_received_visible_and_audited_with_its_context() {
    let s = setup().await;
    let outcome = s
        .control
        .set_target(&s.actor, s.charger, 10, 7200)
        .await
        .unwrap();
    assert_eq!(outcome.outcome, "received");
    assert!(outcome.succeeded());
    assert_eq!(
        outcome.message,
        "Requested 10 A for 2 h — CLEMAP received it (it may be held lower by the site limit)."
    );
    let live = s.control.live(s.charger).await.unwrap();
    assert_eq!(live.settings.current, Some(10));
    assert!(live.plugs[0].max_phase_current().unwrap() <= 10.0);

    let row: (
        String,
        String,
        i64,
        i64,
        Option<i64>,
        String,
        String,
        String,
    ) = sqlx::query_as(
        "SELECT actor, charger_name, requested_current, requested_duration, upstream_status, \
         upstream_answer, request_id, client_ip FROM audit_events WHERE id = ?",
    )
    .bind(outcome.audit_id)
    .fetch_one(&s.pool)
    .await
    .unwrap();
    assert_eq!(
        (row.0.as_str(), row.1.as_str(), row.2, row.3),
        ("olga", "Bay 1", 10, 7200)
    );
    assert_eq!(row.4, Some(201));
    assert!(row.5.contains("\"received\""));
    assert_eq!((row.6.as_str(), row.7.as_str()), ("req-1", "127.0.0.1"));
    assert_no_token_in_audit(&s.pool).await;
}

#[tokio::test]
async fn a_disconnected_device_rejects_and_it_is_audited() {
    let s = setup().await;
    s.sim.set_disconnected("evse", true);
    let outcome = s
        .control
        .set_target(&s.actor, s.charger, 10, 600)
        .await
        .unwrap();
    assert_eq!(outcome.outcome, "rejected");
    assert!(
        outcome.message.contains("disconnected"),
        "{}",
        outcome.message
    );
    assert_eq!(rows(&s.pool).await[0].1, "rejected");
}

#[tokio::test]
async fn a_wrong_token_gives_the_token_sentence_audited_as_error() {
    let s = setup().await;
    s.registry
        .set_token(s.charger, &EvseToken::new("tok-not-the-right-one"))
        .await
        .unwrap();
    let outcome = s
        .control
        .set_target(&s.actor, s.charger, 10, 600)
        .await
        .unwrap();
    assert_eq!(outcome.outcome, "error");
    assert!(
        outcome
            .message
            .contains("ask an admin to update this charger's token"),
        "{}",
        outcome.message
    );
    let row = &rows(&s.pool).await[0];
    assert_eq!((row.1.as_str(), row.2), ("error", Some(401)));
    assert_no_token_in_audit(&s.pool).await;
}

#[tokio::test]
async fn an_upstream_timeout_is_an_error_and_nothing_hangs() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        hang: true,
        ..Faults::default()
    });
    let started = Instant::now();
    let outcome = s
        .control
        .set_target(&s.actor, s.charger, 10, 600)
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(outcome.outcome, "error");
    assert!(
        outcome.message.contains("did not answer in time"),
        "{}",
        outcome.message
    );
    assert_eq!(s.sim.requests().len(), 1, "a set is never retried");
    let row = &rows(&s.pool).await[0];
    assert_eq!(row.1, "error");
    assert!(row.4.as_deref().unwrap().contains("did not answer in time"));
}

#[tokio::test]
async fn out_of_range_input_is_refused_without_an_upstream_request() {
    let s = setup().await;
    for (amps, duration, expect) in [
        (5, 600, "outside this charger's range of 6–16 A"),
        (17, 600, "outside this charger's range of 6–16 A"),
        (-1, 600, "outside this charger's range"),
        (10, 59, "outside 1 min–24 h"),
        (10, 86_401, "outside 1 min–24 h"),
    ] {
        let outcome = s
            .control
            .set_target(&s.actor, s.charger, amps, duration)
            .await
            .unwrap();
        assert_eq!(outcome.outcome, "refused");
        assert!(
            outcome.message.contains(expect),
            "{amps} A {duration} s: {}",
            outcome.message
        );
    }
    assert!(
        s.sim.requests().is_empty(),
        "the simulator saw {:?}",
        s.sim.requests()
    );
    let rows = rows(&s.pool).await;
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r.1 == "refused" && r.2.is_none()));
}

#[tokio::test]
async fn reset_returns_and_records_the_previous_settings() {
    let s = setup().await;
    s.control
        .set_target(&s.actor, s.charger, 12, 3600)
        .await
        .unwrap();
    let outcome = s.control.reset(&s.actor, s.charger).await.unwrap();
    assert_eq!(outcome.outcome, "received");
    let previous = outcome.previous.clone().unwrap();
    assert_eq!(previous.current, Some(12));
    assert!(
        outcome
            .message
            .starts_with("Target reset — CLEMAP removed 12 A"),
        "{}",
        outcome.message
    );
    assert_eq!(
        s.control.live(s.charger).await.unwrap().settings.current,
        None
    );
    let stored: String =
        sqlx::query_scalar("SELECT previous_settings FROM audit_events WHERE id = ?")
            .bind(outcome.audit_id)
            .fetch_one(&s.pool)
            .await
            .unwrap();
    assert!(stored.contains("\"current\":12"), "{stored}");

    let again = s.control.reset(&s.actor, s.charger).await.unwrap();
    assert_eq!(again.message, "Target reset — there was no active target.");
}

#[tokio::test]
async fn a_row_cut_off_between_intent_and_outcome_becomes_unknown() {
    let s = setup().await;
    // What a crash leaves behind: the intent, committed, never completed.
    let id = audit::begin(
        &s.pool,
        &s.actor,
        audit::Intent {
            action: "set_target",
            charger_id: s.charger,
            charger_name: "Bay 1",
            requested_current: Some(10),
            requested_duration: Some(600),
            batch_id: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(rows(&s.pool).await[0].1, "pending");
    assert_eq!(audit::resolve_pending(&s.pool).await.unwrap(), 1);
    let outcome = s.control.outcome(id).await.unwrap();
    assert_eq!(outcome.outcome, "unknown");
    assert!(outcome.message.contains("stopped before CLEMAP answered"));
    // Completed rows are not touched again.
    assert_eq!(audit::resolve_pending(&s.pool).await.unwrap(), 0);
}

#[tokio::test]
async fn history_lists_the_latest_events_newest_first() {
    let s = setup().await;
    for amps in [6, 7, 8] {
        s.control
            .set_target(&s.actor, s.charger, amps, 600)
            .await
            .unwrap();
    }
    s.control.reset(&s.actor, s.charger).await.unwrap();
    let history = s.control.history(s.charger, 10).await.unwrap();
    let actions: Vec<_> = history
        .iter()
        .map(|h| (h.action.as_str(), h.requested_current))
        .collect();
    assert_eq!(
        actions,
        [
            ("reset_target", None),
            ("set_target", Some(8)),
            ("set_target", Some(7)),
            ("set_target", Some(6))
        ]
    );
}
