//! What every handler can reach. Its own module so the router sits above
//! the handlers it mounts, and the handlers depend only on this.

use axum::extract::FromRef;
use evse_dashboard::services::Services;
use leptos::config::LeptosOptions;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: std::sync::Arc<[ipnet::IpNet]>,
    /// How long one CSV export may run.
    pub export_time_limit: std::time::Duration,
    /// `/api/v1` writes per minute and token.
    pub write_rate: crate::write_rate::WriteRate,
    /// Sends alerts; the admin page's "Send a test" uses it.
    #[from_ref(skip)]
    pub dispatcher: evse_dashboard::alerts::dispatch::Dispatcher,
    /// The live page streams (#41): counted per client, ended at a stop.
    #[from_ref(skip)]
    pub live: crate::live_streams::LiveStreams,
    /// `/metrics` is served, so requests are counted (off, the counting
    /// layer is not installed at all).
    #[from_ref(skip)]
    pub metrics: bool,
}
