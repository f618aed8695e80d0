//! What a server function can learn about its request: the back-end
//! handle, the session, who is acting and from where. How a plain form's
//! answer is shaped is `plain_form`; the device cookie is `device_cookie`.

use evse_dashboard::audit::{Actor, Event, Who};
use evse_dashboard::services::Services;
use evse_dashboard::types::User;
use http::request::Parts;
use leptos::prelude::*;
use tower_sessions::Session;

use crate::error::AppError;

/// The back-end handle the server put into the request's context.
pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| {
        tracing::error!("no Services in the request context");
        AppError::Internal
    })
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer");
        AppError::Internal
    })
}

pub(super) fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The user the page middleware already checked for this request.
pub fn request_user() -> Option<User> {
    parts()
        .and_then(|p| p.extensions.get::<crate::session::RequestUser>().cloned())
        .map(|u| u.0)
}

/// The client's address as the server worked it out (the peer, or behind
/// a trusted proxy the address it forwarded), put into the request's
/// extensions by the server's middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

pub async fn client_ip() -> Option<String> {
    if let Some(ip) = parts().and_then(|p| p.extensions.get::<ClientIp>().copied()) {
        return Some(ip.0.to_string());
    }
    leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|info| info.0.ip().to_string())
}

/// Who is acting, from where, under which request id: for audit rows.
/// `username` names the actor when nobody is logged in (a login attempt).
pub async fn actor(user: Option<&User>, username: &str) -> Actor {
    let request_id = parts()
        .and_then(|p| p.headers.get("x-request-id").cloned())
        .and_then(|v| v.to_str().ok().map(str::to_owned));
    let who = match user {
        Some(u) => Who::User {
            id: u.id,
            name: u.username.clone(),
        },
        None => Who::Unknown {
            name: username.to_owned(),
        },
    };
    Actor {
        who,
        request_id,
        client_ip: client_ip().await,
    }
}

/// Writes `event` as done by `user` in this request; returns its id. The
/// change it records already happened, so a failure to write is logged,
/// not returned.
pub async fn audit(user: &User, event: Event) -> Option<i64> {
    let Ok(services) = services() else {
        tracing::error!(action = %event.action, "no services: audit event lost");
        return None;
    };
    let actor = actor(Some(user), &user.username).await;
    services.audit.record_or_log(&actor, event).await
}
