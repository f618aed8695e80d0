//! `/audit`: the trail with the audit page's filters, newest first, 50
//! events a page; `next_cursor` pages on (keyset, so a page never shifts
//! while new events arrive).

use axum::extract::State;
use axum::response::{IntoResponse, Json, Response};
use evse_dashboard::audit::privacy;
use evse_dashboard::types::{AuditFilter, Role};

use super::caller::Caller;
use super::extract::ApiQuery;
use super::model::{AuditEvent, AuditPage, AuditQuery};
use super::problem::{ApiError, ReadProblems, Unreadable};
use crate::state::AppState;

/// One page of the audit trail.
#[utoipa::path(get, path = "/audit", operation_id = "audit_page", tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, body = AuditPage),
        ReadProblems,
    ))]
pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(asked): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    caller.require(Role::Viewer)?;
    let unreadable = ApiError::Unreadable;
    let filter = AuditFilter {
        charger: asked.charger,
        site: asked.site,
        user: asked.user.filter(|u| !u.trim().is_empty()),
        action: match asked.action.as_deref().filter(|a| !a.is_empty()) {
            Some(a) => Some(
                a.parse()
                    .map_err(|_| unreadable(Unreadable::UnknownAction(a.to_owned())))?,
            ),
            None => None,
        },
        outcome: match asked.outcome.as_deref().filter(|o| !o.is_empty()) {
            Some(o) => Some(
                o.parse()
                    .map_err(|_| unreadable(Unreadable::UnknownOutcome(o.to_owned())))?,
            ),
            None => None,
        },
        from: asked.from.filter(|d| !d.is_empty()),
        to: asked.to.filter(|d| !d.is_empty()),
    };
    let before = match asked.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| unreadable(Unreadable::Cursor))?,
        ),
        None => None,
    };
    let (mut entries, next) = state
        .services
        .audit
        .page_rows(&filter, before)
        .await
        .map_err(app::error::AppError::from)?;
    let reader = privacy::Reader {
        user_id: None,
        role: caller.token.role,
    };
    privacy::shown_to(&reader, &mut entries);
    Ok(Json(AuditPage {
        events: entries.into_iter().map(AuditEvent::from).collect(),
        next_cursor: next.map(|id| id.to_string()),
    })
    .into_response())
}
