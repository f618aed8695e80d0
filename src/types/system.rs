//! What the server says about itself.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Version and database facts: the round trip that proves the browser can
/// reach the server functions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// The server's crate version.
    pub version: String,
    /// The database and its version as it answered, e.g. "SQLite 3.46.0"
    /// or "PostgreSQL 15.18".
    pub database: String,
    /// How many schema migrations are applied.
    pub migrations_applied: i64,
    pub started_at: DateTime<Utc>,
}
