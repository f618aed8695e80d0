//! A site's planning settings: its time zone (the default of its
//! schedules) and the current its supply carries.

use super::error::ScheduleError;
use super::service::Schedules;
use super::validate::time_zone;
use crate::audit::{Actor, Event};
use crate::on_db;
use crate::problem::{Field, Invalid, Missing, Rule};
use crate::types::Site;
use crate::vocabulary::AuditAction;

/// The largest supply limit that can be typed, ampere.
const SUPPLY_LIMIT_MAX: i64 = 100_000;

#[derive(sqlx::FromRow)]
pub(crate) struct SiteRow {
    id: i64,
    name: String,
    time_zone: String,
    supply_limit: Option<i64>,
    sharing: bool,
    share_minimum: i64,
}

pub(crate) fn site_of(r: SiteRow) -> Site {
    Site {
        id: r.id,
        name: r.name,
        time_zone: r.time_zone,
        supply_limit: r.supply_limit.and_then(|a| u32::try_from(a).ok()),
        sharing: r.sharing,
        share_minimum: u32::try_from(r.share_minimum).unwrap_or_default(),
    }
}

impl Schedules {
    pub async fn site(&self, id: i64) -> Result<Site, ScheduleError> {
        let row: Option<SiteRow> = on_db!(self.db(), pool => sqlx::query_as(
            "SELECT id, name, time_zone, supply_limit, sharing, share_minimum FROM sites WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?);
        row.map(site_of)
            .ok_or(ScheduleError::Missing(Missing::Site(id)))
    }

    /// Sets a site's zone and supply limit (empty: none), audited.
    pub async fn update_site(
        &self,
        actor: &Actor,
        id: i64,
        zone: &str,
        supply_limit: &str,
    ) -> Result<Site, ScheduleError> {
        let before = self.site(id).await?;
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
            let row: Option<SiteRow> = on_db!(self.db().writes(), pool => sqlx::query_as(
                "UPDATE sites SET time_zone = $1, supply_limit = $2 WHERE id = $3 \
                 RETURNING id, name, time_zone, supply_limit, sharing, share_minimum",
            )
            .bind(zone.name())
            .bind(limit)
            .bind(id)
            .fetch_optional(pool)
            .await?);
            row.map(site_of)
                .ok_or(ScheduleError::Missing(Missing::Site(id)))
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

/// Whether `limit` covers what every charger of a shared site holds with
/// no car (the minimum, or 0 where its range allows 0): the sharing
/// settings and this page's supply limit both ask (#40).
pub(crate) async fn reserves_cover(
    db: &crate::db::Db,
    site_id: i64,
    limit: u32,
    minimum: u32,
) -> Result<Result<(), Invalid>, sqlx::Error> {
    let ranges: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT min_current, max_current FROM chargers \
         WHERE site_id = $1 AND deleted_at IS NULL",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await?);
    let reserves: u32 = ranges
        .iter()
        .filter(|(min, _)| *min > 0)
        .map(|&(min, max)| minimum.max(min as u32).min(max as u32))
        .sum();
    Ok(if reserves > limit {
        Err(Invalid::new(
            Field::SupplyLimit,
            Rule::BelowReserves { limit, reserves },
        ))
    } else {
        Ok(())
    })
}

pub(crate) fn supply(text: &str) -> Result<Option<i64>, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let amps: i64 = text
        .parse()
        .map_err(|_| Invalid::new(Field::SupplyLimit, Rule::not_a_whole_number(text)))?;
    if !(1..=SUPPLY_LIMIT_MAX).contains(&amps) {
        return Err(Invalid::new(
            Field::SupplyLimit,
            Rule::OutOfRange {
                got: amps,
                min: 1,
                max: SUPPLY_LIMIT_MAX,
            },
        ));
    }
    Ok(Some(amps))
}
