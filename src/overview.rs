//! The fleet overview's data: every charger with its status and target,
//! read through a cache shared by all users (so ten managers looking at
//! the overview do not multiply the load on CLEMAP), refreshed with bounded
//! concurrency, each charger failing on its own.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio::sync::Mutex;

use crate::clemap::ClemapClient;
use crate::clemap::model::{CurrentSettings, PlugStatus};
use crate::problem::{ClemapFailure, Problem};
use crate::registry::{Registry, RegistryError};
use crate::types::{Charger, ChargerOverview};

#[derive(Debug, Clone, Copy)]
pub struct OverviewConfig {
    /// How long a reading is served from the cache.
    pub ttl: Duration,
    /// How many chargers are read from CLEMAP at once.
    pub concurrency: usize,
    /// How long one charger may take before it shows an error badge.
    pub per_charger_deadline: Duration,
}

impl Default for OverviewConfig {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(10),
            // 500 chargers × 2 reads at 50 ms in ≤ 300 ms needs ~4 rounds.
            // Each in-flight charger holds two requests, so this is the
            // heaviest load the dashboard puts on CLEMAP.
            concurrency: 128,
            per_charger_deadline: Duration::from_secs(3),
        }
    }
}

#[derive(Clone)]
struct Reading {
    taken: Instant,
    /// A change was made since (see [`Overview::invalidate`]): read again,
    /// but show this one until the new reading is in.
    outdated: bool,
    at: DateTime<Utc>,
    result: Result<(Vec<PlugStatus>, CurrentSettings), Problem>,
}

#[derive(Clone)]
pub struct Overview {
    registry: Registry,
    clemap: ClemapClient,
    config: OverviewConfig,
    cache: Arc<Mutex<HashMap<i64, Reading>>>,
    /// One refresh at a time: a second viewer waits for the first's
    /// readings instead of asking CLEMAP again.
    refreshing: Arc<Mutex<()>>,
    lookups: Arc<CacheLookups>,
}

/// How often the overview found a charger's reading fresh in the cache
/// (a hit) or had to ask CLEMAP (a miss), since the start.
#[derive(Debug, Default)]
pub struct CacheLookups {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

impl CacheLookups {
    /// (hits, misses)
    pub fn read(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }
}

impl std::fmt::Debug for Overview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Overview")
            .field("config", &self.config)
            .finish()
    }
}

impl Overview {
    pub fn new(registry: Registry, clemap: ClemapClient, config: OverviewConfig) -> Self {
        Self {
            registry,
            clemap,
            config,
            cache: Arc::default(),
            refreshing: Arc::default(),
            lookups: Arc::default(),
        }
    }

    pub fn cache_lookups(&self) -> &CacheLookups {
        &self.lookups
    }

    /// Every live charger, with a reading no older than the TTL, or, while
    /// another viewer's refresh is under way, the last reading there is.
    /// Waiting for that refresh would make every viewer wait for the
    /// slowest station (up to `per_charger_deadline`), one refresh after
    /// another: the fault run measured an overview p99 of 20 s with a few
    /// hanging stations. Only a charger never read yet is waited for.
    pub async fn fleet(&self) -> Result<Vec<ChargerOverview>, RegistryError> {
        let chargers = self.registry.list().await?;
        let (stale, unread): (Vec<Charger>, bool) = {
            let cache = self.cache.lock().await;
            let stale: Vec<Charger> = chargers
                .iter()
                .filter(|c| self.needs_reading(cache.get(&c.id)))
                .cloned()
                .collect();
            let unread = chargers.iter().any(|c| !cache.contains_key(&c.id));
            (stale, unread)
        };
        let stale_count = stale.len() as u64;
        self.lookups
            .misses
            .fetch_add(stale_count, Ordering::Relaxed);
        self.lookups
            .hits
            .fetch_add(chargers.len() as u64 - stale_count, Ordering::Relaxed);
        if !stale.is_empty() {
            let turn = if unread {
                Some(self.refreshing.lock().await)
            } else {
                self.refreshing.try_lock().ok()
            };
            if let Some(_one_refresh) = turn {
                // What the refresh before ours already read is not read again.
                let still_stale: Vec<Charger> = {
                    let cache = self.cache.lock().await;
                    stale
                        .into_iter()
                        .filter(|c| self.needs_reading(cache.get(&c.id)))
                        .collect()
                };
                let fresh = self.read_all(still_stale).await;
                self.cache.lock().await.extend(fresh);
            }
        }
        let cache = self.cache.lock().await;
        Ok(chargers
            .into_iter()
            .map(|charger| {
                let reading = cache.get(&charger.id);
                let (plugs, settings, problem) = match reading.map(|r| &r.result) {
                    Some(Ok((plugs, settings))) => (plugs.clone(), Some(settings.clone()), None),
                    Some(Err(p)) => (Vec::new(), None, Some(p.clone())),
                    // Every charger was just read; only one added meanwhile is not.
                    None => (Vec::new(), None, Some(Problem::NotReadYet)),
                };
                ChargerOverview {
                    read_at: reading.map(|r| r.at),
                    charger,
                    plugs,
                    settings,
                    problem,
                }
            })
            .collect())
    }

    fn needs_reading(&self, reading: Option<&Reading>) -> bool {
        reading.is_none_or(|r| r.outdated || r.taken.elapsed() >= self.config.ttl)
    }

    /// Marks a charger's reading outdated (after a change): the next
    /// refresh reads it again; until then it is still shown, with its time.
    pub async fn invalidate(&self, charger_id: i64) {
        if let Some(reading) = self.cache.lock().await.get_mut(&charger_id) {
            reading.outdated = true;
        }
    }

    async fn read_all(&self, chargers: Vec<Charger>) -> Vec<(i64, Reading)> {
        futures::stream::iter(chargers)
            .map(|charger| async move {
                let result = match tokio::time::timeout(
                    self.config.per_charger_deadline,
                    self.read_one(&charger),
                )
                .await
                {
                    Ok(result) => result,
                    Err(_) => Err(Problem::Clemap(ClemapFailure::Timeout {
                        seconds: u32::try_from(self.config.per_charger_deadline.as_secs())
                            .unwrap_or(u32::MAX)
                            .max(1),
                    })),
                };
                (
                    charger.id,
                    Reading {
                        taken: Instant::now(),
                        outdated: false,
                        at: Utc::now(),
                        result,
                    },
                )
            })
            .buffer_unordered(self.config.concurrency.max(1))
            .collect()
            .await
    }

    async fn read_one(
        &self,
        charger: &Charger,
    ) -> Result<(Vec<PlugStatus>, CurrentSettings), Problem> {
        let (address, token) = self
            .registry
            .credentials(charger.id)
            .await
            .map_err(|e| e.problem())?;
        let (plugs, settings) = tokio::join!(
            self.clemap.status(&address, &token),
            self.clemap.current_settings(&address, &token)
        );
        let problem = |e: crate::clemap::ClemapError| Problem::Clemap(e.failure());
        Ok((plugs.map_err(problem)?, settings.map_err(problem)?))
    }
}
