//! Charging sessions and a site's monthly report (#42): lists, one
//! session with what happened around it, the report, the month's peak so
//! far. Viewers and up; read from the sampler's history.

use evse_dashboard::types::{
    ChargingSession, Peak, SessionDetail, SessionFilter, SessionPage, SiteReport,
};
use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{context, guard},
    evse_dashboard::history::sessions::{month, reads},
    evse_dashboard::services::Services,
    evse_dashboard::types::{DEFAULT_TIME_ZONE, Role, SessionCursor},
};

/// Sessions a charger or site page lists.
pub const LATEST: i64 = 5;
/// Audit rows a session's page shows.
#[cfg(feature = "ssr")]
const SESSION_AUDIT_ROWS: i64 = 100;

/// The zone a list's dates are read in: its site's (a charger's site's),
/// else the default (the sessions CSV reads it too).
#[cfg(feature = "ssr")]
pub async fn zone_for(services: &Services, filter: &SessionFilter) -> Result<String, AppError> {
    let site = match (filter.site, filter.charger) {
        (Some(site), _) => Some(site),
        (None, Some(charger)) => Some(services.registry.get(charger).await?.site_id),
        (None, None) => None,
    };
    Ok(match site {
        Some(id) => services.sites.site(id).await?.time_zone,
        None => DEFAULT_TIME_ZONE.to_owned(),
    })
}

#[server(name = SessionPageCall, prefix = "/api", endpoint = "session_page")]
pub async fn session_page(
    #[server(default)] filter: SessionFilter,
    #[server(default)] before: Option<String>,
) -> Result<SessionPage, AppError> {
    guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let zone = zone_for(&services, &filter).await?;
    let before = before.as_deref().and_then(SessionCursor::from_param);
    Ok(services
        .history
        .session_page(&filter, before, &zone)
        .await?)
}

/// The newest sessions of a site or a charger.
#[server(name = LatestSessionsCall, prefix = "/api", endpoint = "latest_sessions")]
pub async fn latest_sessions(
    site: Option<i64>,
    charger: Option<i64>,
) -> Result<Vec<ChargingSession>, AppError> {
    guard::require(Role::Viewer).await?;
    let services = context::services()?;
    Ok(services
        .history
        .latest_sessions((site, charger), LATEST)
        .await?)
}

#[server(name = SessionDetailCall, prefix = "/api", endpoint = "session_detail")]
pub async fn session_detail(id: i64) -> Result<SessionDetail, AppError> {
    let user = guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let missing = || AppError::NotFound(evse_dashboard::types::Missing::Session(id));
    let session = services.history.session(id).await?.ok_or_else(missing)?;
    let charger = services.registry.get(session.charger_id).await?;
    let zone = services.sites.site(charger.site_id).await?.time_zone;
    let chart = services
        .history
        .session_chart(&session, &charger, &zone)
        .await?;
    // The target in force at the start (the last one received before
    // it; a later one replaces it), then what happened while it ran.
    let end = session.ended.unwrap_or(session.last_seen) + chrono::TimeDelta::seconds(1);
    let before = services
        .audit
        .last_target_before(charger.id, session.started)
        .await?;
    let mut audit = services
        .audit
        .for_charger_between(charger.id, (session.started, end), SESSION_AUDIT_ROWS + 1)
        .await?;
    let reader = evse_dashboard::audit::privacy::Reader {
        user_id: Some(user.id),
        role: user.role,
    };
    let mut before: Vec<_> = before.into_iter().collect();
    evse_dashboard::audit::privacy::shown_to(&reader, &mut before);
    evse_dashboard::audit::privacy::shown_to(&reader, &mut audit);
    let around: Vec<_> = before.into_iter().chain(audit.iter().cloned()).collect();
    let targets = reads::targets_in_force(&around, &session);
    let more_audit = audit.len() > SESSION_AUDIT_ROWS as usize;
    audit.truncate(SESSION_AUDIT_ROWS as usize);
    Ok(SessionDetail {
        session,
        time_zone: zone,
        chart,
        targets,
        audit,
        more_audit,
    })
}

/// A site's report of `month` (`YYYY-MM`; blank: the month so far).
#[server(name = SiteReportCall, prefix = "/api", endpoint = "site_report")]
pub async fn site_report(
    id: i64,
    #[server(default)] month: String,
) -> Result<SiteReport, AppError> {
    guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let site = services.sites.site(id).await?;
    let now = chrono::Utc::now();
    let month = month::asked(Some(&month), &site.time_zone, now)?;
    Ok(services.history.site_report(&site, month, now).await?)
}

/// The highest quarter hour of a site's month so far.
#[server(name = MonthPeakCall, prefix = "/api", endpoint = "month_peak")]
pub async fn month_peak(id: i64) -> Result<Option<Peak>, AppError> {
    guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let site = services.sites.site(id).await?;
    Ok(services
        .history
        .month_peak(&site, chrono::Utc::now())
        .await?)
}
