//! The use-cases the product exists for: read a charger's settings and
//! status, set a temporary current target, reset it. Every set and reset
//! is validated before anything goes upstream and audited: an intent row
//! before the CLEMAP call, its outcome after.

mod bulk;
mod outcome;
mod renew;
mod steps;
pub mod validate;

use crate::audit::{self, Actor, AuditLog, Completion, Intent};
use crate::clemap::model::{TargetRequest, TargetState};
use crate::clemap::{ClemapClient, ClemapError, EvseAddress};
use crate::db::changes::Change;
use crate::problem::{Missing, Problem};
use crate::registry::{Registry, RegistryError};
use crate::secret::EvseToken;
use crate::types::{AuditEntry, Charger, ChargerLive, ControlOutcome, TargetLimits};
use crate::vault::VaultError;
use crate::vocabulary::{AuditAction, Outcome};

pub use bulk::{BULK_CONCURRENCY, SetSeveral};
pub use outcome::outcome_of;
pub use steps::Steps;

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("charger {0} does not exist (it may have been deleted)")]
    NotFound(i64),
    #[error("site {0} does not exist")]
    NoSuchSite(i64),
    #[error("there is no audit event {0}")]
    NoSuchEvent(i64),
    #[error("CLEMAP read failed: {0}")]
    Clemap(#[from] ClemapError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Registry(RegistryError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the attempt's task ended abnormally: {0}")]
    Aborted(String),
    #[error("an earlier bulk change of this user still runs")]
    AlreadyRunning,
    /// Refused, and counted in the trail's summary of this minute's
    /// refusals rather than written as a row of its own.
    #[error("refused: {0:?}")]
    Refused(Problem),
}

impl From<RegistryError> for ControlError {
    fn from(e: RegistryError) -> Self {
        match e {
            RegistryError::NotFound(id) => Self::NotFound(id),
            RegistryError::Vault(v) => Self::Vault(v),
            RegistryError::Db(db) => Self::Db(db),
            other => Self::Registry(other),
        }
    }
}

impl From<crate::sites::SiteError> for ControlError {
    fn from(e: crate::sites::SiteError) -> Self {
        match e {
            crate::sites::SiteError::Missing(id) => Self::NoSuchSite(id),
            crate::sites::SiteError::Db(db) => Self::Db(db),
        }
    }
}

impl ControlError {
    /// An error several waiting readers share: the one that ran the read
    /// has it, the others get an equal one.
    fn shared(e: &std::sync::Arc<ControlError>) -> Self {
        match &**e {
            Self::NotFound(id) => Self::NotFound(*id),
            Self::Clemap(e) => Self::Clemap(e.clone()),
            Self::Refused(problem) => Self::Refused(problem.clone()),
            other => Self::Refused(other.problem()),
        }
    }

    /// What the UI says about it.
    pub fn problem(&self) -> Problem {
        match self {
            Self::NotFound(id) => Problem::NotFound(Missing::Charger(*id)),
            Self::NoSuchEvent(id) => Problem::NotFound(Missing::AuditEvent(*id)),
            Self::NoSuchSite(id) => Problem::NotFound(Missing::Site(*id)),
            Self::Clemap(e) => Problem::Clemap(e.failure()),
            Self::Vault(e) => e.problem(),
            Self::Registry(e) => e.problem(),
            Self::Db(_) | Self::Aborted(_) => Problem::Internal,
            Self::AlreadyRunning => Problem::AlreadyRunning,
            Self::Refused(problem) => problem.clone(),
        }
    }
}

/// Runs an upstream attempt on its own task: if the request that asked for
/// it is abandoned (the client went away), the CLEMAP call and its audit
/// outcome still finish, so no row stays `pending` while CLEMAP may have
/// applied the change.
pub(crate) async fn to_completion<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T, ControlError>> + Send + 'static,
) -> Result<T, ControlError> {
    tokio::spawn(work)
        .await
        .map_err(|e| ControlError::Aborted(e.to_string()))?
}

/// How long a charger's live reading is served again (the charger page
/// polls; several people and scripts may watch one charger). A failed
/// reading is kept as long: a charger that does not answer is not asked
/// again by every reader that comes meanwhile.
pub const LIVE_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// Live readings (or why there is none) by charger id. Readers that
/// arrive while one read is in flight wait for it instead of starting
/// their own (moka's `try_get_with` runs one initialisation per key).
type LiveCache = moka::future::Cache<i64, Result<ChargerLive, ClemapError>>;

#[derive(Clone, Debug)]
pub struct Control {
    audit: AuditLog,
    registry: Registry,
    clemap: ClemapClient,
    limits: TargetLimits,
    live: LiveCache,
    bulks: crate::inflight::OnePerUser,
    sites: crate::sites::Sites,
}

impl Control {
    pub fn new(
        audit: AuditLog,
        registry: Registry,
        clemap: ClemapClient,
        limits: TargetLimits,
    ) -> Self {
        Self {
            sites: crate::sites::Sites::new(audit.db().clone()),
            audit,
            registry,
            clemap,
            limits,
            live: moka::future::Cache::builder()
                .time_to_live(LIVE_TTL)
                .max_capacity(100_000)
                .build(),
            bulks: Default::default(),
        }
    }

    /// The target in force on a charger, read now (never from the cache:
    /// the schedule engine decides on it).
    pub async fn settings_now(
        &self,
        charger_id: i64,
    ) -> Result<crate::clemap::model::CurrentSettings, ControlError> {
        let (address, token) = self.registry.credentials(charger_id).await?;
        Ok(self.clemap.current_settings(&address, &token).await?)
    }

    /// Carries out a set whose intent row `id` the caller wrote in its own
    /// transaction (a schedule's claim).
    pub(crate) async fn carry_out_set(
        &self,
        id: i64,
        charger: &Charger,
        request: TargetRequest,
    ) -> Result<ControlOutcome, ControlError> {
        self.carry_out(id, charger, &mut Steps::default(), |address, token| {
            self.post_target(charger, address, token, request)
        })
        .await
    }

    /// Carries out a reset whose intent row `id` the caller wrote.
    pub(crate) async fn carry_out_reset(
        &self,
        id: i64,
        charger: &Charger,
    ) -> Result<ControlOutcome, ControlError> {
        self.carry_out(id, charger, &mut Steps::default(), |address, token| {
            self.delete_target(charger, address, token)
        })
        .await
    }

    /// A change makes the next reading of that charger a fresh one.
    async fn forget_live(&self, charger_id: i64) {
        self.live.invalidate(&charger_id).await;
    }

    pub fn limits(&self) -> TargetLimits {
        self.limits
    }

    /// Status of every plug and the target in force, at most [`LIVE_TTL`]
    /// old: the sampler's latest reading when it is that fresh, else one
    /// read of CLEMAP shared by every concurrent reader of the charger.
    pub async fn live(&self, charger_id: i64) -> Result<ChargerLive, ControlError> {
        if let Some(live) = self.sampled(charger_id).await? {
            return Ok(live);
        }
        let read = self.live.try_get_with(charger_id, async {
            let (address, token) = self.registry.credentials(charger_id).await?;
            Ok::<_, ControlError>(self.read_live(charger_id, &address, &token).await)
        });
        match read.await {
            Ok(live) => live.map_err(ControlError::Clemap),
            Err(shared) => Err(ControlError::shared(&shared)),
        }
    }

    /// The sampler's reading of the charger when it is at most
    /// [`LIVE_TTL`] old.
    async fn sampled(&self, charger_id: i64) -> Result<Option<ChargerLive>, ControlError> {
        let Some(latest) = crate::history::latest::LatestReadings::of(self.audit.db())
            .one(charger_id)
            .await?
        else {
            return Ok(None);
        };
        let fresh = chrono::Utc::now() - latest.read_at
            <= chrono::TimeDelta::from_std(LIVE_TTL).unwrap_or_default();
        Ok(match latest.result {
            Ok((plugs, settings)) if fresh => Some(ChargerLive {
                plugs,
                settings,
                read_at: latest.read_at,
                finding: latest.finding,
            }),
            _ => None,
        })
    }

    async fn read_live(
        &self,
        charger_id: i64,
        address: &EvseAddress,
        token: &EvseToken,
    ) -> Result<ChargerLive, ClemapError> {
        let (plugs, settings) = tokio::join!(
            self.clemap.status(address, token),
            self.clemap.current_settings(address, token)
        );
        let logged = |e: ClemapError| {
            tracing::warn!(charger = charger_id, error = %e, "CLEMAP read failed");
            e
        };
        Ok(ChargerLive {
            plugs: plugs.map_err(logged)?,
            settings: settings.map_err(logged)?,
            read_at: chrono::Utc::now(),
            finding: None,
        })
    }

    /// Records an attempt refused before validation could even start (input
    /// that is not a number), so it is in the trail like any other.
    pub async fn refuse(
        &self,
        actor: &Actor,
        charger_id: i64,
        action: AuditAction,
        reason: &Problem,
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
        self.refused(actor, intent, reason).await
    }

    /// Writes a refusal and answers with it, or (one of many in a minute)
    /// only answers with its reason.
    async fn refused(
        &self,
        actor: &Actor,
        intent: Intent<'_>,
        reason: &Problem,
    ) -> Result<ControlOutcome, ControlError> {
        match self.audit.refused(actor, intent, reason).await? {
            Some(id) => self.outcome(id).await,
            None => Err(ControlError::Refused(reason.clone())),
        }
    }

    /// A set as a form or `/api/v1` sent it: what was not a number is
    /// refused and audited like a number out of range.
    pub async fn set_as_asked(
        &self,
        actor: &Actor,
        charger_id: i64,
        asked: validate::Asked,
    ) -> Result<ControlOutcome, ControlError> {
        match asked {
            Ok((amps, duration)) => self.set_target(actor, charger_id, amps, duration).await,
            Err(invalid) => {
                let reason = Problem::Invalid(invalid);
                self.refuse(actor, charger_id, AuditAction::SetTarget, &reason)
                    .await
            }
        }
    }

    pub async fn set_target(
        &self,
        actor: &Actor,
        charger_id: i64,
        amps: i64,
        duration: i64,
    ) -> Result<ControlOutcome, ControlError> {
        let (this, actor) = (self.clone(), actor.clone());
        to_completion(async move {
            this.set_target_in(&actor, charger_id, amps, duration, None)
                .await
        })
        .await
    }

    /// One set of a batch made by a service rather than a person (the
    /// load manager's round, #40): the same path, validation and audit
    /// rows, each row carrying `batch_id`.
    pub async fn set_target_in_batch(
        &self,
        actor: &Actor,
        charger_id: i64,
        (amps, duration): (u32, u32),
        batch_id: &str,
    ) -> Result<ControlOutcome, ControlError> {
        let (this, actor, batch_id) = (self.clone(), actor.clone(), batch_id.to_owned());
        to_completion(async move {
            this.set_target_in(
                &actor,
                charger_id,
                amps.into(),
                duration.into(),
                Some(batch_id),
            )
            .await
        })
        .await
    }

    async fn set_target_in(
        &self,
        actor: &Actor,
        charger_id: i64,
        amps: i64,
        duration: i64,
        batch_id: Option<String>,
    ) -> Result<ControlOutcome, ControlError> {
        let mut steps = Steps::default();
        let charger = self.registry.get(charger_id).await?;
        steps.done("charger");
        let intent = Intent {
            action: AuditAction::SetTarget,
            charger_id,
            charger_name: &charger.name,
            requested_current: u32::try_from(amps).ok(),
            requested_duration: u32::try_from(duration).ok(),
            batch_id,
        };
        let request = match validate::target(&charger, self.limits, amps, duration) {
            Ok(request) => request,
            Err(invalid) => return self.refused(actor, intent, &invalid.into()).await,
        };
        // Counted once valid: refused input is bounded by folding instead.
        if let Err(too_fast) = self.audit.admit(actor, intent.action) {
            return self.refused(actor, intent, &too_fast).await;
        }
        let on = &charger;
        let done = self
            .attempt(actor, intent, on, &mut steps, |address, token| {
                self.post_target(on, address, token, request)
            })
            .await;
        steps.log_if_slow("a set", charger_id);
        done
    }

    pub async fn reset(
        &self,
        actor: &Actor,
        charger_id: i64,
    ) -> Result<ControlOutcome, ControlError> {
        let (this, actor) = (self.clone(), actor.clone());
        to_completion(async move { this.reset_in(&actor, charger_id).await }).await
    }

    async fn reset_in(
        &self,
        actor: &Actor,
        charger_id: i64,
    ) -> Result<ControlOutcome, ControlError> {
        let mut steps = Steps::default();
        let charger = self.registry.get(charger_id).await?;
        steps.done("charger");
        let intent = Intent {
            action: AuditAction::ResetTarget,
            charger_id,
            charger_name: &charger.name,
            requested_current: None,
            requested_duration: None,
            batch_id: None,
        };
        if let Err(too_fast) = self.audit.admit(actor, intent.action) {
            return self.refused(actor, intent, &too_fast).await;
        }
        let on = &charger;
        let done = self
            .attempt(actor, intent, on, &mut steps, |address, token| {
                self.delete_target(on, address, token)
            })
            .await;
        steps.log_if_slow("a reset", charger_id);
        done
    }

    /// POSTs a target; the completion of its audit row.
    async fn post_target(
        &self,
        charger: &Charger,
        address: EvseAddress,
        token: EvseToken,
        request: TargetRequest,
    ) -> Completion {
        match self.clemap.set_target(&address, &token, request).await {
            Ok(answer) => {
                let outcome = match answer.state {
                    TargetState::Received => Outcome::Received,
                    TargetState::Rejected => Outcome::Rejected,
                    TargetState::Unknown => Outcome::Unknown,
                };
                Completion::answered(outcome, 201, &answer)
            }
            Err(e) => upstream_failure(&e, charger),
        }
    }

    /// DELETEs the target in force; the completion of its audit row.
    async fn delete_target(
        &self,
        charger: &Charger,
        address: EvseAddress,
        token: EvseToken,
    ) -> Completion {
        match self.clemap.reset(&address, &token).await {
            Ok(previous) => Completion {
                previous_settings: audit::json(&previous),
                ..Completion::answered(Outcome::Received, 200, &previous)
            },
            Err(e) => upstream_failure(&e, charger),
        }
    }

    /// The audited shape of every upstream write: the intent row is
    /// committed first, the token is opened (in memory only), `call` talks
    /// to CLEMAP, and its completion is written onto the intent row.
    async fn attempt<F, Fut>(
        &self,
        actor: &Actor,
        intent: Intent<'_>,
        charger: &Charger,
        steps: &mut Steps,
        call: F,
    ) -> Result<ControlOutcome, ControlError>
    where
        F: FnOnce(EvseAddress, EvseToken) -> Fut,
        Fut: std::future::Future<Output = Completion>,
    {
        let id = self.audit.begin(actor, intent).await?;
        steps.done("intent");
        self.carry_out(id, charger, steps, call).await
    }

    /// An attempt whose intent row `id` is written: opens the token, calls,
    /// completes the row.
    async fn carry_out<F, Fut>(
        &self,
        id: i64,
        charger: &Charger,
        steps: &mut Steps,
        call: F,
    ) -> Result<ControlOutcome, ControlError>
    where
        F: FnOnce(EvseAddress, EvseToken) -> Fut,
        Fut: std::future::Future<Output = Completion>,
    {
        let outcome = async {
            let done = match self.call_with_credentials(charger, call).await {
                Ok(done) => done,
                Err(e) => {
                    self.fail_pending(id).await;
                    return Err(e.into());
                }
            };
            steps.done("token and CLEMAP");
            self.audit.complete(id, &done).await?;
            steps.done("completion");
            let outcome = self.outcome(id).await?;
            steps.done("read back");
            self.show_at_once(&outcome).await;
            steps.done("shown");
            Ok(outcome)
        }
        .await;
        // Every open page of this charger, here and on other instances,
        // shows what happened (#41), whether it worked or not.
        self.audit.db().changes().publish(Change::Chargers {
            ids: vec![charger.id],
        });
        outcome
    }

    /// What CLEMAP received is on the pages at once, whoever changed it
    /// (a form, `/api/v1`, a schedule, the load manager); the next reading
    /// confirms it. A failure here only delays that, so it is logged.
    async fn show_at_once(&self, outcome: &ControlOutcome) {
        let Some(settings) = outcome.in_force() else {
            return;
        };
        let db = self.audit.db();
        if let Err(e) = crate::history::latest::LatestReadings::of(db)
            .set_target(outcome.charger_id, &settings)
            .await
        {
            tracing::warn!(error = %e, "the new target waits for the next reading");
        }
    }

    /// Opens the charger's token and makes the call; a token that does not
    /// open is the call's failure. Forgets the live cache after, so the
    /// next reading shows what the call did. `Err`: the registry itself
    /// failed, and nothing was called.
    async fn call_with_credentials<F, Fut>(
        &self,
        charger: &Charger,
        call: F,
    ) -> Result<Completion, RegistryError>
    where
        F: FnOnce(EvseAddress, EvseToken) -> Fut,
        Fut: std::future::Future<Output = Completion>,
    {
        let done = match self.registry.credentials(charger.id).await {
            Err(RegistryError::Vault(e)) => Completion::failed(e.problem()),
            Err(e) => return Err(e),
            Ok((address, token)) => call(address, token).await,
        };
        self.forget_live(charger.id).await;
        Ok(done)
    }

    /// The last events of a charger, newest first.
    pub async fn history(
        &self,
        charger_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, ControlError> {
        Ok(audit::recent_for_charger(self.audit.db(), charger_id, limit).await?)
    }

    /// The outcomes of a bulk change, one per charger, from the trail.
    pub async fn batch(&self, batch_id: &str) -> Result<Vec<ControlOutcome>, ControlError> {
        let entries = audit::batch(self.audit.db(), batch_id).await?;
        Ok(entries.into_iter().map(outcome_of).collect())
    }

    /// The outcome of an earlier attempt, rebuilt from its audit row (how
    /// a page without JavaScript shows the result after its form POST).
    pub async fn outcome(&self, audit_id: i64) -> Result<ControlOutcome, ControlError> {
        // On the write lane: the row was just written there, and a change's
        // answer must not queue behind page reads for a connection (#38).
        let entry = audit::entry(&self.audit.db().writer(), audit_id)
            .await?
            .filter(|e| e.action.is_upstream_call())
            .ok_or(ControlError::NoSuchEvent(audit_id))?;
        Ok(outcome_of(entry))
    }

    /// A database failure after the intent: leave no row pending.
    async fn fail_pending(&self, id: i64) {
        if let Err(e) = self
            .audit
            .complete(id, &Completion::failed(Problem::Internal))
            .await
        {
            tracing::error!(error = %e, audit_id = id, "could not complete an audit row");
        }
    }
}

fn upstream_failure(e: &ClemapError, charger: &Charger) -> Completion {
    tracing::warn!(charger = charger.id, error = %e, "CLEMAP write failed");
    Completion {
        upstream_status: e.http_status(),
        upstream_answer: e.excerpt().map(str::to_owned),
        ..Completion::failed(Problem::Clemap(e.failure()))
    }
}
