//! `/sites/{id}/report?month=YYYY-MM` (#42): a site's monthly report, the
//! same numbers as its page, its CSV and `evse-dashboard report`.

use axum::extract::State;
use axum::response::{IntoResponse, Json, Response};
use evse_dashboard::history::sessions::month;
use evse_dashboard::types::{Role, SiteReport, kwh};

use super::caller::Caller;
use super::extract::{ApiPath, ApiQuery};
use super::model::{MonthQuery, Report, ReportCharger, ReportPeak};
use super::problem::{ApiError, ReadProblems};
use crate::state::AppState;

/// A site's month: energy per charger and in total, sessions, the peak
/// quarter hour, the time at the supply limit, the energy under a limit.
#[utoipa::path(get, path = "/sites/{id}/report", operation_id = "site_report", tag = "history",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The site's id"), MonthQuery),
    responses(
        (status = 200, body = Report),
        ReadProblems,
    ))]
pub async fn site(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> Result<Response, ApiError> {
    caller.require(Role::Viewer)?;
    let services = &state.services;
    let site = services
        .sites
        .site(id)
        .await
        .map_err(app::error::AppError::from)?;
    let now = chrono::Utc::now();
    let asked = month::asked(query.month.as_deref(), &site.time_zone, now)
        .map_err(app::error::AppError::from)?;
    let report = services
        .history
        .site_report(&site, asked, now)
        .await
        .map_err(app::error::AppError::from)?;
    Ok(Json(answer(report)).into_response())
}

fn answer(r: SiteReport) -> Report {
    Report {
        under_limit_share: r.limited_share(),
        site_id: r.site_id,
        site_name: r.site_name,
        time_zone: r.time_zone,
        month: r.month.to_string(),
        from: r.from,
        to: r.to,
        complete: r.complete,
        energy_kwh: kwh(r.energy_wh),
        under_limit_kwh: kwh(r.limited_wh),
        sessions: r.sessions,
        peak: r.peak.map(|p| ReportPeak {
            start: p.at,
            start_local: p.local.to_rfc3339(),
            kw: p.kw(),
        }),
        supply_limit: r.supply_limit,
        hours_at_supply_limit: r.hours_at_limit,
        chargers: r
            .chargers
            .into_iter()
            .map(|c| ReportCharger {
                charger_id: c.charger_id,
                charger_name: c.name,
                energy_kwh: kwh(c.energy_wh),
                under_limit_kwh: kwh(c.limited_wh),
                sessions: c.sessions,
                quarters_read: c.quarters_read,
            })
            .collect(),
    }
}
