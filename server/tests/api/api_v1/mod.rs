//! `/api/v1` (#30) over HTTP: tokens, roles, writes and their audit rows,
//! idempotency, rates, problem documents and the OpenAPI document.

mod across;
mod bad_input;
mod docs;
mod roles;
mod tokens;
mod writes;

use evse_dashboard::audit::{Actor, Who};
use evse_dashboard::clemap::simulator::{SimulatorHandle, StationSpec, Vehicle};
use evse_dashboard::types::Role;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app_with_fleet};

pub const EVSE_TOKEN: &str = "tok-api-v1-9a8b7c6d5e4f30211203";

/// A token of `role` named `name`, made as the CLI would.
pub async fn token(app: &TestApp, name: &str, role: Role) -> String {
    let actor = Actor::of(Who::Cli {
        os_user: "tester".into(),
    });
    let made = app
        .services
        .api_tokens
        .create(&actor, name, role, None)
        .await
        .expect("token made");
    made.secret.expose().to_owned()
}

/// The app with one charger (6–32 A) against the simulator.
pub async fn app_with_charger() -> (TestApp, SimulatorHandle, i64) {
    let spec = StationSpec::new("edge", "evse", EVSE_TOKEN, 32, Vehicle::Charging);
    let (app, sim) = spawn_app_with_fleet(vec![spec.clone()]).await;
    let id = app.register(&spec, "Bay 1", 32).await;
    (app, sim, id)
}

/// A request to `/api/v1{path}` with `token` (if any).
pub fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
) -> reqwest::RequestBuilder {
    let request = app
        .client
        .request(method, app.url(&format!("/api/v1{path}")));
    match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
}

/// Status, content type and JSON body.
pub async fn answer(request: reqwest::RequestBuilder) -> (u16, String, Value) {
    let res = request.send().await.expect("request sent");
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, kind, body)
}

/// Asserts an RFC 9457 problem document with `status`; returns it.
pub fn problem(answered: &(u16, String, Value), status: u16) -> Value {
    let (got, kind, body) = answered;
    assert_eq!(*got, status, "{body}");
    assert_eq!(kind, "application/problem+json", "{body}");
    for field in ["type", "title", "detail"] {
        assert!(
            body[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field} in {body}"
        );
    }
    assert_eq!(body["status"], status, "{body}");
    body.clone()
}
