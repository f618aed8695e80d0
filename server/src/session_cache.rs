//! The front half of the session store: records kept in memory for a few
//! seconds, in front of the database (tower-sessions' `CachingSessionStore`
//! does the layering). Before it, every page and every set read its session
//! row from the database (#29).
//!
//! What a cached record may miss is bounded by [`SESSION_STALENESS`]:
//! - on this instance nothing, because a login, a logout and a flush go
//!   through both halves;
//! - on another instance sharing PostgreSQL, a logout there: its
//!   notification drops every cached record at once ([`follow`], #41);
//!   only while the notification connection is down, for at most that
//!   long. A password, role or status change ends sessions through the
//!   user's epoch, which `Users::follow` drops the same way
//!   (`auth::USER_STALENESS` is its fallback).

use std::time::Duration;

use async_trait::async_trait;
use evse_dashboard::db::changes::{Change, Heard};
use tokio::sync::broadcast;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// How long a record read from the database is trusted without reading
/// it again (docs/SECURITY.md, "Sessions").
pub const SESSION_STALENESS: Duration = Duration::from_secs(5);

/// Sessions in use at once that stay cached; beyond it the least used are
/// read from the database again.
const CAPACITY: u64 = 10_000;

#[derive(Debug, Clone)]
pub struct SessionCache(moka::sync::Cache<Id, Record>);

impl Default for SessionCache {
    fn default() -> Self {
        Self(
            moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(SESSION_STALENESS)
                .build(),
        )
    }
}

#[async_trait]
impl SessionStore for SessionCache {
    /// The database half has chosen the id already.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.0.insert(record.id, record.clone());
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.0.insert(record.id, record.clone());
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = tower_sessions::cookie::time::OffsetDateTime::now_utc();
        Ok(self.0.get(id).filter(|record| record.expiry_date > now))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.0.invalidate(id);
        Ok(())
    }
}

impl SessionCache {
    /// Forgets every record: a session ended on another instance, whose
    /// id a notification never carries (#41).
    pub fn forget_all(&self) {
        self.0.invalidate_all();
    }
}

/// Follows the changes every instance publishes: a logout elsewhere is
/// seen here at once, not after [`SESSION_STALENESS`] (a notification
/// never carries a session's id, so every record is read again). When
/// changes may have been missed (the notification connection broke, or
/// this follower fell behind), the same.
pub async fn follow(mut changes: broadcast::Receiver<Heard>, cache: SessionCache) {
    loop {
        match changes.recv().await {
            Ok(heard) => {
                if matches!(*heard.change, Change::SessionEnded { .. } | Change::Resync) {
                    cache.forget_all();
                }
            }
            Err(broadcast::error::RecvError::Lagged(_)) => cache.forget_all(),
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_sessions::cookie::time::{Duration as TimeDuration, OffsetDateTime};

    fn record(expires_in: TimeDuration) -> Record {
        Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: OffsetDateTime::now_utc() + expires_in,
        }
    }

    #[tokio::test]
    async fn a_deleted_or_expired_record_is_not_served() {
        let cache = SessionCache::default();
        let mut live = record(TimeDuration::hours(1));
        cache.create(&mut live).await.unwrap();
        assert!(cache.load(&live.id).await.unwrap().is_some());
        cache.delete(&live.id).await.unwrap();
        assert!(cache.load(&live.id).await.unwrap().is_none());

        let expired = record(TimeDuration::seconds(-1));
        cache.save(&expired).await.unwrap();
        assert!(cache.load(&expired.id).await.unwrap().is_none());
    }
}
