//! The handle the web layer holds on the back-end: everything a server
//! function may use, cheap to clone, provided to Leptos as context.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::audit::{AuditKey, AuditLog};
use crate::auth::Users;
use crate::clemap::ClemapClient;
use crate::control::Control;
use crate::db;
use crate::history::{HistoryConfig, Sampler};
use crate::overview::Overview;
use crate::registry::Registry;
use crate::schedule::Schedules;
use crate::schedule::engine::Engine;
use crate::types::{ServerInfo, TargetLimits};
use crate::vault::Vault;

/// Cloned for every request (Leptos context, server functions): one
/// reference count, not the dozens of handles inside (the profile had the
/// deep clone at 2-4 % of a page, #29).
#[derive(Clone, Debug)]
pub struct Services(Arc<Handles>);

impl std::ops::Deref for Services {
    type Target = Handles;

    fn deref(&self) -> &Handles {
        &self.0
    }
}

#[derive(Clone, Debug)]
pub struct Handles {
    /// Services only: handlers call the stores and services below.
    pub(crate) db: db::Db,
    pub audit: AuditLog,
    /// `/api/v1`'s tokens.
    pub api_tokens: crate::api_tokens::ApiTokens,
    /// Alert subscriptions, the outbox and the detector (#31).
    pub alerts: crate::alerts::Alerts,
    /// One CSV export at a time per user.
    pub exports: crate::inflight::OnePerUser,
    pub registry: Registry,
    pub users: Users,
    pub clemap: ClemapClient,
    pub control: Control,
    pub overview: Overview,
    /// Reads every charger's status; `Application` runs it.
    pub sampler: Sampler,
    pub schedules: Schedules,
    /// Sites: their names, zones, supply limits and sharing switches.
    pub sites: crate::sites::Sites,
    /// Shares shared sites' supply after each round (#40); `Application`
    /// runs it on the sampler's rounds.
    pub sharing: crate::sharing::Sharing,
    /// Applies the schedules; `Application` runs it.
    pub engine: Engine,
    /// What chargers did: charts, buckets, the history export.
    pub history: crate::history::History,
    pub started_at: DateTime<Utc>,
}

impl Services {
    pub fn new(
        db: db::Db,
        (vault, audit_key): (Vault, AuditKey),
        clemap: ClemapClient,
        limits: TargetLimits,
    ) -> Self {
        // One audit log (one writer task) for every service of this process.
        let audit = AuditLog::new(db.clone(), audit_key);
        let api_tokens = crate::api_tokens::ApiTokens::new(audit.clone(), vault.clone());
        let alerts = crate::alerts::Alerts::new(audit.clone(), vault.clone());
        let registry = Registry::new(db.clone(), vault);
        let control = Control::new(audit.clone(), registry.clone(), clemap.clone(), limits);
        let schedules = Schedules::new(audit.clone());
        let sampler = sampler(&audit, &registry, &clemap, HistoryConfig::default(), limits)
            .observed_by(Arc::new(alerts.clone()));
        Self(Arc::new(Handles {
            sharing: crate::sharing::Sharing::new(audit.clone(), control.clone()),
            engine: Engine::new(schedules.clone(), registry.clone(), control.clone()),
            schedules,
            sites: crate::sites::Sites::new(db.clone()),
            control,
            api_tokens,
            alerts,
            audit: audit.clone(),
            exports: Default::default(),
            history: crate::history::History::new(db.clone()),
            overview: Overview::new(registry.clone(), db.clone(), sampler.clone()),
            sampler,
            registry,
            users: Users::new(db.clone(), audit.clone()),
            db,
            clemap,
            started_at: Utc::now(),
        }))
    }

    /// Replaces the sampler's settings (interval, keeping, settle time).
    pub fn with_history_config(self, config: HistoryConfig) -> Self {
        let mut h = Arc::unwrap_or_clone(self.0);
        let limits = h.control.limits();
        h.sampler = sampler(&h.audit, &h.registry, &h.clemap, config, limits)
            .observed_by(Arc::new(h.alerts.clone()));
        h.overview = Overview::new(h.registry.clone(), h.db.clone(), h.sampler.clone());
        h.history = h.history.keeping(config.keep_history);
        Self(Arc::new(h))
    }

    /// `--share-hold-secs`: how long each shared target holds.
    pub fn with_share_hold(self, hold: std::time::Duration) -> Self {
        let mut h = Arc::unwrap_or_clone(self.0);
        h.sharing = h.sharing.with_hold(hold);
        Self(Arc::new(h))
    }

    /// `--offline-after`: the detector the sampler runs uses it too.
    pub fn with_offline_after(self, after: std::time::Duration) -> Self {
        let mut h = Arc::unwrap_or_clone(self.0);
        h.alerts = h.alerts.with_offline_after(after);
        h.sampler = h.sampler.observed_by(Arc::new(h.alerts.clone()));
        Self(Arc::new(h))
    }

    /// `--webhook-allow`: the detector's alerts and the dispatcher use it.
    pub fn with_webhook_allow(self, networks: Vec<ipnet::IpNet>) -> Self {
        let mut h = Arc::unwrap_or_clone(self.0);
        h.alerts = h.alerts.with_webhook_allow(networks);
        h.sampler = h.sampler.observed_by(Arc::new(h.alerts.clone()));
        Self(Arc::new(h))
    }

    /// What changed, for live pages (#41): their place, and the stream.
    pub fn changes(&self) -> &db::changes::Changes {
        self.db.changes()
    }

    /// The database's version and migrations; fails when it does not
    /// answer (`/healthz`).
    pub async fn database_health(&self) -> Result<db::DbHealth, db::DbError> {
        self.db.health().await
    }

    /// Version and database facts; fails when the database does.
    pub async fn server_info(&self) -> Result<ServerInfo, db::DbError> {
        let health = self.db.health().await?;
        Ok(ServerInfo {
            version: crate::VERSION.to_owned(),
            database: health.version,
            migrations_applied: health.migrations_applied,
            started_at: self.started_at,
        })
    }
}

fn sampler(
    audit: &AuditLog,
    registry: &Registry,
    clemap: &ClemapClient,
    config: HistoryConfig,
    limits: TargetLimits,
) -> Sampler {
    // No target lasts longer than the longest a user may set.
    let longest = std::time::Duration::from_secs(limits.max_duration.into());
    Sampler::new(
        audit.clone(),
        registry.clone(),
        clemap.clone(),
        config,
        longest,
    )
}
