//! `GET /audit/export.csv?<filters>`: the audit trail as CSV, streamed.
//! A plain route rather than a server function because the body is a
//! stream; it authorises through the same guard as everything else.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use evse_dashboard::audit::{self, Actor, Event, query};
use evse_dashboard::types::AuditAction;
use evse_dashboard::types::{AuditFilter, Role};
use tower_sessions::Session;

use crate::state::AppState;

pub async fn audit_csv(
    State(state): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    Query(filter): Query<AuditFilter>,
) -> Response {
    let user = match app::session::user_of(&session, &state.services).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            return (
                StatusCode::UNAUTHORIZED,
                "Log in to export the audit trail.",
            )
                .into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if user.role < Role::Operator {
        return (
            StatusCode::FORBIDDEN,
            format!(
                "Your role ({}) may not export the audit trail; operators and admins can.",
                user.role
            ),
        )
            .into_response();
    }
    let filter = query::with_defaults(filter);
    let stream = match audit::csv(state.services.pool.clone(), filter.clone()) {
        Ok(stream) => stream,
        Err(e) => {
            let sentence = app::words::problem_sentence(&e.problem());
            return (StatusCode::UNPROCESSABLE_ENTITY, sentence).into_response();
        }
    };
    let actor = Actor {
        user_id: Some(user.id),
        username: user.username.clone(),
        request_id: headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        client_ip: None,
    };
    state
        .services
        .audit
        .record_or_log(
            &actor,
            Event::of(AuditAction::AuditExported, &Ok(()))
                .about(serde_urlencoded::to_string(&filter).unwrap_or_default()),
        )
        .await;
    let name = format!(
        "evse-audit-{}.csv",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}
