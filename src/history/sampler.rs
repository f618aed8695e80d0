//! The one status sampler: every `interval` it reads every charger (bounded
//! concurrency, a deadline each), stores the samples and each charger's
//! latest reading, judges the targets in force, rolls the samples up into
//! 15-minute buckets and prunes what is past keeping.
//!
//! Every instance runs one, but only the holder of the `sampler` lease
//! samples: the others look for the lease twice per interval, and take it
//! once the holder has not renewed it for one and a half intervals (it
//! died), so sampling resumes within two intervals.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;

use super::{
    HistoryConfig, HistoryError, Reading, buckets, latest, lease, rollup, samples, sessions,
    verdicts,
};
use crate::audit::AuditLog;
use crate::clemap::ClemapClient;
use crate::problem::{ClemapFailure, Problem};
use crate::registry::Registry;
use crate::types::Charger;

const LEASE: &str = "sampler";
/// An operator's "refresh now" reads a charger at most this often.
pub const REFRESH_EVERY: Duration = Duration::from_secs(10);
/// Pruning runs at most this often.
const PRUNE_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(10);
/// Buckets written per transaction when rolling up (a round of 1,000
/// chargers is one or two; a restart after days is many, each short).
const UPSERT_BATCH: usize = 1_000;

#[derive(Clone)]
pub struct Sampler {
    audit: AuditLog,
    registry: Registry,
    clemap: ClemapClient,
    config: HistoryConfig,
    /// No target lasts longer (the verdicts look back this far).
    longest_target: Duration,
    /// This instance, as the lease names it.
    holder: Arc<str>,
    /// Chargers refreshed by hand lately.
    refreshed: moka::sync::Cache<i64, ()>,
    /// The newest bucket rolled up, and when pruning last ran.
    progress: Arc<std::sync::Mutex<Progress>>,
    /// Told what each round read, within the round (the alert detector,
    /// #31), without the sampler knowing who.
    observer: Option<Arc<dyn RoundObserver>>,
    /// Each round this instance sampled, for whoever acts on it (the load
    /// manager, #40) without the sampler knowing them.
    rounds: Arc<tokio::sync::watch::Sender<Option<Arc<Round>>>>,
}

/// Told of each round within it, so that what it does is done once per
/// round (the watch channel of `rounds()` keeps only the newest).
pub trait RoundObserver: Send + Sync {
    fn after_round<'a>(
        &'a self,
        round: &'a Round,
    ) -> futures::future::BoxFuture<'a, Result<(), sqlx::Error>>;
}

/// What one sampling round read.
#[derive(Debug)]
pub struct Round {
    pub at: DateTime<Utc>,
    pub chargers: Vec<Charger>,
    pub readings: Vec<Reading>,
}

#[derive(Default)]
struct Progress {
    rolled_from: Option<i64>,
    pruned_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Sampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sampler")
            .field("config", &self.config)
            .field("holder", &self.holder)
            .finish()
    }
}

/// What a hand-made refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refreshed {
    Read,
    /// The charger was refreshed moments ago: try again in this many seconds.
    TooSoon {
        seconds: u64,
    },
}

impl Sampler {
    pub fn new(
        audit: AuditLog,
        registry: Registry,
        clemap: ClemapClient,
        config: HistoryConfig,
        longest_target: Duration,
    ) -> Self {
        Self {
            audit,
            registry,
            clemap,
            config,
            longest_target,
            holder: uuid::Uuid::new_v4().to_string().into(),
            refreshed: moka::sync::Cache::builder()
                .time_to_live(REFRESH_EVERY)
                .max_capacity(100_000)
                .build(),
            progress: Arc::default(),
            observer: None,
            rounds: Arc::new(tokio::sync::watch::Sender::new(None)),
        }
    }

    /// Tells `observer` each round this instance samples, before the
    /// round rolls up.
    pub fn observed_by(mut self, observer: Arc<dyn RoundObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The rounds this instance samples, newest only.
    pub fn rounds(&self) -> tokio::sync::watch::Receiver<Option<Arc<Round>>> {
        self.rounds.subscribe()
    }

    pub fn config(&self) -> &HistoryConfig {
        &self.config
    }

    /// Samples for ever (spawned by `Application::build`).
    pub async fn run(self) {
        tokio::time::sleep(self.config.start_after).await;
        loop {
            let holds = match self.tick(Utc::now()).await {
                Ok(holds) => holds,
                Err(e) => {
                    tracing::error!(error = %e, "a sampling round failed");
                    false
                }
            };
            let wait = if holds {
                self.config.interval
            } else {
                self.config.interval / 2
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// One round, if this instance holds (or takes) the lease. Returns
    /// whether it does.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<bool, HistoryError> {
        let hold = chrono::Duration::from_std(self.config.interval * 3 / 2).unwrap_or_default();
        if !lease::Leases::of(self.audit.db())
            .take(LEASE, &self.holder, now, now + hold)
            .await?
        {
            return Ok(false);
        }
        let chargers = self.registry.list().await?;
        let started = std::time::Instant::now();
        let readings = self.read_all(chargers.clone()).await;
        let rows = self.record_rows(&readings).await?;
        if let Err(e) = self.track_sessions(&rows, now).await {
            // The readings are kept; the sessions catch up next round
            // (the observer, the roll-ups and pruning still run).
            tracing::error!(error = %e, "the round's charging sessions could not be stored");
        }
        crate::metrics::status_round(started.elapsed());
        let round = Arc::new(Round {
            at: now,
            chargers,
            readings,
        });
        if let Some(observer) = &self.observer
            && let Err(e) = observer.after_round(&round).await
        {
            // The readings are kept; the observer waits for the next round.
            tracing::error!(error = %e, "the round's observer failed");
        }
        self.roll_up_chargers(&round.chargers, now).await?;
        self.rounds.send_replace(Some(round));
        self.prune_if_due(now).await?;
        Ok(true)
    }

    /// Gives the lease up (a clean stop).
    pub async fn release(&self) -> Result<(), sqlx::Error> {
        lease::Leases::of(self.audit.db())
            .release(LEASE, &self.holder)
            .await
    }

    /// Reads one charger now and records it: after a change (the pages show
    /// what CLEMAP says at once), not per view.
    pub async fn read_now(&self, charger: &Charger) -> Result<(), HistoryError> {
        let reading = self.read_one(charger).await;
        Ok(self.record(std::slice::from_ref(&reading)).await?)
    }

    /// An operator's "refresh now": at most once per [`REFRESH_EVERY`] per
    /// charger, however many ask.
    pub async fn refresh(&self, charger: &Charger) -> Result<Refreshed, HistoryError> {
        let entry = self.refreshed.entry(charger.id).or_insert(());
        if !entry.is_fresh() {
            return Ok(Refreshed::TooSoon {
                seconds: REFRESH_EVERY.as_secs(),
            });
        }
        self.read_now(charger).await?;
        Ok(Refreshed::Read)
    }

    async fn read_all(&self, chargers: Vec<Charger>) -> Vec<Reading> {
        futures::stream::iter(chargers)
            .map(|charger| async move { self.read_one(&charger).await })
            .buffer_unordered(self.config.concurrency.max(1))
            .collect()
            .await
    }

    /// One charger's plugs and target, or why not, within its deadline.
    async fn read_one(&self, charger: &Charger) -> Reading {
        let deadline = self.config.charger_deadline();
        let result = match tokio::time::timeout(deadline, self.ask_clemap(charger)).await {
            Ok(result) => result,
            Err(_) => Err(Problem::Clemap(ClemapFailure::Timeout {
                seconds: u32::try_from(deadline.as_secs()).unwrap_or(u32::MAX).max(1),
            })),
        };
        Reading {
            charger_id: charger.id,
            at: Utc::now(),
            result,
        }
    }

    async fn ask_clemap(
        &self,
        charger: &Charger,
    ) -> Result<
        (
            Vec<crate::clemap::model::PlugStatus>,
            crate::clemap::model::CurrentSettings,
        ),
        Problem,
    > {
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

    /// Stores readings as samples and as each charger's latest, with the
    /// verdict on its target in force.
    pub async fn record(&self, readings: &[Reading]) -> Result<(), sqlx::Error> {
        self.record_rows(readings).await.map(drop)
    }

    /// [`Self::record`], giving back the samples it stored (a round's
    /// sessions are detected from the same rows).
    async fn record_rows(&self, readings: &[Reading]) -> Result<Vec<samples::Sample>, sqlx::Error> {
        let db = self.audit.db();
        let rows: Vec<samples::Sample> = readings
            .iter()
            .flat_map(|r| samples::of(r, false))
            .collect();
        samples::Samples::of(db).insert(&rows).await?;
        let findings = verdicts::judge_readings(
            &self.audit,
            readings,
            self.config.settle,
            self.longest_target,
        )
        .await?;
        latest::LatestReadings::of(db)
            .store(readings, &findings)
            .await?;
        crate::metrics::status_readings(readings.len());
        // Open pages show the new readings (#41), here and on the others.
        db.changes().publish(crate::db::changes::Change::Chargers {
            ids: readings.iter().map(|r| r.charger_id).collect(),
        });
        Ok(rows)
    }

    /// Starts, advances and ends the charging sessions a round's samples
    /// show (#42). Only a round does: a charger read by hand between
    /// rounds changes its sessions at the next one.
    async fn track_sessions(
        &self,
        rows: &[samples::Sample],
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let started = std::time::Instant::now();
        let db = self.audit.db();
        let store = sessions::Sessions::new(db.clone());
        let open = store.open().await?;
        let rules = sessions::detect::Rules {
            offline_after_ms: i64::try_from(self.config.offline_after.as_millis())
                .unwrap_or(i64::MAX),
            max_gap_ms: self.config.max_gap_ms(),
        };
        let steps = sessions::detect::round(&open, rows, now.timestamp_millis(), rules);
        let changed = store.apply(&steps).await?;
        if !changed.is_empty() {
            // A session began or ended: the pages that list them show it.
            db.changes()
                .publish(crate::db::changes::Change::Chargers { ids: changed });
        }
        crate::metrics::sessions_round(started.elapsed());
        Ok(())
    }

    /// Recomputes the buckets the latest samples fall in (after a restart:
    /// every bucket since the newest stored one). Repeating it changes
    /// nothing: each bucket is recomputed from its samples and replaced.
    pub async fn roll_up(&self, now: DateTime<Utc>) -> Result<(), HistoryError> {
        let chargers = self.registry.list().await?;
        self.roll_up_chargers(&chargers, now).await
    }

    /// [`Self::roll_up`] for the chargers a round has just read.
    async fn roll_up_chargers(
        &self,
        chargers: &[Charger],
        now: DateTime<Utc>,
    ) -> Result<(), HistoryError> {
        let db = self.audit.db();
        let gap = self.config.max_gap_ms();
        let now_ms = now.timestamp_millis();
        let kept = now_ms - i64::try_from(self.config.keep_samples.as_millis()).unwrap_or(0);
        let resumed = self
            .progress
            .lock()
            .expect("not poisoned")
            .rolled_from
            .is_some();
        let last_s = rollup::bucket_start(now_ms);
        let mut rolled = Vec::new();
        for charger in chargers {
            // Normally the buckets the newest samples fall in; after a
            // restart everything since the charger's newest bucket.
            let from_s = if resumed {
                rollup::bucket_start(now_ms - gap)
            } else {
                buckets::Buckets::of(db)
                    .newest_start(charger.id)
                    .await?
                    .unwrap_or_else(|| rollup::bucket_start(kept))
            }
            .max(rollup::bucket_start(kept));
            let raw = samples::Samples::of(db)
                .between(charger.id, from_s * 1000 - gap, now_ms + 1)
                .await?;
            let snapshots = rollup::snapshots(&raw);
            rolled.extend(
                (from_s..=last_s)
                    .step_by(rollup::BUCKET_S as usize)
                    .filter_map(|start| rollup::bucket(charger.id, start, &snapshots, gap)),
            );
            // A restart may roll up days: written in parts, not all at once.
            if rolled.len() >= UPSERT_BATCH {
                buckets::Buckets::of(db)
                    .upsert(&std::mem::take(&mut rolled))
                    .await?;
            }
        }
        buckets::Buckets::of(db).upsert(&rolled).await?;
        self.progress.lock().expect("not poisoned").rolled_from = Some(last_s);
        Ok(())
    }

    async fn prune_if_due(&self, now: DateTime<Utc>) -> Result<(), HistoryError> {
        let due = {
            let progress = self.progress.lock().expect("not poisoned");
            progress.pruned_at.is_none_or(|at| now - at >= PRUNE_EVERY)
        };
        if !due {
            return Ok(());
        }
        let db = self.audit.db();
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        let now_ms = now.timestamp_millis();
        let samples = samples::Samples::of(db)
            .prune(now_ms - ms(self.config.keep_samples))
            .await?;
        let history = buckets::Buckets::of(db)
            .prune((now_ms - ms(self.config.keep_history)) / 1000)
            .await?;
        let sessions = sessions::Sessions::new(db.clone())
            .prune(now_ms - ms(self.config.keep_history))
            .await?;
        if samples + history + sessions > 0 {
            tracing::info!(
                samples,
                buckets = history,
                sessions,
                "pruned history past keeping"
            );
        }
        self.progress.lock().expect("not poisoned").pruned_at = Some(now);
        Ok(())
    }
}
