//! The handle the web layer holds on the back-end: everything a server
//! function may use, cheap to clone, provided to Leptos as context.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use crate::db;
use crate::types::ServerInfo;

#[derive(Clone, Debug)]
pub struct Services {
    pub pool: SqlitePool,
    pub started_at: DateTime<Utc>,
}

impl Services {
    pub fn new(pool: SqlitePool) -> Self {
        Self {
            pool,
            started_at: Utc::now(),
        }
    }

    /// Version and database facts; fails when the database does.
    pub async fn server_info(&self) -> Result<ServerInfo, db::DbError> {
        let health = db::health(&self.pool).await?;
        Ok(ServerInfo {
            version: crate::VERSION.to_owned(),
            sqlite_version: health.sqlite_version,
            migrations_applied: health.migrations_applied,
            started_at: self.started_at.to_rfc3339(),
        })
    }
}
