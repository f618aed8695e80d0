//! What the request being answered carries (its cookies; whether it is a
//! plain form post, which wants a page rather than JSON) and the status
//! of a failed answer. Depends on nothing of the app, so the error type,
//! the preferences and the server functions can all use it.

use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// A plain HTML form post (no JavaScript): it wants a page, not JSON.
pub fn is_plain_form() -> bool {
    use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(http::header::ACCEPT).cloned())
        .and_then(|v| v.to_str().ok().map(|a| a.contains("text/html")))
        .unwrap_or(false)
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

/// Sets the response status of a failed call. A plain form post keeps the
/// redirect that shows the error on the page it came from.
pub fn set_error_status(status: u16) {
    if is_plain_form() {
        return;
    }
    if let (Some(response), Ok(status)) = (
        use_context::<ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        response.set_status(status);
    }
}
