//! Starts the real server on port 0 with a fresh data directory, logs
//! users in over HTTP like a browser would, and calls server functions with
//! their typed arguments (encoded as the browser's forms encode them).

use std::net::SocketAddr;
use std::path::PathBuf;

use app::error::AppError;
use evse_dashboard::clemap::ClientConfig;
use evse_dashboard::clemap::simulator::{self, Fleet, SimulatorHandle, StationSpec};
use evse_dashboard::secret::{EvseToken, Password};
use evse_dashboard::services::Services;
use evse_dashboard::types::{ChargerInput, Role};
use leptos::server_fn::ServerFn;
use serde::Serialize;
use serde::de::DeserializeOwned;
use server::{Application, ServeConfig};
use strum::IntoEnumIterator;
use tokio::sync::oneshot;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub addr: SocketAddr,
    /// Without a cookie store: an anonymous browser.
    pub client: reqwest::Client,
    pub services: Services,
    /// Held so the directory lives as long as the app.
    #[allow(dead_code)]
    pub data_dir: tempfile::TempDir,
    /// The serving task: aborting it drops every connection and request
    /// in flight at once.
    pub server: tokio::task::JoinHandle<Result<(), server::StartError>>,
    /// Where `/metrics` is served, when the config asked for it.
    pub metrics: Option<SocketAddr>,
    _stop: oneshot::Sender<()>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The configuration tests start from: loopback, port 0, CLEMAP nowhere.
pub fn test_config(data_dir: &std::path::Path) -> ServeConfig {
    ServeConfig {
        renders_at_once: server::read_bound::RENDERS_AT_ONCE,
        changes_per_minute: evse_dashboard::audit::repeats::CHANGES_PER_MINUTE,
        data_dir: data_dir.to_owned(),
        database_url: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        site_dir: PathBuf::from("target/site"),
        clemap: ClientConfig::new("http://127.0.0.1:9"),
        sessions: server::http::SessionConfig {
            secure_cookies: false,
            idle_timeout: std::time::Duration::from_secs(3600),
        },
        limits: Default::default(),
        // No sampling round of its own: tests that count CLEMAP's requests
        // drive reads themselves (a first view reads a charger never read).
        history: evse_dashboard::history::HistoryConfig {
            start_after: std::time::Duration::from_secs(24 * 3600),
            ..Default::default()
        },
        trusted_proxies: Vec::new(),
        connections: Default::default(),
        export_time_limit: std::time::Duration::from_secs(600),
        metrics_listen: None,
        api_writes_per_minute: std::num::NonZeroU32::new(60).unwrap(),
        offline_after: std::time::Duration::from_secs(120),
        share_hold: std::time::Duration::from_secs(600),
        public_url: None,
        mail: None,
        webhook_allow: Vec::new(),
    }
}

/// The app against a simulated CLEMAP with `stations`.
pub async fn spawn_app_with_fleet(stations: Vec<StationSpec>) -> (TestApp, SimulatorHandle) {
    let sim = simulator::spawn(Fleet { stations }).await.unwrap();
    let url = sim.base_url();
    let app = spawn_app_with(|c| c.clemap = ClientConfig::new(url)).await;
    (app, sim)
}

pub async fn spawn_app_with(tune: impl FnOnce(&mut ServeConfig)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(data_dir.path());
    tune(&mut config);
    spawn_configured(data_dir, config).await
}

/// Builds and serves `config`, whose data directory is `data_dir`.
pub async fn spawn_configured(data_dir: tempfile::TempDir, config: ServeConfig) -> TestApp {
    let app = Application::build(config).await.expect("app builds");
    let addr = app.local_addr();
    let metrics = app.metrics_addr();
    let services = app.services().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    TestApp {
        addr,
        client: client(),
        services,
        data_dir,
        server,
        metrics,
        _stop: stop,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        // A hung request fails its test instead of hanging the suite.
        // Generous: a loaded CI machine runs many servers at once; the
        // timeout only stops a hung test.
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap()
}

impl TestApp {
    /// Stops the server as a shutdown would (its data directory's lock is
    /// released) and hands the data directory back, for a restart.
    pub async fn stop(self) -> tempfile::TempDir {
        let Self {
            data_dir,
            server,
            _stop,
            ..
        } = self;
        drop(_stop);
        let _ = server.await;
        data_dir
    }

    /// The API tests run on SQLite (the store-level tests and
    /// `instances.rs` cover PostgreSQL).
    pub fn sqlite(&self) -> &sqlx::SqlitePool {
        self.services
            .audit
            .db()
            .as_sqlite()
            .expect("the API tests run on SQLite")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn create_user(&self, username: &str, role: Role) {
        self.services
            .users
            .create(username, &Password::new(PASSWORD), role)
            .await
            .expect("user created");
    }

    /// Registers `spec` in site "Depot" with a 6–`max` A range.
    pub async fn register(&self, spec: &StationSpec, name: &str, max: u32) -> i64 {
        let input = ChargerInput {
            name: name.into(),
            site: "Depot".into(),
            edge_device_id: spec.edge_device_id.clone(),
            evse_uuid: spec.uuid.clone(),
            min_current: Some(6),
            max_current: Some(max),
            notes: None,
        };
        self.services
            .registry
            .add(&input, &EvseToken::new(spec.token.as_str()))
            .await
            .expect("charger registered")
            .id
    }

    /// Calls a server function with its typed arguments, form-encoded at
    /// its own path, as a script would (JSON back).
    pub async fn call_fn<S>(&self, client: &reqwest::Client, args: S) -> reqwest::Response
    where
        S: ServerFn + Serialize,
    {
        let body = serde_qs::to_string(&args).expect("arguments encode");
        client
            .post(self.url(S::PATH))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// A page's HTML as `client` sees it.
    pub async fn page(&self, client: &reqwest::Client, path: &str) -> String {
        let res = client.get(self.url(path)).send().await.unwrap();
        res.text().await.unwrap()
    }

    /// Calls a server function with a hand-made body (for malformed input).
    pub async fn call(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        body: &str,
    ) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    /// A fresh client logged in as `username`.
    pub async fn login(&self, username: &str) -> reqwest::Client {
        let client = client();
        let res = self
            .call(
                &client,
                "login",
                &format!(
                    "username={username}&password={}&next=/",
                    PASSWORD.replace(' ', "+")
                ),
            )
            .await;
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "login failed: {}",
            res.status()
        );
        client
    }

    /// A user of each role, logged in.
    pub async fn role_clients(&self) -> Vec<(Role, reqwest::Client)> {
        let mut out = Vec::new();
        for role in Role::iter() {
            let name = format!("{}-user", role.as_str());
            self.create_user(&name, role).await;
            out.push((role, self.login(&name).await));
        }
        out
    }
}

/// The answer of a call that must have succeeded.
pub async fn ok<T: DeserializeOwned>(res: reqwest::Response) -> T {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The status and typed error of a call that must have failed.
pub async fn failed(res: reqwest::Response) -> (u16, AppError) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert!(status >= 400, "expected a failure, got {status}: {text}");
    let error = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, error)
}
