//! How a server function's answer is shaped for its caller: a plain form
//! post (no JavaScript) wants a page, a script wants JSON with a status
//! that says what went wrong. Depends on nothing of the app, so both the
//! error type and the request context can use it.

use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// A plain HTML form post (no JavaScript): it wants a page, not JSON.
pub fn is_plain_form() -> bool {
    use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(http::header::ACCEPT).cloned())
        .and_then(|v| v.to_str().ok().map(|a| a.contains("text/html")))
        .unwrap_or(false)
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
