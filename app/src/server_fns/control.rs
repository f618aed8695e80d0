//! One charger: its live reading, its latest events, and setting and
//! resetting its target. Reads for viewers and up; changes for operators.

use evse_dashboard::types::{AuditEntry, ChargerLive, ControlOutcome, TargetLimits};
use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{context, guard},
    evse_dashboard::control::validate,
    evse_dashboard::types::Role,
};

/// How many events the charger page lists.
pub const HISTORY_ROWS: i64 = 10;

/// A plain form post (no JavaScript) gets the charger page with the
/// outcome instead of JSON.
#[cfg(feature = "ssr")]
fn show_outcome(outcome: &ControlOutcome) {
    super::plain_form::redirect_plain_form(&format!(
        "/chargers/{}?outcome={}",
        outcome.charger_id, outcome.audit_id
    ));
}

/// The bounds the form offers, from the server's configuration.
#[server(name = TargetLimitsCall, prefix = "/api", endpoint = "target_limits")]
pub async fn target_limits() -> Result<TargetLimits, AppError> {
    guard::require(Role::Viewer).await?;
    Ok(context::services()?.control.limits())
}

/// The charger's latest reading (the sampler's: a view never calls CLEMAP).
#[server(name = ChargerLiveCall, prefix = "/api", endpoint = "charger_live")]
pub async fn charger_live(id: i64) -> Result<ChargerLive, AppError> {
    guard::require(Role::Viewer).await?;
    Ok(context::services()?.overview.charger(id).await?)
}

/// Reads the charger from CLEMAP now (an operator's "refresh now"), at
/// most once per 10 s per charger however many ask; then shows its page.
#[server(name = RefreshCharger, prefix = "/api", endpoint = "refresh_charger")]
pub async fn refresh_charger(id: i64) -> Result<bool, AppError> {
    guard::require(Role::Operator).await?;
    let services = context::services()?;
    let charger = services.registry.get(id).await?;
    let read = services.sampler.refresh(&charger).await.map_err(|e| {
        tracing::error!(error = %e, "a refresh could not be recorded");
        AppError::Internal
    })?;
    super::plain_form::redirect_plain_form(&format!("/chargers/{id}"));
    Ok(read == evse_dashboard::history::sampler::Refreshed::Read)
}

#[server(name = ChargerHistory, prefix = "/api", endpoint = "charger_history")]
pub async fn charger_history(id: i64) -> Result<Vec<AuditEntry>, AppError> {
    guard::require(Role::Viewer).await?;
    Ok(context::services()?
        .control
        .history(id, HISTORY_ROWS)
        .await?)
}

#[server(name = ControlOutcomeCall, prefix = "/api", endpoint = "control_outcome")]
pub async fn control_outcome(audit_id: i64) -> Result<ControlOutcome, AppError> {
    guard::require(Role::Viewer).await?;
    Ok(context::services()?.control.outcome(audit_id).await?)
}

/// Sets a temporary target. `duration` is seconds, or `custom` with
/// `custom_minutes`. Text, not numbers, so that a typo is refused with a
/// reason (and audited) instead of failing to decode.
#[server(name = SetTarget, prefix = "/api", endpoint = "set_target")]
pub async fn set_target(
    charger_id: i64,
    amps: String,
    duration: String,
    #[server(default)] custom_minutes: Option<String>,
    #[server(default)] confirmed: Option<String>,
) -> Result<ControlOutcome, AppError> {
    let user = guard::require(Role::Operator).await?;
    let _ = confirmed; // the form's no-JavaScript confirmation checkbox
    let services = context::services()?;
    let actor = context::actor(Some(&user), &user.username).await;
    let asked = validate::form(&amps, &duration, custom_minutes.as_deref());
    let outcome = services
        .control
        .set_as_asked(&actor, charger_id, asked)
        .await?;
    show_outcome(&outcome);
    Ok(outcome)
}

#[server(name = ResetTarget, prefix = "/api", endpoint = "reset_target")]
pub async fn reset_target(
    charger_id: i64,
    #[server(default)] confirmed: Option<String>,
) -> Result<ControlOutcome, AppError> {
    let user = guard::require(Role::Operator).await?;
    let _ = confirmed;
    let services = context::services()?;
    let actor = context::actor(Some(&user), &user.username).await;
    let outcome = services.control.reset(&actor, charger_id).await?;
    show_outcome(&outcome);
    Ok(outcome)
}
