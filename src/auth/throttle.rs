//! Login throttling per (username, client address): the first few failures
//! cost nothing, then each one doubles the wait, up to a quarter hour. An
//! attempt is counted *before* its password is checked, inside one
//! `BEGIN IMMEDIATE` transaction, so a burst of concurrent guesses cannot
//! all pass the check before any failure is recorded. Keying on the pair
//! means nobody can lock an account for someone on another address.

use crate::db::{Db, Stamp, stamp};
use crate::{on_db, on_tx};
use chrono::{TimeDelta, Utc};

/// Failures allowed before waiting starts.
pub const FREE_FAILURES: i64 = 5;
/// The longest wait between attempts.
pub const MAX_DELAY_SECS: i64 = 15 * 60;
/// Rows untouched this long (and not throttling) are forgotten.
const FORGET_AFTER: TimeDelta = TimeDelta::hours(24);

/// Seconds to wait before the attempt after `failures` failed ones.
pub fn delay_after(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        0
    } else {
        let doublings = u32::try_from(failures - FREE_FAILURES)
            .unwrap_or(u32::MAX)
            .min(20);
        (1_i64 << doublings).min(MAX_DELAY_SECS)
    }
}

/// Whether an attempt may go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Go ahead; it is already counted as a failure until it succeeds.
    /// `refused_meanwhile` attempts were refused since the last one that
    /// went ahead (the caller audits them as one event).
    Granted { refused_meanwhile: i64 },
    /// Wait this many seconds.
    Throttled { retry_after: i64 },
}

#[derive(sqlx::FromRow)]
struct Row {
    failures: i64,
    refused: i64,
    next_allowed_at: Stamp,
}

#[derive(sqlx::FromRow)]
struct Unreported {
    username: String,
    refused: i64,
}

/// Decides, and records, one attempt for `username` from `ip`.
pub async fn admit(db: &Db, username: &str, ip: &str) -> Result<Admission, sqlx::Error> {
    let username = &key(username);
    let mut tx = db.begin_serialised().await?;
    let now = Utc::now();
    let now_text = stamp(now);
    let row = on_tx!(&mut tx, conn => checked_as!(
        Row,
        r#"SELECT failures, refused, next_allowed_at AS "next_allowed_at: Stamp"
           FROM login_throttle WHERE username = $1 AND ip = $2"#,
        username,
        ip,
    )
    .fetch_optional(&mut *conn)
    .await?);
    let admission = match row {
        Some(Row {
            next_allowed_at: Stamp(next),
            ..
        }) if next > now => {
            on_tx!(&mut tx, conn => checked!(
                "UPDATE login_throttle SET refused = refused + 1, updated_at = $1 \
                 WHERE username = $2 AND ip = $3",
                now_text,
                username,
                ip,
            )
            .execute(&mut *conn)
            .await?
            .rows_affected());
            let wait = (next - now).num_milliseconds();
            Admission::Throttled {
                retry_after: (wait + 999) / 1000,
            }
        }
        row => {
            let (failures, refused) = row.map_or((0, 0), |r| (r.failures, r.refused));
            let failures = failures + 1;
            let next_allowed_at = stamp(now + TimeDelta::seconds(delay_after(failures)));
            on_tx!(&mut tx, conn => checked!(
                "INSERT INTO login_throttle (username, ip, failures, refused, next_allowed_at, updated_at) \
                 VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (username, ip) DO UPDATE SET \
                 failures = excluded.failures, refused = 0, next_allowed_at = excluded.next_allowed_at, \
                 updated_at = excluded.updated_at",
                username,
                ip,
                failures,
                next_allowed_at,
                now_text,
            )
            .execute(&mut *conn)
            .await?
            .rows_affected());
            Admission::Granted {
                refused_meanwhile: refused,
            }
        }
    };
    tx.commit().await?;
    Ok(admission)
}

/// A successful attempt wipes the slate for this username and address.
pub async fn clear(db: &Db, username: &str, ip: &str) -> Result<(), sqlx::Error> {
    let username = key(username);
    on_db!(db, pool => checked!(
        "DELETE FROM login_throttle WHERE username = $1 AND ip = $2", username, ip
    )
    .execute(pool)
    .await?
    .rows_affected());
    Ok(())
}

/// Forgets pairs untouched for a day that no longer throttle; returns the
/// refusals they had not yet reported, per username, for the audit.
pub async fn forget_old(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let now = Utc::now();
    let (cutoff, now) = (stamp(now - FORGET_AFTER), stamp(now));
    let unreported = on_db!(db, pool => checked_as!(
        Unreported,
        "DELETE FROM login_throttle WHERE updated_at < $1 AND next_allowed_at < $2 \
         RETURNING username, refused",
        cutoff,
        now,
    )
    .fetch_all(pool)
    .await?);
    Ok(unreported
        .into_iter()
        .filter(|u| u.refused > 0)
        .map(|u| (u.username, u.refused))
        .collect())
}

/// The row's key: usernames compare without case (as logins do), so the
/// stored key is lower-cased and exact in both backends.
fn key(username: &str) -> String {
    username.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_after_the_free_failures_and_is_capped() {
        let waits: Vec<i64> = (1..=9).map(delay_after).collect();
        assert_eq!(waits, [0, 0, 0, 0, 1, 2, 4, 8, 16]);
        assert_eq!(delay_after(40), MAX_DELAY_SECS);
        assert_eq!(delay_after(i64::MAX), MAX_DELAY_SECS);
    }
}
