//! How a server function answers a plain form post (no JavaScript): with
//! a redirect to a page that shows the outcome, or the error with what
//! was typed; a script gets the JSON answer instead.

use crate::error::AppError;
use crate::request::is_plain_form;

/// Sends a plain form post on to `path` (a script gets the JSON answer).
pub fn redirect_plain_form(path: &str) {
    if is_plain_form() {
        leptos_axum::redirect(path);
    }
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
