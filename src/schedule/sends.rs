//! The calls the schedule engine makes: audited like a person's (intent,
//! call, outcome). Each intent is written with its claim in one
//! transaction, so it is sent once however many engines run; `Control`
//! carries it out like any other change.

use super::claims::{self, Claim, Orphan};
use crate::audit::{Actor, AuditLog, Intent};
use crate::control::{Control, ControlError, to_completion, validate};
use crate::types::{Charger, ControlOutcome};
use crate::vocabulary::AuditAction;

/// Sends a schedule's target under `claim`; `None` when the claim was
/// held (sent by another engine, or before a restart).
pub(super) async fn set(
    (control, audit): (&Control, &AuditLog),
    actor: &Actor,
    charger: &Charger,
    claim: Claim,
    duration: u32,
) -> Result<Option<ControlOutcome>, ControlError> {
    let (control, audit) = (control.clone(), audit.clone());
    let (actor, charger) = (actor.clone(), charger.clone());
    to_completion(async move {
        let request = validate::target(
            &charger,
            control.limits(),
            claim.current.into(),
            duration.into(),
        )
        .map_err(|invalid| ControlError::Registry(invalid.into()))?;
        let intent = Intent {
            action: AuditAction::SetTarget,
            charger_id: charger.id,
            charger_name: &charger.name,
            requested_current: Some(request.current),
            requested_duration: Some(request.duration),
            batch_id: None,
        };
        let Some(id) = claims::take(&audit, &actor, intent, &claim).await? else {
            return Ok(None);
        };
        Ok(Some(control.carry_out_set(id, &charger, request).await?))
    })
    .await
}

/// Resets the target a disabled or deleted schedule left in force, when
/// it is still the one in force (`reset`); else only marks it dealt
/// with. `None`: another engine dealt with it.
pub(super) async fn withdraw(
    (control, audit): (&Control, &AuditLog),
    actor: &Actor,
    charger: &Charger,
    orphan: Orphan,
    reset: bool,
) -> Result<Option<ControlOutcome>, ControlError> {
    let (control, audit) = (control.clone(), audit.clone());
    let (actor, charger) = (actor.clone(), charger.clone());
    to_completion(async move {
        let intent = reset.then(|| Intent {
            action: AuditAction::ResetTarget,
            charger_id: charger.id,
            charger_name: &charger.name,
            requested_current: None,
            requested_duration: None,
            batch_id: None,
        });
        let Some(Some(id)) = claims::withdraw(&audit, &actor, &orphan, intent).await? else {
            return Ok(None);
        };
        Ok(Some(control.carry_out_reset(id, &charger).await?))
    })
    .await
}
