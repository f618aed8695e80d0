//! The calls the schedule engine makes: audited like a person's (intent,
//! call, outcome), each claimed in the intent's transaction so it is sent
//! once however many engines run.

use super::{Control, ControlError, to_completion};
use crate::audit::{Actor, Intent};
use crate::clemap::model::{CurrentSettings, TargetRequest};
use crate::control::validate;
use crate::schedule::claims::{self, Claim, Orphan};
use crate::types::{Charger, ControlOutcome};
use crate::vocabulary::AuditAction;

impl Control {
    /// The target in force on a charger, read now (never from the cache:
    /// the engine decides on it).
    pub async fn settings_now(&self, charger_id: i64) -> Result<CurrentSettings, ControlError> {
        let (address, token) = self.registry.credentials(charger_id).await?;
        Ok(self.clemap.current_settings(&address, &token).await?)
    }

    /// Sends a schedule's target under `claim`; `None` when the claim was
    /// held (sent by another engine, or before a restart).
    pub async fn scheduled_set(
        &self,
        actor: &Actor,
        charger: &Charger,
        claim: Claim,
        duration: u32,
    ) -> Result<Option<ControlOutcome>, ControlError> {
        let (this, actor, charger) = (self.clone(), actor.clone(), charger.clone());
        to_completion(async move {
            let request =
                validate::target(&charger, this.limits, claim.current.into(), duration.into())
                    .map_err(|invalid| ControlError::Registry(invalid.into()))?;
            let intent = set_intent(&charger, request);
            let Some(id) = claims::take(&this.audit, &actor, intent, &claim).await? else {
                return Ok(None);
            };
            let on = &charger;
            let outcome = this
                .carry_out(id, on, &mut super::Steps::default(), |address, token| {
                    this.post_target(on, address, token, request)
                })
                .await?;
            Ok(Some(outcome))
        })
        .await
    }

    /// Resets the target a disabled or deleted schedule left in force,
    /// when it is still the one in force (`reset`); else only marks it
    /// dealt with. `None`: another engine dealt with it.
    pub async fn scheduled_withdraw(
        &self,
        actor: &Actor,
        charger: &Charger,
        orphan: Orphan,
        reset: bool,
    ) -> Result<Option<ControlOutcome>, ControlError> {
        let (this, actor, charger) = (self.clone(), actor.clone(), charger.clone());
        to_completion(async move {
            let intent = reset.then(|| Intent {
                action: AuditAction::ResetTarget,
                charger_id: charger.id,
                charger_name: &charger.name,
                requested_current: None,
                requested_duration: None,
                batch_id: None,
            });
            let Some(Some(id)) = claims::withdraw(&this.audit, &actor, &orphan, intent).await?
            else {
                return Ok(None);
            };
            let on = &charger;
            let outcome = this
                .carry_out(id, on, &mut super::Steps::default(), |address, token| {
                    this.delete_target(on, address, token)
                })
                .await?;
            Ok(Some(outcome))
        })
        .await
    }
}

fn set_intent(charger: &Charger, request: TargetRequest) -> Intent<'_> {
    Intent {
        action: AuditAction::SetTarget,
        charger_id: charger.id,
        charger_name: &charger.name,
        requested_current: Some(request.current),
        requested_duration: Some(request.duration),
        batch_id: None,
    }
}
