//! What chargers did: a charger's currents over a range and a site's sum
//! with its energy per day, for the charts. Viewers and up; read from the
//! sampler's history, never from CLEMAP.

use evse_dashboard::types::{ChargerChart, ChartRange, SiteChart};
use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{context, guard},
    evse_dashboard::types::Role,
};

#[server(name = ChargerChartCall, prefix = "/api", endpoint = "charger_chart")]
pub async fn charger_chart(id: i64, range: ChartRange) -> Result<ChargerChart, AppError> {
    guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let charger = services.registry.get(id).await?;
    let zone = services.sites.site(charger.site_id).await?.time_zone;
    let shape = (range, zone.as_str());
    let now = chrono::Utc::now();
    Ok(services.history.charger_chart(&charger, shape, now).await?)
}

#[server(name = SiteChartCall, prefix = "/api", endpoint = "site_chart")]
pub async fn site_chart(id: i64) -> Result<SiteChart, AppError> {
    guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let site = services.sites.site(id).await?;
    let mut chargers = services.registry.list().await?;
    chargers.retain(|c| c.site_id == id);
    let shape = (site.time_zone.as_str(), site.supply_limit);
    let now = chrono::Utc::now();
    Ok(services
        .history
        .site_chart(id, &chargers, shape, now)
        .await?)
}
