//! `/chargers`: the fleet, one charger, and its target (read, set,
//! reset). The writes run the same `Control` calls as the charger page's
//! forms: same validation, same intent-first audit, same refusals.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use evse_dashboard::types::{AuditAction, ControlOutcome, Outcome, Role};

use super::body::target_body;
use super::caller::Caller;
use super::extract::ApiPath;
use super::model::{Charger, ResetAnswer, SetAnswer, SetTarget, Target};
use super::problem::{ApiError, ReadProblems, WriteProblems};
use super::writes::{self, Answered, KeyHeader, WriteRequest};
use crate::state::AppState;

/// Every charger with its latest reading and target.
#[utoipa::path(get, path = "/chargers", operation_id = "list_chargers", tag = "chargers",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Charger>),
        ReadProblems,
    ))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(Role::Viewer)?;
    let fleet = state
        .services
        .overview
        .fleet()
        .await
        .map_err(app::error::AppError::from)?;
    let chargers: Vec<Charger> = fleet.iter().map(Charger::from).collect();
    Ok(Json(chargers).into_response())
}

/// One charger with its latest reading and target.
#[utoipa::path(get, path = "/chargers/{id}", operation_id = "get_charger", tag = "chargers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The charger's id")),
    responses(
        (status = 200, body = Charger),
        ReadProblems,
    ))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    caller.require(Role::Viewer)?;
    let overview = state
        .services
        .overview
        .one(id)
        .await
        .map_err(app::error::AppError::from)?;
    Ok(Json(Charger::from(&overview)).into_response())
}

/// The target in force, as CLEMAP says now (read at most every 2 s).
#[utoipa::path(get, path = "/chargers/{id}/target", operation_id = "get_target", tag = "chargers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The charger's id")),
    responses(
        (status = 200, body = Target),
        ReadProblems,
    ))]
pub async fn target(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    caller.require(Role::Viewer)?;
    let live = state
        .services
        .control
        .live(id)
        .await
        .map_err(app::error::AppError::from)?;
    Ok(Json(Target::from(&live.settings)).into_response())
}

/// Sets a temporary target. `Idempotency-Key` makes a retry safe.
#[utoipa::path(post, path = "/chargers/{id}/target", operation_id = "set_target", tag = "chargers",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The charger's id"),
        KeyHeader,
    ),
    request_body = SetTarget,
    responses(
        (status = 201, body = SetAnswer, description = "CLEMAP answered: `received` or `rejected`"),
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
        let outcome = services
            .control
            .set_as_asked(&actor, id, asked)
            .await
            .map_err(app::error::AppError::from)?;
        answered(&outcome, |o| {
            serde_json::to_string(&SetAnswer {
                outcome: o.outcome.to_string(),
                current: o.requested_current,
                duration: o.requested_duration,
                valid_until: o.valid_until(),
                audit_id: o.audit_id,
            })
        })
    };
    Ok(writes::run(&state, &caller, request, change).await)
}

/// Removes the target in force; answers what it was.
#[utoipa::path(delete, path = "/chargers/{id}/target", operation_id = "reset_target", tag = "chargers",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The charger's id"),
        KeyHeader,
    ),
    responses(
        (status = 200, body = ResetAnswer),
        WriteProblems,
    ))]
pub async fn reset(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    caller.require(Role::Operator)?;
    let request = WriteRequest::new(Method::DELETE, &uri, &headers, &[]);
    let (services, actor) = (state.services.clone(), caller.actor.clone());
    let change = async move {
        let outcome = services
            .control
            .reset(&actor, id)
            .await
            .map_err(app::error::AppError::from)?;
        answered(&outcome, |o| {
            let previous = o.previous.clone().unwrap_or_default();
            serde_json::to_string(&ResetAnswer {
                previous: Target::from(&previous),
                audit_id: o.audit_id,
            })
        })
    };
    Ok(writes::run(&state, &caller, request, change).await)
}

/// A set's or reset's answer: the body for an answer from CLEMAP (201 for
/// a set, 200 for a reset), else the audited refusal or failure.
fn answered(
    outcome: &ControlOutcome,
    body: impl Fn(&ControlOutcome) -> serde_json::Result<String>,
) -> Result<Answered, ApiError> {
    match outcome.outcome {
        Outcome::Received | Outcome::Rejected => {
            let status = if outcome.action == AuditAction::SetTarget {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let body = body(outcome).map_err(|_| app::error::AppError::Internal)?;
            Ok((status.as_u16(), body))
        }
        _ => Err(ApiError::Audited {
            error: outcome
                .problem
                .clone()
                .map_or(app::error::AppError::Internal, Into::into),
            audit_ids: vec![outcome.audit_id],
        }),
    }
}
