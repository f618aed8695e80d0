//! What `serve` runs with, resolved from flags, environment and defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use evse_dashboard::clemap::ClientConfig;
use evse_dashboard::db::DatabaseUrl;

use crate::{cli, http, listener, site};

/// Everything `serve` needs, resolved from flags, environment and defaults.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Holds the key files, and the SQLite database unless `database_url`.
    pub data_dir: PathBuf,
    /// PostgreSQL (or another SQLite file) instead of the data directory's.
    pub database_url: Option<DatabaseUrl>,
    pub listen: SocketAddr,
    pub site_dir: PathBuf,
    pub clemap: ClientConfig,
    pub sessions: http::SessionConfig,
    pub limits: evse_dashboard::types::TargetLimits,
    /// The status sampler: interval, keeping, settle time.
    pub history: evse_dashboard::history::HistoryConfig,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub connections: listener::ConnectionLimits,
    /// How long one CSV export may run.
    pub export_time_limit: Duration,
    /// Reads rendered at once before they wait their turn (#38).
    pub renders_at_once: usize,
    /// Sets and resets per person or token and minute (#37).
    pub changes_per_minute: u32,
    /// Where `/metrics` is served; off when `None`.
    pub metrics_listen: Option<SocketAddr>,
    /// `/api/v1` changes per minute and token.
    pub api_writes_per_minute: std::num::NonZeroU32,
    /// How long a charger is offline before it is news (#31).
    pub offline_after: Duration,
    /// How long each shared target holds (#40).
    pub share_hold: Duration,
    /// The dashboard's address for links in alerts; `http://LISTEN` if
    /// unset.
    pub public_url: Option<String>,
    /// Alert mails' server and sender; no mail without it.
    pub mail: Option<evse_dashboard::alerts::mail::MailSettings>,
    /// Private networks webhooks may reach (`--webhook-allow`).
    pub webhook_allow: Vec<ipnet::IpNet>,
}

impl ServeConfig {
    pub fn new(data: cli::DataArgs, web: cli::WebArgs, clemap_url: String) -> Self {
        let mut clemap = ClientConfig::new(clemap_url);
        clemap.request_timeout = Duration::from_secs(web.clemap_timeout);
        clemap.connect_timeout = Duration::from_secs(web.clemap_connect_timeout);
        clemap.allow_plain_http = web.clemap_allow_http;
        Self {
            site_dir: site::resolve_site_dir(web.site_dir.as_deref()),
            data_dir: data.data_dir,
            database_url: data.database_url,
            listen: web.listen,
            clemap,
            sessions: http::SessionConfig {
                // Plain http is only acceptable on the machine itself.
                secure_cookies: web.secure_cookies || !web.listen.ip().is_loopback(),
                idle_timeout: Duration::from_secs(web.session_idle_minutes * 60),
            },
            limits: evse_dashboard::types::TargetLimits {
                max_duration: web.max_target_hours * 3600,
                ..Default::default()
            },
            history: evse_dashboard::history::HistoryConfig {
                interval: Duration::from_secs(web.status_interval),
                keep_samples: Duration::from_secs(web.keep_samples * 3600),
                keep_history: Duration::from_secs(web.keep_history * 24 * 3600),
                settle: Duration::from_secs(web.settle_secs),
                offline_after: Duration::from_secs(web.offline_after),
                ..Default::default()
            },
            trusted_proxies: web.trusted_proxies,
            connections: listener::ConnectionLimits {
                max_connections: web.max_connections as usize,
                max_per_client: web.max_connections_per_client as usize,
                idle_timeout: Duration::from_secs(web.idle_timeout_secs),
                header_read_timeout: Duration::from_secs(web.header_read_timeout_secs),
                request_timeout: Duration::from_secs(web.request_timeout_secs),
            },
            export_time_limit: Duration::from_secs(web.export_time_limit_secs),
            renders_at_once: web.renders_at_once as usize,
            changes_per_minute: web.changes_per_minute,
            metrics_listen: web.metrics_listen,
            api_writes_per_minute: std::num::NonZeroU32::new(web.api_writes_per_minute)
                .unwrap_or(std::num::NonZeroU32::MIN),
            offline_after: Duration::from_secs(web.offline_after),
            share_hold: Duration::from_secs(web.share_hold_secs),
            public_url: web.public_url,
            mail: web.mail.settings(),
            webhook_allow: web.webhooks.webhook_allow,
        }
    }
}

impl ServeConfig {
    /// Where the data and the database are.
    pub fn data(&self) -> cli::DataArgs {
        cli::DataArgs {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
        }
    }
}
