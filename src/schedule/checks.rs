//! What a schedule is checked against before it is saved: its scope's
//! zone and current range, and the other schedules on its chargers.

use crate::db::Tx;
use crate::on_tx;
use chrono::Utc;

use super::error::{ScheduleError, Target};
use super::occurrence::Weekly;
use super::overlap::overlap;
use super::store::{self, Which};
use crate::problem::Missing;
use crate::types::CURRENT_LIMIT;

/// What a schedule's scope allows: the site it plans in (for the default
/// zone and overlaps) and the currents it may plan.
pub(super) struct Bounds {
    /// The charger's id and name, for a charger's own schedule.
    pub charger: Option<(i64, String)>,
    pub site_id: i64,
    pub zone: String,
    pub range: (u32, u32),
}

/// A charger's row as its schedules' bounds need it.
#[derive(sqlx::FromRow)]
struct ChargerBounds {
    name: String,
    site_id: i64,
    time_zone: String,
    min_current: i64,
    max_current: i64,
}

pub(super) async fn bounds(tx: &mut Tx, target: Target) -> Result<Bounds, ScheduleError> {
    match target {
        Target::Charger(id) => {
            let row: Option<ChargerBounds> = on_tx!(tx, conn => sqlx::query_as(
                "SELECT c.name, c.site_id, t.time_zone, c.min_current, c.max_current \
                 FROM chargers c JOIN sites t ON t.id = c.site_id \
                 WHERE c.id = $1 AND c.deleted_at IS NULL",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?);
            let row = row.ok_or(ScheduleError::Missing(Missing::Charger(id)))?;
            let amps = |a: i64| u32::try_from(a).unwrap_or(0);
            Ok(Bounds {
                charger: Some((id, row.name)),
                site_id: row.site_id,
                zone: row.time_zone,
                range: (amps(row.min_current), amps(row.max_current)),
            })
        }
        Target::Site(id) => {
            let zone = crate::sites::Sites::time_zone_in(tx, id).await?;
            Ok(Bounds {
                charger: None,
                site_id: id,
                zone: zone.ok_or(ScheduleError::Missing(Missing::Site(id)))?,
                range: (0, CURRENT_LIMIT),
            })
        }
    }
}

/// Refuses `weekly` when it would be in force together with another
/// enabled schedule on one of its chargers (a charger's schedules meet its
/// site's).
pub(super) async fn refuse_overlap(
    tx: &mut Tx,
    bounds: &Bounds,
    weekly: &Weekly,
    itself: Option<i64>,
) -> Result<(), ScheduleError> {
    let which = match bounds.charger {
        Some((id, _)) => Which::ForCharger(id),
        None => Which::ForSite(bounds.site_id),
    };
    let now = Utc::now();
    for (other, theirs) in store::select_in(tx, which, now).await? {
        if !other.enabled || Some(other.id) == itself {
            continue;
        }
        if let Some(shared) = theirs.and_then(|w| overlap(weekly, &w, now)) {
            return Err(ScheduleError::Overlap {
                other: other.name,
                overlap: shared,
            });
        }
    }
    Ok(())
}
