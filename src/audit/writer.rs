//! Group commit for the audit trail (#29). Every append and completion
//! outside a caller's own transaction goes through one writer task per
//! process, which takes whatever is queued when it is free and writes it in
//! one serialised transaction, chaining the rows in the order they came.
//!
//! Before, each set wrote two transactions of its own; concurrent ones
//! queued on SQLite's write lock, whose busy handler sleeps between tries
//! (the set's p99 was 136 ms at 600 sets/s). Now they queue in memory.
//!
//! A write is answered only after its transaction committed, so an
//! acknowledged set is as durable as before (`.ci/proof crash`). If a batch
//! fails, each of its writes is tried again alone: one bad row never costs
//! the others theirs, and each caller gets its own error.

use std::sync::{Arc, OnceLock};

use sqlx::QueryBuilder;
use tokio::sync::{mpsc, oneshot};

use super::{AuditKey, AuditRow, Completion, chain};
use crate::db::{Db, Tx, now_text};
use crate::on_tx;
use crate::problem::Problem;

/// The most writes one transaction takes.
const MAX_BATCH: usize = 64;

/// One write to the trail.
pub(super) enum Write {
    Append(Box<AuditRow>),
    Complete(i64, Completion),
}

/// What a write did: the new row's id, or whether a pending row was
/// completed.
pub(super) enum Written {
    Appended(i64),
    Completed(bool),
}

struct Job {
    write: Write,
    reply: oneshot::Sender<Result<Written, sqlx::Error>>,
}

#[derive(Clone, Debug)]
pub(super) struct Writer {
    db: Db,
    key: Arc<AuditKey>,
    /// Started by the first write, on the runtime that makes it.
    queue: Arc<OnceLock<mpsc::UnboundedSender<Job>>>,
}

impl Writer {
    pub(super) fn new(db: Db, key: Arc<AuditKey>) -> Self {
        Self {
            db,
            key,
            queue: Arc::default(),
        }
    }

    pub(super) async fn submit(&self, write: Write) -> Result<Written, sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        match self.queue().send(Job { write, reply }) {
            // Dropped unanswered only if the runtime stopped mid-write.
            Ok(()) => answer.await.unwrap_or(Err(sqlx::Error::WorkerCrashed)),
            // The task's runtime has ended (a test's): write directly.
            Err(mpsc::error::SendError(job)) => alone(&self.db, &self.key, &job.write).await,
        }
    }

    fn queue(&self) -> &mpsc::UnboundedSender<Job> {
        self.queue.get_or_init(|| {
            let (queue, jobs) = mpsc::unbounded_channel();
            tokio::spawn(run(self.db.clone(), self.key.clone(), jobs));
            queue
        })
    }
}

async fn run(db: Db, key: Arc<AuditKey>, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut pending = Pending::default();
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match together(&db, &key, &batch, &mut pending).await {
            Ok(written) => {
                db.changes().publish(touched(&batch));
                for (job, written) in batch.drain(..).zip(written) {
                    let _ = job.reply.send(Ok(written));
                }
            }
            Err(e) => {
                if batch.len() > 1 {
                    tracing::warn!(error = %e, writes = batch.len(), "an audit batch failed; writing each alone");
                }
                for job in batch.drain(..) {
                    let written = alone(&db, &key, &job.write).await;
                    if written.is_ok() {
                        db.changes().publish(touched(std::slice::from_ref(&job)));
                    }
                    let _ = job.reply.send(written);
                }
            }
        }
    }
}

/// What a committed batch changed, for the pages that show it (#41): the
/// chargers its new rows are about. A completion names none; the service
/// that completes a change tells its charger's pages itself.
fn touched(batch: &[Job]) -> crate::db::changes::Change {
    let mut chargers: Vec<i64> = batch
        .iter()
        .filter_map(|job| match &job.write {
            Write::Append(row) => row.charger_id,
            Write::Complete(..) => None,
        })
        .collect();
    chargers.sort_unstable();
    chargers.dedup();
    crate::db::changes::Change::Audit { chargers }
}

/// The hashes of the pending rows this writer committed, so completing
/// one needs no read (rows never change once written; a row not here is
/// read). Bounded: an attempt completes within minutes.
#[derive(Default)]
struct Pending(std::collections::HashMap<i64, String>);

impl Pending {
    const MOST: usize = 10_000;

    fn remember(&mut self, rows: Vec<(i64, String)>) {
        if self.0.len() + rows.len() > Self::MOST {
            self.0.clear();
        }
        self.0.extend(rows);
    }
}

/// One transaction for the whole batch: the chain's head is read once and
/// carried from row to row.
async fn together(
    db: &Db,
    key: &AuditKey,
    batch: &[Job],
    pending: &mut Pending,
) -> Result<Vec<Written>, sqlx::Error> {
    let mut tx = db.begin_serialised().await?;
    let mut head = None;
    let mut new_pending = Vec::new();
    let mut written = Vec::with_capacity(batch.len());
    for job in batch {
        written.push(match &job.write {
            Write::Append(row) => {
                let (id, hash) = append_after(key, &mut tx, (**row).clone(), &mut head).await?;
                if row.outcome == crate::vocabulary::Outcome::Pending {
                    new_pending.push((id, hash));
                }
                Written::Appended(id)
            }
            Write::Complete(id, done) => {
                let known = pending.0.remove(id);
                Written::Completed(complete(key, &mut tx, *id, done, known).await?)
            }
        });
    }
    tx.commit().await?;
    // Only now: a rolled-back id could be given to another row.
    pending.remember(new_pending);
    Ok(written)
}

async fn alone(db: &Db, key: &AuditKey, write: &Write) -> Result<Written, sqlx::Error> {
    let mut tx = db.begin_serialised().await?;
    let written = match write {
        Write::Append(row) => Written::Appended(append(key, &mut tx, (**row).clone()).await?),
        Write::Complete(id, done) => {
            Written::Completed(complete(key, &mut tx, *id, done, None).await?)
        }
    };
    tx.commit().await?;
    Ok(written)
}

/// Appends one row after the chain's head, inside a serialised
/// transaction (the head cannot move before it commits). `at` is stamped
/// here, under the lock, so it grows with `id` (the date filter relies on
/// that); a row complete when written is completed then.
pub(super) async fn append(key: &AuditKey, tx: &mut Tx, row: AuditRow) -> Result<i64, sqlx::Error> {
    Ok(append_after(key, tx, row, &mut None).await?.0)
}

/// [`append`] after `head`, the hash of the chain's last row when this
/// transaction knows it already (it is read otherwise); leaves the new
/// row's hash there. Returns the row's id and hash.
async fn append_after(
    key: &AuditKey,
    tx: &mut Tx,
    mut row: AuditRow,
    head: &mut Option<String>,
) -> Result<(i64, String), sqlx::Error> {
    row.at = now_text();
    if row.completed_at.is_some() {
        row.completed_at = Some(row.at.clone());
    }
    let prev = match head.take() {
        Some(prev) => prev,
        None => {
            let prev: Option<String> = on_tx!(tx, conn => {
                sqlx::query_scalar("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")
                    .fetch_optional(&mut *conn)
                    .await?
            });
            prev.unwrap_or_else(|| chain::GENESIS.to_owned())
        }
    };
    let hash = chain::row_hash(key, &prev, &row);
    // The columns are the chain's own list, so what is inserted is
    // exactly what was hashed (the one place SQL is assembled here).
    let cells = chain::inserted(&row);
    let id: i64 = on_tx!(tx, conn => {
        let mut insert = QueryBuilder::new("INSERT INTO audit_events (");
        for (name, _) in &cells {
            insert.push(name).push(", ");
        }
        insert.push("prev_hash, hash) VALUES (");
        let mut values = insert.separated(", ");
        for (_, cell) in cells {
            match cell {
                chain::Cell::Text(text) => values.push_bind(text),
                chain::Cell::Int(int) => values.push_bind(int),
            };
        }
        values.push_bind(&prev).push_bind(&hash);
        insert.push(") RETURNING id");
        insert.build_query_scalar().fetch_one(&mut *conn).await?
    });
    crate::metrics::audit_row_written(row.action.into());
    *head = Some(hash.clone());
    Ok((id, hash))
}

/// Completes a pending row, once (the table's trigger refuses a second
/// completion or any other change; the UPDATE changes only a row still
/// pending). `known` is the row's hash when this writer wrote it. Returns
/// whether a row was completed.
async fn complete(
    key: &AuditKey,
    tx: &mut Tx,
    id: i64,
    done: &Completion,
    known: Option<String>,
) -> Result<bool, sqlx::Error> {
    let hash = match known {
        Some(hash) => hash,
        None => {
            let hash: Option<String> = on_tx!(tx, conn => sqlx::query_scalar(
                "SELECT hash FROM audit_events WHERE id = $1 AND outcome = 'pending'",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?);
            match hash {
                Some(hash) => hash,
                None => return Ok(false),
            }
        }
    };
    let completed = AuditRow {
        outcome: done.outcome,
        upstream_status: done.upstream_status.map(i64::from),
        upstream_answer: done.upstream_answer.clone(),
        previous_settings: done.previous_settings.clone(),
        error: done.problem.as_ref().map(Problem::to_json),
        completed_at: Some(now_text()),
        ..AuditRow::default()
    };
    let outcome_hash = chain::outcome_hash(key, &hash, &completed);
    let cells = chain::completed(&completed);
    let changed = on_tx!(tx, conn => {
        let mut update = QueryBuilder::new("UPDATE audit_events SET ");
        let mut set = update.separated(", ");
        for (name, cell) in cells {
            set.push(format_args!("{name} = "));
            match cell {
                chain::Cell::Text(text) => set.push_bind_unseparated(text),
                chain::Cell::Int(int) => set.push_bind_unseparated(int),
            };
        }
        set.push("outcome_hash = ").push_bind_unseparated(&outcome_hash);
        update.push(" WHERE id = ").push_bind(id).push(" AND outcome = 'pending'");
        update.build().execute(&mut *conn).await?.rows_affected()
    });
    if changed == 1 {
        crate::metrics::audit_completed(done.outcome.into());
    }
    Ok(changed == 1)
}
