use leptos::prelude::*;

use crate::i18n::td_string;
use crate::language::locale;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let l = locale();
    view! {
        <h1>{td_string!(l, not_found_heading)}</h1>
        <p>{td_string!(l, not_found_text)} " " <a href="/">{td_string!(l, back_to_overview)}</a></p>
    }
}
