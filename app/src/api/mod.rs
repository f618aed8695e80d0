//! Server functions: thin adapters from the browser to the back-end
//! services. Each one authorises first, then calls one service.

pub mod system;

#[cfg(feature = "ssr")]
pub(crate) mod context {
    use evse_dashboard::services::Services;
    use leptos::prelude::*;

    /// The back-end handle the server put into the request's context.
    pub fn services() -> Result<Services, ServerFnError> {
        use_context::<Services>()
            .ok_or_else(|| ServerFnError::new("server misconfigured: no services in context"))
    }
}
