//! `/sites/{id}/target`: one current for every charger of a site, through
//! the same bulk change as the overview's form (each charger clamped to
//! its range, each audited as its own event under one batch id).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use evse_dashboard::types::{BulkItem, Outcome, Role};

use super::body::target_body;
use super::caller::Caller;
use super::extract::ApiPath;
use super::model::{SetTarget, SiteAnswer, SiteItem, sentence};
use super::problem::{ApiError, WriteProblems};
use super::writes::{self, WriteRequest};
use crate::state::AppState;

/// Sets a temporary target on every charger of the site.
#[utoipa::path(post, path = "/sites/{id}/target", operation_id = "set_site_target", tag = "sites",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The site's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "The same key within 24 h answers the first answer again, with no second call to CLEMAP"),
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
    let change = async {
        let services = &state.services;
        let parsed = target_body(&body).map_err(|why| ApiError::Body(why.to_owned()))?;
        let SetTarget { current, duration } = parsed.map_err(app::error::AppError::from)?;
        let site = services
            .schedules
            .site(id)
            .await
            .map_err(app::error::AppError::from)?;
        let mut ids = services
            .registry
            .list()
            .await
            .map_err(app::error::AppError::from)?;
        ids.retain(|c| c.site_id == site.id);
        let ids: Vec<i64> = ids.iter().map(|c| c.id).collect();
        let bulk = services
            .control
            .set_targets(&caller.actor, &ids, current, duration)
            .await
            .map_err(app::error::AppError::from)?;
        for item in &bulk.items {
            if let Ok(done) = &item.result
                && let Err(e) = services.overview.after_change(done).await
            {
                tracing::warn!(error = %e, "the new target waits for the next reading");
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
