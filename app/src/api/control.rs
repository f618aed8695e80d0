//! Reading a charger live, setting and resetting its current target.
//! Reads for viewers and up; set and reset for operators and up.

use evse_dashboard::types::{
    AuditEntry, BulkOutcome, ChargerLive, ChargerOverview, ControlOutcome,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::guard::{self, fail, internal},
    evse_dashboard::control::{ControlError, SET_TARGET},
    evse_dashboard::types::Role,
    http::StatusCode,
};

/// The bounds the form offers, from the server's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetLimits {
    pub min_duration: u32,
    pub max_duration: u32,
}

#[cfg(feature = "ssr")]
fn control_error(e: ControlError) -> ServerFnError {
    match e {
        ControlError::NotFound(_) => fail(StatusCode::NOT_FOUND, e.to_string()),
        ControlError::Unavailable(_) => fail(StatusCode::BAD_GATEWAY, e.to_string()),
        ControlError::Db(_) => internal(e),
    }
}

/// A plain form POST (no JavaScript) gets the outcome page instead of JSON.
#[cfg(feature = "ssr")]
async fn redirect_plain_form(outcome: &ControlOutcome) {
    let wants_html = leptos_axum::extract::<http::request::Parts>()
        .await
        .ok()
        .and_then(|p| p.headers.get(http::header::ACCEPT).cloned())
        .and_then(|v| v.to_str().ok().map(|a| a.contains("text/html")))
        .unwrap_or(false);
    if wants_html {
        leptos_axum::redirect(&format!(
            "/chargers/{}?outcome={}",
            outcome.charger_id, outcome.audit_id
        ));
    }
}

#[server(name = TargetLimitsCall, prefix = "/api", endpoint = "target_limits")]
pub async fn target_limits() -> Result<TargetLimits, ServerFnError> {
    guard::require(Role::Viewer).await?;
    let limits = guard::services()?.control.limits();
    Ok(TargetLimits {
        min_duration: limits.min_duration,
        max_duration: limits.max_duration,
    })
}

#[server(name = ChargerLiveCall, prefix = "/api", endpoint = "charger_live")]
pub async fn charger_live(id: i64) -> Result<ChargerLive, ServerFnError> {
    guard::require(Role::Viewer).await?;
    guard::services()?
        .control
        .live(id)
        .await
        .map_err(control_error)
}

#[server(name = ChargerHistory, prefix = "/api", endpoint = "charger_history")]
pub async fn charger_history(id: i64) -> Result<Vec<AuditEntry>, ServerFnError> {
    guard::require(Role::Viewer).await?;
    guard::services()?
        .control
        .history(id, 10)
        .await
        .map_err(control_error)
}

#[server(name = ControlOutcomeCall, prefix = "/api", endpoint = "control_outcome")]
pub async fn control_outcome(audit_id: i64) -> Result<ControlOutcome, ServerFnError> {
    guard::require(Role::Viewer).await?;
    guard::services()?
        .control
        .outcome(audit_id)
        .await
        .map_err(control_error)
}

/// Sets a temporary target. `duration` is seconds, or `custom` with
/// `custom_minutes`. Text, not numbers, so that a typo is refused with a
/// sentence (and audited) instead of failing to decode.
#[server(name = SetTarget, prefix = "/api", endpoint = "set_target")]
pub async fn set_target(
    charger_id: i64,
    amps: String,
    duration: String,
    #[server(default)] custom_minutes: Option<String>,
    #[server(default)] confirmed: Option<String>,
) -> Result<ControlOutcome, ServerFnError> {
    let user = guard::require(Role::Operator).await?;
    let _ = confirmed; // the form's no-JavaScript confirmation checkbox
    let services = guard::services()?;
    let actor = guard::actor(Some(&user), &user.username).await;
    let parsed = parse_amps(&amps)
        .and_then(|a| parse_duration(&duration, custom_minutes.as_deref()).map(|d| (a, d)));
    let outcome = match parsed {
        Ok((amps, seconds)) => {
            services
                .control
                .set_target(&actor, charger_id, amps, seconds)
                .await
        }
        Err(reason) => {
            services
                .control
                .refuse(&actor, charger_id, SET_TARGET, &reason)
                .await
        }
    }
    .map_err(control_error)?;
    services.overview.invalidate(charger_id).await;
    redirect_plain_form(&outcome).await;
    Ok(outcome)
}

/// Every charger with its status and target, from the shared cache.
#[server(name = FleetOverview, prefix = "/api", endpoint = "fleet_overview")]
pub async fn fleet_overview() -> Result<Vec<ChargerOverview>, ServerFnError> {
    guard::require(Role::Viewer).await?;
    guard::services()?.overview.fleet().await.map_err(internal)
}

/// One amps + duration for several chargers, each clamped to its range.
#[server(name = BulkSetTarget, prefix = "/api", endpoint = "bulk_set_target")]
pub async fn bulk_set_target(
    charger_ids: Vec<i64>,
    amps: String,
    duration: String,
    #[server(default)] custom_minutes: Option<String>,
) -> Result<BulkOutcome, ServerFnError> {
    let user = guard::require(Role::Operator).await?;
    let services = guard::services()?;
    if charger_ids.is_empty() {
        return Err(fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Select at least one charger.",
        ));
    }
    let amps = parse_amps(&amps).map_err(|m| fail(StatusCode::UNPROCESSABLE_ENTITY, m))?;
    let seconds = parse_duration(&duration, custom_minutes.as_deref())
        .map_err(|m| fail(StatusCode::UNPROCESSABLE_ENTITY, m))?;
    let actor = guard::actor(Some(&user), &user.username).await;
    let outcome = services
        .control
        .set_targets(&actor, &charger_ids, amps, seconds)
        .await
        .map_err(control_error)?;
    for id in &charger_ids {
        services.overview.invalidate(*id).await;
    }
    Ok(outcome)
}

#[server(name = ResetTarget, prefix = "/api", endpoint = "reset_target")]
pub async fn reset_target(
    charger_id: i64,
    #[server(default)] confirmed: Option<String>,
) -> Result<ControlOutcome, ServerFnError> {
    let user = guard::require(Role::Operator).await?;
    let _ = confirmed;
    let services = guard::services()?;
    let actor = guard::actor(Some(&user), &user.username).await;
    let outcome = services
        .control
        .reset(&actor, charger_id)
        .await
        .map_err(control_error)?;
    redirect_plain_form(&outcome).await;
    Ok(outcome)
}

/// Whole amperes only: CLEMAP takes integers.
pub fn parse_amps(text: &str) -> Result<i64, String> {
    text.trim().parse::<i64>().map_err(|_| {
        format!(
            "{:?} is not a whole number of amperes. Nothing was sent to CLEMAP.",
            text.trim()
        )
    })
}

/// Seconds, or `custom` with whole minutes.
pub fn parse_duration(choice: &str, custom_minutes: Option<&str>) -> Result<i64, String> {
    let choice = choice.trim();
    if choice == "custom" {
        let minutes = custom_minutes.unwrap_or_default().trim();
        return minutes
            .parse::<i64>()
            .map(|m| m.saturating_mul(60))
            .map_err(|_| format!("Enter the custom duration as whole minutes (got {minutes:?}). Nothing was sent to CLEMAP."));
    }
    choice
        .parse::<i64>()
        .map_err(|_| "Choose a duration. Nothing was sent to CLEMAP.".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amps_must_be_whole_numbers() {
        assert_eq!(parse_amps(" 10 "), Ok(10));
        assert!(parse_amps("10.5").unwrap_err().contains("whole number"));
        assert!(parse_amps("").is_err());
    }

    #[test]
    fn durations_are_presets_or_custom_minutes() {
        assert_eq!(parse_duration("7200", None), Ok(7200));
        assert_eq!(parse_duration("custom", Some("45")), Ok(2700));
        assert!(
            parse_duration("custom", Some("1.5"))
                .unwrap_err()
                .contains("whole minutes")
        );
        assert!(
            parse_duration("", None)
                .unwrap_err()
                .contains("Choose a duration")
        );
    }
}
