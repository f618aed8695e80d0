//! `GET /audit/export.csv?<filters>`: the audit trail as CSV, streamed.
//! A plain route rather than a server function because the body is a
//! stream; it authorises through the same session and role rules as
//! everything else, runs one export per user at a time, and stops at the
//! export time limit.

use app::error::AppError;
use app::language::{Locale, negotiate_headers};
use app::server_fns::context::ClientIp;
use axum::body::Body;
use axum::extract::{Extension, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use evse_dashboard::audit::{self, Actor, Event, Who, query};
use evse_dashboard::types::{AuditAction, AuditFilter, Problem, Role, User};
use tower_sessions::Session;

use crate::state::AppState;

/// An error as the UI words it, with its status.
pub(crate) fn refuse(l: Locale, error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, app::words::error_sentence(l, &error)).into_response()
}

/// The logged-in operator or admin asking for an export.
pub(crate) async fn exporter(state: &AppState, session: &Session) -> Result<User, AppError> {
    let user = app::session::user_of(session, &state.services)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "session lookup failed");
            AppError::Internal
        })?
        .ok_or(AppError::NotLoggedIn)?;
    if user.role < Role::Operator {
        return Err(AppError::Forbidden {
            role: user.role,
            needed: Role::Operator,
        });
    }
    Ok(user)
}

pub async fn audit_csv(
    State(state): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    client_ip: Option<Extension<ClientIp>>,
    Query(filter): Query<AuditFilter>,
) -> Response {
    let user = match exporter(&state, &session).await {
        Ok(user) => user,
        Err(e) => return refuse(negotiate_headers(None, &headers), e),
    };
    let l = negotiate_headers(user.language, &headers);
    let Some(running) = state.services.exports.try_begin(&user.username) else {
        return refuse(l, Problem::AlreadyRunning.into());
    };
    let filter = query::with_defaults(filter);
    let reader = audit::privacy::Reader {
        user_id: Some(user.id),
        role: user.role,
    };
    let asked = (filter.clone(), reader);
    let stream = match state
        .services
        .audit
        .csv(asked, state.export_time_limit, running)
    {
        Ok(stream) => stream,
        Err(e) => return refuse(l, e.problem().into()),
    };
    let actor = Actor {
        who: Who::User {
            id: user.id,
            name: user.username.clone(),
        },
        request_id: headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        client_ip: client_ip.map(|Extension(ClientIp(ip))| ip.to_string()),
    };
    let event = Event::of(AuditAction::AuditExported, &Ok(())).about(filter.to_query());
    state.services.audit.record_or_log(&actor, event).await;
    csv_download("evse-audit", Body::from_stream(stream))
}

/// A streamed CSV `body` as a download named `PREFIX-YYYYMMDD-HHMMSS.csv`.
pub(crate) fn csv_download(prefix: &str, body: Body) -> Response {
    let name = format!(
        "{prefix}-{}.csv",
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
        body,
    )
        .into_response()
}
