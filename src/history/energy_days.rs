//! A site's energy per local day over 30 days, for the site page.
//!
//! Summing 30 days of a 50-charger site reads 144,000 buckets (about
//! 100 ms on SQLite), while only today's sum moves. Finished days are
//! therefore kept in memory for [`KEEP`] and only the days not kept are
//! read; a finished day that changes later (a roll-up catching up after a
//! restart) shows within [`KEEP`].

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::db::Db;
use crate::on_db;
use crate::types::SiteDay;

/// How long a finished day's sum is reused.
const KEEP: Duration = Duration::from_secs(10 * 60);
/// Days on the chart, today included.
const DAYS: u64 = 30;

/// One local day's energy: watt-hours, and whether all of it was made up
/// (the demo's past).
#[derive(Debug, Clone, Copy)]
struct DayEnergy {
    wh: i64,
    simulated: bool,
}

/// Finished days' sums per site and zone (a changed zone shifts the days).
#[derive(Debug, Clone)]
pub struct EnergyDays {
    finished: moka::sync::Cache<(i64, Tz, NaiveDate), DayEnergy>,
}

#[derive(sqlx::FromRow)]
struct Energy {
    start_s: i64,
    energy_wh: i64,
    simulated: i64,
}

impl Default for EnergyDays {
    fn default() -> Self {
        Self {
            finished: moka::sync::Cache::builder()
                .time_to_live(KEEP)
                .max_capacity(100_000)
                .build(),
        }
    }
}

impl EnergyDays {
    /// The site's energy per local day in `zone`, the 29 days before today
    /// and today (so far).
    pub async fn last_30(
        &self,
        db: &Db,
        site_id: i64,
        zone: Tz,
        now: DateTime<Utc>,
    ) -> Result<Vec<SiteDay>, sqlx::Error> {
        let today = now.with_timezone(&zone).date_naive();
        let days: Vec<NaiveDate> = (0..DAYS).map(|i| today - Days::new(DAYS - 1 - i)).collect();
        let mut known: BTreeMap<NaiveDate, DayEnergy> = days
            .iter()
            .filter_map(|&d| self.finished.get(&(site_id, zone, d)).map(|e| (d, e)))
            .collect();
        // Read from the first day not kept (today at least) up to now.
        let first_missing = days
            .iter()
            .copied()
            .find(|d| *d == today || !known.contains_key(d))
            .unwrap_or(today);
        let read = self.read_since(db, site_id, zone, first_missing).await?;
        for day in days.iter().copied().filter(|d| *d >= first_missing) {
            let sum = read.get(&day).copied().unwrap_or(DayEnergy {
                wh: 0,
                simulated: false,
            });
            if day < today {
                self.finished.insert((site_id, zone, day), sum);
            }
            known.insert(day, sum);
        }
        Ok(days
            .into_iter()
            .map(|day| {
                let sum = known.get(&day).copied().unwrap_or(DayEnergy {
                    wh: 0,
                    simulated: false,
                });
                SiteDay {
                    day,
                    kwh: sum.wh as f64 / 1000.0,
                    simulated: sum.simulated && sum.wh > 0,
                }
            })
            .collect())
    }

    /// Sums per local day from the start of `first` on.
    async fn read_since(
        &self,
        db: &Db,
        site_id: i64,
        zone: Tz,
        first: NaiveDate,
    ) -> Result<BTreeMap<NaiveDate, DayEnergy>, sqlx::Error> {
        let from_s = zone
            .from_local_datetime(&first.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map_or(0, |t| t.timestamp());
        let rows: Vec<Energy> = on_db!(db, pool => sqlx::query_as(
            // From the site's chargers into each one's buckets by the
            // primary key: the time index alone would read every site's.
            "SELECT b.start_s, CAST(SUM(b.energy_wh) AS BIGINT) AS energy_wh, \
             MIN(b.simulated) AS simulated \
             FROM chargers c JOIN history_buckets b ON b.charger_id = c.id AND b.start_s >= $1 \
             WHERE c.site_id = $2 GROUP BY b.start_s ORDER BY b.start_s",
        )
        .bind(from_s)
        .bind(site_id)
        .fetch_all(pool)
        .await?);
        let mut sums: BTreeMap<NaiveDate, DayEnergy> = BTreeMap::new();
        for row in rows {
            let Some(at) = DateTime::from_timestamp(row.start_s, 0) else {
                continue;
            };
            let day = at.with_timezone(&zone).date_naive();
            let sum = sums.entry(day).or_insert(DayEnergy {
                wh: 0,
                simulated: true,
            });
            sum.wh += row.energy_wh;
            sum.simulated &= row.simulated != 0;
        }
        Ok(sums)
    }
}
