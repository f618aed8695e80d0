//! `GET /sessions/export.csv?<filters>` and `/sites/{id}/report.csv?month=`
//! (#42): charging sessions and a site's monthly report as CSV, under the
//! audit export's rules (operators and admins, one export per user at a
//! time, a time limit, streamed).

use app::error::AppError;
use app::language::negotiate_headers;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use evse_dashboard::history::sessions::{csv, month};
use evse_dashboard::types::{Problem, SessionFilter};
use serde::Deserialize;
use tower_sessions::Session;

use crate::export::{csv_download, exporter, refuse};
use crate::state::AppState;

pub async fn sessions_csv(
    State(state): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let user = match exporter(&state, &session).await {
        Ok(user) => user,
        Err(e) => return refuse(negotiate_headers(None, &headers), e),
    };
    let l = negotiate_headers(user.language, &headers);
    let services = &state.services;
    let filter = SessionFilter::from_query(|key| query.get(key).cloned());
    let zone = match app::server_fns::sessions::zone_for(services, &filter).await {
        Ok(zone) => zone,
        Err(e) => return refuse(l, e),
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
    let month = match month::asked(query.month.as_deref(), &site.time_zone, now) {
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
