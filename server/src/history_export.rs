//! `GET /chargers/{id}/history.csv` and `/sites/{id}/history.csv`
//! `?from=YYYY-MM-DD&to=YYYY-MM-DD`: the 15-minute history as CSV, streamed,
//! for whole days in the site's time zone, under the audit export's rules
//! (operators and admins, one export per user at a time, a time limit).

use app::error::AppError;
use app::language::negotiate_headers;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use evse_dashboard::history::export::{self, Scope};
use evse_dashboard::types::Problem;
use serde::Deserialize;
use tower_sessions::Session;

use crate::export::{csv_download, exporter, refuse};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct DayRange {
    from: Option<String>,
    to: Option<String>,
}

pub async fn charger_csv(
    state: State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Query(range): Query<DayRange>,
) -> Response {
    history_csv(state, session, headers, Scope::Charger(id), range).await
}

pub async fn site_csv(
    state: State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Query(range): Query<DayRange>,
) -> Response {
    history_csv(state, session, headers, Scope::Site(id), range).await
}

async fn history_csv(
    State(state): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    scope: Scope,
    range: DayRange,
) -> Response {
    let user = match exporter(&state, &session).await {
        Ok(user) => user,
        Err(e) => return refuse(negotiate_headers(None, &headers), e),
    };
    let l = negotiate_headers(user.language, &headers);
    let services = &state.services;
    let site_id = match scope {
        Scope::Site(id) => Ok(id),
        Scope::Charger(id) => services
            .registry
            .get(id)
            .await
            .map(|c| c.site_id)
            .map_err(AppError::from),
    };
    let site = match site_id {
        Ok(id) => services.sites.site(id).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    let site = match site {
        Ok(site) => site,
        Err(e) => return refuse(l, e),
    };
    let (from, to) = (range.from.as_deref(), range.to.as_deref());
    let days = export::days(from, to, &site.time_zone, chrono::Utc::now());
    let days = match days {
        Ok(days) => days,
        Err(invalid) => return refuse(l, invalid.into()),
    };
    let Some(running) = services.exports.try_begin(&user.username) else {
        return refuse(l, Problem::AlreadyRunning.into());
    };
    let limit = state.export_time_limit;
    let stream = services.history.csv(scope, days, limit, running);
    let what = match scope {
        Scope::Charger(id) => format!("charger-{id}"),
        Scope::Site(id) => format!("site-{id}"),
    };
    csv_download(&format!("evse-history-{what}"), Body::from_stream(stream))
}
