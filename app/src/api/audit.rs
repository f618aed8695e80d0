//! The audit trail for the history page (viewer and up).

use evse_dashboard::types::{AuditEntry, AuditFilter, AuditPage};
use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{context, guard},
    evse_dashboard::audit::query,
    evse_dashboard::types::Role,
};

#[server(name = AuditPageCall, prefix = "/api", endpoint = "audit_page")]
pub async fn audit_page(
    #[server(default)] filter: AuditFilter,
    #[server(default)] before: Option<i64>,
) -> Result<AuditPage, AppError> {
    guard::require(Role::Viewer).await?;
    let services = context::services()?;
    Ok(query::page(&services.db, &query::with_defaults(filter), before).await?)
}

/// One event, for the banner a page shows after a plain form post.
#[server(name = AuditEventCall, prefix = "/api", endpoint = "audit_event")]
pub async fn audit_event(id: i64) -> Result<AuditEntry, AppError> {
    guard::require(Role::Viewer).await?;
    let services = context::services()?;
    evse_dashboard::audit::entry(&services.db, id)
        .await?
        .ok_or(AppError::NotFound(
            evse_dashboard::types::Missing::AuditEvent(id),
        ))
}
