//! How results look: the error banner (one markup, always `role="alert"`),
//! the fallback of every `ErrorBoundary`, and success banners.

use leptos::prelude::*;

use crate::error::AppError;
use crate::words::error_sentence;

/// A server function's error as a sentence; "log in again" gets a link.
#[component]
pub fn ErrorBanner(error: AppError) -> impl IntoView {
    let log_in = matches!(error, AppError::NotLoggedIn);
    view! {
        <p class="banner error" role="alert">
            {error_sentence(&error)}
            {log_in.then(|| view! { " " <a href="/login">"Log in"</a> })}
        </p>
    }
}

/// The fallback of an `ErrorBoundary`: a banner per error.
pub fn error_fallback(errors: ArcRwSignal<Errors>) -> impl IntoView {
    move || {
        errors
            .get()
            .into_iter()
            .map(|(_, error)| {
                let error = error
                    .downcast_ref::<AppError>()
                    .cloned()
                    .unwrap_or(AppError::Internal);
                view! { <ErrorBanner error /> }
            })
            .collect_view()
    }
}

/// Waits for the resources read inside (the server too, so the rows are
/// in the HTML) and shows a banner for each that failed: the frame of
/// every section that shows loaded data.
#[component]
pub fn Loaded(
    /// What shows while waiting; nothing when empty.
    #[prop(optional)]
    waiting: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <Transition fallback=move || (!waiting.is_empty()).then(|| view! { <p>{waiting}</p> })>
            <ErrorBoundary fallback=error_fallback>{children()}</ErrorBoundary>
        </Transition>
    }
}

/// The latest result of an action: the success sentence, or the error.
pub fn result_banner<T: 'static>(
    result: Option<Result<T, AppError>>,
    success: impl FnOnce(T) -> String,
) -> Option<AnyView> {
    result.map(|r| match r {
        Ok(v) => view! { <p class="banner ok" role="status">{success(v)}</p> }.into_any(),
        Err(error) => view! { <ErrorBanner error /> }.into_any(),
    })
}

/// A titled card: a section labelled by its own heading.
#[component]
pub fn Card(
    /// Unique on the page: the heading's id.
    id: &'static str,
    #[prop(into)] heading: String,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby=id data-testid=testid>
            <h2 id=id>{heading}</h2>
            {children()}
        </section>
    }
}
