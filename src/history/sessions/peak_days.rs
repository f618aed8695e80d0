//! The month's peak so far, for the site page (#42). The highest quarter
//! hour of a month is the highest of its days', and only today's moves:
//! finished days' highest quarters are kept in memory for [`KEEP`], so a
//! site page late in the month reads one day of buckets, not thirty.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{month, report};
use crate::db::Db;
use crate::history::buckets::Buckets;
use crate::types::Peak;

/// How long a finished day's highest quarter is reused.
const KEEP: Duration = Duration::from_secs(10 * 60);

/// A day's highest quarter: its start and energy (`None`: none used).
type DayPeak = Option<(i64, i64)>;

/// Finished days' highest quarters per site and zone.
#[derive(Debug, Clone)]
pub struct PeakDays {
    finished: moka::sync::Cache<(i64, Tz, NaiveDate), DayPeak>,
}

impl Default for PeakDays {
    fn default() -> Self {
        Self {
            finished: moka::sync::Cache::builder()
                .time_to_live(KEEP)
                .max_capacity(100_000)
                .build(),
        }
    }
}

impl PeakDays {
    /// The highest quarter hour of `site_id`'s month so far in `zone`.
    pub async fn month_so_far(
        &self,
        db: &Db,
        site_id: i64,
        zone: Tz,
        now: DateTime<Utc>,
    ) -> Result<Option<Peak>, sqlx::Error> {
        let today = now.with_timezone(&zone).date_naive();
        let first = month::current(zone, now).first_day().unwrap_or(today);
        let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= today).collect();
        let mut known: BTreeMap<NaiveDate, DayPeak> = days
            .iter()
            .filter_map(|&d| self.finished.get(&(site_id, zone, d)).map(|p| (d, p)))
            .collect();
        let first_missing = days
            .iter()
            .copied()
            .find(|d| *d == today || !known.contains_key(d))
            .unwrap_or(today);
        let from_s = month::day_start(zone, first_missing).timestamp();
        let quarters = Buckets::of(db)
            .site_quarters(site_id, from_s, now.timestamp() + 1)
            .await?;
        let mut read: BTreeMap<NaiveDate, DayPeak> = BTreeMap::new();
        for q in quarters.iter().filter(|q| q.energy_wh > 0) {
            let Some(at) = DateTime::from_timestamp(q.start_s, 0) else {
                continue;
            };
            let day = read
                .entry(at.with_timezone(&zone).date_naive())
                .or_default();
            if day.is_none_or(|(_, wh)| q.energy_wh > wh) {
                *day = Some((q.start_s, q.energy_wh));
            }
        }
        for day in days.iter().copied().filter(|d| *d >= first_missing) {
            let peak = read.get(&day).copied().flatten();
            if day < today {
                self.finished.insert((site_id, zone, day), peak);
            }
            known.insert(day, peak);
        }
        // The first of equal quarters, as the report picks it.
        let best = known
            .into_values()
            .flatten()
            .reduce(|best, p| if p.1 > best.1 { p } else { best });
        Ok(best.and_then(|(start_s, energy_wh)| {
            report::peak(
                &[report::Quarter {
                    start_s,
                    energy_wh,
                    limited_wh: 0,
                    l1_da: None,
                    l2_da: None,
                    l3_da: None,
                }],
                zone,
            )
        }))
    }
}
