//! `Application`: the server bound and ready to run (the binary's `serve`
//! and every integration test start it), and how it fails to start.

use std::future::Future;
use std::net::SocketAddr;

use evse_dashboard::clemap::{ClemapClient, ClientBuildError};
use evse_dashboard::db::Backend;
use evse_dashboard::services::Services;
use tokio::net::TcpListener;
use tower_sessions::CachingSessionStore;

use crate::live_streams::LiveStreams;
use crate::session_cache::{self, SessionCache};
use crate::sessions::Sessions;
use crate::sweeper::sweep_stale_pending;
use crate::{
    ServeConfig, alert_wording, data_dir, http, listener, metrics, read_bound, site, write_rate,
};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Backend(#[from] data_dir::BackendError),
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

/// A server that is bound and ready to run.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    connections: listener::ConnectionLimits,
    /// Exempt from the per-client connection cap.
    trusted_proxies: std::sync::Arc<[ipnet::IpNet]>,
    services: Services,
    metrics_addr: Option<SocketAddr>,
    /// Live page streams, ended when the server stops.
    live: LiveStreams,
    /// Held while the server runs: no key rotation underneath it.
    _lock: data_dir::DataDirLock,
}

impl Application {
    /// Opens and migrates the database, builds the router and binds the
    /// port (port 0 picks a free one: see [`Application::local_addr`]).
    pub async fn build(config: ServeConfig) -> Result<Self, StartError> {
        let lock = data_dir::DataDirLock::acquire(&config.data_dir)?;
        let (db, vault, audit_key) = data_dir::open(&config.data()).await?;
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
        let sessions = Sessions::open(&db)
            .await
            .map_err(|e| StartError::Sessions(e.to_string()))?;

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
        let dispatcher = alert_wording::dispatcher(services.alerts.clone(), mailer, &public_url)?;
        tokio::spawn(dispatcher.clone().run());
        let metrics_addr = match config.metrics_listen {
            Some(at) => Some(
                metrics::start(at, db.clone())
                    .await
                    .map_err(|source| StartError::Bind { addr: at, source })?,
            ),
            None => None,
        };
        // Streams hold connections: at most half of them, so pages and
        // changes always find one.
        let live = LiveStreams::new(
            config.connections.max_per_client,
            config.connections.max_connections / 2,
        );
        tokio::spawn(live.clone().route(db.changes().subscribe()));
        let state = http::AppState {
            leptos_options: site::leptos_options(&config.site_dir, addr),
            services: services.clone(),
            dispatcher,
            trusted_proxies: config.trusted_proxies.clone().into(),
            export_time_limit: config.export_time_limit,
            write_rate: write_rate::WriteRate::per_minute(config.api_writes_per_minute),
            metrics: metrics_addr.is_some(),
            live: live.clone(),
        };
        let reads = read_bound::ReadBound::with_turns(config.renders_at_once);
        // Changes from the other instances (PostgreSQL), and what this
        // process forgets when it hears them (#41).
        let session_cache = SessionCache::default();
        tokio::spawn(db.changes().clone().listen());
        tokio::spawn(session_cache::follow(
            db.changes().subscribe(),
            session_cache.clone(),
        ));
        tokio::spawn(services.users.clone().follow(db.changes().subscribe()));
        Ok(Self {
            listener,
            router: match sessions {
                Sessions::Sqlite(store) => http::router(
                    state,
                    CachingSessionStore::new(session_cache.clone(), store),
                    &config.sessions,
                    (config.connections.request_timeout, reads.clone()),
                ),
                Sessions::Postgres(store) => http::router(
                    state,
                    CachingSessionStore::new(session_cache.clone(), store),
                    &config.sessions,
                    (config.connections.request_timeout, reads),
                ),
            },
            connections: config.connections,
            trusted_proxies: config.trusted_proxies.clone().into(),
            services,
            metrics_addr,
            live,
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
        // Live streams never finish on their own: they end first, so the
        // graceful stop only waits for real requests.
        let live = self.live.clone();
        let shutdown = async move {
            shutdown.await;
            live.stop();
        };
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
