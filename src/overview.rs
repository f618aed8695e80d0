//! The fleet as the pages show it: every charger with its latest reading
//! and the verdict on its target, read from the database (the sampler
//! keeps it current), so any number of viewers cost CLEMAP nothing. Only a
//! charger never read yet is read at once, so a new one shows at once.

use std::collections::HashMap;

use futures::StreamExt;

use crate::db::Db;
use crate::history::latest::{self, Latest};
use crate::history::{HistoryError, Sampler};
use crate::problem::Problem;
use crate::registry::{Registry, RegistryError};
use crate::sites::Sites;
use crate::types::{Charger, ChargerLive, ChargerOverview, Site};

/// Chargers never read that one view reads at once.
const FIRST_READS_AT_ONCE: usize = 32;

#[derive(Clone, Debug)]
pub struct Overview {
    registry: Registry,
    db: Db,
    sampler: Sampler,
}

/// Why the fleet or a charger's reading cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum OverviewError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// The charger's latest reading failed.
    #[error("the charger could not be read: {0:?}")]
    Unreadable(Problem),
}

impl OverviewError {
    /// What the UI says about it.
    pub fn problem(&self) -> Problem {
        match self {
            Self::Registry(e) => e.problem(),
            Self::History(e) => e.problem(),
            Self::Db(_) => Problem::Internal,
            Self::Unreadable(problem) => problem.clone(),
        }
    }
}

impl Overview {
    pub fn new(registry: Registry, db: Db, sampler: Sampler) -> Self {
        Self {
            registry,
            db,
            sampler,
        }
    }

    pub fn sampler(&self) -> &Sampler {
        &self.sampler
    }

    /// Every live charger with its latest reading.
    pub async fn fleet(&self) -> Result<Vec<ChargerOverview>, OverviewError> {
        let chargers = self.registry.list().await?;
        let mut latest = latest::LatestReadings::of(&self.db).all().await?;
        let unread: Vec<Charger> = chargers
            .iter()
            .filter(|c| !latest.contains_key(&c.id))
            .cloned()
            .collect();
        if !unread.is_empty() {
            self.read_first_time(unread).await?;
            latest = latest::LatestReadings::of(&self.db).all().await?;
        }
        let sites: HashMap<i64, Site> = Sites::new(self.db.clone())
            .list()
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let shared = crate::sharing::store::Allocations::of(&self.db)
            .in_force(chrono::Utc::now())
            .await?;
        Ok(chargers
            .into_iter()
            .map(|charger| {
                let reading = latest.remove(&charger.id);
                let site = sites.get(&charger.site_id);
                ChargerOverview {
                    site_supply_limit: site.and_then(|s| s.supply_limit),
                    site_shared: site.is_some_and(|s| s.sharing),
                    shared: shared.get(&charger.id).copied(),
                    ..overview_of(charger, reading)
                }
            })
            .collect())
    }

    /// One charger as the fleet lists it (the API's `/chargers/{id}`).
    pub async fn one(&self, charger_id: i64) -> Result<ChargerOverview, OverviewError> {
        let charger = self.registry.get(charger_id).await?;
        let mut reading = latest::LatestReadings::of(&self.db).one(charger_id).await?;
        if reading.is_none() {
            self.sampler.read_now(&charger).await?;
            reading = latest::LatestReadings::of(&self.db).one(charger_id).await?;
        }
        Ok(overview_of(charger, reading))
    }

    /// One charger's latest reading, as the charger page shows it.
    pub async fn charger(&self, charger_id: i64) -> Result<ChargerLive, OverviewError> {
        let mut reading = latest::LatestReadings::of(&self.db).one(charger_id).await?;
        if reading.is_none() {
            let charger = self.registry.get(charger_id).await?;
            self.sampler.read_now(&charger).await?;
            reading = latest::LatestReadings::of(&self.db).one(charger_id).await?;
        }
        let reading = reading.ok_or(RegistryError::NotFound(charger_id))?;
        match reading.result {
            Ok((plugs, settings)) => Ok(ChargerLive {
                plugs,
                settings,
                read_at: reading.read_at,
                finding: reading.finding,
            }),
            Err(problem) => Err(OverviewError::Unreadable(problem)),
        }
    }

    async fn read_first_time(&self, chargers: Vec<Charger>) -> Result<(), HistoryError> {
        let results: Vec<Result<(), HistoryError>> = futures::stream::iter(chargers)
            .map(|charger| async move { self.sampler.read_now(&charger).await })
            .buffer_unordered(FIRST_READS_AT_ONCE)
            .collect()
            .await;
        results.into_iter().collect()
    }
}

fn overview_of(charger: Charger, reading: Option<Latest>) -> ChargerOverview {
    let Some(reading) = reading else {
        return ChargerOverview {
            charger,
            plugs: Vec::new(),
            settings: None,
            problem: Some(Problem::NotReadYet),
            read_at: None,
            finding: None,
            site_supply_limit: None,
            site_shared: false,
            shared: None,
        };
    };
    let (plugs, settings, problem) = match reading.result {
        Ok((plugs, settings)) => (plugs, Some(settings), None),
        Err(problem) => (Vec::new(), None, Some(problem)),
    };
    ChargerOverview {
        charger,
        plugs,
        settings,
        problem,
        read_at: Some(reading.read_at),
        finding: reading.finding,
        site_supply_limit: None,
        site_shared: false,
        shared: None,
    }
}
