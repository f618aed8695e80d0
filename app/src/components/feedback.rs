//! Turning server-function results into sentences on the page.

use leptos::prelude::*;

/// The sentence the server meant for the user.
pub fn error_message(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(message) => message.clone(),
        ServerFnError::Request(_) => {
            "The server could not be reached; check your connection and try again.".into()
        }
        other => other.to_string(),
    }
}

/// A banner for the latest result of an action: the success sentence, or
/// the error the server sent.
pub fn outcome_banner<T: 'static>(
    result: Option<Result<T, ServerFnError>>,
    success: impl FnOnce(T) -> String,
) -> Option<AnyView> {
    result.map(|r| match r {
        Ok(v) => view! { <p class="banner ok" role="status">{success(v)}</p> }.into_any(),
        Err(e) => view! { <p class="banner error" role="alert">{error_message(&e)}</p> }.into_any(),
    })
}
