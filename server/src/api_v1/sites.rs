//! `/sites/{id}/target`: one current for every charger of a site, through
//! the same bulk change as the overview's form (each charger clamped to
//! its range, each audited as its own event under one batch id). A
//! current no charger of the site takes, or a duration out of limits, is
//! refused (422) and audited on each charger.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use evse_dashboard::audit::Actor;
use evse_dashboard::services::Services;
use evse_dashboard::types::{
    AuditAction, BulkItem, Charger, Field, Invalid, Outcome, Problem, Role, Rule, TargetLimits,
};

use super::body::target_body;
use super::caller::Caller;
use super::extract::ApiPath;
use super::model::{SetTarget, SiteAnswer, SiteItem, sentence};
use super::problem::{ApiError, WriteProblems};
use super::writes::{self, KeyHeader, WriteRequest};
use crate::state::AppState;

/// Sets a temporary target on every charger of the site.
#[utoipa::path(post, path = "/sites/{id}/target", operation_id = "set_site_target", tag = "sites",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The site's id"),
        KeyHeader,
    ),
    request_body = SetTarget,
    responses(
        (status = 201, body = SiteAnswer, description = "Each charger's outcome"),
        WriteProblems,
    ))]
pub async fn set(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    caller.require(Role::Operator)?;
    let body = body?;
    let request = WriteRequest::new(Method::POST, &uri, &headers, &body);
    let (services, actor) = (state.services.clone(), caller.actor.clone());
    let change = async move {
        let parsed = target_body(&body)?;
        let site = services
            .schedules
            .site(id)
            .await
            .map_err(app::error::AppError::from)?;
        let mut chargers = services
            .registry
            .list()
            .await
            .map_err(app::error::AppError::from)?;
        chargers.retain(|c| c.site_id == site.id);
        let limits = services.control.limits();
        let SetTarget { current, duration } = match parsed
            .and_then(|target| within_site(&chargers, limits, target))
        {
            Ok(target) => target,
            Err(invalid) => return Err(refuse_all(&services, &actor, &chargers, invalid).await?),
        };
        let ids: Vec<i64> = chargers.iter().map(|c| c.id).collect();
        let bulk = services
            .control
            .set_targets(&actor, &ids, current, duration)
            .await
            .map_err(app::error::AppError::from)?;
        for item in &bulk.items {
            if let Ok(done) = &item.result {
                services.overview.shown_at_once(done).await;
            }
        }
        let answer = SiteAnswer {
            batch_id: bulk.batch_id,
            chargers: bulk.items.iter().map(item).collect(),
        };
        let body = serde_json::to_string(&answer).map_err(|_| app::error::AppError::Internal)?;
        Ok((StatusCode::CREATED.as_u16(), body))
    };
    Ok(writes::run(&state, &caller, request, change).await)
}

fn item(item: &BulkItem) -> SiteItem {
    let (outcome, valid_until, audit_id, detail) = match &item.result {
        Ok(done) => (
            done.outcome,
            done.requested_duration
                .filter(|_| done.outcome == Outcome::Received)
                .map(|d| done.at + chrono::TimeDelta::seconds(i64::from(d))),
            Some(done.audit_id),
            done.problem.as_ref().map(sentence),
        ),
        Err(problem) => (Outcome::Error, None, None, Some(sentence(problem))),
    };
    SiteItem {
        charger_id: item.charger_id,
        charger_name: item.charger_name.clone(),
        sent: item.sent,
        outcome: outcome.to_string(),
        valid_until,
        audit_id,
        detail,
    }
}

/// A site-wide target is clamped to each charger's range, but a current
/// outside every charger's range, or a duration outside the server's
/// limits, is a mistake to refuse, not to clamp.
fn within_site(
    chargers: &[Charger],
    limits: TargetLimits,
    target: SetTarget,
) -> Result<SetTarget, Invalid> {
    let lowest = chargers.iter().map(|c| c.min_current).min();
    let highest = chargers.iter().map(|c| c.max_current).max();
    if let (Some(min), Some(max)) = (lowest, highest)
        && !(i64::from(min)..=i64::from(max)).contains(&target.current)
    {
        let rule = Rule::OutOfRange {
            got: target.current,
            min: min.into(),
            max: max.into(),
        };
        return Err(Invalid::new(Field::Amps, rule));
    }
    let (min, max) = (limits.min_duration, limits.max_duration);
    if !(i64::from(min)..=i64::from(max)).contains(&target.duration) {
        let rule = Rule::OutOfRange {
            got: target.duration,
            min: min.into(),
            max: max.into(),
        };
        return Err(Invalid::new(Field::Duration, rule));
    }
    Ok(target)
}

/// Audits the refusal on every charger of the site (nothing is sent).
async fn refuse_all(
    services: &Services,
    actor: &Actor,
    chargers: &[Charger],
    invalid: Invalid,
) -> Result<ApiError, ApiError> {
    let reason = Problem::Invalid(invalid.clone());
    let mut audit_ids = Vec::with_capacity(chargers.len());
    for charger in chargers {
        let refused = services
            .control
            .refuse(actor, charger.id, AuditAction::SetTarget, &reason)
            .await
            .map_err(app::error::AppError::from)?;
        audit_ids.push(refused.audit_id);
    }
    Ok(ApiError::Audited {
        error: invalid.into(),
        audit_ids,
    })
}
