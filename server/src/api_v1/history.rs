//! `/chargers/{id}/history` and `/sites/{id}/history`: the sampler's
//! 15-minute buckets for whole days in the site's time zone, as the
//! charts and the CSV export read them. Never a call to CLEMAP.

use axum::extract::State;
use axum::response::{IntoResponse, Json, Response};
use evse_dashboard::history::export::{Days, days};
use evse_dashboard::history::rollup::Bucket as Stored;
use evse_dashboard::types::{Charger, Role};

use super::caller::Caller;
use super::extract::{ApiPath, ApiQuery};
use super::model::{Bucket, ChargerHistory, DaysQuery, SiteHistory};
use super::problem::{ApiError, MAX_HISTORY_DAYS, ReadProblems};
use crate::state::AppState;

/// A charger's 15-minute history (one day by default: today).
#[utoipa::path(get, path = "/chargers/{id}/history", operation_id = "charger_history", tag = "history",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The charger's id"), DaysQuery),
    responses(
        (status = 200, body = ChargerHistory),
        ReadProblems,
    ))]
pub async fn charger(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(range): ApiQuery<DaysQuery>,
) -> Result<Response, ApiError> {
    caller.require(Role::Viewer)?;
    let services = &state.services;
    let charger = services
        .registry
        .get(id)
        .await
        .map_err(app::error::AppError::from)?;
    let zone = site_zone(&state, charger.site_id).await?;
    let days = asked(&range, &zone)?;
    Ok(Json(history_of(&state, &charger, days).await?).into_response())
}

/// Every charger of a site, each with its 15-minute history.
#[utoipa::path(get, path = "/sites/{id}/history", operation_id = "site_history", tag = "history",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The site's id"), DaysQuery),
    responses(
        (status = 200, body = SiteHistory),
        ReadProblems,
    ))]
pub async fn site(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(range): ApiQuery<DaysQuery>,
) -> Result<Response, ApiError> {
    caller.require(Role::Viewer)?;
    let zone = site_zone(&state, id).await?;
    let days = asked(&range, &zone)?;
    let mut chargers = state
        .services
        .registry
        .list()
        .await
        .map_err(app::error::AppError::from)?;
    chargers.retain(|c| c.site_id == id);
    let mut histories = Vec::with_capacity(chargers.len());
    for charger in &chargers {
        histories.push(history_of(&state, charger, days).await?);
    }
    Ok(Json(SiteHistory {
        site_id: id,
        time_zone: zone,
        chargers: histories,
    })
    .into_response())
}

async fn site_zone(state: &AppState, site_id: i64) -> Result<String, ApiError> {
    let site = state
        .services
        .sites
        .site(site_id)
        .await
        .map_err(app::error::AppError::from)?;
    Ok(site.time_zone)
}

/// The days asked for, at most [`MAX_HISTORY_DAYS`].
fn asked(range: &DaysQuery, zone: &str) -> Result<Days, ApiError> {
    let (from, to) = (range.from.as_deref(), range.to.as_deref());
    let days = days(from, to, zone, chrono::Utc::now()).map_err(app::error::AppError::from)?;
    // Days in a zone are 23 to 25 hours; rounding counts each once.
    let asked = ((days.to_s - days.from_s) as f64 / 86_400.0).round() as i64;
    if asked > MAX_HISTORY_DAYS {
        return Err(ApiError::TooManyDays { asked });
    }
    Ok(days)
}

async fn history_of(
    state: &AppState,
    charger: &Charger,
    days: Days,
) -> Result<ChargerHistory, ApiError> {
    let history = &state.services.history;
    let stored = history
        .buckets(charger.id, days.from_s, days.to_s)
        .await
        .map_err(app::error::AppError::from)?;
    Ok(ChargerHistory {
        charger_id: charger.id,
        charger_name: charger.name.clone(),
        buckets: stored.iter().map(bucket).collect(),
    })
}

/// Deciamperes per phase → the highest phase in amperes.
fn highest(phases: [Option<i64>; 3]) -> Option<f64> {
    phases
        .into_iter()
        .flatten()
        .max()
        .map(|da| da as f64 / 10.0)
}

fn bucket(b: &Stored) -> Bucket {
    Bucket {
        start: chrono::DateTime::from_timestamp(b.start_s, 0).unwrap_or_default(),
        samples: b.samples,
        avg_current: highest([b.avg_l1_da, b.avg_l2_da, b.avg_l3_da]),
        max_current: highest([b.max_l1_da, b.max_l2_da, b.max_l3_da]),
        avg_power: b.avg_power_w,
        energy_wh: b.energy_wh,
        charging_seconds: b.charging_s,
        target: b.target_a,
        limit: b.limit_da.map(|da| da as f64 / 10.0),
    }
}
