//! The audit trail for the history page (viewer and up).

use evse_dashboard::types::{AuditEntry, AuditFilter, AuditPage};
use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{context, guard},
    evse_dashboard::audit::{privacy, query},
    evse_dashboard::types::Role,
};

#[server(name = AuditPageCall, prefix = "/api", endpoint = "audit_page")]
pub async fn audit_page(
    #[server(default)] filter: AuditFilter,
    #[server(default)] before: Option<i64>,
) -> Result<AuditPage, AppError> {
    let user = guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let filter = query::with_defaults(filter);
    let mut page = services.audit.page(&filter, before).await?;
    privacy::shown_to(&reader(&user), &mut page.entries);
    Ok(page)
}

/// What a signed-in user may see of the trail.
#[cfg(feature = "ssr")]
fn reader(user: &evse_dashboard::types::User) -> privacy::Reader {
    privacy::Reader {
        user_id: Some(user.id),
        role: user.role,
    }
}

/// One event, for the banner a page shows after a plain form post.
#[server(name = AuditEventCall, prefix = "/api", endpoint = "audit_event")]
pub async fn audit_event(id: i64) -> Result<AuditEntry, AppError> {
    let user = guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let mut entry = services.audit.entry(id).await?.ok_or(AppError::NotFound(
        evse_dashboard::types::Missing::AuditEvent(id),
    ))?;
    privacy::shown_to(&reader(&user), std::slice::from_mut(&mut entry));
    Ok(entry)
}
