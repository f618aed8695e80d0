//! Login throttling. Failures are counted in up to three scopes
//! ([`ThrottleScope`]): one username from one source, one username from
//! every unknown source together (guessing spread over many addresses),
//! and one address for every username together (spraying, which would
//! also flood the audit trail). In each scope the first few failures cost
//! nothing, then each one doubles the wait, up to a quarter hour.
//!
//! A source the account has logged in from before (its address, or its
//! browser's device cookie) is counted in its own scope only, so an
//! attacker guessing from elsewhere never locks the owner out.
//!
//! An attempt is counted *before* its password is checked, inside one
//! serialised transaction, so a burst of concurrent guesses cannot all
//! pass the check before any failure is recorded.

use crate::db::{Db, Stamp, stamp};
use crate::{on_db, on_tx};
use chrono::{DateTime, TimeDelta, Utc};

/// The longest wait between attempts.
pub const MAX_DELAY_SECS: i64 = 15 * 60;
/// Rows untouched this long (and not throttling) are forgotten.
const FORGET_AFTER: TimeDelta = TimeDelta::hours(24);
/// Refusals are summarised in the trail at most this often per scope.
const REPORT_EVERY: TimeDelta = TimeDelta::minutes(1);

/// What a throttle row counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum ThrottleScope {
    /// One username from one source (an address group or a device).
    Source,
    /// One username from every source it has never logged in from.
    Account,
    /// One address group, whichever usernames it tries.
    Address,
}

impl ThrottleScope {
    /// Failures allowed before waiting starts.
    pub const fn free_failures(self) -> i64 {
        match self {
            Self::Source => 5,
            Self::Account => 10,
            Self::Address => 20,
        }
    }

    /// Seconds to wait before the attempt after `failures` failed ones.
    pub fn delay_after(self, failures: i64) -> i64 {
        let free = self.free_failures();
        if failures < free {
            0
        } else {
            let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX).min(20);
            (1_i64 << doublings).min(MAX_DELAY_SECS)
        }
    }
}

/// Where an attempt comes from, as the throttle sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A browser whose device cookie shows it logged in to this account.
    KnownDevice(String),
    /// An address group (see [`crate::net::AddressGroup`]) this account
    /// has logged in from.
    KnownAddress(String),
    /// Anything else: an address group never seen with this account.
    Unknown(String),
}

impl Source {
    /// The source column of its own row.
    fn key(&self) -> String {
        match self {
            Self::KnownDevice(id) => format!("device:{id}"),
            Self::KnownAddress(group) | Self::Unknown(group) => group.clone(),
        }
    }
}

/// One throttle row's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub scope: ThrottleScope,
    /// Lower-cased; empty in the address scope.
    pub username: String,
    /// Empty in the account scope.
    pub source: String,
}

/// The rows one attempt for `username` from `source` is counted in.
pub fn buckets(username: &str, source: &Source) -> Vec<Bucket> {
    let username = key(username);
    let own = Bucket {
        scope: ThrottleScope::Source,
        username: username.clone(),
        source: source.key(),
    };
    match source {
        Source::KnownDevice(_) | Source::KnownAddress(_) => vec![own],
        Source::Unknown(group) => vec![
            own,
            Bucket {
                scope: ThrottleScope::Account,
                username,
                source: String::new(),
            },
            Bucket {
                scope: ThrottleScope::Address,
                username: String::new(),
                source: group.clone(),
            },
        ],
    }
}

/// Refused attempts of one row, to be summarised as one audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusals {
    pub scope: ThrottleScope,
    pub username: String,
    pub source: String,
    pub attempts: i64,
}

/// Whether an attempt may go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Go ahead; it is already counted as a failure until it succeeds.
    /// `report` holds refusals not yet in the trail.
    Granted { report: Vec<Refusals> },
    /// Wait this many seconds. `report` is non-empty at most once a
    /// minute per row, however many attempts are refused.
    Throttled {
        retry_after: i64,
        report: Vec<Refusals>,
    },
}

#[derive(sqlx::FromRow)]
struct Row {
    failures: i64,
    refused: i64,
    next_allowed_at: Stamp,
    reported_at: Stamp,
}

const SELECT_ROW: &str = "SELECT failures, refused, next_allowed_at, reported_at \
     FROM login_throttle WHERE scope = $1 AND username = $2 AND source = $3";

/// A refusal: counted, and handed back for the trail once a minute.
const REFUSE: &str = "UPDATE login_throttle SET refused = CASE WHEN $1 THEN 0 ELSE refused + 1 END, \
     reported_at = CASE WHEN $1 THEN $2 ELSE reported_at END, updated_at = $2 \
     WHERE scope = $3 AND username = $4 AND source = $5";

const COUNT_FAILURE: &str = "INSERT INTO login_throttle \
     (scope, username, source, failures, refused, next_allowed_at, updated_at, reported_at) \
     VALUES ($1, $2, $3, $4, 0, $5, $6, $6) ON CONFLICT (scope, username, source) DO UPDATE SET \
     failures = excluded.failures, refused = 0, next_allowed_at = excluded.next_allowed_at, \
     updated_at = excluded.updated_at, reported_at = excluded.reported_at";

/// The login throttle's tables: failures per bucket, and known addresses.
#[derive(Clone, Copy)]
pub struct LoginThrottle<'a> {
    db: &'a Db,
}

impl<'a> LoginThrottle<'a> {
    pub fn of(db: &'a Db) -> Self {
        Self { db }
    }

    /// Decides, and records, one attempt counted in `buckets`: refused if any
    /// of them is waiting, else counted as a failure in each.
    pub async fn admit(&self, buckets: &[Bucket]) -> Result<Admission, sqlx::Error> {
        let db = self.db;
        let mut tx = db.begin_serialised().await?;
        let now = Utc::now();
        let now_text = stamp(now);
        let mut rows = Vec::with_capacity(buckets.len());
        for b in buckets {
            let scope: &str = b.scope.into();
            let row = on_tx!(&mut tx, conn => sqlx::query_as::<_, Row>(SELECT_ROW)
                .bind(scope)
                .bind(&b.username)
                .bind(&b.source)
                .fetch_optional(&mut *conn)
                .await?);
            rows.push(row);
        }
        let waiting = |row: &Option<Row>| row.as_ref().is_some_and(|r| r.next_allowed_at.0 > now);
        let admission = if rows.iter().any(waiting) {
            let mut retry_after = 0;
            let mut report = Vec::new();
            for (b, row) in buckets.iter().zip(&rows) {
                let Some(row) = row.as_ref().filter(|r| r.next_allowed_at.0 > now) else {
                    continue;
                };
                retry_after = retry_after.max(seconds_until(row.next_allowed_at.0, now));
                let due = now - row.reported_at.0 >= REPORT_EVERY;
                if due {
                    report.push(refusals(b, row.refused + 1));
                }
                let scope: &str = b.scope.into();
                on_tx!(&mut tx, conn => sqlx::query(REFUSE)
                    .bind(due)
                    .bind(&now_text)
                    .bind(scope)
                    .bind(&b.username)
                    .bind(&b.source)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected());
            }
            Admission::Throttled {
                retry_after,
                report,
            }
        } else {
            let mut report = Vec::new();
            for (b, row) in buckets.iter().zip(&rows) {
                let (failures, refused) = row.as_ref().map_or((0, 0), |r| (r.failures, r.refused));
                if refused > 0 {
                    report.push(refusals(b, refused));
                }
                let failures = failures + 1;
                let next_allowed_at =
                    stamp(now + TimeDelta::seconds(b.scope.delay_after(failures)));
                let scope: &str = b.scope.into();
                on_tx!(&mut tx, conn => sqlx::query(COUNT_FAILURE)
                    .bind(scope)
                    .bind(&b.username)
                    .bind(&b.source)
                    .bind(failures)
                    .bind(&next_allowed_at)
                    .bind(&now_text)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected());
            }
            Admission::Granted { report }
        };
        tx.commit().await?;
        Ok(admission)
    }

    /// A successful attempt from `ip` wipes the slate of its own row and
    /// remembers the address for the account. The account and address rows
    /// only give back what this attempt reserved in them: an attacker who
    /// knows one password must not reset the count of guesses at another.
    pub async fn succeeded(
        &self,
        username: &str,
        source: &Source,
        ip: &str,
    ) -> Result<(), sqlx::Error> {
        let db = self.db;
        let (username, source_key, now) = (key(username), source.key(), crate::db::now_text());
        let group = crate::net::AddressGroup::key(ip);
        let scope: &str = ThrottleScope::Source.into();
        on_db!(db.writes(), pool => sqlx::query(
            "DELETE FROM login_throttle WHERE scope = $1 AND username = $2 AND source = $3",
        )
        .bind(scope)
        .bind(&username)
        .bind(&source_key)
        .execute(pool)
        .await?
        .rows_affected());
        if let Source::Unknown(group) = source {
            let (account, address): (&str, &str) =
                (ThrottleScope::Account.into(), ThrottleScope::Address.into());
            on_db!(db.writes(), pool => sqlx::query(
                "UPDATE login_throttle SET failures = failures - 1 WHERE failures > 0 AND \
                 ((scope = $1 AND username = $2 AND source = '') OR (scope = $3 AND username = '' AND source = $4))",
            )
            .bind(account)
            .bind(&username)
            .bind(address)
            .bind(group)
            .execute(pool)
            .await?
            .rows_affected());
        }
        on_db!(db.writes(), pool => sqlx::query(
            "INSERT INTO login_known_sources (username, source, last_login_at) VALUES ($1, $2, $3) \
             ON CONFLICT (username, source) DO UPDATE SET last_login_at = excluded.last_login_at",
        )
        .bind(&username)
        .bind(&group)
        .bind(&now)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Whether `username` has logged in from address group `group` before.
    pub async fn is_known_address(&self, username: &str, group: &str) -> Result<bool, sqlx::Error> {
        let db = self.db;
        let username = key(username);
        let found = on_db!(db, pool => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM login_known_sources WHERE username = $1 AND source = $2",
        )
        .bind(&username)
        .bind(group)
        .fetch_one(pool)
        .await?);
        Ok(found > 0)
    }

    /// Forgets rows untouched for a day that no longer throttle; returns the
    /// refusals they had not yet reported, for the audit.
    pub async fn forget_old(&self) -> Result<Vec<Refusals>, sqlx::Error> {
        let db = self.db;
        let now = Utc::now();
        let (cutoff, now) = (stamp(now - FORGET_AFTER), stamp(now));
        let unreported = on_db!(db.writes(), pool => sqlx::query_as::<_, Unreported>(
            "DELETE FROM login_throttle WHERE updated_at < $1 AND next_allowed_at < $2 \
             RETURNING scope, username, source, refused",
        )
        .bind(&cutoff)
        .bind(&now)
        .fetch_all(pool)
        .await?);
        Ok(unreported
            .into_iter()
            .filter(|u| u.refused > 0)
            .filter_map(|u| {
                Some(Refusals {
                    scope: u.scope.parse().ok()?,
                    username: u.username,
                    source: u.source,
                    attempts: u.refused,
                })
            })
            .collect())
    }
}

fn seconds_until(then: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((then - now).num_milliseconds() + 999) / 1000
}

fn refusals(b: &Bucket, attempts: i64) -> Refusals {
    Refusals {
        scope: b.scope,
        username: b.username.clone(),
        source: b.source.clone(),
        attempts,
    }
}

#[derive(sqlx::FromRow)]
struct Unreported {
    scope: String,
    username: String,
    source: String,
    refused: i64,
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
        let waits: Vec<i64> = (1..=9)
            .map(|n| ThrottleScope::Source.delay_after(n))
            .collect();
        assert_eq!(waits, [0, 0, 0, 0, 1, 2, 4, 8, 16]);
        assert_eq!(ThrottleScope::Source.delay_after(40), MAX_DELAY_SECS);
        assert_eq!(ThrottleScope::Source.delay_after(i64::MAX), MAX_DELAY_SECS);
        // The wider scopes allow more before they slow everyone down.
        assert_eq!(ThrottleScope::Account.delay_after(9), 0);
        assert_eq!(ThrottleScope::Account.delay_after(10), 1);
        assert_eq!(ThrottleScope::Address.delay_after(19), 0);
        assert_eq!(ThrottleScope::Address.delay_after(20), 1);
    }

    #[test]
    fn a_known_source_is_counted_only_in_its_own_row() {
        let known = buckets("Admin", &Source::KnownDevice("d1".into()));
        assert_eq!(
            known,
            [Bucket {
                scope: ThrottleScope::Source,
                username: "admin".into(),
                source: "device:d1".into()
            }]
        );
        assert_eq!(
            buckets("admin", &Source::KnownAddress("198.51.100.7".into())).len(),
            1
        );
        let unknown = buckets("Admin", &Source::Unknown("2001:db8::/64".into()));
        let scopes: Vec<_> = unknown.iter().map(|b| b.scope).collect();
        assert_eq!(
            scopes,
            [
                ThrottleScope::Source,
                ThrottleScope::Account,
                ThrottleScope::Address
            ]
        );
        assert_eq!(unknown[2].username, "", "the address row counts every name");
        assert_eq!(unknown[2].source, "2001:db8::/64");
    }
}
