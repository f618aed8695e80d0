//! The `charging_sessions` table: written only by the sampler's round
//! (through [`Sessions::apply`]), read by the pages, `/api/v1`, the
//! report and the CLI, pruned with the history.

use chrono::{DateTime, Utc};

use super::detect::{Detected, Open, Step};
use crate::db::{Db, Tx};
use crate::on_db;
use crate::types::{ChargingSession, SessionCursor, SessionEnd};

/// Rows deleted per statement when pruning.
const PRUNE_BATCH: i64 = 2000;

/// What a list reads of a session, its charger's and site's names.
const COLUMNS: &str = "s.id, s.charger_id, c.name AS charger_name, c.site_id, \
     t.name AS site_name, s.plug, s.started_ms, s.ended_ms, s.end_reason, s.seen_ms, \
     s.energy_mwh, s.peak_da, s.charging_da_sum, s.charging_readings, s.limited, s.simulated \
     FROM charging_sessions s JOIN chargers c ON c.id = s.charger_id \
     JOIN sites t ON t.id = c.site_id";

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    charger_id: i64,
    charger_name: String,
    site_id: i64,
    site_name: String,
    plug: i64,
    started_ms: i64,
    ended_ms: Option<i64>,
    end_reason: Option<String>,
    seen_ms: i64,
    energy_mwh: i64,
    peak_da: Option<i64>,
    charging_da_sum: i64,
    charging_readings: i64,
    limited: bool,
    simulated: i64,
}

fn at_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl From<SessionRow> for ChargingSession {
    fn from(r: SessionRow) -> Self {
        Self {
            id: r.id,
            charger_id: r.charger_id,
            charger_name: r.charger_name,
            site_id: r.site_id,
            site_name: r.site_name,
            plug: u32::try_from(r.plug).unwrap_or(0),
            started: at_ms(r.started_ms),
            ended: r.ended_ms.map(at_ms),
            end: r.end_reason.as_deref().and_then(|e| e.parse().ok()),
            last_seen: at_ms(r.seen_ms),
            // mWh to Wh, rounded half up.
            energy_wh: (r.energy_mwh + 500).div_euclid(1000),
            peak_a: r.peak_da.map(|d| d as f64 / 10.0),
            average_a: (r.charging_readings > 0)
                .then(|| r.charging_da_sum as f64 / r.charging_readings as f64 / 10.0),
            limited: r.limited,
            simulated: r.simulated != 0,
        }
    }
}

/// Which sessions a list reads: the filter as instants, and where the
/// page starts.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    pub site: Option<i64>,
    pub charger: Option<i64>,
    /// Started at or after, Unix ms.
    pub from_ms: i64,
    /// Started before, Unix ms.
    pub to_ms: i64,
    pub limited: bool,
    pub before: Option<SessionCursor>,
    pub limit: i64,
}

/// The `charging_sessions` table.
#[derive(Clone, Debug)]
pub struct Sessions {
    db: Db,
}

impl Sessions {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The sessions in progress, every charger's.
    pub async fn open(&self) -> Result<Vec<Open>, sqlx::Error> {
        Ok(on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, charger_id, plug, started_ms, seen_ms, seen_power_w, energy_mwh, peak_da, \
             charging_da_sum, charging_readings, limited, simulated \
             FROM charging_sessions WHERE ended_ms IS NULL",
        )
        .fetch_all(pool)
        .await?))
    }

    /// Applies a round's steps in one transaction. Each happens once: a
    /// start a session of the plug already holds is skipped (the unique
    /// keys), and a session advances or ends only from the reading it last
    /// took in, so a repeated round or a second instance changes nothing.
    /// Returns the chargers whose sessions changed.
    pub async fn apply(&self, steps: &[Step]) -> Result<Vec<i64>, sqlx::Error> {
        if steps.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.db.begin().await?;
        let mut changed = Vec::new();
        for step in steps {
            let (open, was_seen_ms, end) = match step {
                Step::Start(o) => {
                    let done = insert(&mut tx, o, None).await?;
                    if done > 0 {
                        changed.push(o.charger_id);
                    }
                    continue;
                }
                Step::Advance { was_seen_ms, now } => (now, *was_seen_ms, None),
                Step::End {
                    was_seen_ms,
                    now,
                    ended_ms,
                    reason,
                } => (now, *was_seen_ms, Some((*ended_ms, reason.as_str()))),
            };
            let done = crate::on_tx!(&mut tx, conn => sqlx::query(
                "UPDATE charging_sessions SET seen_ms = $1, seen_power_w = $2, energy_mwh = $3, \
                 peak_da = $4, charging_da_sum = $5, charging_readings = $6, limited = $7, \
                 simulated = $8, ended_ms = $9, end_reason = $10 \
                 WHERE id = $11 AND seen_ms = $12 AND ended_ms IS NULL",
            )
            .bind(open.seen_ms)
            .bind(open.seen_power_w)
            .bind(open.energy_mwh)
            .bind(open.peak_da)
            .bind(open.charging_da_sum)
            .bind(open.charging_readings)
            .bind(open.limited)
            .bind(open.simulated)
            .bind(end.map(|(at, _)| at))
            .bind(end.map(|(_, reason)| reason))
            .bind(open.id)
            .bind(was_seen_ms)
            .execute(&mut *conn)
            .await?
            .rows_affected());
            if done > 0 && end.is_some() {
                changed.push(open.charger_id);
            }
        }
        tx.commit().await?;
        changed.sort_unstable();
        changed.dedup();
        Ok(changed)
    }

    /// Stores sessions found in samples after the fact (the demo's
    /// made-up past), ended or in progress; one already stored is kept.
    pub async fn insert_detected(&self, found: &[Detected]) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        for (o, end) in found {
            insert(&mut tx, o, *end).await?;
        }
        tx.commit().await
    }

    /// One page of a list, newest first. A charger's list reads through
    /// its own index; every other through the start times'.
    pub async fn page(&self, at: Selection) -> Result<Vec<ChargingSession>, sqlx::Error> {
        let cursor = at.before.unwrap_or(SessionCursor {
            started_ms: i64::MAX,
            id: i64::MAX,
        });
        let rows: Vec<SessionRow> = match at.charger {
            Some(charger) => on_db!(&self.db, pool => sqlx::query_as(&format!(
                "SELECT {COLUMNS} WHERE s.charger_id = $1 AND s.started_ms >= $2 \
                 AND s.started_ms < $3 AND ($4 = FALSE OR s.limited = TRUE) \
                 AND (s.started_ms < $5 OR (s.started_ms = $5 AND s.id < $6)) \
                 AND ($7 IS NULL OR c.site_id = $7) \
                 ORDER BY s.started_ms DESC, s.id DESC LIMIT $8"
            ))
            .bind(charger)
            .bind(at.from_ms)
            .bind(at.to_ms)
            .bind(at.limited)
            .bind(cursor.started_ms)
            .bind(cursor.id)
            .bind(at.site)
            .bind(at.limit)
            .fetch_all(pool)
            .await?),
            None => on_db!(&self.db, pool => sqlx::query_as(&format!(
                "SELECT {COLUMNS} WHERE s.started_ms >= $1 AND s.started_ms < $2 \
                 AND ($3 = FALSE OR s.limited = TRUE) \
                 AND (s.started_ms < $4 OR (s.started_ms = $4 AND s.id < $5)) \
                 AND ($6 IS NULL OR c.site_id = $6) \
                 ORDER BY s.started_ms DESC, s.id DESC LIMIT $7"
            ))
            .bind(at.from_ms)
            .bind(at.to_ms)
            .bind(at.limited)
            .bind(cursor.started_ms)
            .bind(cursor.id)
            .bind(at.site)
            .bind(at.limit)
            .fetch_all(pool)
            .await?),
        };
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn get(&self, id: i64) -> Result<Option<ChargingSession>, sqlx::Error> {
        let row: Option<SessionRow> = on_db!(&self.db, pool => sqlx::query_as(&format!(
            "SELECT {COLUMNS} WHERE s.id = $1"
        ))
        .bind(id)
        .fetch_optional(pool)
        .await?);
        Ok(row.map(Into::into))
    }

    /// How many sessions of each of a site's chargers started in
    /// `[from_ms, to_ms)`.
    pub async fn started_per_charger(
        &self,
        site_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(i64, i64)>, sqlx::Error> {
        Ok(on_db!(&self.db, pool => sqlx::query_as(
            "SELECT c.id, COUNT(s.id) FROM chargers c JOIN charging_sessions s \
             ON s.charger_id = c.id AND s.started_ms >= $2 AND s.started_ms < $3 \
             WHERE c.site_id = $1 GROUP BY c.id",
        )
        .bind(site_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(pool)
        .await?))
    }

    /// Deletes ended sessions that started before `before_ms`, a batch at
    /// a time (kept as long as the history, `--keep-history`; found
    /// through the start times' index).
    pub async fn prune(&self, before_ms: i64) -> Result<u64, sqlx::Error> {
        let mut deleted = 0;
        loop {
            let batch = on_db!(self.db.writes(), pool => sqlx::query(
                "DELETE FROM charging_sessions WHERE id IN \
                 (SELECT id FROM charging_sessions WHERE started_ms < $1 \
                 AND ended_ms IS NOT NULL LIMIT $2)",
            )
            .bind(before_ms)
            .bind(PRUNE_BATCH)
            .execute(pool)
            .await?
            .rows_affected());
            deleted += batch;
            if batch < PRUNE_BATCH as u64 {
                return Ok(deleted);
            }
            tokio::task::yield_now().await;
        }
    }
}

/// Inserts a session (ended when `end` says so) unless the plug already
/// has one in progress or one that started then. Returns whether it did.
async fn insert(tx: &mut Tx, o: &Open, end: Option<(i64, SessionEnd)>) -> Result<u64, sqlx::Error> {
    Ok(crate::on_tx!(tx, conn => sqlx::query(
        "INSERT INTO charging_sessions (charger_id, plug, started_ms, seen_ms, \
         seen_power_w, energy_mwh, peak_da, charging_da_sum, charging_readings, \
         limited, simulated, ended_ms, end_reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT DO NOTHING",
    )
    .bind(o.charger_id)
    .bind(o.plug)
    .bind(o.started_ms)
    .bind(o.seen_ms)
    .bind(o.seen_power_w)
    .bind(o.energy_mwh)
    .bind(o.peak_da)
    .bind(o.charging_da_sum)
    .bind(o.charging_readings)
    .bind(o.limited)
    .bind(o.simulated)
    .bind(end.map(|(at, _)| at))
    .bind(end.map(|(_, reason)| reason.as_str()))
    .execute(&mut *conn)
    .await?
    .rows_affected()))
}
