//! The sharing settings: per site on/off, supply limit and minimum per
//! car; per charger its priority. Each change is checked, audited (also
//! when refused) and applied by the manager's next round.

use std::collections::HashMap;

use super::error::SharingError;
use super::store;
use crate::audit::{Actor, AuditLog, Event};
use crate::on_db;
use crate::problem::{Field, Invalid, Missing, Rule};
use crate::sites::{Sites, reserves_cover, supply};
use crate::types::Site;
use crate::vocabulary::{AuditAction, Priority};

/// The sharing minimum's range (0 is also allowed: a charger whose range
/// allows 0 may then be paused).
pub const MINIMUM_RANGE: std::ops::RangeInclusive<u32> = 6..=32;

/// The sharing settings: checked and audited here, the sites written by
/// their store and the priorities kept on the chargers.
#[derive(Clone, Debug)]
pub struct Settings {
    audit: AuditLog,
    sites: Sites,
}

impl Settings {
    pub fn new(audit: AuditLog) -> Self {
        let sites = Sites::new(audit.db().clone());
        Self { audit, sites }
    }

    /// Every site, by name.
    pub async fn sites(&self) -> Result<Vec<Site>, SharingError> {
        Ok(self.sites.list().await?)
    }

    pub async fn site(&self, id: i64) -> Result<Site, SharingError> {
        Ok(self.sites.site(id).await?)
    }

    /// Sets a site's supply limit (amperes per phase; empty: none).
    /// Refused below what a shared site's free chargers hold, or empty
    /// while it is shared.
    pub async fn set_supply(
        &self,
        actor: &Actor,
        site_id: i64,
        limit: &str,
    ) -> Result<Site, SharingError> {
        let site = self.site(site_id).await?;
        let result = async {
            let limit = supply(limit)?;
            if site.sharing {
                let Some(limit) = limit else {
                    return Err(Invalid::new(Field::SupplyLimit, Rule::NoSupplyLimit).into());
                };
                self.check_reserves(site_id, limit as u32, site.share_minimum)
                    .await?;
            }
            Ok(self.sites.set_supply_limit(site_id, limit).await?)
        }
        .await;
        self.audited(actor, AuditAction::SiteUpdated, &site.name, result)
            .await
    }

    /// Switches sharing on or off, with a new minimum per car if given.
    pub async fn set_sharing(
        &self,
        actor: &Actor,
        site_id: i64,
        on: bool,
        minimum: Option<i64>,
    ) -> Result<Site, SharingError> {
        let site = self.site(site_id).await?;
        let result = async {
            let minimum = match minimum {
                Some(m) => checked_minimum(m)?,
                None => site.share_minimum,
            };
            if on {
                let Some(limit) = site.supply_limit else {
                    return Err(Invalid::new(Field::SupplyLimit, Rule::NoSupplyLimit).into());
                };
                self.check_reserves(site_id, limit, minimum).await?;
            }
            let site = self.sites.set_sharing(site_id, on, minimum).await?;
            if !on {
                // Its targets end by themselves within the hold.
                store::Allocations::of(self.audit.db())
                    .forget_site(site_id)
                    .await?;
            }
            Ok(site)
        }
        .await;
        self.audited(actor, AuditAction::SiteSharingChanged, &site.name, result)
            .await
    }

    /// Switches sharing as a form sends it: the minimum as typed (empty:
    /// unchanged). A minimum that is no number is refused and audited.
    pub async fn set_sharing_typed(
        &self,
        actor: &Actor,
        site_id: i64,
        on: bool,
        minimum: &str,
    ) -> Result<Site, SharingError> {
        let minimum = minimum.trim();
        if minimum.is_empty() {
            return self.set_sharing(actor, site_id, on, None).await;
        }
        match minimum.parse::<i64>() {
            Ok(m) => self.set_sharing(actor, site_id, on, Some(m)).await,
            Err(_) => {
                let site = self.site(site_id).await?;
                let invalid = Invalid::new(Field::ShareMinimum, Rule::not_a_whole_number(minimum));
                let result: Result<Site, _> = Err(invalid.into());
                self.audited(actor, AuditAction::SiteSharingChanged, &site.name, result)
                    .await
            }
        }
    }

    /// Every charger's priority.
    pub async fn priorities(&self) -> Result<HashMap<i64, Priority>, SharingError> {
        let rows: Vec<(i64, Priority)> = on_db!(self.audit.db(), pool => sqlx::query_as(
            "SELECT id, priority FROM chargers WHERE deleted_at IS NULL",
        )
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().collect())
    }

    /// Sets a charger's priority (`high`, `normal`, `low`).
    pub async fn set_priority(
        &self,
        actor: &Actor,
        charger_id: i64,
        priority: &str,
    ) -> Result<Priority, SharingError> {
        let name: Option<String> = on_db!(self.audit.db(), pool => sqlx::query_scalar(
            "SELECT name FROM chargers WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(charger_id)
        .fetch_optional(pool)
        .await?);
        let Some(name) = name else {
            return Err(SharingError::Missing(Missing::Charger(charger_id)));
        };
        let result = async {
            let priority: Priority = priority.trim().to_lowercase().parse().map_err(|_| {
                Invalid::new(
                    Field::Priority,
                    Rule::UnknownPriority {
                        text: crate::problem::echo(priority),
                    },
                )
            })?;
            on_db!(self.audit.db().writes(), pool => sqlx::query(
                "UPDATE chargers SET priority = $1 WHERE id = $2",
            )
            .bind(priority)
            .bind(charger_id)
            .execute(pool)
            .await?
            .rows_affected());
            Ok(priority)
        }
        .await;
        let event = Event::of(
            AuditAction::ChargerPriorityChanged,
            &result.as_ref().map_err(SharingError::problem),
        )
        .on_charger(Some(charger_id), name);
        self.audit.record_or_log(actor, event).await;
        result
    }

    async fn check_reserves(
        &self,
        site_id: i64,
        limit: u32,
        minimum: u32,
    ) -> Result<(), SharingError> {
        match reserves_cover(self.audit.db(), site_id, limit, minimum).await? {
            Ok(()) => Ok(()),
            Err(invalid) => Err(invalid.into()),
        }
    }

    async fn audited<T>(
        &self,
        actor: &Actor,
        action: AuditAction,
        site: &str,
        result: Result<T, SharingError>,
    ) -> Result<T, SharingError> {
        let event = Event::of(action, &result.as_ref().map_err(SharingError::problem)).about(site);
        self.audit.record_or_log(actor, event).await;
        result
    }
}

fn checked_minimum(typed: i64) -> Result<u32, Invalid> {
    match u32::try_from(typed) {
        Ok(0) => Ok(0),
        Ok(m) if MINIMUM_RANGE.contains(&m) => Ok(m),
        _ => Err(Invalid::new(
            Field::ShareMinimum,
            Rule::ZeroOrRange {
                got: typed,
                min: *MINIMUM_RANGE.start(),
                max: *MINIMUM_RANGE.end(),
            },
        )),
    }
}
