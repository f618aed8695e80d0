//! `/metrics`: off unless asked for, on its own port, and what it reports
//! moves with what the server does.

use app::server_fns::control::SetTarget;
use app::server_fns::overview::FleetOverview;
use evse_dashboard::clemap::ClientConfig;
use evse_dashboard::clemap::simulator::{self, Fleet, StationSpec, Vehicle};
use evse_dashboard::types::{ControlOutcome, Outcome, Role};

use crate::helpers::{ok, spawn_app, spawn_app_with};

const TOKEN: &str = "tok-metrics-5e0c2b9a7f1d4c36b8a2";

/// The value of the series `name{…}` whose labels contain every one of
/// `labels` (0 when it is not there yet).
fn value(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .filter(|(series, _)| {
            series.split('{').next() == Some(name) && labels.iter().all(|l| series.contains(l))
        })
        .map(|(_, v)| v.parse::<f64>().unwrap())
        .sum()
}

async fn scrape(addr: std::net::SocketAddr) -> String {
    let res = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

#[tokio::test]
async fn metrics_are_off_by_default_and_not_on_the_dashboard_port() {
    let app = spawn_app().await;
    assert_eq!(app.metrics, None);
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    let body = res.text().await.unwrap();
    assert!(!body.contains("evse_http_requests_total"), "{body}");
}

#[tokio::test]
async fn requests_calls_audit_rows_sessions_and_the_cache_are_reported() {
    let spec = StationSpec::new("edge", "evse", TOKEN, 32, Vehicle::Charging);
    let sim = simulator::spawn(Fleet {
        stations: vec![spec.clone()],
    })
    .await
    .unwrap();
    let url = sim.base_url();
    let app = spawn_app_with(|c| {
        c.clemap = ClientConfig::new(url);
        c.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let metrics = app.metrics.expect("metrics are served when asked for");
    let id = app.register(&spec, "Bay 1", 32).await;
    app.create_user("op", Role::Operator).await;
    let operator = app.login("op").await;

    let before = scrape(metrics).await;
    let set = SetTarget {
        charger_id: id,
        amps: "10".into(),
        duration: "600".into(),
        custom_minutes: None,
        confirmed: None,
    };
    let outcome: ControlOutcome = ok(app.call_fn(&operator, set).await).await;
    assert_eq!(outcome.outcome, Outcome::Received);
    // Twice: the first reads CLEMAP (a miss), the second the cache (a hit).
    for _ in 0..2 {
        let _: serde_json::Value = ok(app.call_fn(&operator, FleetOverview {}).await).await;
    }
    let after = scrape(metrics).await;

    let grew =
        |name: &str, labels: &[&str]| value(&after, name, labels) - value(&before, name, labels);
    let set_route = ["route=\"/api/set_target\"", "status=\"200\""];
    assert!(
        grew("evse_http_requests_total", &set_route) >= 1.0,
        "{after}"
    );
    assert!(
        grew(
            "evse_http_request_duration_seconds_count",
            &["route=\"/api/set_target\""]
        ) >= 1.0,
        "{after}"
    );
    let post_ok = ["operation=\"post_currentsettings\"", "outcome=\"ok\""];
    assert!(grew("evse_clemap_calls_total", &post_ok) >= 1.0, "{after}");
    assert!(grew("evse_clemap_call_duration_seconds_count", &post_ok) >= 1.0);
    assert!(grew("evse_audit_rows_written_total", &["action=\"set_target\""]) >= 1.0);
    assert!(grew("evse_audit_outcomes_total", &["outcome=\"received\""]) >= 1.0);
    assert!(value(&after, "evse_sessions", &[]) >= 1.0, "{after}");
    // The pages read the sampler's readings (#28: there is no per-view
    // cache any more): the sampler's first round, or the first view of a
    // charger never read, has read it.
    assert!(
        value(&after, "evse_status_readings_total", &[]) >= 1.0,
        "{after}"
    );
    assert!(value(&after, "evse_tokio_alive_tasks", &[]) >= 1.0);
    assert!(value(&after, "process_open_fds", &[]) >= 3.0);
    assert!(value(&after, "evse_http_connections_open", &[]) >= 1.0);
    assert!(!after.contains(TOKEN));
}
