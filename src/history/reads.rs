//! What pages, `/api/v1` and the history export read of the history:
//! one handle, so none of them holds the database itself.

use chrono::{DateTime, Utc};
use futures::Stream;

use super::buckets;
use super::energy_days::EnergyDays;
use super::export::{self, Days, Scope};
use super::rollup::Bucket;
use super::series;
use crate::csv_stream::Chunk;
use crate::db::Db;
use crate::types::{Charger, ChargerChart, ChartRange, SiteChart};

#[derive(Clone, Debug)]
pub struct History {
    db: Db,
    /// Sites' finished days of energy, kept a while for the site page.
    energy_days: EnergyDays,
    /// Sites' finished days' highest quarter hours, for the month's peak.
    peak_days: super::sessions::peak_days::PeakDays,
    /// How long the buckets are kept (`--keep-history`): where a report's
    /// months begin.
    keep_history: std::time::Duration,
}

impl History {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            energy_days: EnergyDays::default(),
            peak_days: Default::default(),
            keep_history: super::HistoryConfig::default().keep_history,
        }
    }

    /// The history kept this long (`--keep-history`).
    pub fn keeping(mut self, keep_history: std::time::Duration) -> Self {
        self.keep_history = keep_history;
        self
    }

    pub(super) fn db(&self) -> &Db {
        &self.db
    }

    pub(super) fn keep_history(&self) -> std::time::Duration {
        self.keep_history
    }

    pub(super) fn peak_days(&self) -> &super::sessions::peak_days::PeakDays {
        &self.peak_days
    }

    /// A charger's currents over `range`, in its site's `zone`.
    pub async fn charger_chart(
        &self,
        charger: &Charger,
        shape: (ChartRange, &str),
        now: DateTime<Utc>,
    ) -> Result<ChargerChart, sqlx::Error> {
        series::charger(&self.db, charger, shape, now).await
    }

    /// A site's last day summed over `chargers`, and its energy per day.
    pub async fn site_chart(
        &self,
        site_id: i64,
        chargers: &[Charger],
        shape: (&str, Option<u32>),
        now: DateTime<Utc>,
    ) -> Result<SiteChart, sqlx::Error> {
        series::site(&self.db, &self.energy_days, site_id, chargers, shape, now).await
    }

    /// A charger's 15-minute buckets in `[from_s, to_s)`.
    pub async fn buckets(
        &self,
        charger_id: i64,
        from_s: i64,
        to_s: i64,
    ) -> Result<Vec<Bucket>, sqlx::Error> {
        buckets::Buckets::of(&self.db)
            .between(charger_id, from_s, to_s)
            .await
    }

    /// The CSV of `scope` over `days`, streamed on its own task.
    pub fn csv(
        &self,
        scope: Scope,
        days: Days,
        limit: std::time::Duration,
        hold: impl Send + 'static,
    ) -> impl Stream<Item = Chunk> + Send + 'static {
        export::csv(self.db.clone(), scope, days, limit, hold)
    }
}
