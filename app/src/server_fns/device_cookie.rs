//! The browser's device cookie (see `evse_dashboard::auth::device`): a
//! known device keeps its own login allowance.

use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::context::parts;
use crate::request::cookie;

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
