//! The fleet overview and bulk targets over several chargers.

use evse_dashboard::types::{BulkOutcome, ChargerOverview, ControlOutcome};
use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{context, guard},
    evse_dashboard::control::{SetSeveral, validate},
    evse_dashboard::types::Role,
};

/// Every charger with its latest reading, its target and its verdict.
#[server(name = FleetOverview, prefix = "/api", endpoint = "fleet_overview")]
pub async fn fleet_overview() -> Result<Vec<ChargerOverview>, AppError> {
    guard::require(Role::Viewer).await?;
    Ok(context::services()?.overview.fleet().await?)
}

/// One amps + duration for several chargers, each clamped to its range
/// (`validate::several`: a current no chosen charger takes is refused).
#[server(name = BulkSetTarget, prefix = "/api", endpoint = "bulk_set_target")]
pub async fn bulk_set_target(
    #[server(default)] charger_ids: Vec<i64>,
    amps: String,
    duration: String,
    #[server(default)] custom_minutes: Option<String>,
    #[server(default)] confirmed: Option<String>,
) -> Result<BulkOutcome, AppError> {
    let _ = confirmed; // the form's no-JavaScript confirmation checkbox
    let user = guard::require(Role::Operator).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&user), &user.username).await;
    let asked = validate::form(&amps, &duration, custom_minutes.as_deref());
    match services
        .control
        .set_several(&actor, &charger_ids, asked)
        .await?
    {
        SetSeveral::Sent(outcome) => {
            super::plain_form::redirect_plain_form(&format!("/?bulk={}", outcome.batch_id));
            Ok(outcome)
        }
        SetSeveral::Refused { invalid, .. } => Err(invalid.into()),
    }
}

/// The outcomes of an earlier bulk change, from the audit trail (what a
/// plain form post shows after its redirect).
#[server(name = BulkResult, prefix = "/api", endpoint = "bulk_result")]
pub async fn bulk_result(batch_id: String) -> Result<Vec<ControlOutcome>, AppError> {
    guard::require(Role::Viewer).await?;
    Ok(context::services()?.control.batch(&batch_id).await?)
}
