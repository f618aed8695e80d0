//! The audit trail: one row per change or attempt. Simple events are
//! written complete; upstream calls write an intent row (`pending`) before
//! the call and complete it after, so a crash in between leaves a trace.
//! Every write goes through [`AuditLog`], which holds the chain's key.

pub mod chain;
mod event;
mod export;
pub mod key;
pub mod privacy;
pub mod query;
mod read;
pub mod repeats;
mod row;
pub mod verify;
mod writer;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::db::{Db, Tx, stamp};
use crate::on_db;
use writer::{Write, Writer, Written};

pub use event::{Actor, Completion, Event, Intent, Who, json};
pub use export::{csv, csv_columns};
pub use key::AuditKey;
pub use read::{batch, entry, recent_for_charger};
pub use row::AuditRow;

use crate::problem::Problem;
use crate::vocabulary::{AuditAction, Outcome};

/// The timestamp format of every audit column (UTC, milliseconds).
pub use crate::db::now_text;

/// Longer than any CLEMAP attempt can run (the read before it with its
/// retries, the queue and the call itself): a row pending for longer was
/// cut off, whichever instance wrote it.
pub const STALE_PENDING: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// The audit trail's writer: the database and the chain's key.
#[derive(Clone, Debug)]
pub struct AuditLog {
    db: Db,
    key: Arc<AuditKey>,
    writer: Writer,
    /// Bounds what people and tokens write by repeating themselves.
    repeats: repeats::Repeats,
}

impl AuditLog {
    pub fn new(db: Db, key: AuditKey) -> Self {
        let key = Arc::new(key);
        Self {
            writer: Writer::new(db.clone(), key.clone()),
            db,
            key,
            repeats: Default::default(),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// `--changes-per-minute`: the sets and resets one person or token
    /// may make in a minute before they are refused as too fast.
    pub fn set_changes_per_minute(&self, changes: u32) {
        self.repeats.set_changes_per_minute(changes);
    }

    pub fn key(&self) -> &AuditKey {
        &self.key
    }

    /// Writes a complete event.
    pub async fn record(&self, actor: &Actor, event: Event) -> Result<i64, sqlx::Error> {
        self.append(event_row(actor, event)).await
    }

    /// Writes a verdict on the set `set` (its audit id) on `charger`: the
    /// dashboard's own status check, with the target asked, and what the
    /// verdict rests on as the answer it read.
    pub async fn record_verdict(
        &self,
        set: i64,
        (charger_id, charger_name): (i64, String),
        finding: &crate::types::Finding,
    ) -> Result<i64, sqlx::Error> {
        let row = AuditRow {
            charger_id: Some(charger_id),
            charger_name: Some(charger_name),
            requested_current: Some(i64::from(finding.asked)),
            upstream_answer: json(finding),
            refers_to: Some(set),
            verdict: Some(finding.verdict),
            completed_at: Some(String::new()), // stamped by `append`
            ..base_row(
                &Actor::of(Who::Sampler),
                AuditAction::TargetChecked,
                Outcome::Ok,
            )
        };
        self.append(row).await
    }

    /// Tells the pages that show the trail (#41) that rows written with
    /// [`Self::record_in`] or [`Self::begin_in`] are committed, about
    /// `chargers`: the caller calls it after its commit.
    pub fn committed(&self, chargers: Vec<i64>) {
        self.db
            .changes()
            .publish(crate::db::changes::Change::Audit { chargers });
    }

    /// Writes a complete event inside the caller's serialised transaction,
    /// so the change it records and the record commit together or not at
    /// all.
    pub async fn record_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        event: Event,
    ) -> Result<i64, sqlx::Error> {
        self.append_in(tx, event_row(actor, event)).await
    }

    /// Records an event and logs, rather than fails, when the database
    /// cannot take it: used where the action itself already happened.
    /// Returns the row's id when it was written. A refusal of a person or
    /// token past the first few in a minute is counted instead, and the
    /// minute's count written as one row ([`repeats`]).
    pub async fn record_or_log(&self, actor: &Actor, event: Event) -> Option<i64> {
        let action = event.action;
        let refusal = matches!(event.outcome, Outcome::Refused | Outcome::Failed);
        if refusal && self.folds(actor, action) {
            return None;
        }
        match self.record(actor, event).await {
            Ok(id) => Some(id),
            Err(e) => {
                tracing::error!(error = %e, %action, "could not write an audit event");
                None
            }
        }
    }

    /// Writes a `pending` row; the caller completes it after the call.
    pub async fn begin(&self, actor: &Actor, intent: Intent<'_>) -> Result<i64, sqlx::Error> {
        self.insert_attempt(actor, &intent, Outcome::Pending, None)
            .await
    }

    /// Writes a `pending` row about something other than one charger (the
    /// load manager's renewal of a site's targets); completed after the
    /// calls like any intent.
    pub async fn begin_about(
        &self,
        actor: &Actor,
        action: AuditAction,
        subject: &str,
        requested_duration: Option<u32>,
    ) -> Result<i64, sqlx::Error> {
        let mut row = base_row(actor, action, Outcome::Pending);
        row.subject = Some(subject.to_owned());
        row.requested_duration = requested_duration.map(i64::from);
        self.append(row).await
    }

    /// Writes an attempt refused before any upstream call (bad input);
    /// `None` when it was counted in its minute's summary instead
    /// ([`repeats`]).
    pub async fn refused(
        &self,
        actor: &Actor,
        intent: Intent<'_>,
        reason: &Problem,
    ) -> Result<Option<i64>, sqlx::Error> {
        if self.folds(actor, intent.action) {
            return Ok(None);
        }
        self.insert_attempt(actor, &intent, Outcome::Refused, Some(reason))
            .await
            .map(Some)
    }

    /// Admits a change of `action` by `actor` within its allowance per
    /// minute, or refuses it as too fast: the caller records that refusal
    /// like any other.
    pub fn admit(&self, actor: &Actor, action: AuditAction) -> Result<(), Problem> {
        if !repeats::bounded(&actor.who) {
            return Ok(());
        }
        let mut ended = None;
        let admitted = self
            .repeats
            .admit(actor, action, tokio::time::Instant::now(), &mut ended);
        self.summarise(ended);
        admitted.map_err(|seconds| Problem::TooFast {
            seconds: i64::try_from(seconds).unwrap_or(i64::MAX),
        })
    }

    /// Whether a refusal by `actor` is counted in its minute's summary
    /// rather than written (starting the task that writes the summary
    /// when the minute ends).
    fn folds(&self, actor: &Actor, action: AuditAction) -> bool {
        if !repeats::bounded(&actor.who) {
            return false;
        }
        let mut ended = None;
        let now = tokio::time::Instant::now();
        let refusal = self.repeats.refusal(actor, action, now, &mut ended);
        self.summarise(ended);
        match refusal {
            repeats::Refusal::Write => false,
            repeats::Refusal::Folded { summary_due } => {
                if let Some(due) = summary_due {
                    let (this, actor) = (self.clone(), actor.clone());
                    let started = due - repeats::WINDOW;
                    tokio::spawn(async move {
                        tokio::time::sleep_until(due).await;
                        this.summarise(this.repeats.take_summary(&actor, action, started));
                    });
                }
                true
            }
        }
    }

    /// Writes every minute's folded refusals now, and waits until they are
    /// written (a stop calls it; so do tests).
    pub async fn flush_repeats(&self) {
        for summary in self.repeats.take_all() {
            self.write_summary(summary).await;
        }
    }

    async fn write_summary(&self, summary: repeats::Summary) {
        let attempts = i64::from(summary.attempts);
        let event = Event::of::<()>(summary.action, &Err(Problem::Repeated { attempts }));
        let event = Event {
            outcome: Outcome::Refused,
            ..event
        };
        if let Err(e) = self.record(&summary.actor, event).await {
            tracing::error!(error = %e, attempts, "could not write a summary of refusals");
        }
    }

    /// Writes a minute's folded refusals as one row, on a task of its own
    /// (the refusal that closed the minute is not held up by it).
    fn summarise(&self, summary: Option<repeats::Summary>) {
        let Some(summary) = summary else { return };
        let this = self.clone();
        tokio::spawn(async move { this.write_summary(summary).await });
    }

    async fn insert_attempt(
        &self,
        actor: &Actor,
        intent: &Intent<'_>,
        outcome: Outcome,
        problem: Option<&Problem>,
    ) -> Result<i64, sqlx::Error> {
        let mut row = base_row(actor, intent.action, outcome);
        fill_intent(&mut row, intent);
        row.error = problem.map(Problem::to_json);
        if outcome != Outcome::Pending {
            row.completed_at = Some(String::new()); // stamped by `append`
        }
        self.append(row).await
    }

    /// Appends one row to the chain, through the writer (group commit,
    /// see `writer.rs`); answered once it is committed.
    async fn append(&self, row: AuditRow) -> Result<i64, sqlx::Error> {
        match self.writer.submit(Write::Append(Box::new(row))).await? {
            Written::Appended(id) => Ok(id),
            Written::Completed(_) => unreachable!("an append answers with its id"),
        }
    }

    /// Writes a `pending` row inside the caller's `BEGIN IMMEDIATE`
    /// transaction, so it commits together with what the caller writes
    /// beside it (the schedule engine's claim on an occurrence).
    pub async fn begin_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        intent: Intent<'_>,
    ) -> Result<i64, sqlx::Error> {
        let mut row = base_row(actor, intent.action, Outcome::Pending);
        fill_intent(&mut row, &intent);
        self.append_in(tx, row).await
    }

    /// Appends inside the caller's serialised transaction.
    async fn append_in(&self, tx: &mut Tx, row: AuditRow) -> Result<i64, sqlx::Error> {
        writer::append(&self.key, tx, row).await
    }

    /// Completes a pending row, once (the table's trigger refuses a second
    /// completion or any other change). Returns whether a row was completed.
    pub async fn complete(&self, id: i64, done: &Completion) -> Result<bool, sqlx::Error> {
        let completed = match self
            .writer
            .submit(Write::Complete(id, done.clone()))
            .await?
        {
            Written::Completed(completed) => completed,
            Written::Appended(_) => unreachable!("a completion answers whether it completed"),
        };
        if !completed {
            tracing::warn!(
                audit_id = id,
                "the audit row was not pending (completed before, or never written)"
            );
        }
        Ok(completed)
    }

    /// Attempts still `pending` that began before `cutoff` were cut off by
    /// a crash or a stop between the intent and the outcome; whether
    /// CLEMAP got them is unknown. Returns how many rows that was.
    ///
    /// One process (SQLite) passes its own start: every pending row is
    /// from a run that ended. Instances sharing PostgreSQL pass now minus
    /// [`STALE_PENDING`], so a row another live instance is still waiting
    /// on is left alone until no call can still be running.
    pub async fn resolve_pending(&self, cutoff: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let cutoff = stamp(cutoff);
        let pending: Vec<i64> = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT id FROM audit_events WHERE outcome = 'pending' AND at < $1 ORDER BY id",
        )
        .bind(&cutoff)
        .fetch_all(pool)
        .await?);
        let done = Completion {
            outcome: Outcome::Unknown,
            ..Completion::failed(Problem::Interrupted)
        };
        for id in &pending {
            self.complete(*id, &done).await?;
        }
        Ok(pending.len() as u64)
    }

    /// Walks the chain (see [`verify::verify`]).
    pub async fn verify(
        &self,
        anchor: Option<&verify::Anchor>,
    ) -> Result<verify::Verified, sqlx::Error> {
        verify::verify(&self.db, &self.key, anchor).await
    }
}

fn event_row(actor: &Actor, event: Event) -> AuditRow {
    AuditRow {
        subject: event.subject,
        charger_id: event.charger_id,
        charger_name: event.charger_name,
        error: event.problem.as_ref().map(Problem::to_json),
        completed_at: Some(String::new()), // stamped by `append`
        ..base_row(actor, event.action, event.outcome)
    }
}

fn fill_intent(row: &mut AuditRow, intent: &Intent<'_>) {
    row.charger_id = Some(intent.charger_id);
    row.charger_name = Some(intent.charger_name.to_owned());
    row.requested_current = intent.requested_current.map(i64::from);
    row.requested_duration = intent.requested_duration.map(i64::from);
    row.batch_id = intent.batch_id.clone();
}

fn base_row(actor: &Actor, action: AuditAction, outcome: Outcome) -> AuditRow {
    AuditRow {
        actor_id: actor.who.user_id(),
        actor: actor.who.stored_name(),
        action,
        outcome,
        request_id: actor.request_id.clone(),
        client_ip: actor.client_ip.clone(),
        ..Default::default()
    }
}
