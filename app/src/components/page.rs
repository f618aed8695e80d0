//! The shell every page about one thing shares (`/chargers/ID`,
//! `/schedules/ID`, `/sites/ID`): the id from the path, the thing read
//! once, a line while it loads, and when it cannot be read the error under
//! the page's heading with a way back.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::components::feedback::error_fallback;
use crate::error::AppError;
use crate::i18n::td_string;
use crate::language::locale;

#[derive(Params, Clone, PartialEq)]
struct IdParams {
    id: Option<i64>,
}

/// Reads the thing `:id` names with `load` and shows it with `show`.
/// `heading` titles the page when it cannot be read; `loading` is shown
/// until it is.
pub fn one_thing<T, Fut, V>(
    heading: &'static str,
    loading: &'static str,
    load: fn(i64) -> Fut,
    show: fn(T) -> V,
) -> impl IntoView
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let l = locale();
    let params = use_params::<IdParams>();
    let id = move || params.get().ok().and_then(|p| p.id).unwrap_or(0);
    let thing = Resource::new(id, load);
    let failed = move |errors| {
        view! {
            <h1>{heading}</h1>
            {error_fallback(errors)}
            <p><a href="/">{td_string!(l, back_to_overview)}</a></p>
        }
    };
    view! {
        <Transition fallback=move || view! { <p>{loading}</p> }>
            <ErrorBoundary fallback=failed>
                {move || Suspend::new(async move { thing.await.map(show) })}
            </ErrorBoundary>
        </Transition>
    }
}
