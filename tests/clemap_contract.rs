//! Contract tests: the typed client against the simulator, for every
//! endpoint and every error class, and proof that the token never shows up
//! in an error, its Debug form, or a log line.

use std::time::{Duration, Instant};

use evse_dashboard::clemap::model::{PlugState, TargetRequest, TargetState};
use evse_dashboard::clemap::simulator::{self, Faults, Fleet, StationSpec, Vehicle};
use evse_dashboard::clemap::{ClemapClient, ClemapError, ClientConfig, EvseAddress};
use evse_dashboard::secret::EvseToken;

const TOKEN: &str = "tok-7d1f0c9e4b2a85f6e3d1c0b9a8f7e6d5";

fn station(uuid: &str, vehicle: Vehicle) -> StationSpec {
    StationSpec::new("edge-1", uuid, TOKEN, 32, vehicle)
}

struct Setup {
    sim: simulator::SimulatorHandle,
    client: ClemapClient,
    evse: EvseAddress,
    token: EvseToken,
}

async fn setup() -> Setup {
    setup_with(|_| {}).await
}

async fn setup_with(tune: impl FnOnce(&mut ClientConfig)) -> Setup {
    let fleet = Fleet {
        stations: vec![
            station("evse-a", Vehicle::Charging),
            station("evse-b", Vehicle::None),
        ],
    };
    let sim = simulator::spawn(fleet).await.unwrap();
    let mut config = ClientConfig::new(sim.base_url());
    config.request_timeout = Duration::from_millis(500);
    config.retry_backoff = Duration::from_millis(10);
    tune(&mut config);
    Setup {
        client: ClemapClient::new(config).unwrap(),
        sim,
        evse: EvseAddress::new("edge-1", "evse-a"),
        token: EvseToken::new(TOKEN),
    }
}

fn assert_no_token(e: &ClemapError) {
    for text in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(
            !text.contains("7d1f0c9e"),
            "part of the token leaked: {text}"
        );
    }
}

#[tokio::test]
async fn get_settings_are_null_until_a_target_is_set() {
    let s = setup().await;
    let settings = s.client.current_settings(&s.evse, &s.token).await.unwrap();
    assert_eq!(settings.current, None);
    assert_eq!(settings.valid_until, None);
    let req = &s.sim.requests()[0];
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, "/edgedevices/edge-1/evses/evse-a/currentsettings");
    assert!(req.token_presented && req.token_valid);
}

#[tokio::test]
async fn set_then_get_then_reset() {
    let s = setup().await;
    let before = s.sim.now();
    let answer = s
        .client
        .set_target(
            &s.evse,
            &s.token,
            TargetRequest {
                current: 10,
                duration: 3600,
            },
        )
        .await
        .unwrap();
    assert_eq!(answer.state, TargetState::Received);
    assert_eq!((answer.current, answer.duration), (Some(10), Some(3600)));
    // The body went as integers.
    let body = s.sim.requests()[0].body.clone().unwrap();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json, serde_json::json!({"current": 10, "duration": 3600}));

    let settings = s.client.current_settings(&s.evse, &s.token).await.unwrap();
    assert_eq!(settings.current, Some(10));
    let until = settings.valid_until.unwrap();
    let expected = before + chrono::Duration::seconds(3600);
    assert!(
        (until - expected).num_seconds().abs() <= 2,
        "{until} vs {expected}"
    );

    let previous = s.client.reset(&s.evse, &s.token).await.unwrap();
    assert_eq!(previous.current, Some(10));
    assert_eq!(previous.valid_until, Some(until));
    let after = s.client.current_settings(&s.evse, &s.token).await.unwrap();
    assert_eq!(after.current, None);
}

#[tokio::test]
async fn targets_expire_after_their_duration() {
    let s = setup().await;
    s.client
        .set_target(
            &s.evse,
            &s.token,
            TargetRequest {
                current: 8,
                duration: 60,
            },
        )
        .await
        .unwrap();
    s.sim.advance_clock(Duration::from_secs(61));
    let settings = s.client.current_settings(&s.evse, &s.token).await.unwrap();
    assert_eq!((settings.current, settings.valid_until), (None, None));
}

#[tokio::test]
async fn a_disconnected_device_rejects_the_target() {
    let s = setup().await;
    s.sim.set_disconnected("evse-a", true);
    let answer = s
        .client
        .set_target(
            &s.evse,
            &s.token,
            TargetRequest {
                current: 10,
                duration: 60,
            },
        )
        .await
        .unwrap();
    assert_eq!(answer.state, TargetState::Rejected);
    assert_eq!(s.sim.active_target("evse-a"), None);
    let plugs = s.client.status(&s.evse, &s.token).await.unwrap();
    assert_eq!(plugs[0].status, PlugState::CloudOffline);
}

#[tokio::test]
async fn status_follows_the_target_and_never_exceeds_it() {
    let s = setup().await;
    let plugs = s.client.status(&s.evse, &s.token).await.unwrap();
    assert_eq!(plugs.len(), 1);
    assert_eq!(plugs[0].status, PlugState::Charging);
    assert_eq!(plugs[0].current_l1, Some(32.0));
    assert_eq!(plugs[0].dyn_current_limit, Some(32.0));

    s.client
        .set_target(
            &s.evse,
            &s.token,
            TargetRequest {
                current: 10,
                duration: 600,
            },
        )
        .await
        .unwrap();
    let plug = &s.client.status(&s.evse, &s.token).await.unwrap()[0];
    assert!(plug.max_phase_current().unwrap() <= 10.0);
    assert_eq!(plug.dyn_current_limit, Some(10.0));
    let power = plug.power.unwrap();
    assert!((power - 230.0 * 10.0 * 3.0).abs() < 1.0, "power {power}");

    // Below 6 A a vehicle pauses.
    s.client
        .set_target(
            &s.evse,
            &s.token,
            TargetRequest {
                current: 4,
                duration: 600,
            },
        )
        .await
        .unwrap();
    let plug = &s.client.status(&s.evse, &s.token).await.unwrap()[0];
    assert_eq!(plug.status, PlugState::Connected);
    assert_eq!(plug.power, Some(0.0));

    let idle = s
        .client
        .status(&EvseAddress::new("edge-1", "evse-b"), &s.token)
        .await
        .unwrap();
    assert_eq!(idle[0].status, PlugState::Idle);
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized_and_not_retried() {
    let s = setup().await;
    let wrong = EvseToken::new("tok-wrong-0000");
    let e = s
        .client
        .current_settings(&s.evse, &wrong)
        .await
        .unwrap_err();
    assert!(
        matches!(e, ClemapError::Unauthorized { status: 401, .. }),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "CLEMAP rejected this charger's token (HTTP 401)"
    );
    assert_eq!(s.sim.requests().len(), 1);
    assert!(!s.sim.requests()[0].token_valid);
    assert_no_token(&e);
}

#[tokio::test]
async fn unknown_ids_are_not_found() {
    let s = setup().await;
    for evse in [
        EvseAddress::new("edge-1", "no-such-evse"),
        EvseAddress::new("no-such-edge", "evse-a"),
    ] {
        let e = s.client.status(&evse, &s.token).await.unwrap_err();
        assert!(
            matches!(e, ClemapError::NotFound { status: 404, .. }),
            "{e:?}"
        );
        assert_no_token(&e);
    }
}

#[tokio::test]
async fn the_simulator_refuses_missing_tokens_and_bad_bodies() {
    let s = setup().await;
    let http = reqwest::Client::new();
    let url = format!(
        "{}/edgedevices/edge-1/evses/evse-a/currentsettings",
        s.sim.base_url()
    );

    let missing = http.get(&url).send().await.unwrap();
    assert_eq!(missing.status(), 401);

    let post = |body: &'static str| {
        http.post(&url)
            .header("evsetoken", TOKEN)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    assert_eq!(post("not json").await.unwrap().status(), 400);
    assert_eq!(
        post(r#"{"current": 10.5, "duration": 60}"#)
            .await
            .unwrap()
            .status(),
        422
    );
    assert_eq!(
        post(r#"{"current": "10", "duration": 60}"#)
            .await
            .unwrap()
            .status(),
        422
    );
    assert_eq!(post(r#"{"current": 10}"#).await.unwrap().status(), 422);
    assert_eq!(
        post(r#"{"current": 10, "duration": 60}"#)
            .await
            .unwrap()
            .status(),
        201
    );
}

#[tokio::test]
async fn a_rejected_body_is_a_bad_request_error() {
    let s = setup().await;
    // duration 0 passes the type system but the simulator refuses it.
    let e = s
        .client
        .set_target(
            &s.evse,
            &s.token,
            TargetRequest {
                current: 10,
                duration: 0,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, ClemapError::BadRequest { status: 422, .. }),
        "{e:?}"
    );
    assert!(e.excerpt().unwrap().contains("duration"));
    assert_no_token(&e);
}

#[tokio::test]
async fn upstream_errors_are_retried_for_reads_only() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });

    let e = s.client.status(&s.evse, &s.token).await.unwrap_err();
    assert!(
        matches!(e, ClemapError::Upstream { status: 503, .. }),
        "{e:?}"
    );
    assert_eq!(s.sim.requests().len(), 3, "one try plus two retries");
    assert_no_token(&e);

    s.sim.clear_requests();
    let e = s
        .client
        .set_target(
            &s.evse,
            &s.token,
            TargetRequest {
                current: 10,
                duration: 60,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ClemapError::Upstream { .. }));
    assert_eq!(s.sim.requests().len(), 1, "a POST is never retried");

    s.sim.clear_requests();
    s.client.reset(&s.evse, &s.token).await.unwrap_err();
    assert_eq!(s.sim.requests().len(), 1, "a DELETE is never retried");
}

#[tokio::test]
async fn a_read_recovers_when_a_retry_succeeds() {
    let s = setup().await;
    // A seeded 50 % error rate: some first tries fail, the retries mostly
    // succeed; over 20 reads nearly all must succeed.
    s.sim.set_faults(Faults {
        error_rate: 0.5,
        ..Faults::default()
    });
    let mut ok = 0;
    for _ in 0..20 {
        if s.client.status(&s.evse, &s.token).await.is_ok() {
            ok += 1;
        }
    }
    assert!(ok >= 15, "only {ok} of 20 reads succeeded");
    assert!(
        s.sim.requests().len() > 20,
        "some reads must have been retried"
    );
}

#[tokio::test]
async fn a_hanging_upstream_times_out() {
    let s = setup_with(|c| c.read_retries = 0).await;
    s.sim.set_faults(Faults {
        hang: true,
        ..Faults::default()
    });
    let started = Instant::now();
    let e = s
        .client
        .current_settings(&s.evse, &s.token)
        .await
        .unwrap_err();
    assert!(matches!(e, ClemapError::Timeout { .. }), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_no_token(&e);
}

#[tokio::test]
async fn a_malformed_body_is_undecodable() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        malformed: true,
        ..Faults::default()
    });
    let e = s
        .client
        .current_settings(&s.evse, &s.token)
        .await
        .unwrap_err();
    assert!(
        matches!(e, ClemapError::Undecodable { status: 200, .. }),
        "{e:?}"
    );
    assert!(e.excerpt().unwrap().contains("current"));
    assert_no_token(&e);
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_transport_error() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = ClientConfig::new(format!("http://127.0.0.1:{port}"));
    config.read_retries = 0;
    let client = ClemapClient::new(config).unwrap();
    let e = client
        .status(&EvseAddress::new("e", "u"), &EvseToken::new(TOKEN))
        .await
        .unwrap_err();
    assert!(matches!(e, ClemapError::Transport { .. }), "{e:?}");
    assert!(e.is_transient());
    assert_no_token(&e);
}

#[tokio::test]
async fn station_faults_override_fleet_faults() {
    let s = setup().await;
    s.sim.set_station_faults(
        "evse-b",
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );
    assert!(s.client.status(&s.evse, &s.token).await.is_ok());
    let b = EvseAddress::new("edge-1", "evse-b");
    assert!(s.client.status(&b, &s.token).await.is_err());
}

#[tokio::test]
async fn batch_status_runs_concurrently_and_keeps_failures_separate() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        latency: Duration::from_millis(100),
        ..Faults::default()
    });
    s.sim.set_station_faults(
        "evse-b",
        Faults {
            latency: Duration::from_millis(100),
            error_rate: 1.0,
            ..Faults::default()
        },
    );
    let stations: Vec<_> = (0..10)
        .map(|i| {
            let uuid = if i == 3 { "evse-b" } else { "evse-a" };
            (i, EvseAddress::new("edge-1", uuid), EvseToken::new(TOKEN))
        })
        .collect();
    let started = Instant::now();
    let results = s.client.status_many(stations, 10).await;
    let elapsed = started.elapsed();
    assert_eq!(
        results.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        (0..10).collect::<Vec<_>>()
    );
    assert!(
        results
            .iter()
            .filter(|(k, _)| *k != 3)
            .all(|(_, r)| r.is_ok())
    );
    assert!(results[3].1.is_err());
    // Serial would take ≥ 1 s (plus the failing one's retries).
    assert!(elapsed < Duration::from_millis(900), "took {elapsed:?}");
}

#[test]
fn the_client_debug_form_shows_no_token() {
    let token = EvseToken::new(TOKEN);
    assert!(!format!("{token:?}").contains(TOKEN));
}
