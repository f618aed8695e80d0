//! The demo's past: a day of readings made up from the simulator's own
//! model (cars coming and going, no targets), stored and rolled up like
//! measured ones but marked simulated, so a fresh demo has filled charts
//! from its first minute and never passes them off as measured.

use chrono::{DateTime, Duration, Utc};

use super::{HistoryError, Reading, buckets, rollup, samples, sessions};
use crate::clemap::model::CurrentSettings;
use crate::clemap::simulator::{StationSpec, Vehicle, status_at};
use crate::db::Db;

/// One made-up reading a minute.
const STEP: Duration = Duration::minutes(1);

/// Fills the 24 hours before `now` for each `(charger id, station)` that
/// has no samples yet. Returns how many chargers it filled.
pub async fn last_day(
    db: &Db,
    stations: &[(i64, StationSpec)],
    now: DateTime<Utc>,
) -> Result<usize, HistoryError> {
    let from = now - Duration::hours(24);
    let mut filled = 0;
    for (charger_id, spec) in stations {
        let known = samples::Samples::of(db)
            .between(*charger_id, from.timestamp_millis(), now.timestamp_millis())
            .await?;
        if !known.is_empty() {
            continue;
        }
        let past = with_cars_coming_and_going(spec);
        let mut rows = Vec::new();
        let mut at = from;
        while at < now {
            let reading = Reading {
                charger_id: *charger_id,
                at,
                result: Ok((status_at(&past, at), CurrentSettings::default())),
            };
            rows.extend(samples::of(&reading, true));
            at += STEP;
        }
        samples::Samples::of(db).insert(&rows).await?;
        let snapshots = rollup::snapshots(&rows);
        let gap = rollup::SIMULATED_GAP_MS;
        let first = rollup::bucket_start(from.timestamp_millis());
        let last = rollup::bucket_start(now.timestamp_millis());
        let rolled: Vec<rollup::Bucket> = (first..=last)
            .step_by(rollup::BUCKET_S as usize)
            .filter_map(|start| rollup::bucket(*charger_id, start, &snapshots, gap))
            .collect();
        buckets::Buckets::of(db).upsert(&rolled).await?;
        // The cars that came and went, as sessions (#42).
        let found = sessions::detect::replay(
            &rows,
            sessions::detect::Rules {
                offline_after_ms: rollup::SIMULATED_GAP_MS,
                max_gap_ms: gap,
            },
        );
        sessions::Sessions::new(db.clone())
            .insert_detected(&found)
            .await?;
        filled += 1;
    }
    Ok(filled)
}

/// A car drawing its full current for 24 hours is no day anyone has seen:
/// in the made-up past, a plug whose car charges now had cars come and go.
fn with_cars_coming_and_going(spec: &StationSpec) -> StationSpec {
    let mut past = spec.clone();
    for plug in &mut past.plugs {
        if plug.vehicle == Vehicle::Charging {
            plug.vehicle = Vehicle::Sessions;
        }
    }
    past
}
