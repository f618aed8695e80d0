//! The Leptos UI of the EVSE dashboard: pages, components and the server
//! functions they call. Compiled twice: natively with `ssr` (rendering and
//! server-function bodies) and to wasm with `hydrate` (the browser side).

pub mod api;
pub mod components;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod session;
pub mod words;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use components::layout::Layout;
use pages::{
    account::AccountPage, admin::AdminPage, audit::AuditPage, charger::ChargerPage,
    login::LoginPage, not_found::NotFound, overview::OverviewPage,
};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser, after hydration: the mark tells
    // end-to-end tests (and curious humans) that the wasm has taken over.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/evse-dashboard.css" />
        <Title text="EVSE dashboard" />
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=OverviewPage />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/account") view=AccountPage />
                    <Route path=path!("/admin") view=AdminPage />
                    // Async: the page is sent once every reading is in, which
                    // also sidesteps a streaming race with nested resources.
                    <Route path=path!("/chargers/:id") view=ChargerPage ssr=SsrMode::Async />
                    <Route path=path!("/audit") view=AuditPage />
                </Routes>
            </Layout>
        </Router>
    }
}

/// The browser's entry point, called by the generated JS loader.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
