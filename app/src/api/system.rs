//! Facts about the server itself.

use evse_dashboard::types::ServerInfo;
use leptos::prelude::*;

/// Version and database facts. Deliberately public (no role needed): it
/// reveals nothing about chargers or users, and it is how a manager checks
/// that the dashboard is up before logging in.
#[server(name = ServerInfoCall, prefix = "/api", endpoint = "server_info")]
pub async fn server_info() -> Result<ServerInfo, ServerFnError> {
    super::guard::anyone();
    let services = super::guard::services()?;
    services.server_info().await.map_err(|e| {
        tracing::error!(error = %e, "server info failed");
        ServerFnError::new("The database is not answering; check the server log.")
    })
}
