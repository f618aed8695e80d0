//! The fleet overview and bulk targets over several chargers.

use evse_dashboard::types::{BulkOutcome, ChargerOverview, ControlOutcome};
use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{context, guard},
    evse_dashboard::control::validate::{parse_amps, parse_duration},
    evse_dashboard::types::{Field, Invalid, Role, Rule},
};

/// Every charger with its latest reading, its target and its verdict.
#[server(name = FleetOverview, prefix = "/api", endpoint = "fleet_overview")]
pub async fn fleet_overview() -> Result<Vec<ChargerOverview>, AppError> {
    guard::require(Role::Viewer).await?;
    Ok(context::services()?.overview.fleet().await?)
}

/// One amps + duration for several chargers, each clamped to its range.
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
    if charger_ids.is_empty() {
        return Err(Invalid::new(Field::Chargers, Rule::Required).into());
    }
    let amps = parse_amps(&amps)?;
    let seconds = parse_duration(&duration, custom_minutes.as_deref())?;
    let actor = context::actor(Some(&user), &user.username).await;
    let outcome = services
        .control
        .set_targets(&actor, &charger_ids, amps, seconds)
        .await?;
    for item in &outcome.items {
        if let Ok(done) = &item.result {
            services.overview.shown_at_once(done).await;
        }
    }
    context::redirect_plain_form(&format!("/?bulk={}", outcome.batch_id));
    Ok(outcome)
}

/// The outcomes of an earlier bulk change, from the audit trail (what a
/// plain form post shows after its redirect).
#[server(name = BulkResult, prefix = "/api", endpoint = "bulk_result")]
pub async fn bulk_result(batch_id: String) -> Result<Vec<ControlOutcome>, AppError> {
    guard::require(Role::Viewer).await?;
    Ok(context::services()?.control.batch(&batch_id).await?)
}
