//! Login throttling: after [`MAX_FAILURES`] failures for one username or
//! one address within [`LOCKOUT_WINDOW_MINUTES`], further attempts are
//! refused until the oldest of those failures ages out.

use sqlx::SqlitePool;

pub const MAX_FAILURES: i64 = 5;
pub const LOCKOUT_WINDOW_MINUTES: i64 = 15;

/// Minutes until a locked-out username or address may try again.
pub(super) async fn minutes_left(
    pool: &SqlitePool,
    username: &str,
    ip: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let window = format!("-{LOCKOUT_WINDOW_MINUTES} minutes");
    let mut longest: Option<i64> = None;
    for (column, value) in [("username", username), ("ip", ip)] {
        // The MAX_FAILURES-th most recent failure decides when it unlocks.
        let unlock_in_seconds: Option<f64> = sqlx::query_scalar(&format!(
            "SELECT (julianday(at, '+{LOCKOUT_WINDOW_MINUTES} minutes') - julianday('now')) * 86400 \
             FROM login_failures WHERE {column} = ? \
             AND at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?) \
             ORDER BY at DESC LIMIT 1 OFFSET ?"
        ))
        .bind(value)
        .bind(&window)
        .bind(MAX_FAILURES - 1)
        .fetch_optional(pool)
        .await?;
        if let Some(seconds) = unlock_in_seconds {
            let minutes = ((seconds / 60.0).ceil() as i64).max(1);
            longest = Some(longest.map_or(minutes, |m| m.max(minutes)));
        }
    }
    Ok(longest)
}

pub(super) async fn record_failure(
    pool: &SqlitePool,
    username: &str,
    ip: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO login_failures (username, ip) VALUES (?, ?)")
        .bind(username)
        .bind(ip)
        .execute(pool)
        .await?;
    // Keep the table small: nothing older than the window matters.
    sqlx::query("DELETE FROM login_failures WHERE at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)")
        .bind(format!("-{LOCKOUT_WINDOW_MINUTES} minutes"))
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn clear(pool: &SqlitePool, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE username = ?")
        .bind(username)
        .execute(pool)
        .await?;
    Ok(())
}
