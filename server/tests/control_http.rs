//! The set/reset journey over HTTP: roles, the plain-form (no JavaScript)
//! path, and pending rows resolved at restart.

mod common;

use std::path::PathBuf;

use common::spawn_app_with;
use evse_dashboard::clemap::ClientConfig;
use evse_dashboard::clemap::simulator::{self, Fleet, StationSpec, Vehicle};
use evse_dashboard::secret::EvseToken;
use evse_dashboard::types::{ChargerInput, ControlOutcome, Role};
use server::{Application, ServeConfig};

const TOKEN: &str = "tok-http-0a1b2c3d4e5f60718293a4b5";

async fn app_with_charger() -> (common::TestApp, simulator::SimulatorHandle, i64) {
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
    let url = sim.base_url();
    let app = spawn_app_with(|c| c.clemap = ClientConfig::new(url)).await;
    let id = app
        .services
        .registry
        .add(
            &ChargerInput {
                name: "Bay 1".into(),
                site: "Depot".into(),
                edge_device_id: "edge".into(),
                evse_uuid: "evse".into(),
                min_current: Some(6),
                max_current: Some(32),
                notes: None,
            },
            &EvseToken::new(TOKEN),
        )
        .await
        .unwrap()
        .id;
    (app, sim, id)
}

#[tokio::test]
async fn an_operator_sets_and_resets_a_viewer_cannot() {
    let (app, sim, id) = app_with_charger().await;
    app.create_user("op", Role::Operator).await;
    app.create_user("view", Role::Viewer).await;
    let operator = app.login("op").await;
    let viewer = app.login("view").await;

    let res = app
        .call(
            &viewer,
            "set_target",
            &format!("charger_id={id}&amps=10&duration=7200"),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(sim.requests().is_empty());

    let res = app
        .call(
            &operator,
            "set_target",
            &format!("charger_id={id}&amps=10&duration=7200"),
        )
        .await;
    assert_eq!(res.status(), 200);
    let outcome: ControlOutcome = res.json().await.unwrap();
    assert_eq!(outcome.outcome, "received");
    assert_eq!(sim.active_target("evse").map(|t| t.0), Some(10));

    // Custom minutes, and a typo refused with a sentence.
    let res = app
        .call(
            &operator,
            "set_target",
            &format!("charger_id={id}&amps=8&duration=custom&custom_minutes=45"),
        )
        .await;
    let outcome: ControlOutcome = res.json().await.unwrap();
    assert_eq!(
        (outcome.requested_current, outcome.requested_duration),
        (Some(8), Some(2700))
    );
    let res = app
        .call(
            &operator,
            "set_target",
            &format!("charger_id={id}&amps=8.5&duration=600"),
        )
        .await;
    let outcome: ControlOutcome = res.json().await.unwrap();
    assert_eq!(outcome.outcome, "refused");
    assert!(outcome.message.contains("whole number of amperes"));

    let res = app
        .call(&operator, "reset_target", &format!("charger_id={id}"))
        .await;
    let outcome: ControlOutcome = res.json().await.unwrap();
    assert_eq!(outcome.previous.unwrap().current, Some(8));

    // The viewer reads live status and the history, which names both.
    let live = app.call(&viewer, "charger_live", &format!("id={id}")).await;
    assert_eq!(live.status(), 200);
    let history = app
        .call(&viewer, "charger_history", &format!("id={id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(history.contains("set_target") && history.contains("reset_target"));
    assert!(!history.contains(TOKEN));
    // A viewer's charger page has no form.
    let page = viewer
        .get(app.url(&format!("/chargers/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Bay 1"));
    assert!(
        !page.contains("data-testid=\"target-form\""),
        "viewer sees a form"
    );
    let page = operator
        .get(app.url(&format!("/chargers/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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

    let page = operator
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Requested 11 A for 1 h — CLEMAP received it"),
        "the outcome is rendered on the server"
    );
}

#[tokio::test]
async fn pending_rows_become_unknown_when_the_server_restarts() {
    let data_dir = tempfile::tempdir().unwrap();
    let config = ServeConfig {
        data_dir: data_dir.path().to_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        site_dir: PathBuf::from("target/site"),
        clemap: ClientConfig::new("http://127.0.0.1:9"),
        sessions: server::http::SessionConfig {
            secure_cookies: false,
            idle_timeout: std::time::Duration::from_secs(60),
        },
        limits: Default::default(),
        overview: Default::default(),
    };
    let first = Application::build(config.clone()).await.unwrap();
    let pool = first.services().pool.clone();
    let id = evse_dashboard::audit::begin(
        &pool,
        &evse_dashboard::audit::Actor {
            username: "olga".into(),
            ..Default::default()
        },
        evse_dashboard::audit::Intent {
            action: "set_target",
            charger_id: 1,
            charger_name: "Bay 1",
            requested_current: Some(10),
            requested_duration: Some(600),
            batch_id: None,
        },
    )
    .await
    .unwrap();
    // "Crash": the process goes away with the row still pending.
    drop(first);
    pool.close().await;

    let second = Application::build(config).await.unwrap();
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM audit_events WHERE id = ?")
        .bind(id)
        .fetch_one(&second.services().pool)
        .await
        .unwrap();
    assert_eq!(outcome, "unknown");
}
