//! How results look: the error banner (one markup, always `role="alert"`),
//! the fallback of every `ErrorBoundary`, and success banners.

use evse_dashboard::types::Outcome;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query;
use leptos_router::params::Params;

use crate::error::AppError;
use crate::i18n::td_string;
use crate::language::locale;
use crate::server_fns::audit::audit_event;
use crate::words::{error_sentence, event_sentence};

/// A server function's error as a sentence; "log in again" gets a link.
#[component]
pub fn ErrorBanner(error: AppError) -> impl IntoView {
    let l = locale();
    let log_in = matches!(error, AppError::NotLoggedIn);
    view! {
        <p class="banner error" role="alert">
            {error_sentence(l, &error)}
            {log_in.then(|| view! { " " <a href="/login">{td_string!(l, log_in)}</a> })}
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

/// The error a plain form post came back with (in the URL, `__err`), on
/// the page it came from.
pub fn action_error<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| view! { <ErrorBanner error /> })
    }
}

/// `?event=AUDIT_ID`: where a plain form post that changed something lands.
#[derive(Params, Clone, PartialEq)]
struct EventQuery {
    event: Option<i64>,
}

/// The outcome of the change a form post just made, from its audit row.
#[component]
pub fn EventBanner() -> impl IntoView {
    let l = locale();
    let query = use_query::<EventQuery>();
    let entry = Resource::new(
        move || query.get().ok().and_then(|q| q.event),
        |id| async move {
            match id {
                Some(id) => audit_event(id).await.ok(),
                None => None,
            }
        },
    );
    view! {
        <div aria-live="polite" data-testid="event">
            <Transition fallback=|| ()>
                {move || {
                    entry.get().flatten().map(|e| {
                        let class = if e.outcome == Outcome::Ok { "banner ok" } else { "banner error" };
                        view! { <p class=class role="status">{event_sentence(l, &e)}</p> }
                    })
                }}
            </Transition>
        </div>
    }
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
