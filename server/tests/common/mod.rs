//! Starts the real server on port 0 with a fresh data directory.

use std::net::SocketAddr;
use std::path::PathBuf;

use evse_dashboard::clemap::ClientConfig;
use server::{Application, ServeConfig};
use tokio::sync::oneshot;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    // Held so the data directory lives as long as the server.
    pub _data_dir: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

pub async fn spawn_app() -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let config = ServeConfig {
        data_dir: data_dir.path().to_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        site_dir: PathBuf::from("target/site"),
        clemap: ClientConfig::new("http://127.0.0.1:9"),
    };
    let app = Application::build(config).await.expect("app builds");
    let addr = app.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    TestApp {
        addr,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _data_dir: data_dir,
        _stop: stop,
    }
}
