//! Saving schedules: checked, refused when they would overlap another on
//! a charger, and audited (every change and every refusal). The engine
//! is woken after each change, so a disabled schedule's target is
//! withdrawn at once rather than at the next tick.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Notify;

use super::checks::{bounds, refuse_overlap};
use super::columns::PlanColumns;
use super::error::{ScheduleError, Target};
use super::occurrence::Weekly;
use super::store::{self, Saved, Which};
use super::validate;
use crate::audit::{Actor, AuditLog, Event};
use crate::db::{Db, Tx, now_text};
use crate::problem::{Field, Invalid, Problem, Rule};
use crate::types::{Schedule, ScheduleInput, ScheduleScope};
use crate::vocabulary::AuditAction;
use crate::{on_db, on_tx};

/// A saved change: the schedule as it is now, and the audit row that
/// records the change (when it could be written).
#[derive(Debug, Clone)]
pub struct Changed {
    pub schedule: Schedule,
    pub event: Option<i64>,
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
        let mut tx = self.db.begin_serialised().await?;
        let result = create_in(&mut tx, target, input).await;
        let about = match target {
            Target::Charger(id) => About::Charger(id),
            Target::Site(_) => About::Site,
        };
        let action = AuditAction::ScheduleCreated;
        self.finish(tx, actor, action, (about, &input.name), result)
            .await
    }

    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        input: &ScheduleInput,
    ) -> Result<Changed, ScheduleError> {
        let mut tx = self.db.begin_serialised().await?;
        let (before, _) = get_in(&mut tx, id).await?;
        let result = update_in(&mut tx, &before, input).await;
        let action = AuditAction::ScheduleUpdated;
        self.finish(tx, actor, action, about(&before), result).await
    }

    /// Enables (checked for overlaps again) or disables a schedule. A
    /// disabled one's target in force is withdrawn by the engine.
    pub async fn set_enabled(
        &self,
        actor: &Actor,
        id: i64,
        enabled: bool,
    ) -> Result<Changed, ScheduleError> {
        let mut tx = self.db.begin_serialised().await?;
        let (before, weekly) = get_in(&mut tx, id).await?;
        let result = set_enabled_in(&mut tx, &before, weekly.as_ref(), enabled).await;
        let action = if enabled {
            AuditAction::ScheduleEnabled
        } else {
            AuditAction::ScheduleDisabled
        };
        self.finish(tx, actor, action, about(&before), result).await
    }

    /// Deletes a schedule (softly: the engine still withdraws its target).
    pub async fn delete(&self, actor: &Actor, id: i64) -> Result<Changed, ScheduleError> {
        let mut tx = self.db.begin_serialised().await?;
        let (before, _) = get_in(&mut tx, id).await?;
        let now = now_text();
        let result = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE schedules SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
        )
        .bind(&now)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ()))
        .map(|()| before.clone())
        .map_err(ScheduleError::from);
        let action = AuditAction::ScheduleDeleted;
        self.finish(tx, actor, action, about(&before), result).await
    }

    /// Ends a change. A change is audited inside its own transaction, so
    /// the two commit together or not at all, and nothing that can fail
    /// runs after the commit (a committed change always has its row and
    /// always wakes the engine). A refusal rolls back and is audited on
    /// its own.
    async fn finish(
        &self,
        mut tx: Tx,
        actor: &Actor,
        action: AuditAction,
        (about, name): (About, &str),
        result: Result<Schedule, ScheduleError>,
    ) -> Result<Changed, ScheduleError> {
        match result {
            Ok(schedule) => {
                let event = Event::of(action, &Ok(())).about(name.trim());
                let event = match &schedule.scope {
                    ScheduleScope::Charger { id, name } => event.on_charger(Some(*id), name),
                    ScheduleScope::Site { .. } => event,
                };
                let id = self.audit.record_in(&mut tx, actor, event).await?;
                tx.commit().await?;
                self.audit.committed(match &schedule.scope {
                    ScheduleScope::Charger { id, .. } => vec![*id],
                    ScheduleScope::Site { .. } => Vec::new(),
                });
                self.wake.notify_one();
                Ok(Changed {
                    schedule,
                    event: Some(id),
                })
            }
            Err(error) => {
                drop(tx); // rolls back
                if let ScheduleError::Db(e) = &error {
                    tracing::error!(error = %e, %action, "saving a schedule failed");
                }
                let mut event =
                    Event::of(action, &Err::<(), _>(error.problem())).about(name.trim());
                if let About::Charger(id) = about {
                    event = event.on_charger(Some(id), self.charger_name(id).await);
                }
                self.audit.record_or_log(actor, event).await;
                Err(error)
            }
        }
    }

    /// A charger's name for a refusal's audit row (empty when it cannot be
    /// read: the refusal is still recorded).
    async fn charger_name(&self, id: i64) -> String {
        let name: Result<Option<String>, sqlx::Error> = on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT name FROM chargers WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
        });
        name.unwrap_or_else(|e| {
            tracing::warn!(error = %e, charger_id = id, "could not read a charger's name");
            None
        })
        .unwrap_or_default()
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
        on_db!(self.db.writes(), pool => sqlx::query(
            "UPDATE schedules SET last_error = $1, last_error_at = $2 \
             WHERE id = $3 AND last_error IS DISTINCT FROM $1",
        )
        .bind(&error)
        .bind(&at)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
    }
}

/// What a change is about, for its audit row.
#[derive(Debug, Clone, Copy)]
enum About {
    Charger(i64),
    Site,
}

fn about(s: &Schedule) -> (About, &str) {
    match &s.scope {
        ScheduleScope::Charger { id, .. } => (About::Charger(*id), &s.name),
        ScheduleScope::Site { .. } => (About::Site, &s.name),
    }
}

fn target_of(s: &Schedule) -> Target {
    match &s.scope {
        ScheduleScope::Charger { id, .. } => Target::Charger(*id),
        ScheduleScope::Site { id, .. } => Target::Site(*id),
    }
}

/// The saved schedule `id`, read in the change's transaction.
async fn get_in(tx: &mut Tx, id: i64) -> Result<Saved, ScheduleError> {
    store::select_in(tx, Which::One(id), Utc::now())
        .await?
        .pop()
        .ok_or(ScheduleError::NotFound(id))
}

async fn create_in(
    tx: &mut Tx,
    target: Target,
    input: &ScheduleInput,
) -> Result<Schedule, ScheduleError> {
    let bounds = bounds(tx, target).await?;
    let plan = validate::plan(input, &bounds.zone, bounds.range)?;
    refuse_overlap(tx, &bounds, &plan.weekly, None).await?;
    let (charger_id, site_id) = match target {
        Target::Charger(id) => (Some(id), None),
        Target::Site(id) => (None, Some(id)),
    };
    let p = PlanColumns::of(&plan);
    let id: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO schedules (name, days, start_time, end_time, time_zone, current, \
         valid_from, valid_to, charger_id, site_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&p.name)
    .bind(p.days)
    .bind(&p.start_time)
    .bind(&p.end_time)
    .bind(&p.time_zone)
    .bind(p.current)
    .bind(&p.valid_from)
    .bind(&p.valid_to)
    .bind(charger_id)
    .bind(site_id)
    .fetch_one(&mut *conn)
    .await?);
    Ok(get_in(tx, id).await?.0)
}

async fn update_in(
    tx: &mut Tx,
    before: &Schedule,
    input: &ScheduleInput,
) -> Result<Schedule, ScheduleError> {
    let bounds = bounds(tx, target_of(before)).await?;
    let plan = validate::plan(input, &bounds.zone, bounds.range)?;
    if before.enabled {
        refuse_overlap(tx, &bounds, &plan.weekly, Some(before.id)).await?;
    }
    let (p, now) = (PlanColumns::of(&plan), now_text());
    on_tx!(tx, conn => sqlx::query(
        "UPDATE schedules SET name = $1, days = $2, start_time = $3, end_time = $4, \
         time_zone = $5, current = $6, valid_from = $7, valid_to = $8, \
         last_error = NULL, last_error_at = NULL, updated_at = $9 \
         WHERE id = $10 AND deleted_at IS NULL",
    )
    .bind(&p.name)
    .bind(p.days)
    .bind(&p.start_time)
    .bind(&p.end_time)
    .bind(&p.time_zone)
    .bind(p.current)
    .bind(&p.valid_from)
    .bind(&p.valid_to)
    .bind(&now)
    .bind(before.id)
    .execute(&mut *conn)
    .await?
    .rows_affected());
    Ok(get_in(tx, before.id).await?.0)
}

/// `weekly`: the saved window (`None` when its zone no longer reads,
/// which cannot be checked, so it is refused like a typed one).
async fn set_enabled_in(
    tx: &mut Tx,
    before: &Schedule,
    weekly: Option<&Weekly>,
    enabled: bool,
) -> Result<Schedule, ScheduleError> {
    if enabled && !before.enabled {
        let weekly = weekly.ok_or_else(|| {
            Invalid::new(Field::TimeZone, Rule::unknown_time_zone(&before.time_zone))
        })?;
        let bounds = bounds(tx, target_of(before)).await?;
        refuse_overlap(tx, &bounds, weekly, Some(before.id)).await?;
    }
    let now = now_text();
    on_tx!(tx, conn => sqlx::query(
        "UPDATE schedules SET enabled = $1, last_error = NULL, last_error_at = NULL, \
         updated_at = $2 WHERE id = $3",
    )
    .bind(enabled)
    .bind(&now)
    .bind(before.id)
    .execute(&mut *conn)
    .await?
    .rows_affected());
    Ok(get_in(tx, before.id).await?.0)
}
