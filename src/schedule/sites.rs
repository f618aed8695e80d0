//! A site's planning settings: its time zone (the default of its
//! schedules) and the current its supply carries. Checked and audited
//! here; written by the `Sites` store.

use super::error::ScheduleError;
use super::service::Schedules;
use super::validate::time_zone;
use crate::audit::{Actor, Event};
use crate::problem::{Field, Invalid, Rule};
use crate::sites::{Sites, reserves_cover, supply};
use crate::types::Site;
use crate::vocabulary::AuditAction;

impl Schedules {
    /// Sets a site's zone and supply limit (empty: none), audited.
    pub async fn update_site(
        &self,
        actor: &Actor,
        id: i64,
        zone: &str,
        supply_limit: &str,
    ) -> Result<Site, ScheduleError> {
        let sites = Sites::new(self.db().clone());
        let before = sites.site(id).await?;
        // The site as written comes back from the write itself: nothing
        // fallible runs between the change and its audit row.
        let result = async {
            let zone = time_zone(zone)?;
            let limit = supply(supply_limit)?;
            // A shared site keeps a limit that covers its reserves.
            if before.sharing {
                let Some(amps) = limit else {
                    return Err(Invalid::new(Field::SupplyLimit, Rule::NoSupplyLimit).into());
                };
                reserves_cover(self.db(), id, amps as u32, before.share_minimum).await??;
            }
            Ok(sites.set_planning(id, zone.name(), limit).await?)
        }
        .await;
        let event = Event::of(
            AuditAction::SiteUpdated,
            &result.as_ref().map_err(ScheduleError::problem),
        )
        .about(before.name);
        self.audit().record_or_log(actor, event).await;
        result
    }
}
