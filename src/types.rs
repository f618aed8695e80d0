//! Data transfer types shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// What the server says about itself: the round trip that proves the
/// browser can reach the server functions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// The server's crate version.
    pub version: String,
    /// The SQLite library version the server's database answered with.
    pub sqlite_version: String,
    /// How many schema migrations are applied.
    pub migrations_applied: i64,
    /// When the server process started (UTC, RFC 3339).
    pub started_at: String,
}
