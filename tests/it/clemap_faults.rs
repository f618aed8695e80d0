//! How the client fails: every error class against the simulator's
//! faults, typed and without the token.

use std::time::{Duration, Instant};

use evse_dashboard::clemap::model::TargetRequest;
use evse_dashboard::clemap::simulator::{self, Faults, Fleet};
use evse_dashboard::clemap::{ClemapClient, ClemapError, ClientConfig, EvseAddress};
use evse_dashboard::secret::EvseToken;

use crate::clemap_contract::{TOKEN, assert_no_token, setup, setup_with};

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
async fn a_hanging_upstream_times_out_once_however_many_retries() {
    // Retries stay inside the one timeout (500 ms here): three tries of a
    // hanging station took 3 × the timeout before.
    let s = setup_with(|c| c.read_retries = 2).await;
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
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
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

/// A redirect would carry the evsetoken to wherever it points.
#[tokio::test]
async fn a_redirect_is_not_followed_and_the_token_goes_nowhere_else() {
    let elsewhere = simulator::spawn(Fleet { stations: vec![] }).await.unwrap();
    let s = setup().await;
    s.sim.set_faults(Faults {
        redirect_to: Some(format!(
            "{}/edgedevices/x/evses/y/currentsettings",
            elsewhere.base_url()
        )),
        ..Faults::default()
    });
    let err = s
        .client
        .current_settings(&s.evse, &s.token)
        .await
        .unwrap_err();
    assert_eq!(err.http_status(), Some(301), "{err}");
    assert!(
        elsewhere.requests().is_empty(),
        "the redirect was followed: {:?}",
        elsewhere.requests()
    );
}

#[tokio::test]
async fn an_oversized_answer_is_refused_not_buffered() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        oversized: Some(5 * 1024 * 1024),
        ..Faults::default()
    });
    let err = s
        .client
        .current_settings(&s.evse, &s.token)
        .await
        .unwrap_err();
    assert!(matches!(err, ClemapError::TooLarge { .. }), "{err}");
}

/// serde's message quotes the value it choked on; CLEMAP could echo
/// anything, even the token.
#[tokio::test]
async fn a_decode_error_does_not_quote_what_it_choked_on() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        wrong_shape: Some(TOKEN.into()),
        ..Faults::default()
    });
    let err = s
        .client
        .current_settings(&s.evse, &s.token)
        .await
        .unwrap_err();
    assert!(matches!(err, ClemapError::Undecodable { .. }), "{err}");
    assert_no_token(&err);
}

/// However many callers, no more than `max_in_flight` requests are at
/// CLEMAP at once.
#[tokio::test]
async fn calls_beyond_the_in_flight_cap_wait_their_turn() {
    let s = setup_with(|c| {
        c.max_in_flight = 2;
        c.request_timeout = Duration::from_secs(5);
    })
    .await;
    s.sim.set_faults(Faults {
        latency: Duration::from_millis(300),
        ..Faults::default()
    });
    let started = std::time::Instant::now();
    let reads = (0..6).map(|_| s.client.current_settings(&s.evse, &s.token));
    for r in futures::future::join_all(reads).await {
        r.unwrap();
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(850),
        "6 reads, 2 at a time, took {elapsed:?}"
    );
}
