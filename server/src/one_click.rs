//! `POST /alerts/unsubscribe/{id}/{token}/one-click`: RFC 8058's one-click
//! unsubscribe, which a mail program posts on its user's behalf from the
//! `List-Unsubscribe` header of an alert mail. Outside the session and
//! the cross-site check (the mail program is another site, and sends no
//! cookie): the link's token is the authorisation.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use evse_dashboard::alerts::AlertError;

use crate::state::AppState;

pub async fn unsubscribe(
    State(state): State<AppState>,
    Path((id, token)): Path<(i64, String)>,
) -> StatusCode {
    let subscriptions = &state.services.alerts.subscriptions;
    match subscriptions.unsubscribe(id, &token).await {
        Ok(_) => StatusCode::OK,
        Err(AlertError::NotFound(_)) => StatusCode::NOT_FOUND,
        Err(e) => {
            tracing::error!(error = %e, "a one-click unsubscribe failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}
