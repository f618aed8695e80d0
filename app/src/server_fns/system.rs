//! Facts about the server itself.

use evse_dashboard::types::ServerInfo;
use leptos::prelude::*;

use crate::error::AppError;

/// Version and database facts. Deliberately public (no role needed): it
/// reveals nothing about chargers or users, and it is how a manager checks
/// that the dashboard is up before logging in.
#[server(name = ServerInfoCall, prefix = "/api", endpoint = "server_info")]
pub async fn server_info() -> Result<ServerInfo, AppError> {
    super::guard::anyone();
    let services = super::context::services()?;
    services.server_info().await.map_err(|e| {
        tracing::error!(error = %e, "server info failed");
        AppError::Internal
    })
}
