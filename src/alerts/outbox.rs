//! The outbox: one row per alert and subscription, written when the alert
//! is raised and kept until delivered or given up (24 h), so a restart
//! loses nothing. Instances claim due rows in the database (a claim lasts
//! [`CLAIM`]); a row is delivered by whoever holds its claim, so each
//! alert goes out once however many instances run.

use crate::db::changes::Change;
use chrono::{DateTime, TimeDelta, Utc};

use super::Alerts;
use crate::db::Db;
use crate::on_db;
use crate::on_tx;
use crate::types::{AlertDelivery, AlertEvent, AlertFacts, DeliveryStatus};

/// At most one alert per event and subject this often; the ones held back
/// are counted into the next.
pub const DEDUP: TimeDelta = TimeDelta::minutes(15);

/// How long one instance holds a row it is delivering (longer than an
/// attempt may take).
pub const CLAIM: TimeDelta = TimeDelta::seconds(60);

/// A delivery is retried for this long, then given up.
pub const GIVE_UP_AFTER: TimeDelta = TimeDelta::hours(24);

/// The wait before the next attempt: 5 s after the first failure, then
/// doubling, at most an hour.
pub fn backoff(attempts: i64) -> TimeDelta {
    let doublings = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    (TimeDelta::seconds(5) * 2i32.pow(doublings.min(10))).min(TimeDelta::hours(1))
}

/// What `raise` did with an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raised {
    /// Queued for this many subscriptions (none may want it).
    Queued(usize),
    /// Held back: the same event on the same subject went out less than
    /// [`DEDUP`] ago. An episode raises it again later.
    Held,
}

impl Raised {
    pub fn queued(self) -> usize {
        match self {
            Self::Queued(n) => n,
            Self::Held => 0,
        }
    }
}

/// A claimed row, ready to send.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: i64,
    pub delivery_id: String,
    pub subscription_id: i64,
    pub facts: AlertFacts,
    /// When it was first due (after quiet hours): its 24 hours of retries
    /// count from here.
    pub first_due: DateTime<Utc>,
    pub attempts: i64,
}

#[derive(sqlx::FromRow)]
struct DueRow {
    id: i64,
    delivery_id: String,
    subscription_id: i64,
    facts: String,
    created_ms: i64,
    due_ms: Option<i64>,
    attempts: i64,
}

#[derive(sqlx::FromRow)]
struct LogRow {
    id: i64,
    delivery_id: String,
    subscription_id: i64,
    event: AlertEvent,
    created_ms: i64,
    attempts: i64,
    status: DeliveryStatus,
    last_error: Option<String>,
}

fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl Alerts {
    fn db(&self) -> &Db {
        &self.subscriptions.db
    }

    /// Queues `facts` for every subscription that wants its event and
    /// site, unless the same event on the same subject went out less than
    /// [`DEDUP`] ago (then it is held, and counted into the next).
    pub async fn raise(
        &self,
        facts: AlertFacts,
        now: DateTime<Utc>,
    ) -> Result<Raised, sqlx::Error> {
        self.raise_with(facts, now, true).await
    }

    /// `raise` for an episode whose alert was held before: its hold is
    /// counted already.
    pub async fn raise_again(
        &self,
        facts: AlertFacts,
        now: DateTime<Utc>,
    ) -> Result<Raised, sqlx::Error> {
        self.raise_with(facts, now, false).await
    }

    async fn raise_with(
        &self,
        mut facts: AlertFacts,
        now: DateTime<Utc>,
        count_hold: bool,
    ) -> Result<Raised, sqlx::Error> {
        let (event, subject) = (facts.event, facts.subject());
        let now_ms = now.timestamp_millis();
        let mut tx = self.db().begin_serialised().await?;
        let withdrawn = if event == AlertEvent::ChargerBack {
            withdraw_waiting(&mut tx, &subject, now_ms).await?
        } else {
            Vec::new()
        };
        let last: Option<(i64, i64)> = on_tx!(&mut tx, conn => sqlx::query_as(
            "SELECT last_sent_ms, suppressed FROM alert_sent WHERE event = $1 AND subject = $2",
        )
        .bind(event)
        .bind(&subject)
        .fetch_optional(&mut *conn)
        .await?);
        if let Some((last_ms, _)) = last
            && now_ms - last_ms < DEDUP.num_milliseconds()
        {
            if count_hold {
                on_tx!(&mut tx, conn => sqlx::query(
                    "UPDATE alert_sent SET suppressed = suppressed + 1 WHERE event = $1 AND subject = $2",
                )
                .bind(event)
                .bind(&subject)
                .execute(&mut *conn)
                .await?
                .rows_affected());
            }
            tx.commit().await?;
            return Ok(Raised::Held);
        }
        facts.suppressed = last.map_or(0, |(_, n)| u32::try_from(n).unwrap_or(u32::MAX));
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO alert_sent (event, subject, last_sent_ms, suppressed) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (event, subject) DO UPDATE SET last_sent_ms = excluded.last_sent_ms, \
             suppressed = 0",
        )
        .bind(event)
        .bind(&subject)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?
        .rows_affected());
        let body = serde_json::to_string(&facts).unwrap_or_default();
        let site = facts.site_id();
        let zone = self.zone(site).await?;
        let subscribers = self.subscriptions.list().await.unwrap_or_default();
        let mut queued = 0;
        let wanted = subscribers
            .iter()
            .filter(|s| s.confirmed && !s.owner_disabled && s.wants(event, site))
            .filter(|s| !withdrawn.contains(&s.id));
        for subscription in wanted {
            let due = super::quiet::not_before(subscription.quiet, event, zone, now);
            on_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO alert_deliveries \
                 (delivery_id, subscription_id, event, facts, created_ms, next_attempt_ms, subject, due_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $6)",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(subscription.id)
            .bind(event)
            .bind(&body)
            .bind(now_ms)
            .bind(due.timestamp_millis())
            .bind(&subject)
            .execute(&mut *conn)
            .await?
            .rows_affected());
            queued += 1;
        }
        tx.commit().await?;
        // New (or withdrawn) deliveries on the admin page (#41).
        self.db().changes().publish(Change::Deliveries);
        Ok(Raised::Queued(queued))
    }

    /// The zone a site's quiet hours are in (UTC for an alert about no
    /// site, which ignores quiet hours anyway).
    async fn zone(&self, site: Option<i64>) -> Result<chrono_tz::Tz, sqlx::Error> {
        let Some(site) = site else {
            return Ok(chrono_tz::UTC);
        };
        let zone = self.subscriptions.sites.time_zone(site).await?;
        Ok(zone.and_then(|z| z.parse().ok()).unwrap_or(chrono_tz::UTC))
    }

    /// Claims up to `limit` due rows for this instance.
    pub async fn claim(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Due>, sqlx::Error> {
        let now_ms = now.timestamp_millis();
        let until = (now + CLAIM).timestamp_millis();
        // The conditions again outside the subquery: on PostgreSQL a second
        // instance that waited for the first one's row lock re-checks them
        // and skips what the first one claimed.
        let rows: Vec<DueRow> = on_db!(self.db().writes(), pool => sqlx::query_as(
            "UPDATE alert_deliveries SET claimed_until_ms = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM alert_deliveries WHERE status = 'pending' \
                          AND next_attempt_ms <= $2 \
                          AND (claimed_until_ms IS NULL OR claimed_until_ms < $2) \
                          ORDER BY id LIMIT $3) \
             AND status = 'pending' AND (claimed_until_ms IS NULL OR claimed_until_ms < $2) \
             RETURNING id, delivery_id, subscription_id, facts, created_ms, due_ms, attempts",
        )
        .bind(until)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let facts = serde_json::from_str(&r.facts).ok()?;
                Some(Due {
                    id: r.id,
                    delivery_id: r.delivery_id,
                    subscription_id: r.subscription_id,
                    facts,
                    first_due: instant(r.due_ms.unwrap_or(r.created_ms)),
                    attempts: r.attempts,
                })
            })
            .collect())
    }

    /// Settles a claimed row: delivered, or failed with `error` (retried
    /// after [`backoff`] until [`GIVE_UP_AFTER`]).
    pub async fn settle(
        &self,
        due: &Due,
        result: Result<(), String>,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let now_ms = now.timestamp_millis();
        let (status, next_ms, error) = match result {
            Ok(()) => (DeliveryStatus::Delivered, now_ms, None),
            Err(error) => {
                let retry = now + backoff(due.attempts);
                let status = if retry - due.first_due > GIVE_UP_AFTER {
                    DeliveryStatus::Failed
                } else {
                    DeliveryStatus::Pending
                };
                let next = self.after_quiet_hours(due, retry).await?;
                (status, next.timestamp_millis(), Some(error))
            }
        };
        let done = (status != DeliveryStatus::Pending).then_some(now_ms);
        on_db!(self.db().writes(), pool => sqlx::query(
            "UPDATE alert_deliveries SET status = $1, next_attempt_ms = $2, last_error = $3, \
             claimed_until_ms = NULL, done_ms = $4 WHERE id = $5",
        )
        .bind(status)
        .bind(next_ms)
        .bind(error)
        .bind(done)
        .bind(due.id)
        .execute(pool)
        .await?
        .rows_affected());
        // The admin page's deliveries show it (#41).
        self.db().changes().publish(Change::Deliveries);
        Ok(())
    }

    /// A retry falling in its subscription's quiet hours waits for their
    /// end, as the first attempt did.
    async fn after_quiet_hours(
        &self,
        due: &Due,
        retry: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, sqlx::Error> {
        let Ok(subscription) = self.subscriptions.get(due.subscription_id).await else {
            return Ok(retry); // removed: its row is settled as failed anyway
        };
        if subscription.quiet.is_none() {
            return Ok(retry);
        }
        let zone = self.zone(due.facts.site_id()).await?;
        Ok(super::quiet::not_before(
            subscription.quiet,
            due.facts.event,
            zone,
            retry,
        ))
    }

    /// The latest deliveries, newest first (the admin page's log).
    pub async fn recent(&self, limit: i64) -> Result<Vec<AlertDelivery>, sqlx::Error> {
        let rows: Vec<LogRow> = on_db!(self.db(), pool => sqlx::query_as(
            "SELECT id, delivery_id, subscription_id, event, created_ms, attempts, status, last_error \
             FROM alert_deliveries ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .map(|r| AlertDelivery {
                id: r.id,
                delivery_id: r.delivery_id,
                subscription_id: r.subscription_id,
                event: r.event,
                created_at: instant(r.created_ms),
                attempts: r.attempts,
                status: r.status,
                last_error: r.last_error,
            })
            .collect())
    }
}

/// News that a charger is back withdraws its offline or error alerts that
/// have not gone out yet (waiting in quiet hours): nobody should read
/// "offline" in the morning about a charger that was back at midnight.
/// Returns the subscriptions whose alert was withdrawn (they need no
/// "back" either).
async fn withdraw_waiting(
    tx: &mut crate::db::Tx,
    subject: &str,
    now_ms: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar(
        "UPDATE alert_deliveries SET status = 'failed', done_ms = $1, \
         last_error = 'withdrawn: the charger was back before this went out' \
         WHERE subject = $2 AND status = 'pending' AND attempts = 0 AND next_attempt_ms > $1 \
         AND event IN ($3, $4) \
         RETURNING subscription_id",
    )
    .bind(now_ms)
    .bind(subject)
    .bind(AlertEvent::ChargerOffline)
    .bind(AlertEvent::ChargerError)
    .fetch_all(&mut *conn)
    .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_retry_is_within_five_seconds_and_the_wait_grows_to_an_hour() {
        assert_eq!(backoff(1), TimeDelta::seconds(5));
        assert_eq!(backoff(2), TimeDelta::seconds(10));
        assert_eq!(backoff(5), TimeDelta::seconds(80));
        assert_eq!(backoff(30), TimeDelta::hours(1));
    }
}
