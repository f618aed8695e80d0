//! `GET /sessions/export.csv?<filters>` and `/sites/{id}/report.csv?month=`
//! (#42): charging sessions and a site's monthly report as CSV, under the
//! audit export's rules (operators and admins, one export per user at a
//! time, a time limit, streamed).

use app::error::AppError;
use app::language::negotiate_headers;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use evse_dashboard::history::sessions::{csv, month, reads};
use evse_dashboard::types::{DEFAULT_TIME_ZONE, Problem, SessionFilter};
use serde::Deserialize;
use tower_sessions::Session;

use crate::export::{csv_download, exporter, refuse};
use crate::state::AppState;

/// The sessions page's query: ids that are not numbers mean no filter,
/// as on the page.
#[derive(Debug, Deserialize, Default)]
pub struct SessionsQuery {
    site: Option<String>,
    charger: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limited: Option<String>,
}

impl SessionsQuery {
    fn filter(self) -> SessionFilter {
        let id = |t: Option<String>| t.and_then(|t| t.trim().parse().ok());
        let day = |t: Option<String>| t.filter(|t| !t.trim().is_empty());
        SessionFilter {
            site: id(self.site),
            charger: id(self.charger),
            from: day(self.from),
            to: day(self.to),
            limited: self.limited.is_some_and(|v| !v.is_empty()),
        }
    }
}

pub async fn sessions_csv(
    State(state): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    Query(query): Query<SessionsQuery>,
) -> Response {
    let user = match exporter(&state, &session).await {
        Ok(user) => user,
        Err(e) => return refuse(negotiate_headers(None, &headers), e),
    };
    let l = negotiate_headers(user.language, &headers);
    let services = &state.services;
    let filter = query.filter();
    let site = match (filter.site, filter.charger) {
        (Some(site), _) => Some(site),
        (None, Some(charger)) => match services.registry.get(charger).await {
            Ok(c) => Some(c.site_id),
            Err(e) => return refuse(l, e.into()),
        },
        (None, None) => None,
    };
    let zone = match site {
        Some(id) => match services.sites.site(id).await {
            Ok(site) => site.time_zone,
            Err(e) => return refuse(l, e.into()),
        },
        None => DEFAULT_TIME_ZONE.to_owned(),
    };
    let Some(running) = services.exports.try_begin(&user.username) else {
        return refuse(l, Problem::AlreadyRunning.into());
    };
    match services
        .history
        .sessions_csv(&filter, &zone, state.export_time_limit, running)
    {
        Ok(stream) => csv_download("evse-sessions", Body::from_stream(stream)),
        Err(e) => refuse(l, e.problem().into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

pub async fn report_csv(
    State(state): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<MonthQuery>,
) -> Response {
    let user = match exporter(&state, &session).await {
        Ok(user) => user,
        Err(e) => return refuse(negotiate_headers(None, &headers), e),
    };
    let l = negotiate_headers(user.language, &headers);
    let services = &state.services;
    let site = match services.sites.site(id).await {
        Ok(site) => site,
        Err(e) => return refuse(l, AppError::from(e)),
    };
    let now = chrono::Utc::now();
    let asked = match query
        .month
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        None => Ok(month::current(reads::zone_of(&site.time_zone), now)),
        Some(text) => month::parse(text),
    };
    let month = match asked {
        Ok(month) => month,
        Err(invalid) => return refuse(l, invalid.into()),
    };
    let report = match services.history.site_report(&site, month, now).await {
        Ok(report) => report,
        Err(e) => return refuse(l, e.problem().into()),
    };
    let Some(running) = services.exports.try_begin(&user.username) else {
        return refuse(l, Problem::AlreadyRunning.into());
    };
    let stream = csv::report(report, state.export_time_limit, running);
    csv_download(
        &format!("evse-report-site-{id}-{month}"),
        Body::from_stream(stream),
    )
}
