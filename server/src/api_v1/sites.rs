//! `/sites/{id}/target`: one current for every charger of a site, through
//! the same bulk change as the overview's form (each charger clamped to
//! its range, each audited as its own event under one batch id). A
//! current no charger may be rated for (past 80 A), or a duration out of
//! limits, is refused (422) and audited on each charger
//! (`control::validate::several`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use evse_dashboard::control::SetSeveral;
use evse_dashboard::types::{BulkItem, Outcome, Role};

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
        let asked = target_body(&body)?.map(|t| (t.current, t.duration));
        let set = services.control.set_site(&actor, id, asked).await;
        match set.map_err(app::error::AppError::from)? {
            SetSeveral::Sent(bulk) => {
                let answer = SiteAnswer {
                    batch_id: bulk.batch_id,
                    chargers: bulk.items.iter().map(item).collect(),
                };
                let body =
                    serde_json::to_string(&answer).map_err(|_| app::error::AppError::Internal)?;
                Ok((StatusCode::CREATED.as_u16(), body))
            }
            SetSeveral::Refused { invalid, audit_ids } => Err(ApiError::Audited {
                error: invalid.into(),
                audit_ids,
            }),
        }
    };
    Ok(writes::run(&state, &caller, request, change).await)
}

fn item(item: &BulkItem) -> SiteItem {
    let (outcome, valid_until, audit_id, detail) = match &item.result {
        Ok(done) => (
            done.outcome,
            done.valid_until(),
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
