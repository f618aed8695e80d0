//! With every log level on (ours and the HTTP libraries'), no error path of
//! the client writes the token into a log line.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use evse_dashboard::clemap::model::TargetRequest;
use evse_dashboard::clemap::simulator::{self, Faults, Fleet, StationSpec};
use evse_dashboard::clemap::{ClemapClient, ClientConfig, EvseAddress};
use evse_dashboard::secret::EvseToken;

const TOKEN: &str = "tok-logcheck-5e4d3c2b1a09f8e7d6c5b4a3";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_log_line_of_any_error_path_contains_the_token() {
    let capture = Capture::default();
    let writer = capture.clone();
    // This thread only: the test's runtime is single-threaded, so every
    // task it spawns (client, simulator) logs here; other tests do not.
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fleet = Fleet {
        stations: vec![StationSpec {
            edge_device_id: "edge".into(),
            uuid: "evse".into(),
            token: TOKEN.into(),
            rated_current: 32,
            name: None,
            site: None,
            disconnected: false,
            plugs: vec![],
            behaviour: Default::default(),
        }],
    };
    let sim = simulator::spawn(fleet).await.unwrap();
    let mut config = ClientConfig::new(sim.base_url());
    config.request_timeout = Duration::from_millis(300);
    config.retry_backoff = Duration::from_millis(1);
    let client = ClemapClient::new(config).unwrap();
    let evse = EvseAddress::new("edge", "evse");
    let token = EvseToken::new(TOKEN);
    let target = TargetRequest {
        current: 10,
        duration: 60,
    };

    let mut errors = Vec::new();
    // Success path, then each fault in turn.
    client.current_settings(&evse, &token).await.unwrap();
    for faults in [
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
        Faults {
            malformed: true,
            ..Faults::default()
        },
        Faults {
            hang: true,
            ..Faults::default()
        },
    ] {
        sim.set_faults(faults);
        errors.push(client.status(&evse, &token).await.unwrap_err());
        errors.push(client.set_target(&evse, &token, target).await.unwrap_err());
        errors.push(client.reset(&evse, &token).await.unwrap_err());
    }
    sim.clear_faults();
    errors.push(
        client
            .status(&EvseAddress::new("edge", "missing"), &token)
            .await
            .unwrap_err(),
    );
    errors.push(
        client
            .status(&evse, &EvseToken::new(format!("{TOKEN}-wrong")))
            .await
            .unwrap_err(),
    );
    for e in &errors {
        tracing::error!(error = %e, debug = ?e, "CLEMAP call failed");
    }

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("CLEMAP call failed"), "the capture works");
    assert!(
        logs.len() > 1000,
        "trace-level library logs were captured too"
    );
    assert!(!logs.contains(TOKEN), "token found in logs");
    assert!(
        !logs.contains("5e4d3c2b1a09"),
        "part of the token found in logs"
    );
}
