//! Sharing a site's supply (#40): what the manager last gave each charger
//! and why, and the settings (admins).

use evse_dashboard::sharing::allocate::Share;
#[cfg(feature = "ssr")]
use evse_dashboard::types::Role;
use evse_dashboard::types::{Site, SitePhases};
use evse_dashboard::vocabulary::Priority;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::{context, guard};
use crate::error::AppError;

/// One charger of a site as the Sharing card lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharingRow {
    pub charger_id: i64,
    pub name: String,
    pub priority: Priority,
    /// What the charging plugs drew per phase at the latest reading;
    /// `None`: not read.
    pub measured: Option<[f64; 3]>,
    /// The manager's last allocation; `None` before its first round.
    pub share: Option<Share>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharingView {
    pub site: Site,
    pub rows: Vec<SharingRow>,
    /// The last 24 h per phase, while the site is shared.
    pub day: Option<SitePhases>,
}

impl SharingView {
    /// Amperes held for chargers with no car, and how many they are.
    pub fn reserved(&self) -> (u32, u32) {
        use evse_dashboard::sharing::allocate::Why;
        self.rows
            .iter()
            .filter_map(|r| r.share.as_ref())
            .filter(|s| s.why == Why::Reserve)
            .fold((0, 0), |(a, n), s| (a + s.amps.unwrap_or(0), n + 1))
    }
}

#[server(name = SiteSharing, prefix = "/api", endpoint = "site_sharing")]
pub async fn site_sharing(site_id: i64) -> Result<SharingView, AppError> {
    guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let site = services.sharing.settings.site(site_id).await?;
    let stored = services.sharing.allocations(site_id).await?;
    let priorities = services.sharing.settings.priorities().await?;
    let latest = services.sharing.latest_draws().await?;
    let mut chargers = services.registry.list().await?;
    chargers.retain(|c| c.site_id == site_id);
    let rows = chargers
        .into_iter()
        .map(|c| SharingRow {
            charger_id: c.id,
            priority: priorities.get(&c.id).copied().unwrap_or_default(),
            measured: latest.get(&c.id).copied().flatten(),
            share: stored.get(&c.id).and_then(|s| s.share()),
            name: c.name,
        })
        .collect();
    let day = if site.sharing {
        Some(services.sharing.day(&site, chrono::Utc::now()).await?)
    } else {
        None
    };
    Ok(SharingView { site, rows, day })
}

/// Switches sharing on (the checkbox sent) or off, with the minimum.
#[server(name = SetSiteSharing, prefix = "/api", endpoint = "set_site_sharing")]
pub async fn set_site_sharing(
    site_id: i64,
    #[server(default)] sharing: Option<String>,
    #[server(default)] minimum: String,
) -> Result<Site, AppError> {
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&admin), &admin.username).await;
    let site = services
        .sharing
        .settings
        .set_sharing_typed(&actor, site_id, sharing.is_some(), &minimum)
        .await?;
    super::plain_form::redirect_plain_form(&format!("/sites/{site_id}#sharing-heading"));
    Ok(site)
}

#[server(name = SetChargerPriority, prefix = "/api", endpoint = "set_charger_priority")]
pub async fn set_charger_priority(
    charger_id: i64,
    priority: String,
    #[server(default)] site_id: i64,
) -> Result<Priority, AppError> {
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&admin), &admin.username).await;
    let priority = services
        .sharing
        .settings
        .set_priority(&actor, charger_id, &priority)
        .await?;
    super::plain_form::redirect_plain_form(&format!("/sites/{site_id}#sharing-heading"));
    Ok(priority)
}

/// For the charger page: `None` unless the charger's site is shared.
#[server(name = ChargerSharing, prefix = "/api", endpoint = "charger_sharing")]
pub async fn charger_sharing(
    charger_id: i64,
) -> Result<Option<evse_dashboard::sharing::ChargerShare>, AppError> {
    guard::require(Role::Viewer).await?;
    let services = context::services()?;
    Ok(services
        .sharing
        .for_charger(charger_id, chrono::Utc::now())
        .await?)
}
