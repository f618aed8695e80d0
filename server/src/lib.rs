//! The `evse-dashboard` executable as a library, so integration tests can
//! start the real server on port 0 (see `Application`).

pub mod alerts;
pub mod api_v1;
pub mod assets;
pub mod backend;
pub mod cli;
pub mod client_ip;
pub mod commands;
pub mod export;
pub mod history_export;
pub mod http;
pub mod listener;
pub mod memory;
pub mod metrics;
pub mod one_click;
pub mod read_bound;
pub mod security;
pub mod session_cache;
pub mod site;
pub mod state;
pub mod telemetry;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use evse_dashboard::clemap::{ClemapClient, ClientBuildError, ClientConfig};
use evse_dashboard::db::{Backend, DatabaseUrl, Db, Pool};
use evse_dashboard::services::Services;
use session_cache::SessionCache;
use tokio::net::TcpListener;
use tower_sessions::CachingSessionStore;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

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

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Backend(#[from] backend::BackendError),
    #[error(transparent)]
    Clemap(#[from] ClientBuildError),
    #[error(transparent)]
    Mail(#[from] evse_dashboard::alerts::mail::MailSetupError),
    #[error(
        "cannot listen on {addr}: {source} (is another process using the port? choose one with --listen)"
    )]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot set up alert delivery: {0}")]
    Alerts(#[from] reqwest::Error),
    #[error("cannot set up the session store: {0}")]
    Sessions(String),
    #[error("the server stopped with an error: {0}")]
    Serve(#[source] std::io::Error),
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

/// Held while the PostgreSQL session store creates its schema.
const SESSIONS_SCHEMA_LOCK: i64 = 0x4556_5345_0003;

/// The session store, in the same database as everything else: a session
/// made on one instance is good on every other.
enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Sessions {
    /// Creates the store's table if needed and deletes expired sessions
    /// once a minute in the background.
    async fn open(db: &Db) -> Result<Self, StartError> {
        let failed = |e: sqlx::Error| StartError::Sessions(e.to_string());
        let every = tokio::time::Duration::from_secs(60);
        // Session records are writes like any other: the write lane.
        Ok(match db.writes() {
            Pool::Sqlite(pool) => {
                let store = SqliteStore::new(pool.clone())
                    .with_table_name("sessions")
                    .expect("a valid table name");
                store.migrate().await.map_err(failed)?;
                tokio::spawn(store.clone().continuously_delete_expired(every));
                Sessions::Sqlite(store)
            }
            Pool::Postgres(pool) => {
                let store = PostgresStore::new(pool.clone())
                    .with_table_name("sessions")
                    .expect("a valid table name");
                // Instances starting together would race to create the
                // store's schema: they take turns under an advisory lock
                // (released with the connection if this process dies).
                let mut turn = pool.acquire().await.map_err(failed)?;
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(SESSIONS_SCHEMA_LOCK)
                    .execute(&mut *turn)
                    .await
                    .map_err(failed)?;
                let migrated = store.migrate().await;
                sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(SESSIONS_SCHEMA_LOCK)
                    .execute(&mut *turn)
                    .await
                    .map_err(failed)?;
                migrated.map_err(failed)?;
                tokio::spawn(store.clone().continuously_delete_expired(every));
                Sessions::Postgres(store)
            }
        })
    }
}

/// Marks `unknown` the attempts left pending longer than any call can
/// run: written by an instance (or a run) that died before the outcome.
async fn sweep_stale_pending(audit: evse_dashboard::audit::AuditLog) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let cutoff = chrono::Utc::now() - evse_dashboard::audit::STALE_PENDING;
        match audit.resolve_pending(cutoff).await {
            Ok(0) => {}
            Ok(rows) => tracing::warn!(rows, "stale pending audit rows marked unknown"),
            Err(e) => tracing::error!(error = %e, "could not resolve stale pending audit rows"),
        }
    }
}

/// A server that is bound and ready to run.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    connections: listener::ConnectionLimits,
    /// Exempt from the per-client connection cap.
    trusted_proxies: std::sync::Arc<[ipnet::IpNet]>,
    services: Services,
    metrics_addr: Option<SocketAddr>,
    /// Held while the server runs: no key rotation underneath it.
    _lock: backend::DataDirLock,
}

impl Application {
    /// Opens and migrates the database, builds the router and binds the
    /// port (port 0 picks a free one: see [`Application::local_addr`]).
    pub async fn build(config: ServeConfig) -> Result<Self, StartError> {
        let lock = backend::DataDirLock::acquire(&config.data_dir)?;
        let (db, vault, audit_key) = backend::open(&config.data()).await?;
        let clemap = ClemapClient::new(config.clemap.clone())?;
        let services = Services::new(db.clone(), (vault, audit_key), clemap, config.limits)
            .with_history_config(config.history)
            .with_offline_after(config.offline_after)
            .with_share_hold(config.share_hold)
            .with_webhook_allow(config.webhook_allow.clone());
        services
            .audit
            .set_changes_per_minute(config.changes_per_minute);
        // One process owns a SQLite file (the data directory's lock), so
        // every pending row is from a run that ended. Instances sharing
        // PostgreSQL leave a row alone while another may still be waiting
        // on its call; the sweep below resolves it once it is stale.
        let cutoff = match db.backend() {
            Backend::Sqlite => chrono::Utc::now(),
            Backend::Postgres => chrono::Utc::now() - evse_dashboard::audit::STALE_PENDING,
        };
        let unknown = services
            .audit
            .resolve_pending(cutoff)
            .await
            .map_err(|e| StartError::Backend(evse_dashboard::db::DbError::Query(e).into()))?;
        if unknown > 0 {
            tracing::warn!(
                rows = unknown,
                "audit rows were still pending from an earlier run; marked unknown"
            );
        }
        tokio::spawn(sweep_stale_pending(services.audit.clone()));
        // The schedule engine applies schedules in force from the start,
        // with the time they have left.
        tokio::spawn(services.engine.clone().run());
        // Every instance runs a sampler; the lease lets one sample at a time.
        tokio::spawn(services.sampler.clone().run());
        // The load manager acts on the rounds this instance samples.
        tokio::spawn(services.sharing.clone().run(services.sampler.rounds()));
        let sessions = Sessions::open(&db).await?;

        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| StartError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let addr = listener.local_addr().map_err(StartError::Serve)?;
        // Every instance delivers alerts; a claim in the database lets
        // one take each.
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let mailer = config
            .mail
            .as_ref()
            .map(evse_dashboard::alerts::mail::Mailer::new)
            .transpose()?;
        let dispatcher = alerts::dispatcher(services.alerts.clone(), mailer, &public_url)?;
        tokio::spawn(dispatcher.clone().run());
        let metrics_addr = match config.metrics_listen {
            Some(at) => Some(
                metrics::start(at, db.clone())
                    .await
                    .map_err(|source| StartError::Bind { addr: at, source })?,
            ),
            None => None,
        };
        let state = http::AppState {
            leptos_options: site::leptos_options(&config.site_dir, addr),
            services: services.clone(),
            dispatcher,
            trusted_proxies: config.trusted_proxies.clone().into(),
            export_time_limit: config.export_time_limit,
            write_rate: api_v1::WriteRate::per_minute(config.api_writes_per_minute),
            metrics: metrics_addr.is_some(),
        };
        let reads = read_bound::ReadBound::with_turns(config.renders_at_once);
        Ok(Self {
            listener,
            router: match sessions {
                Sessions::Sqlite(store) => http::router(
                    state,
                    CachingSessionStore::new(SessionCache::default(), store),
                    &config.sessions,
                    (config.connections.request_timeout, reads.clone()),
                ),
                Sessions::Postgres(store) => http::router(
                    state,
                    CachingSessionStore::new(SessionCache::default(), store),
                    &config.sessions,
                    (config.connections.request_timeout, reads),
                ),
            },
            connections: config.connections,
            trusted_proxies: config.trusted_proxies.clone().into(),
            services,
            metrics_addr,
            _lock: lock,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    /// Where `/metrics` is served, when it is.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let served = listener::serve(
            self.listener,
            self.router,
            self.connections,
            self.trusted_proxies,
            shutdown,
        )
        .await
        .map_err(StartError::Serve);
        // The minute's counted refusals, written rather than lost.
        self.services.audit.flush_repeats().await;
        served
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
