//! The use-cases the product exists for: read a charger's settings and
//! status, set a temporary current target, reset it. Every set and reset
//! is validated before anything goes upstream and audited: an intent row
//! before the CLEMAP call, its outcome after.

use chrono::Utc;
use sqlx::SqlitePool;

use crate::audit::{self, Actor, Completion, Intent};
use crate::clemap::model::{CurrentSettings, TargetRequest, TargetState};
use crate::clemap::{ClemapClient, ClemapError, EvseAddress};
use crate::registry::{Registry, RegistryError};
use crate::secret::EvseToken;
use crate::types::{
    AuditEntry, BulkItem, BulkOutcome, Charger, ChargerLive, ControlOutcome, clamp_to_charger,
    human_duration,
};
use futures::StreamExt;

/// How many chargers of a bulk change are sent to CLEMAP at once.
pub const BULK_CONCURRENCY: usize = 8;
use crate::vault::VaultError;

pub const SET_TARGET: &str = "set_target";
pub const RESET_TARGET: &str = "reset_target";

/// Bounds on the duration of a target, seconds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub min_duration: u32,
    pub max_duration: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            min_duration: 60,
            max_duration: 24 * 3600,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("Charger {0} does not exist (it may have been deleted).")]
    NotFound(i64),
    /// CLEMAP or the vault failed a read; the sentence says what to do.
    #[error("{0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<RegistryError> for ControlError {
    fn from(e: RegistryError) -> Self {
        match e {
            RegistryError::NotFound(id) => Self::NotFound(id),
            RegistryError::Vault(v) => Self::Unavailable(vault_sentence(&v)),
            RegistryError::Db(db) => Self::Db(db),
            other => Self::Unavailable(other.to_string()),
        }
    }
}

fn vault_sentence(e: &VaultError) -> String {
    format!("{e}. Nothing was sent to CLEMAP.")
}

/// The sentence a manager can act on, for each way CLEMAP can fail.
pub fn upstream_sentence(e: &ClemapError, charger: &Charger) -> String {
    match e {
        ClemapError::Unauthorized { .. } => {
            "CLEMAP rejected this charger's token: ask an admin to update this charger's token."
                .into()
        }
        ClemapError::NotFound { .. } => format!(
            "CLEMAP does not know this charger (edge device {}, EVSE {}): ask an admin to check its registration.",
            charger.edge_device_id, charger.evse_uuid
        ),
        ClemapError::BadRequest { status, excerpt } => {
            format!(
                "CLEMAP refused the request as invalid (HTTP {status}: {excerpt}). Nothing was changed."
            )
        }
        ClemapError::Timeout { .. } => {
            "CLEMAP did not answer in time; nothing was changed as far as we know. \
             Check the active target, then try again."
                .into()
        }
        ClemapError::Transport { .. } => {
            "CLEMAP could not be reached; nothing was changed; try again.".into()
        }
        ClemapError::Upstream { status, .. } | ClemapError::UnexpectedStatus { status, .. } => {
            format!("CLEMAP had a problem (HTTP {status}); nothing was changed; try again.")
        }
        ClemapError::Undecodable { .. } => {
            "CLEMAP's answer could not be read; the request may have arrived. \
             Check the active target before trying again."
                .into()
        }
    }
}

#[derive(Clone, Debug)]
pub struct Control {
    pool: SqlitePool,
    registry: Registry,
    clemap: ClemapClient,
    limits: Limits,
}

impl Control {
    pub fn new(pool: SqlitePool, registry: Registry, clemap: ClemapClient, limits: Limits) -> Self {
        Self {
            pool,
            registry,
            clemap,
            limits,
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Status of every plug and the target in force, read now.
    pub async fn live(&self, charger_id: i64) -> Result<ChargerLive, ControlError> {
        let charger = self.registry.get(charger_id).await?;
        let (address, token) = self.registry.credentials(charger_id).await?;
        let (plugs, settings) = tokio::join!(
            self.clemap.status(&address, &token),
            self.clemap.current_settings(&address, &token)
        );
        let sentence = |e: ClemapError| {
            tracing::warn!(charger = charger_id, error = %e, "CLEMAP read failed");
            ControlError::Unavailable(upstream_sentence(&e, &charger))
        };
        Ok(ChargerLive {
            plugs: plugs.map_err(sentence)?,
            settings: settings.map_err(sentence)?,
            read_at: Utc::now().to_rfc3339(),
        })
    }

    /// Records an attempt refused before validation could even start (input
    /// that is not a number), so it is in the trail like any other.
    pub async fn refuse(
        &self,
        actor: &Actor,
        charger_id: i64,
        action: &str,
        reason: &str,
    ) -> Result<ControlOutcome, ControlError> {
        let charger = self.registry.get(charger_id).await?;
        let intent = Intent {
            action,
            charger_id,
            charger_name: &charger.name,
            requested_current: None,
            requested_duration: None,
            batch_id: None,
        };
        let id = audit::refused(&self.pool, actor, intent, reason).await?;
        self.outcome(id).await
    }

    pub async fn set_target(
        &self,
        actor: &Actor,
        charger_id: i64,
        amps: i64,
        duration: i64,
    ) -> Result<ControlOutcome, ControlError> {
        self.set_target_in(actor, charger_id, amps, duration, None)
            .await
    }

    /// One amps + duration for several chargers: each charger gets the
    /// request clamped to its own range, the calls run concurrently
    /// (bounded), and each is audited as its own event sharing a batch id.
    pub async fn set_targets(
        &self,
        actor: &Actor,
        charger_ids: &[i64],
        amps: i64,
        duration: i64,
    ) -> Result<BulkOutcome, ControlError> {
        let batch_id = uuid::Uuid::new_v4().to_string();
        let mut chargers = Vec::new();
        for id in charger_ids
            .iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
        {
            chargers.push(self.registry.get(id).await?);
        }
        let items = futures::stream::iter(chargers)
            .map(|charger| {
                let batch_id = batch_id.clone();
                async move {
                    let sent = clamp_to_charger(amps, &charger);
                    let outcome = self
                        .set_target_in(actor, charger.id, sent.into(), duration, Some(batch_id))
                        .await?;
                    Ok::<_, ControlError>(BulkItem {
                        charger_id: charger.id,
                        charger_name: charger.name.clone(),
                        requested: amps,
                        sent,
                        outcome,
                    })
                }
            })
            .buffered(BULK_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BulkOutcome { batch_id, items })
    }

    async fn set_target_in(
        &self,
        actor: &Actor,
        charger_id: i64,
        amps: i64,
        duration: i64,
        batch_id: Option<String>,
    ) -> Result<ControlOutcome, ControlError> {
        let charger = self.registry.get(charger_id).await?;
        let intent = Intent {
            action: SET_TARGET,
            charger_id,
            charger_name: &charger.name,
            requested_current: u32::try_from(amps).ok(),
            requested_duration: u32::try_from(duration).ok(),
            batch_id,
        };
        let request = match self.validate(&charger, amps, duration) {
            Ok(request) => request,
            Err(reason) => {
                let id = audit::refused(&self.pool, actor, intent, &reason).await?;
                return self.outcome(id).await;
            }
        };
        let on = &charger;
        self.attempt(actor, intent, on, |address, token| async move {
            match self.clemap.set_target(&address, &token, request).await {
                Ok(answer) => Completion {
                    outcome: match answer.state {
                        TargetState::Received => "received",
                        TargetState::Rejected => "rejected",
                        TargetState::Unknown => "unknown",
                    },
                    upstream_status: Some(201),
                    upstream_answer: audit::json(&answer),
                    ..Completion::default()
                },
                Err(e) => self.upstream_failure(&e, on),
            }
        })
        .await
    }

    pub async fn reset(
        &self,
        actor: &Actor,
        charger_id: i64,
    ) -> Result<ControlOutcome, ControlError> {
        let charger = self.registry.get(charger_id).await?;
        let intent = Intent {
            action: RESET_TARGET,
            charger_id,
            charger_name: &charger.name,
            requested_current: None,
            requested_duration: None,
            batch_id: None,
        };
        let on = &charger;
        self.attempt(actor, intent, on, |address, token| async move {
            match self.clemap.reset(&address, &token).await {
                Ok(previous) => Completion {
                    outcome: "received",
                    upstream_status: Some(200),
                    upstream_answer: audit::json(&previous),
                    previous_settings: audit::json(&previous),
                    ..Completion::default()
                },
                Err(e) => self.upstream_failure(&e, on),
            }
        })
        .await
    }

    /// The audited shape of every upstream write: the intent row is
    /// committed first, the token is opened (in memory only), `call` talks
    /// to CLEMAP, and its completion is written onto the intent row.
    async fn attempt<F, Fut>(
        &self,
        actor: &Actor,
        intent: Intent<'_>,
        charger: &Charger,
        call: F,
    ) -> Result<ControlOutcome, ControlError>
    where
        F: FnOnce(EvseAddress, EvseToken) -> Fut,
        Fut: std::future::Future<Output = Completion>,
    {
        let id = audit::begin(&self.pool, actor, intent).await?;
        let done = match self.registry.credentials(charger.id).await {
            Err(RegistryError::Vault(e)) => Completion {
                outcome: "error",
                error: Some(vault_sentence(&e)),
                ..Completion::default()
            },
            Err(e) => {
                self.fail_pending(id, &e.to_string()).await;
                return Err(e.into());
            }
            Ok((address, token)) => call(address, token).await,
        };
        audit::complete(&self.pool, id, &done).await?;
        self.outcome(id).await
    }

    /// The last events of a charger, newest first.
    pub async fn history(
        &self,
        charger_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, ControlError> {
        Ok(audit::recent_for_charger(&self.pool, charger_id, limit).await?)
    }

    /// The outcome of an earlier attempt, rebuilt from its audit row (how
    /// a page without JavaScript shows the result after its form POST).
    pub async fn outcome(&self, audit_id: i64) -> Result<ControlOutcome, ControlError> {
        let entry = audit::entry(&self.pool, audit_id)
            .await?
            .ok_or(ControlError::Unavailable(format!(
                "There is no audit event {audit_id}."
            )))?;
        Ok(outcome_of(&entry))
    }

    fn validate(
        &self,
        charger: &Charger,
        amps: i64,
        duration: i64,
    ) -> Result<TargetRequest, String> {
        let (min, max) = (charger.min_current, charger.max_current);
        let current = u32::try_from(amps)
            .ok()
            .filter(|a| (min..=max).contains(a))
            .ok_or_else(|| {
                format!("{amps} A is outside this charger's range of {min}–{max} A. Nothing was sent to CLEMAP.")
            })?;
        let Limits {
            min_duration,
            max_duration,
        } = self.limits;
        let duration = u32::try_from(duration)
            .ok()
            .filter(|d| (min_duration..=max_duration).contains(d))
            .ok_or_else(|| {
                format!(
                    "A duration of {duration} s is outside {}–{}. Nothing was sent to CLEMAP.",
                    human_duration(min_duration.into()),
                    human_duration(max_duration.into())
                )
            })?;
        Ok(TargetRequest { current, duration })
    }

    fn upstream_failure(&self, e: &ClemapError, charger: &Charger) -> Completion {
        tracing::warn!(charger = charger.id, error = %e, "CLEMAP write failed");
        Completion {
            outcome: "error",
            upstream_status: e.http_status(),
            upstream_answer: e.excerpt().map(str::to_owned),
            error: Some(upstream_sentence(e, charger)),
            ..Completion::default()
        }
    }

    /// A database failure after the intent: leave no row pending.
    async fn fail_pending(&self, id: i64, error: &str) {
        let done = Completion {
            outcome: "error",
            error: Some(error.to_owned()),
            ..Completion::default()
        };
        if let Err(e) = audit::complete(&self.pool, id, &done).await {
            tracing::error!(error = %e, audit_id = id, "could not complete an audit row");
        }
    }
}

/// The banner for an audit row of a set or reset.
pub fn outcome_of(entry: &AuditEntry) -> ControlOutcome {
    let previous: Option<CurrentSettings> = entry
        .previous_settings
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok());
    let amps = entry.requested_current;
    let duration = entry.requested_duration;
    let requested = match (amps, duration) {
        (Some(a), Some(d)) => format!("{a} A for {}", human_duration(d.into())),
        _ => "the change".into(),
    };
    let message = match (entry.action.as_str(), entry.outcome.as_str()) {
        (SET_TARGET, "received") => format!(
            "Requested {requested} — CLEMAP received it (it may be held lower by the site limit)."
        ),
        (SET_TARGET, "rejected") => format!(
            "CLEMAP rejected {requested}: the CLEMAP device is probably disconnected. Nothing was changed."
        ),
        (RESET_TARGET, "received") => {
            match previous.as_ref().and_then(|p| p.current.zip(p.valid_until)) {
                Some((a, until)) => format!(
                    "Target reset — CLEMAP removed {a} A, which was valid until {} UTC.",
                    until.format("%H:%M")
                ),
                None => "Target reset — there was no active target.".into(),
            }
        }
        (_, "pending") => "Waiting for CLEMAP's answer…".into(),
        _ => entry
            .error
            .clone()
            .unwrap_or_else(|| format!("The attempt ended as {}.", entry.outcome)),
    };
    ControlOutcome {
        audit_id: entry.id,
        charger_id: entry.charger_id.unwrap_or_default(),
        charger_name: entry.charger_name.clone().unwrap_or_default(),
        action: entry.action.clone(),
        outcome: entry.outcome.clone(),
        requested_current: amps,
        requested_duration: duration,
        message,
        previous,
        at: entry.at.clone(),
    }
}
