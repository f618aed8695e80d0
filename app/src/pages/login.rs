//! The login page. Works without JavaScript too (plain form POST; the
//! server redirects to `next`).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::auth::{Login, safe_next};
use crate::components::feedback::ErrorBanner;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || safe_next(&query.read().get("next").unwrap_or_default()).to_owned();
    // A full page load after login, so every part of the page sees the session.
    Effect::new(move |_| {
        if let Some(Ok(_)) = login.value().get() {
            let _ = window().location().set_href(&next());
        }
    });

    view! {
        <section class="card narrow">
            <h1>"Log in"</h1>
            <ActionForm action=login>
                <label>
                    "Username"
                    <input name="username" autocomplete="username" required autofocus />
                </label>
                <label>
                    "Password"
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                    />
                </label>
                <input type="hidden" name="next" prop:value=next />
                <button type="submit" disabled=move || login.pending().get()>
                    "Log in"
                </button>
            </ActionForm>
            {move || {
                login
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|error| view! { <ErrorBanner error /> })
            }}
        </section>
    }
}
