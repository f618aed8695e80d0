//! The audit trail as stored: the data directory's SQLite file opened
//! read-only, so the checks see what survived, not what the server says.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

pub const DATABASE_FILE: &str = "evse-dashboard.sqlite3";

/// One row of `audit_events`, the columns the checks compare.
#[derive(Debug, Clone)]
pub struct Row {
    pub action: String,
    pub outcome: String,
    pub charger_id: Option<i64>,
    pub actor: String,
    pub upstream_status: Option<i64>,
}

pub struct AuditDb(SqliteConnection);

type Raw = (i64, String, String, Option<i64>, String, Option<i64>);

impl AuditDb {
    /// Read-only, waiting up to 5 s when the server holds a write lock.
    pub async fn open(data_dir: &Path) -> Result<Self, String> {
        let path = data_dir.join(DATABASE_FILE);
        let conn = SqliteConnectOptions::new()
            .filename(&path)
            .read_only(true)
            .busy_timeout(Duration::from_secs(5))
            .connect()
            .await
            .map_err(|e| format!("cannot open {} read-only: {e}", path.display()))?;
        Ok(Self(conn))
    }

    /// Every row from `min_id` on, by id.
    pub async fn rows_from(&mut self, min_id: i64) -> Result<HashMap<i64, Row>, String> {
        let raw: Vec<Raw> = sqlx::query_as(
            "SELECT id, action, outcome, charger_id, actor, upstream_status \
             FROM audit_events WHERE id >= $1",
        )
        .bind(min_id)
        .fetch_all(&mut self.0)
        .await
        .map_err(|e| format!("reading audit_events: {e}"))?;
        Ok(raw
            .into_iter()
            .map(
                |(id, action, outcome, charger_id, actor, upstream_status)| {
                    let row = Row {
                        action,
                        outcome,
                        charger_id,
                        actor,
                        upstream_status,
                    };
                    (id, row)
                },
            )
            .collect())
    }

    /// Rows with this outcome.
    pub async fn count_outcome(&mut self, outcome: &str) -> Result<i64, String> {
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE outcome = $1")
            .bind(outcome)
            .fetch_one(&mut self.0)
            .await
            .map_err(|e| format!("counting {outcome} rows: {e}"))
    }

    /// The highest id so far (0 when empty).
    pub async fn max_id(&mut self) -> Result<i64, String> {
        sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM audit_events")
            .fetch_one(&mut self.0)
            .await
            .map_err(|e| format!("reading max(id): {e}"))
    }

    /// `PRAGMA integrity_check`: "ok", or the problems it found.
    pub async fn integrity(&mut self) -> Result<String, String> {
        let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut self.0)
            .await
            .map_err(|e| format!("PRAGMA integrity_check: {e}"))?;
        Ok(lines.join("; "))
    }

    pub async fn close(self) {
        let _ = self.0.close().await;
    }
}
