//! Starts the real server on port 0 with a fresh data directory, and logs
//! users in over HTTP like a browser would.

#![allow(dead_code)] // each test binary uses a different part

use std::net::SocketAddr;
use std::path::PathBuf;

use evse_dashboard::clemap::ClientConfig;
use evse_dashboard::secret::Password;
use evse_dashboard::services::Services;
use evse_dashboard::types::Role;
use server::{Application, ServeConfig};
use tokio::sync::oneshot;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub addr: SocketAddr,
    /// Without a cookie store: an anonymous browser.
    pub client: reqwest::Client,
    pub services: Services,
    pub data_dir: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(tune: impl FnOnce(&mut ServeConfig)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut config = ServeConfig {
        data_dir: data_dir.path().to_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        site_dir: PathBuf::from("target/site"),
        clemap: ClientConfig::new("http://127.0.0.1:9"),
        sessions: server::http::SessionConfig {
            secure_cookies: false,
            idle_timeout: std::time::Duration::from_secs(3600),
        },
        limits: Default::default(),
        overview: Default::default(),
    };
    tune(&mut config);
    let app = Application::build(config).await.expect("app builds");
    let addr = app.local_addr();
    let services = app.services().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    TestApp {
        addr,
        client: client(),
        services,
        data_dir,
        _stop: stop,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        // A hung request fails its test instead of hanging the suite.
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap()
}

impl TestApp {
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

    /// Calls a server function with a url-encoded body.
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
        for role in Role::ALL {
            let name = format!("{}-user", role.as_str());
            self.create_user(&name, role).await;
            out.push((role, self.login(&name).await));
        }
        out
    }
}
