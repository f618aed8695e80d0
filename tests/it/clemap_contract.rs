//! Contract tests: the typed client against the simulator, for every
//! endpoint and every error class, and proof that the token never shows up
//! in an error, its Debug form, or a log line.

use std::time::Duration;

use evse_dashboard::clemap::model::{PlugState, TargetRequest, TargetState};
use evse_dashboard::clemap::simulator::{self, Fleet, StationSpec, Vehicle};
use evse_dashboard::clemap::{ClemapClient, ClemapError, ClientConfig, EvseAddress};
use evse_dashboard::secret::EvseToken;

pub(crate) const TOKEN: &str = "tok-7d1f0c9e4b2a85f6e3d1c0b9a8f7e6d5";

pub(crate) fn station(uuid: &str, vehicle: Vehicle) -> StationSpec {
    StationSpec::new("edge-1", uuid, TOKEN, 32, vehicle)
}

pub(crate) struct Setup {
    pub(crate) sim: simulator::SimulatorHandle,
    pub(crate) client: ClemapClient,
    pub(crate) evse: EvseAddress,
    pub(crate) token: EvseToken,
}

pub(crate) async fn setup() -> Setup {
    setup_with(|_| {}).await
}

pub(crate) async fn setup_with(tune: impl FnOnce(&mut ClientConfig)) -> Setup {
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

pub(crate) fn assert_no_token(e: &ClemapError) {
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
