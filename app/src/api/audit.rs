//! The audit trail for the history page (viewer and up).

use evse_dashboard::types::{AuditFilter, AuditPage};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::{self, fail, internal},
    evse_dashboard::audit::query::{self, QueryError},
    evse_dashboard::types::Role,
    http::StatusCode,
};

#[server(name = AuditPageCall, prefix = "/api", endpoint = "audit_page")]
pub async fn audit_page(
    #[server(default)] filter: AuditFilter,
    #[server(default)] before: Option<i64>,
) -> Result<AuditPage, ServerFnError> {
    guard::require(Role::Viewer).await?;
    let services = guard::services()?;
    query::page(&services.pool, &query::with_defaults(filter), before)
        .await
        .map_err(|e| match e {
            QueryError::Invalid(_) => fail(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
            QueryError::Db(_) => internal(e),
        })
}
