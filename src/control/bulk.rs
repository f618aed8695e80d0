//! One amps + duration for several chargers at once: the overview's bulk
//! form and `/api/v1/sites/{id}/target`, under one rule
//! (`validate::several`).

use std::collections::BTreeSet;

use futures::StreamExt;

use super::validate::{self, Asked};
use super::{Control, ControlError, to_completion};
use crate::audit::Actor;
use crate::problem::{Field, Invalid, Problem, Rule};
use crate::types::{BulkItem, BulkOutcome, Charger};
use crate::vocabulary::AuditAction;

/// How many chargers of a bulk change are sent to CLEMAP at once. 32: a
/// site-wide set of 200 chargers at 50 ms upstream is answered within
/// about 200 x 50 ms / 32 = 0.3 s (`.ci/bench` BULK, #29; it was 8, so
/// 1.25 s at best), while CLEMAP, which documents no rate limit, sees no
/// more than the sampler's 64 reads at once.
pub const BULK_CONCURRENCY: usize = 32;

/// What a change of several chargers did.
#[derive(Debug)]
pub enum SetSeveral {
    /// Sent: each charger's own outcome, under one batch id.
    Sent(BulkOutcome),
    /// Refused before anything was sent, and audited on each charger
    /// (`audit_ids`; fewer when a minute's refusals were summarised).
    Refused {
        invalid: Invalid,
        audit_ids: Vec<i64>,
    },
}

impl Control {
    /// The chosen chargers (the overview's bulk form); at least one.
    pub async fn set_several(
        &self,
        actor: &Actor,
        charger_ids: &[i64],
        asked: Asked,
    ) -> Result<SetSeveral, ControlError> {
        if charger_ids.is_empty() {
            let none = Invalid::new(Field::Chargers, Rule::Required);
            return Err(ControlError::Refused(none.into()));
        }
        let mut chargers = Vec::new();
        for id in charger_ids.iter().copied().collect::<BTreeSet<_>>() {
            chargers.push(self.registry.get(id).await?);
        }
        self.set_chargers(actor, chargers, asked).await
    }

    /// Every charger of a site.
    pub async fn set_site(
        &self,
        actor: &Actor,
        site_id: i64,
        asked: Asked,
    ) -> Result<SetSeveral, ControlError> {
        self.sites.site(site_id).await?;
        let mut chargers = self.registry.list().await?;
        chargers.retain(|c| c.site_id == site_id);
        self.set_chargers(actor, chargers, asked).await
    }

    async fn set_chargers(
        &self,
        actor: &Actor,
        chargers: Vec<Charger>,
        asked: Asked,
    ) -> Result<SetSeveral, ControlError> {
        let checked = asked.and_then(|(amps, duration)| {
            validate::several(self.limits, amps, duration).map(|()| (amps, duration))
        });
        match checked {
            Ok((amps, duration)) => Ok(SetSeveral::Sent(
                self.send_several(actor, chargers, amps, duration).await?,
            )),
            Err(invalid) => self.refuse_several(actor, chargers, invalid).await,
        }
    }

    /// Audits the refusal on each charger, like a sent change: one per
    /// person at a time, written to the end even if the request goes away.
    async fn refuse_several(
        &self,
        actor: &Actor,
        chargers: Vec<Charger>,
        invalid: Invalid,
    ) -> Result<SetSeveral, ControlError> {
        self.one_per_person(actor, |this, actor| async move {
            let reason = Problem::Invalid(invalid.clone());
            let mut audit_ids = Vec::with_capacity(chargers.len());
            for charger in &chargers {
                match this
                    .refuse(&actor, charger.id, AuditAction::SetTarget, &reason)
                    .await
                {
                    Ok(refused) => audit_ids.push(refused.audit_id),
                    Err(ControlError::Refused(_)) => {} // summarised
                    Err(e) => return Err(e),
                }
            }
            Ok(SetSeveral::Refused { invalid, audit_ids })
        })
        .await
    }

    /// Each charger gets the request clamped to its own range, the calls
    /// run concurrently (bounded), and each is audited as its own event
    /// sharing a batch id. Every charger gets its own result: one that
    /// fails never hides what happened to the others. One bulk change
    /// per person at a time.
    async fn send_several(
        &self,
        actor: &Actor,
        chargers: Vec<Charger>,
        amps: i64,
        duration: i64,
    ) -> Result<BulkOutcome, ControlError> {
        self.one_per_person(actor, |this, actor| async move {
            let batch_id = uuid::Uuid::new_v4().to_string();
            let items = futures::stream::iter(chargers)
                .map(|charger| {
                    let (this, actor, batch_id) = (&this, &actor, batch_id.clone());
                    async move {
                        let sent = charger.clamp(amps);
                        let result = this
                            .set_target_in(actor, charger.id, sent.into(), duration, Some(batch_id))
                            .await
                            .map_err(|e| {
                                tracing::error!(charger = charger.id, error = %e, "bulk item failed");
                                e.problem()
                            });
                        BulkItem {
                            charger_id: charger.id,
                            charger_name: charger.name.clone(),
                            requested: amps,
                            sent,
                            result,
                        }
                    }
                })
                .buffered(BULK_CONCURRENCY)
                .collect::<Vec<_>>()
                .await;
            Ok(BulkOutcome { batch_id, items })
        })
        .await
    }

    /// Runs `work` (given this service and the actor) as the actor's one
    /// change of several chargers at a time, to completion even if the
    /// request goes away.
    async fn one_per_person<T, F, Fut>(&self, actor: &Actor, work: F) -> Result<T, ControlError>
    where
        T: Send + 'static,
        F: FnOnce(Control, Actor) -> Fut,
        Fut: std::future::Future<Output = Result<T, ControlError>> + Send + 'static,
    {
        let running = self
            .bulks
            .try_begin(&actor.who.stored_name())
            .ok_or(ControlError::AlreadyRunning)?;
        let work = work(self.clone(), actor.clone());
        to_completion(async move {
            let _running = running;
            work.await
        })
        .await
    }
}
