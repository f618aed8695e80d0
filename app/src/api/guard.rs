//! The one place that turns a request's session into the current user and
//! checks the role. Every server function calls [`require`] (or
//! [`anyone`] for the few public ones) before anything else.

use evse_dashboard::audit::Actor;
use evse_dashboard::services::Services;
use evse_dashboard::types::{Role, User};
use http::StatusCode;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use tower_sessions::Session;

use super::session_keys;

/// The back-end handle the server put into the request's context.
pub fn services() -> Result<Services, ServerFnError> {
    use_context::<Services>().ok_or_else(|| {
        tracing::error!("no Services in the request context");
        fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server is misconfigured; check its log.",
        )
    })
}

/// An error the user sees, with the HTTP status the response carries.
pub fn fail(status: StatusCode, message: impl Into<String>) -> ServerFnError {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(status);
    }
    ServerFnError::new(message.into())
}

/// For failures whose detail belongs in the log, not in front of the user.
pub fn internal(error: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(%error, "server function failed");
    fail(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on the server; try again, and tell an admin if it persists.",
    )
}

pub async fn session() -> Result<Session, ServerFnError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| internal(format!("no session layer: {e}")))
}

/// The logged-in user, if the session is still good.
pub async fn current_user() -> Result<Option<User>, ServerFnError> {
    let session = session().await?;
    let services = services()?;
    user_of(&session, &services).await.map_err(internal)
}

/// Shared with the server's page middleware: session → user.
pub async fn user_of(
    session: &Session,
    services: &Services,
) -> Result<Option<User>, Box<dyn std::error::Error + Send + Sync>> {
    let user_id: Option<i64> = session.get(session_keys::USER_ID).await?;
    let logged_in_at: Option<i64> = session.get(session_keys::LOGGED_IN_AT).await?;
    let (Some(user_id), Some(logged_in_at)) = (user_id, logged_in_at) else {
        return Ok(None);
    };
    let logged_in_at = chrono::DateTime::from_timestamp(logged_in_at, 0).unwrap_or_default();
    let user = services.users.session_user(user_id, logged_in_at).await?;
    if user.is_none() {
        // Expired, disabled or deleted: end the session for good.
        session.flush().await?;
    }
    Ok(user)
}

/// The current user, if their role is at least `min`; else 401 (not
/// logged in) or 403 (role too low) with a sentence the UI shows.
pub async fn require(min: Role) -> Result<User, ServerFnError> {
    match current_user().await? {
        None => Err(fail(
            StatusCode::UNAUTHORIZED,
            "You are not logged in (or your session expired). Log in and try again.",
        )),
        Some(user) if user.role < min => Err(fail(
            StatusCode::FORBIDDEN,
            format!(
                "Your role ({}) may not do this; it needs {}. Ask an admin if you should.",
                user.role, min
            ),
        )),
        Some(user) => Ok(user),
    }
}

/// For the public functions (login, server info): no role needed, stated
/// explicitly so every function has a visible rule.
pub fn anyone() {}

/// Who is acting, from where, under which request id: for audit rows.
pub async fn actor(user: Option<&User>, username: &str) -> Actor {
    let parts = leptos_axum::extract::<http::request::Parts>().await.ok();
    let request_id = parts
        .as_ref()
        .and_then(|p| p.headers.get("x-request-id"))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Actor {
        user_id: user.map(|u| u.id),
        username: user.map_or_else(|| username.to_owned(), |u| u.username.clone()),
        request_id,
        client_ip: client_ip().await,
    }
}

/// The peer address of the connection. (Behind a reverse proxy this is
/// the proxy; trusting X-Forwarded-For needs a configured proxy list.)
pub async fn client_ip() -> Option<String> {
    leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|info| info.0.ip().to_string())
}
