//! The set/reset journey over HTTP: roles, the plain-form (no JavaScript)
//! path, and pending rows resolved at restart.

use app::error::AppError;
use app::server_fns::control::{ChargerHistory, ChargerLiveCall, ResetTarget, SetTarget};
use evse_dashboard::audit::{Actor, Intent, Who};
use evse_dashboard::clemap::simulator::{SimulatorHandle, StationSpec, Vehicle};
use evse_dashboard::types::{
    AuditAction, AuditEntry, ControlOutcome, Field, Invalid, Outcome, Problem, Role, Rule,
};
use server::Application;

use crate::helpers::{TestApp, failed, ok, spawn_app_with_fleet, test_config};

const TOKEN: &str = "tok-http-0a1b2c3d4e5f60718293a4b5";

async fn app_with_charger() -> (TestApp, SimulatorHandle, i64) {
    let spec = StationSpec::new("edge", "evse", TOKEN, 32, Vehicle::Charging);
    let (app, sim) = spawn_app_with_fleet(vec![spec.clone()]).await;
    let id = app.register(&spec, "Bay 1", 32).await;
    (app, sim, id)
}

fn set(charger_id: i64, amps: &str, duration: &str) -> SetTarget {
    SetTarget {
        charger_id,
        amps: amps.into(),
        duration: duration.into(),
        custom_minutes: None,
        confirmed: None,
    }
}

fn reset(charger_id: i64) -> ResetTarget {
    ResetTarget {
        charger_id,
        confirmed: None,
    }
}

#[tokio::test]
async fn an_operator_sets_and_resets_a_viewer_cannot() {
    let (app, sim, id) = app_with_charger().await;
    app.create_user("op", Role::Operator).await;
    app.create_user("view", Role::Viewer).await;
    let operator = app.login("op").await;
    let viewer = app.login("view").await;

    let (status, error) = failed(app.call_fn(&viewer, set(id, "10", "7200")).await).await;
    assert_eq!(status, 403);
    assert_eq!(
        error,
        AppError::Forbidden {
            role: Role::Viewer,
            needed: Role::Operator
        }
    );
    assert!(sim.requests().is_empty());

    let outcome: ControlOutcome = ok(app.call_fn(&operator, set(id, "10", "7200")).await).await;
    assert_eq!(outcome.outcome, Outcome::Received);
    assert_eq!(sim.active_target("evse").map(|t| t.0), Some(10));

    // Custom minutes, and a typo refused with a reason, audited.
    let custom = SetTarget {
        custom_minutes: Some("45".into()),
        ..set(id, "8", "custom")
    };
    let outcome: ControlOutcome = ok(app.call_fn(&operator, custom).await).await;
    assert_eq!(
        (outcome.requested_current, outcome.requested_duration),
        (Some(8), Some(2700))
    );
    let outcome: ControlOutcome = ok(app.call_fn(&operator, set(id, "8.5", "600")).await).await;
    assert_eq!(outcome.outcome, Outcome::Refused);
    assert_eq!(
        outcome.problem,
        Some(Problem::Invalid(Invalid::new(
            Field::Amps,
            Rule::not_a_whole_number("8.5")
        )))
    );

    let outcome: ControlOutcome = ok(app.call_fn(&operator, reset(id)).await).await;
    assert_eq!(outcome.previous.unwrap().current, Some(8));

    // The viewer reads live status and the history, which names both.
    let live = app.call_fn(&viewer, ChargerLiveCall { id }).await;
    assert_eq!(live.status(), 200);
    let history: Vec<AuditEntry> = ok(app.call_fn(&viewer, ChargerHistory { id }).await).await;
    let actions: Vec<AuditAction> = history.iter().map(|e| e.action).collect();
    assert!(
        actions.contains(&AuditAction::SetTarget) && actions.contains(&AuditAction::ResetTarget)
    );
    // A viewer's charger page has no form.
    let page = app.page(&viewer, &format!("/chargers/{id}")).await;
    assert!(page.contains("Bay 1"));
    assert!(
        !page.contains("data-testid=\"target-form\""),
        "viewer sees a form"
    );
    let page = app.page(&operator, &format!("/chargers/{id}")).await;
    assert!(
        page.contains("data-testid=\"target-form\""),
        "operator sees no form"
    );
    assert!(!page.contains(TOKEN));
}

#[tokio::test]
async fn a_plain_form_post_lands_on_the_server_rendered_outcome() {
    let (app, sim, id) = app_with_charger().await;
    app.create_user("nojs", Role::Operator).await;
    let operator = app.login("nojs").await;
    let res = operator
        .post(app.url("/api/set_target"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", app.url(&format!("/chargers/{id}")))
        .body(format!(
            "charger_id={id}&amps=11&duration=3600&custom_minutes=&confirmed=yes"
        ))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("/chargers/{id}?outcome=")),
        "{location}"
    );
    assert_eq!(sim.active_target("evse").map(|t| t.0), Some(11));

    let page = app.page(&operator, &location).await;
    assert!(
        page.contains("Requested 11 A for 1 h — CLEMAP received it"),
        "the outcome is rendered on the server"
    );
}

#[tokio::test]
async fn pending_rows_become_unknown_when_the_server_restarts() {
    let data_dir = tempfile::tempdir().unwrap();
    let config = test_config(data_dir.path());
    let first = Application::build(config.clone()).await.unwrap();
    let pool = first.services().audit.db().as_sqlite().unwrap().clone();
    let actor = Actor::of(Who::Unknown {
        name: "olga".into(),
    });
    let intent = Intent {
        action: AuditAction::SetTarget,
        charger_id: 1,
        charger_name: "Bay 1",
        requested_current: Some(10),
        requested_duration: Some(600),
        batch_id: None,
    };
    let id = first.services().audit.begin(&actor, intent).await.unwrap();
    // "Crash": the process goes away with the row still pending.
    drop(first);
    pool.close().await;

    let second = Application::build(config).await.unwrap();
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM audit_events WHERE id = ?")
        .bind(id)
        .fetch_one(second.services().audit.db().as_sqlite().unwrap())
        .await
        .unwrap();
    assert_eq!(outcome, "unknown");
}

/// A client that gives up while CLEMAP is still answering does not leave
/// the attempt half done: the call and its audit outcome run to the end.
#[tokio::test]
async fn an_abandoned_set_still_completes_its_audit_row() {
    let (app, sim, id) = app_with_charger().await;
    app.create_user("hasty", Role::Operator).await;
    let operator = app.login("hasty").await;
    let slow = evse_dashboard::clemap::simulator::Faults {
        latency: std::time::Duration::from_millis(700),
        ..Default::default()
    };
    sim.set_faults(slow);
    let gave_up = operator
        .post(app.url("/api/set_target"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(format!("charger_id={id}&amps=9&duration=600"))
        .timeout(std::time::Duration::from_millis(150))
        .send()
        .await;
    assert!(gave_up.is_err(), "the client should have timed out");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let outcome: String =
        sqlx::query_scalar("SELECT outcome FROM audit_events WHERE action = 'set_target'")
            .fetch_one(app.sqlite())
            .await
            .unwrap();
    assert_eq!(
        outcome, "received",
        "the attempt was cut off with the request"
    );
    assert_eq!(sim.active_target("evse").map(|t| t.0), Some(9));
}
