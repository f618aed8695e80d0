//! The server starts, renders the shell, answers server functions and the
//! health check, and tags every response with a request id.

use crate::helpers::spawn_app;
use evse_dashboard::types::Role;

#[tokio::test]
async fn healthz_reports_the_database() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], evse_dashboard::VERSION);
    assert!(body["database"].as_str().unwrap().starts_with("SQLite 3"));
}

#[tokio::test]
async fn the_shell_is_server_rendered_with_navigation_and_version() {
    let app = spawn_app().await;
    app.create_user("root", Role::Admin).await;
    let admin = app.login("root").await;
    let res = admin.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("EVSE dashboard"), "{html}");
    for nav in ["Overview", "Audit", "Admin"] {
        assert!(html.contains(&format!(">{nav}</a>")), "nav {nav} missing");
    }
    assert!(html.contains(evse_dashboard::VERSION));
    // The hydration loader points at the compiled bundle.
    assert!(html.contains("/pkg/evse-dashboard.js"), "{html}");
}

#[tokio::test]
async fn unknown_pages_are_404_with_a_way_back() {
    let app = spawn_app().await;
    app.create_user("root", Role::Viewer).await;
    let viewer = app.login("root").await;
    let res = viewer.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn the_server_info_function_round_trips() {
    let app = spawn_app().await;
    let res = app.call(&app.client, "server_info", "").await;
    assert_eq!(res.status(), 200);
    let info: evse_dashboard::types::ServerInfo = res.json().await.unwrap();
    assert_eq!(info.version, evse_dashboard::VERSION);
    assert!(info.database.starts_with("SQLite 3"));
    assert_eq!(
        info.migrations_applied,
        evse_dashboard::db::SQLITE_MIGRATOR.iter().count() as i64
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let first = app.client.get(app.url("/healthz")).send().await.unwrap();
    let second = app.client.get(app.url("/healthz")).send().await.unwrap();
    let id = |r: &reqwest::Response| {
        r.headers()
            .get("x-request-id")
            .expect("x-request-id header")
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_ne!(id(&first), id(&second), "ids must be unique per request");
}
