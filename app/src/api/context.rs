//! What a server function can learn about its request: the back-end
//! handle, the session, who is acting and from where, and how the answer
//! should be shaped (JSON for scripts, a redirect for plain forms).

use evse_dashboard::audit::{Actor, Event, Who};
use evse_dashboard::services::Services;
use evse_dashboard::types::User;
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
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

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The user the page middleware already checked for this request.
pub fn request_user() -> Option<User> {
    parts()
        .and_then(|p| p.extensions.get::<crate::session::RequestUser>().cloned())
        .map(|u| u.0)
}

pub use super::answer::is_plain_form;

/// Sends a plain form post on to `path` (a script gets the JSON answer).
pub fn redirect_plain_form(path: &str) {
    if is_plain_form() {
        leptos_axum::redirect(path);
    }
}

/// A cookie's value from the request headers.
pub fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    use tower_sessions::cookie::Cookie;
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// Whether cookies are `Secure` (HTTPS only), as the server was told: the
/// server provides it with the services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecureCookies(pub bool);

fn device_cookie_name() -> &'static str {
    use evse_dashboard::auth::device;
    match use_context::<SecureCookies>() {
        Some(SecureCookies(true)) => device::SECURE_COOKIE,
        _ => device::COOKIE,
    }
}

/// The browser's device cookie (see `evse_dashboard::auth::device`).
pub fn device_cookie() -> Option<String> {
    parts().and_then(|p| cookie(&p.headers, device_cookie_name()))
}

/// Gives the browser a device cookie: sent back to the login only,
/// invisible to scripts, never cross-site.
pub fn set_device_cookie(value: &str) {
    use evse_dashboard::auth::device;
    let secure = matches!(use_context::<SecureCookies>(), Some(SecureCookies(true)));
    let cookie = tower_sessions::cookie::Cookie::build((device_cookie_name(), value))
        .path(device::COOKIE_PATH)
        .max_age(tower_sessions::cookie::time::Duration::seconds(
            device::MAX_AGE_SECS,
        ))
        .http_only(true)
        .same_site(tower_sessions::cookie::SameSite::Strict)
        .secure(secure)
        .build();
    if let (Some(response), Ok(header)) = (
        use_context::<ResponseOptions>(),
        http::HeaderValue::from_str(&cookie.to_string()),
    ) {
        response.append_header(http::header::SET_COOKIE, header);
    }
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

/// After a refused plain form post, sends the browser back to `page` with
/// what was typed (`draft`, JSON) and the error, so the form shows both
/// and nothing typed is lost. Returns the error for a script's answer.
pub fn back_with_draft<F>(page: &str, draft: &impl serde::Serialize, error: AppError) -> AppError
where
    F: leptos::server_fn::ServerFn<Error = AppError>,
{
    if is_plain_form() {
        let draft = serde_json::to_string(draft).unwrap_or_default();
        let draft = leptos_router::location::Url::escape(&draft);
        let base = format!("http://here{page}?draft={draft}");
        let url =
            leptos::server_fn::error::ServerFnUrlError::new(F::PATH, error.clone()).to_url(&base);
        if let Ok(url) = url {
            let location = format!("{}?{}", url.path(), url.query().unwrap_or_default());
            leptos_axum::redirect(&location);
        }
    }
    error
}

/// After a plain form post, shows `page` with the audited event's outcome.
pub fn show_event(page: &str, event: Option<i64>) {
    match event {
        Some(id) => redirect_plain_form(&format!("{page}?event={id}")),
        None => redirect_plain_form(page),
    }
}
