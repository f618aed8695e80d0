//! Reading single audit rows back, typed.

use crate::db::{Db, Stamp};
use crate::on_db;

use super::row::AuditRow;
use crate::problem::Problem;
use crate::types::AuditEntry;
use crate::vocabulary::{AuditAction, Outcome};

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        Self {
            id: r.id,
            at: Stamp::parse(&r.at),
            actor: r.actor,
            actor_id: r.actor_id,
            action: r.action,
            charger_id: r.charger_id,
            charger_name: r.charger_name,
            subject: r.subject,
            requested_current: r.requested_current.and_then(|v| u32::try_from(v).ok()),
            requested_duration: r.requested_duration.and_then(|v| u32::try_from(v).ok()),
            outcome: r.outcome,
            upstream_status: r.upstream_status.and_then(|v| u16::try_from(v).ok()),
            upstream_answer: r.upstream_answer,
            previous_settings: r.previous_settings,
            problem: r.error.as_deref().map(Problem::from_stored),
            request_id: r.request_id,
            client_ip: r.client_ip,
            refers_to: r.refers_to,
            verdict: r.verdict,
        }
    }
}

/// The latest `limit` events of one charger, newest first, each set with
/// the latest verdict on it.
pub async fn recent_for_charger(
    db: &Db,
    charger_id: i64,
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows: Vec<AuditRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT * FROM audit_events WHERE charger_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(charger_id)
    .bind(limit)
    .fetch_all(pool)
    .await?);
    let mut entries: Vec<AuditEntry> = rows.into_iter().map(Into::into).collect();
    super::query::with_verdicts(db, &mut entries).await?;
    Ok(entries)
}

/// At most `limit` events of one charger from `from` up to, not including,
/// `to`, oldest first, each set with the latest verdict on it (a charging
/// session's page).
pub async fn for_charger_between(
    db: &Db,
    charger_id: i64,
    (from, to): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows: Vec<AuditRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT * FROM audit_events WHERE charger_id = $1 AND at >= $2 AND at < $3 \
         ORDER BY id LIMIT $4",
    )
    .bind(charger_id)
    .bind(crate::db::stamp(from))
    .bind(crate::db::stamp(to))
    .bind(limit)
    .fetch_all(pool)
    .await?);
    let mut entries: Vec<AuditEntry> = rows.into_iter().map(Into::into).collect();
    super::query::with_verdicts(db, &mut entries).await?;
    Ok(entries)
}

/// The last set or reset CLEMAP received for a charger before `before`
/// (the target in force then, if it had not lapsed), with the latest
/// verdict on it.
pub async fn last_target_before(
    db: &Db,
    charger_id: i64,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<Option<AuditEntry>, sqlx::Error> {
    let row: Option<AuditRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT * FROM audit_events WHERE charger_id = $1 AND at < $2 \
         AND (action = $3 OR action = $4) AND outcome = $5 ORDER BY id DESC LIMIT 1",
    )
    .bind(charger_id)
    .bind(crate::db::stamp(before))
    .bind(AuditAction::SetTarget)
    .bind(AuditAction::ResetTarget)
    .bind(Outcome::Received)
    .fetch_optional(pool)
    .await?);
    let mut entries: Vec<AuditEntry> = row.into_iter().map(Into::into).collect();
    super::query::with_verdicts(db, &mut entries).await?;
    Ok(entries.pop())
}

pub async fn entry(db: &Db, id: i64) -> Result<Option<AuditEntry>, sqlx::Error> {
    let row: Option<AuditRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT * FROM audit_events WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?);
    Ok(row.map(Into::into))
}

/// The rows of one bulk change, by charger name.
pub async fn batch(db: &Db, batch_id: &str) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows: Vec<AuditRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT * FROM audit_events WHERE batch_id = $1 ORDER BY charger_name, id",
    )
    .bind(batch_id)
    .fetch_all(pool)
    .await?);
    Ok(rows.into_iter().map(Into::into).collect())
}

/// What pages, `/api/v1` and the export read of the trail, through the
/// log: none of them holds the database itself.
impl super::AuditLog {
    /// A page of the audit page: the rows, how many match, the cursor.
    pub async fn page(
        &self,
        filter: &crate::types::AuditFilter,
        before: Option<i64>,
    ) -> Result<crate::types::AuditPage, super::query::QueryError> {
        super::query::page(self.db(), filter, before).await
    }

    /// The rows of a page and the cursor of the next (`/api/v1/audit`).
    pub async fn page_rows(
        &self,
        filter: &crate::types::AuditFilter,
        before: Option<i64>,
    ) -> Result<(Vec<AuditEntry>, Option<i64>), super::query::QueryError> {
        super::query::page_rows(self.db(), filter, before).await
    }

    pub async fn entry(&self, id: i64) -> Result<Option<AuditEntry>, sqlx::Error> {
        entry(self.db(), id).await
    }

    /// The last set or reset CLEMAP received for a charger before `before`.
    pub async fn last_target_before(
        &self,
        charger_id: i64,
        before: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<AuditEntry>, sqlx::Error> {
        last_target_before(self.db(), charger_id, before).await
    }

    /// A charger's rows in `[from, to)`, oldest first, at most `limit`.
    pub async fn for_charger_between(
        &self,
        charger_id: i64,
        span: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
        limit: i64,
    ) -> Result<Vec<AuditEntry>, sqlx::Error> {
        for_charger_between(self.db(), charger_id, span, limit).await
    }

    /// The CSV of the rows `asked` matches, as `reader` may see them.
    pub fn csv(
        &self,
        asked: (crate::types::AuditFilter, super::privacy::Reader),
        limit: std::time::Duration,
        hold: impl Send + 'static,
    ) -> Result<
        impl futures::Stream<Item = crate::csv_stream::Chunk> + Send + 'static,
        super::query::QueryError,
    > {
        super::export::csv(self.db().clone(), asked, limit, hold)
    }
}
