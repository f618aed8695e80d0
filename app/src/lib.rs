//! The Leptos UI of the EVSE dashboard. Pages are rendered on the server
//! only (islands mode): every page is complete HTML and every form a real
//! form. The browser bundle holds just the interactive islands
//! (`islands/`), which refine what is already there.

pub mod api;
pub mod components;
pub mod error;
pub mod islands;
pub mod language;
pub mod pages;
pub mod prefs;
#[cfg(feature = "ssr")]
pub mod session;
pub mod words;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

// `i18n`: the `Locale` enum and the translations of `locales/*.json`.
leptos_i18n::load_locales!();

use components::layout::Layout;
use pages::{
    account::AccountPage, admin::AdminPage, audit::AuditPage, charger::ChargerPage,
    login::LoginPage, not_found::NotFound, overview::OverviewPage,
};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let theme = prefs::request_theme().attribute();
    // Decided once per request; every component below reads it.
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        provide_context(language::negotiate(&parts));
    }
    let lang = language::locale().as_str();
    view! {
        <!DOCTYPE html>
        <html lang=lang data-theme=theme>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // The bundle's names carry a content hash in a release
                // build, so browsers may cache them for good.
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
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
    view! {
        <Title text="EVSE dashboard" />
        // Every page waits for its data and is sent whole (`SsrMode::Async`):
        // complete without JavaScript, nothing to swap in later.
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=OverviewPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async />
                    <Route path=path!("/chargers/:id") view=ChargerPage ssr=SsrMode::Async />
                    <Route path=path!("/audit") view=AuditPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

/// The browser's entry point: hydrates the islands, nothing else.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
