//! The engine: every [`TICK`] (and at once after a change), each schedule
//! in force is applied to each of its chargers, and targets of schedules
//! disabled or deleted while in force are withdrawn. Time comes in as an
//! argument to [`Engine::tick`], so tests move it by hand.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::claims::{self, Claim};
use super::decide::{self, Decision};
use super::occurrence::{Occurrence, Weekly};
use super::service::Schedules;
use crate::audit::Actor;
use crate::control::{Control, ControlError};
use crate::problem::Problem;
use crate::registry::Registry;
use crate::types::{Charger, Schedule, ScheduleHeldBack, Who};

/// How often the engine looks (windows start within this).
pub const TICK: Duration = Duration::from_secs(15);

/// The first retry after a failed call; doubled per failure up to
/// [`MAX_BACKOFF`].
const FIRST_BACKOFF: chrono::Duration = chrono::Duration::seconds(30);
const MAX_BACKOFF: chrono::Duration = chrono::Duration::seconds(600);

/// What one tick did, for logs and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tick {
    pub sent: usize,
    pub held_back: usize,
    pub withdrawn: usize,
    pub failed: usize,
}

/// Per (schedule, charger): failures in a row and when to try again. Per
/// instance: after a restart every schedule is tried at once.
type Retries = HashMap<(i64, i64), (u32, DateTime<Utc>)>;

#[derive(Clone, Debug)]
pub struct Engine {
    schedules: Schedules,
    registry: Registry,
    control: Control,
    retry: Arc<Mutex<Retries>>,
}

impl Engine {
    pub fn new(schedules: Schedules, registry: Registry, control: Control) -> Self {
        Self {
            schedules,
            registry,
            control,
            retry: Arc::default(),
        }
    }

    /// Ticks until the task is dropped, on the wall clock.
    pub async fn run(self) {
        let changed = self.schedules.changes();
        loop {
            match self.tick(Utc::now()).await {
                Ok(t) if t != Tick::default() => tracing::info!(?t, "schedules applied"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "the schedule engine could not read"),
            }
            tokio::select! {
                () = tokio::time::sleep(TICK) => {}
                () = changed.notified() => {}
            }
        }
    }

    /// Applies what is in force at `now`.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<Tick, ControlError> {
        let mut tick = Tick::default();
        self.withdraw_orphans(now, &mut tick).await?;
        let saved = self.schedules.all().await?;
        let fleet = self.registry.list().await?;
        for (schedule, weekly) in saved {
            let Some(occurrence) = weekly
                .filter(|_| schedule.enabled)
                .and_then(|w| w.in_force(now))
            else {
                continue;
            };
            for charger in fleet.iter().filter(|c| schedule.applies_to(c)) {
                self.apply(&schedule, &occurrence, charger, now, &mut tick)
                    .await;
            }
        }
        Ok(tick)
    }

    /// One schedule on one charger; failures are noted, not returned.
    async fn apply(
        &self,
        schedule: &Schedule,
        occurrence: &Occurrence,
        charger: &Charger,
        now: DateTime<Utc>,
        tick: &mut Tick,
    ) {
        let key = (schedule.id, charger.id);
        if self.waiting(key, now) {
            return;
        }
        match self.try_apply(schedule, occurrence, charger, now).await {
            Ok(Some(Decision::Send { .. })) => {
                tick.sent += 1;
                self.succeeded(key, schedule.id).await;
            }
            Ok(Some(Decision::HeldBack { .. })) => tick.held_back += 1,
            Ok(_) => self.succeeded(key, schedule.id).await,
            Err(problem) => {
                tick.failed += 1;
                self.failed(key, schedule.id, &problem, now).await;
            }
        }
    }

    /// `None`: the claim for this round was held (nothing to do).
    async fn try_apply(
        &self,
        schedule: &Schedule,
        occurrence: &Occurrence,
        charger: &Charger,
        now: DateTime<Utc>,
    ) -> Result<Option<Decision>, Problem> {
        let audit = self.schedules.audit();
        let max = self.control.limits().max_duration;
        let db = |e: sqlx::Error| {
            tracing::error!(error = %e, "schedule claims could not be read");
            Problem::Internal
        };
        let changes = claims::changes(audit, charger.id).await.map_err(db)?;
        let claim = Claim {
            schedule_id: schedule.id,
            charger_id: charger.id,
            occurrence: occurrence.date,
            round: decide::round(occurrence, now, max),
            manual_mark: changes.manual_mark,
            current: charger.clamp(schedule.current.into()),
            ends: occurrence.end,
            until: decide::until(occurrence, now, max),
        };
        if claims::is_held(audit, &claim).await.map_err(db)? {
            return Ok(None);
        }
        let in_force = self
            .control
            .settings_now(charger.id)
            .await
            .map_err(|e| e.problem())?;
        let decision = decide::decide(claim.current, occurrence, now, max, &in_force, &changes);
        let Decision::Send { until } = decision else {
            return Ok(Some(decision));
        };
        let seconds = u32::try_from((until - now).num_seconds()).unwrap_or(0);
        if seconds < self.control.limits().min_duration {
            return Ok(Some(Decision::InPlace)); // the window is all but over
        }
        let actor = actor(schedule);
        let (control, audit) = (&self.control, self.schedules.audit());
        match super::sends::set((control, audit), &actor, charger, claim, seconds).await {
            Ok(Some(outcome)) if outcome.succeeded() => Ok(Some(decision)),
            Ok(Some(outcome)) => Err(outcome.problem.unwrap_or(Problem::Internal)),
            Ok(None) => Ok(None),
            Err(e) => Err(e.problem()),
        }
    }

    /// Targets of schedules disabled or deleted while in force: reset when
    /// still in force as sent, else only marked dealt with.
    async fn withdraw_orphans(
        &self,
        now: DateTime<Utc>,
        tick: &mut Tick,
    ) -> Result<(), ControlError> {
        for orphan in claims::orphans(self.schedules.audit(), now).await? {
            let Ok(charger) = self.registry.get(orphan.charger_id).await else {
                continue; // deleted since: nothing to reset
            };
            let actor = Actor::of(Who::Schedule {
                id: orphan.schedule_id,
                name: orphan.schedule_name.clone(),
            });
            let still_ours = match self.control.settings_now(charger.id).await {
                Ok(s) => s
                    .active_at(now)
                    .is_some_and(|(amps, _)| i64::from(amps) == orphan.current),
                Err(e) => {
                    tracing::warn!(charger = charger.id, error = %e, "cannot withdraw a schedule's target yet");
                    tick.failed += 1;
                    continue;
                }
            };
            let (control, audit) = (&self.control, self.schedules.audit());
            if let Some(outcome) =
                super::sends::withdraw((control, audit), &actor, &charger, orphan, still_ours)
                    .await?
            {
                tick.withdrawn += usize::from(outcome.succeeded());
            }
        }
        Ok(())
    }

    /// Whether a person's change holds one of `schedules` back on
    /// `charger` at `now` (for the charger page).
    pub async fn held_back(
        &self,
        charger: &Charger,
        schedules: &[(Schedule, Option<Weekly>)],
        now: DateTime<Utc>,
    ) -> Option<ScheduleHeldBack> {
        let (schedule, weekly, occurrence) = schedules.iter().find_map(|(s, w)| {
            let w = w.as_ref().filter(|_| s.enabled)?;
            Some((s, w, w.in_force(now)?))
        })?;
        let changes = claims::changes(self.schedules.audit(), charger.id)
            .await
            .ok()?;
        let in_force = self.control.live(charger.id).await.ok()?.settings;
        let amps = charger.clamp(schedule.current.into());
        let max = self.control.limits().max_duration;
        match decide::decide(amps, &occurrence, now, max, &in_force, &changes) {
            Decision::HeldBack { until } => Some(ScheduleHeldBack {
                schedule: schedule.name.clone(),
                until,
                until_local: until.map(|at| at.with_timezone(&weekly.zone).naive_local()),
            }),
            _ => None,
        }
    }

    fn waiting(&self, key: (i64, i64), now: DateTime<Utc>) -> bool {
        let retry = self.retry.lock().unwrap_or_else(|e| e.into_inner());
        retry.get(&key).is_some_and(|(_, next)| *next > now)
    }

    async fn succeeded(&self, key: (i64, i64), schedule_id: i64) {
        let was_failing = {
            let mut retry = self.retry.lock().unwrap_or_else(|e| e.into_inner());
            retry.remove(&key).is_some()
        };
        if was_failing && let Err(e) = self.schedules.note_failure(schedule_id, None).await {
            tracing::error!(error = %e, "could not clear a schedule's failure");
        }
    }

    async fn failed(
        &self,
        key: (i64, i64),
        schedule_id: i64,
        problem: &Problem,
        now: DateTime<Utc>,
    ) {
        let wait = {
            let mut retry = self.retry.lock().unwrap_or_else(|e| e.into_inner());
            let failures = retry.get(&key).map_or(0, |(n, _)| *n) + 1;
            let wait = (FIRST_BACKOFF * 2i32.pow(failures.min(10) - 1)).min(MAX_BACKOFF);
            retry.insert(key, (failures, now + wait));
            wait
        };
        tracing::warn!(
            schedule = schedule_id,
            charger = key.1,
            ?problem,
            retry_in = wait.num_seconds(),
            "a scheduled call failed"
        );
        if let Err(e) = self
            .schedules
            .note_failure(schedule_id, Some(problem))
            .await
        {
            tracing::error!(error = %e, "could not note a schedule's failure");
        }
    }
}

/// The audit actor of a schedule's calls.
fn actor(schedule: &Schedule) -> Actor {
    Actor::of(schedule.as_actor())
}
