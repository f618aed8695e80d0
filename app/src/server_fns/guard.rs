//! The one place that decides who may call what: session → user → role.
//! Every server function calls [`require`] (or [`anyone`] for the few
//! public ones) before anything else.

use evse_dashboard::types::{Role, User};

use super::context;
use crate::error::AppError;

/// The logged-in user, if the session is still good.
pub async fn current_user() -> Result<Option<User>, AppError> {
    if let Some(user) = context::request_user() {
        return Ok(Some(user));
    }
    let session = context::session().await?;
    let services = context::services()?;
    crate::session::user_of(&session, &services)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "session lookup failed");
            AppError::Internal
        })
}

/// The current user, if their role is at least `min`; else 401 (not
/// logged in) or 403 (role too low).
pub async fn require(min: Role) -> Result<User, AppError> {
    match current_user().await? {
        None => Err(AppError::NotLoggedIn),
        Some(user) if user.role < min => Err(AppError::Forbidden {
            role: user.role,
            needed: min,
        }),
        Some(user) => Ok(user),
    }
}

/// For the public functions (login, server info): no role needed, stated
/// explicitly so every function has a visible rule.
pub fn anyone() {}
