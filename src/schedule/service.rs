//! Saving schedules: checked, refused when they would overlap another on
//! a charger, and audited (every change and every refusal). The engine
//! is woken after each change, so a disabled schedule's target is
//! withdrawn at once rather than at the next tick.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Notify;

use super::checks::{bounds, refuse_overlap};
use super::columns::PlanColumns;
use super::occurrence::Weekly;
use super::overlap::Overlap;
use super::store::{self, Saved, Which};
use super::validate;
use crate::audit::{Actor, AuditLog, Event};
use crate::db::{Db, now_text};
use crate::problem::{Field, Invalid, Missing, Problem, Rule};
use crate::types::{Schedule, ScheduleInput, ScheduleScope};
use crate::vocabulary::AuditAction;
use crate::{on_db, on_tx};

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("invalid schedule: {0:?}")]
    Invalid(Invalid),
    #[error("the schedule would overlap schedule {other:?}")]
    Overlap { other: String, overlap: Overlap },
    #[error("schedule {0} does not exist (it may have been deleted)")]
    NotFound(i64),
    #[error("{0:?} does not exist")]
    Missing(Missing),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<Invalid> for ScheduleError {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

impl ScheduleError {
    /// What the UI and the audit trail say about it.
    pub fn problem(&self) -> Problem {
        match self {
            Self::Invalid(invalid) => Problem::Invalid(invalid.clone()),
            Self::Overlap { other, overlap } => Problem::ScheduleOverlap {
                other: other.clone(),
                days: overlap.days.bits(),
                from: overlap.from.format("%H:%M").to_string(),
                to: overlap.to.format("%H:%M").to_string(),
            },
            Self::NotFound(id) => Problem::NotFound(Missing::Schedule(*id)),
            Self::Missing(missing) => Problem::NotFound(missing.clone()),
            Self::Db(_) => Problem::Internal,
        }
    }
}

/// A saved change: the schedule as it is now, and the audit row that
/// records the change (when it could be written).
#[derive(Debug, Clone)]
pub struct Changed {
    pub schedule: Schedule,
    pub event: Option<i64>,
}

/// Where a new schedule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Charger(i64),
    Site(i64),
}

#[derive(Clone, Debug)]
pub struct Schedules {
    db: Db,
    audit: AuditLog,
    wake: Arc<Notify>,
}

impl Schedules {
    pub fn new(audit: AuditLog) -> Self {
        Self {
            db: audit.db().clone(),
            audit,
            wake: Arc::default(),
        }
    }

    /// Notified after every change (the engine waits on it between ticks).
    pub fn changes(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// Every saved schedule.
    pub async fn all(&self) -> Result<Vec<Saved>, sqlx::Error> {
        store::select(&self.db, Which::All, Utc::now()).await
    }

    /// A charger's own schedules and its site's.
    pub async fn for_charger(&self, charger_id: i64) -> Result<Vec<Saved>, ScheduleError> {
        Ok(store::select(&self.db, Which::ForCharger(charger_id), Utc::now()).await?)
    }

    /// A site's own schedules and its chargers'.
    pub async fn for_site(&self, site_id: i64) -> Result<Vec<Saved>, ScheduleError> {
        Ok(store::select(&self.db, Which::ForSite(site_id), Utc::now()).await?)
    }

    pub async fn get(&self, id: i64) -> Result<Saved, ScheduleError> {
        store::select(&self.db, Which::One(id), Utc::now())
            .await?
            .pop()
            .ok_or(ScheduleError::NotFound(id))
    }

    pub async fn create(
        &self,
        actor: &Actor,
        target: Target,
        input: &ScheduleInput,
    ) -> Result<Changed, ScheduleError> {
        let result = self.create_in(target, input).await;
        let charger = match target {
            Target::Charger(id) => Some(id),
            Target::Site(_) => None,
        };
        self.audited(
            actor,
            AuditAction::ScheduleCreated,
            (charger, &input.name),
            result,
        )
        .await
    }

    async fn create_in(
        &self,
        target: Target,
        input: &ScheduleInput,
    ) -> Result<Schedule, ScheduleError> {
        let mut tx = self.db.begin_serialised().await?;
        let bounds = bounds(&mut tx, target).await?;
        let plan = validate::plan(input, &bounds.zone, bounds.range)?;
        refuse_overlap(&mut tx, &bounds, &plan.weekly, None).await?;
        let (charger_id, site_id) = match target {
            Target::Charger(id) => (Some(id), None),
            Target::Site(id) => (None, Some(id)),
        };
        let p = PlanColumns::of(&plan);
        let id: i64 = on_tx!(&mut tx, conn => with_plan!(
            checked_scalar,
            r#"INSERT INTO schedules (name, days, start_time, end_time, time_zone, current,
               valid_from, valid_to, charger_id, site_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id AS "id!""#,
            p,
            charger_id,
            site_id
        )
        .fetch_one(&mut *conn)
        .await?);
        tx.commit().await?;
        Ok(self.get(id).await?.0)
    }

    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        input: &ScheduleInput,
    ) -> Result<Changed, ScheduleError> {
        let (before, _) = self.get(id).await?;
        let result = self.update_in(&before, input).await;
        self.audited(
            actor,
            AuditAction::ScheduleUpdated,
            charger_of(&before),
            result,
        )
        .await
    }

    async fn update_in(
        &self,
        before: &Schedule,
        input: &ScheduleInput,
    ) -> Result<Schedule, ScheduleError> {
        let mut tx = self.db.begin_serialised().await?;
        let bounds = bounds(&mut tx, target_of(before)).await?;
        let plan = validate::plan(input, &bounds.zone, bounds.range)?;
        if before.enabled {
            refuse_overlap(&mut tx, &bounds, &plan.weekly, Some(before.id)).await?;
        }
        let (p, now) = (PlanColumns::of(&plan), now_text());
        on_tx!(&mut tx, conn => with_plan!(
            checked,
            "UPDATE schedules SET name = $1, days = $2, start_time = $3, end_time = $4, \
             time_zone = $5, current = $6, valid_from = $7, valid_to = $8, \
             last_error = NULL, last_error_at = NULL, updated_at = $9 \
             WHERE id = $10 AND deleted_at IS NULL",
            p,
            now,
            before.id
        )
        .execute(&mut *conn)
        .await?
        .rows_affected());
        tx.commit().await?;
        Ok(self.get(before.id).await?.0)
    }

    /// Enables (checked for overlaps again) or disables a schedule. A
    /// disabled one's target in force is withdrawn by the engine.
    pub async fn set_enabled(
        &self,
        actor: &Actor,
        id: i64,
        enabled: bool,
    ) -> Result<Changed, ScheduleError> {
        let (before, weekly) = self.get(id).await?;
        let result = self.set_enabled_in(&before, weekly.as_ref(), enabled).await;
        let action = if enabled {
            AuditAction::ScheduleEnabled
        } else {
            AuditAction::ScheduleDisabled
        };
        self.audited(actor, action, charger_of(&before), result)
            .await
    }

    /// `weekly`: the saved window (`None` when its zone no longer reads,
    /// which cannot be checked, so it is refused like a typed one).
    async fn set_enabled_in(
        &self,
        before: &Schedule,
        weekly: Option<&Weekly>,
        enabled: bool,
    ) -> Result<Schedule, ScheduleError> {
        let mut tx = self.db.begin_serialised().await?;
        if enabled && !before.enabled {
            let weekly = weekly.ok_or_else(|| {
                Invalid::new(Field::TimeZone, Rule::unknown_time_zone(&before.time_zone))
            })?;
            let bounds = bounds(&mut tx, target_of(before)).await?;
            refuse_overlap(&mut tx, &bounds, weekly, Some(before.id)).await?;
        }
        let now = now_text();
        on_tx!(&mut tx, conn => checked!(
            "UPDATE schedules SET enabled = $1, last_error = NULL, last_error_at = NULL, \
             updated_at = $2 WHERE id = $3",
            enabled,
            now,
            before.id,
        )
        .execute(&mut *conn)
        .await?
        .rows_affected());
        tx.commit().await?;
        Ok(self.get(before.id).await?.0)
    }

    /// Deletes a schedule (softly: the engine still withdraws its target).
    pub async fn delete(&self, actor: &Actor, id: i64) -> Result<Changed, ScheduleError> {
        let (before, _) = self.get(id).await?;
        let now = now_text();
        let result = on_db!(&self.db, pool => checked!(
            "UPDATE schedules SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
            now,
            id,
        )
        .execute(pool)
        .await
        .map(|_| before.clone()))
        .map_err(ScheduleError::from);
        self.audited(
            actor,
            AuditAction::ScheduleDeleted,
            charger_of(&before),
            result,
        )
        .await
    }

    /// Audits a change (or its refusal) under the schedule's name, and
    /// wakes the engine after a change.
    async fn audited(
        &self,
        actor: &Actor,
        action: AuditAction,
        (charger, name): (Option<i64>, &str),
        result: Result<Schedule, ScheduleError>,
    ) -> Result<Changed, ScheduleError> {
        if let Err(ScheduleError::Db(e)) = &result {
            tracing::error!(error = %e, %action, "saving a schedule failed");
        }
        let mut event =
            Event::of(action, &result.as_ref().map_err(ScheduleError::problem)).about(name.trim());
        if let Some(id) = charger {
            let charger_name: Option<String> = on_db!(&self.db, pool => {
                checked_scalar!("SELECT name FROM chargers WHERE id = $1", id)
                    .fetch_optional(pool)
                    .await?
            });
            event = event.on_charger(Some(id), charger_name.unwrap_or_default());
        }
        let event = self.audit.record_or_log(actor, event).await;
        let schedule = result?;
        self.wake.notify_one();
        Ok(Changed { schedule, event })
    }

    /// Notes the engine's failure on the schedule (shown until a call
    /// succeeds), or clears it.
    pub(crate) async fn note_failure(
        &self,
        id: i64,
        problem: Option<&Problem>,
    ) -> Result<(), sqlx::Error> {
        let error = problem.map(Problem::to_json);
        let at = problem.map(|_| now_text());
        on_db!(&self.db, pool => checked!(
            "UPDATE schedules SET last_error = $1, last_error_at = $2 \
             WHERE id = $3 AND last_error IS DISTINCT FROM $1",
            error,
            at,
            id,
        )
        .execute(pool)
        .await
        .map(|_| ()))
    }
}

fn target_of(s: &Schedule) -> Target {
    match &s.scope {
        ScheduleScope::Charger { id, .. } => Target::Charger(*id),
        ScheduleScope::Site { id, .. } => Target::Site(*id),
    }
}

fn charger_of(s: &Schedule) -> (Option<i64>, &str) {
    match &s.scope {
        ScheduleScope::Charger { id, .. } => (Some(*id), &s.name),
        ScheduleScope::Site { .. } => (None, &s.name),
    }
}
