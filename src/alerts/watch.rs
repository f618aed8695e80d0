//! The slower troubles (#31): a site drawing more than its supply limit, a
//! schedule that keeps failing, an audit trail that no longer verifies.
//! Each is an episode in the database (so a new lease holder carries on)
//! and alerts once, when it has lasted long enough to be more than a blip.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::Alerts;
use crate::history::reading::Reading;
use crate::on_db;
use crate::types::{AlertEvent, AlertFacts, AlertSite, Charger};

/// A site over its supply limit this long is news (a car starting may
/// overshoot for a few seconds).
pub const OVER_LIMIT_FOR: TimeDelta = TimeDelta::seconds(60);

/// A schedule failing this long is past the engine's first retries
/// (after 30, 60 and 120 s); the engine goes on retrying meanwhile.
pub const SCHEDULE_FAILING_FOR: TimeDelta = TimeDelta::minutes(5);

/// How often the lease holder verifies the audit chain.
pub const VERIFY_EVERY: TimeDelta = TimeDelta::hours(1);

/// A schedule whose calls fail now.
#[derive(sqlx::FromRow)]
struct FailingSchedule {
    id: i64,
    charger_id: Option<i64>,
    site_id: Option<i64>,
    site_name: Option<String>,
    last_error: Option<String>,
}

impl Alerts {
    /// Keeps the episodes of `event` in step with what is wrong now
    /// (`bad`, by subject) and returns what has been wrong for `lasting`
    /// and not alerted yet. Episodes no longer bad end.
    async fn lasting<T>(
        &self,
        event: AlertEvent,
        bad: Vec<(String, T)>,
        lasting: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<Vec<T>, sqlx::Error> {
        let now_ms = now.timestamp_millis();
        let mut open: HashMap<String, (i64, bool)> = self
            .episodes()
            .await?
            .into_iter()
            .filter(|((e, _), _)| *e == event)
            .map(|((_, subject), state)| (subject, state))
            .collect();
        let mut due = Vec::new();
        for (subject, item) in bad {
            match open.remove(&subject) {
                None if lasting.is_zero() => {
                    self.open(event, &subject, now_ms, true).await?;
                    due.push(item);
                }
                None => self.open(event, &subject, now_ms, false).await?,
                Some((since, false)) if now_ms - since >= lasting.num_milliseconds() => {
                    self.mark_alerted(event, &subject).await?;
                    due.push(item);
                }
                Some(_) => {}
            }
        }
        for subject in open.into_keys() {
            self.close(event, &subject).await?;
        }
        Ok(due)
    }

    /// Sites whose measured chargers together draw more than the site's
    /// supply limit. A charger that cannot be read adds nothing: the sum
    /// is then a lower bound, and a lower bound over the limit is over it.
    pub(super) async fn watch_sites(
        &self,
        chargers: &HashMap<i64, &Charger>,
        readings: &[Reading],
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let limits: Vec<(i64, String, i64)> = on_db!(&self.subscriptions.db, pool => sqlx::query_as(
            "SELECT id, name, supply_limit FROM sites WHERE supply_limit IS NOT NULL ORDER BY id",
        )
        .fetch_all(pool)
        .await?);
        let mut drawn: HashMap<i64, f64> = HashMap::new();
        for reading in readings {
            let (Some(charger), Some(plugs)) = (chargers.get(&reading.charger_id), reading.plugs())
            else {
                continue;
            };
            let amps: f64 = plugs.iter().filter_map(|p| p.max_phase_current()).sum();
            *drawn.entry(charger.site_id).or_default() += amps;
        }
        let over = limits
            .into_iter()
            .filter_map(|(id, name, limit)| {
                let amps = drawn.get(&id).copied().unwrap_or(0.0);
                (amps > limit as f64).then(|| {
                    let site = AlertSite { id, name };
                    (
                        format!("site:{id}"),
                        (site, amps.round() as u32, limit as u32),
                    )
                })
            })
            .collect();
        for (site, amps, limit) in self
            .lasting(AlertEvent::SiteOverLimit, over, OVER_LIMIT_FOR, now)
            .await?
        {
            let mut facts = AlertFacts::new(AlertEvent::SiteOverLimit, now);
            facts.site = Some(site);
            facts.amps = Some((amps, limit));
            self.raise(facts, now).await?;
        }
        Ok(())
    }

    /// Enabled schedules whose calls have failed for
    /// [`SCHEDULE_FAILING_FOR`] (the engine notes a failure on the
    /// schedule until a call succeeds).
    pub(super) async fn watch_schedules(
        &self,
        chargers: &HashMap<i64, &Charger>,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let failing: Vec<FailingSchedule> = on_db!(&self.subscriptions.db, pool => sqlx::query_as(
            "SELECT s.id, s.charger_id, s.site_id, t.name AS site_name, s.last_error FROM schedules s \
             LEFT JOIN sites t ON t.id = s.site_id \
             WHERE s.last_error IS NOT NULL AND s.enabled = $1 AND s.deleted_at IS NULL ORDER BY s.id",
        )
        .bind(true)
        .fetch_all(pool)
        .await?);
        let bad = failing
            .into_iter()
            .map(|s| {
                let mut facts = AlertFacts::new(AlertEvent::ScheduleFailed, now);
                facts.charger = s
                    .charger_id
                    .and_then(|c| chargers.get(&c))
                    .map(|c| super::detect::named(c));
                facts.site = s
                    .site_id
                    .zip(s.site_name)
                    .map(|(id, name)| AlertSite { id, name });
                facts.problem = s
                    .last_error
                    .as_deref()
                    .map(crate::problem::Problem::from_stored);
                (format!("schedule:{}", s.id), facts)
            })
            .collect();
        for facts in self
            .lasting(AlertEvent::ScheduleFailed, bad, SCHEDULE_FAILING_FOR, now)
            .await?
        {
            self.raise(facts, now).await?;
        }
        Ok(())
    }

    /// Whether the hourly chain check is due; if so, claims it (the
    /// lease holder runs it, and a new holder does not repeat it).
    pub(super) async fn verify_due(&self, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        let last: Option<i64> = on_db!(&self.subscriptions.db, pool => sqlx::query_scalar(
            "SELECT value FROM alert_cursor WHERE name = 'verify'",
        )
        .fetch_optional(pool)
        .await?);
        if last.is_some_and(|ms| now.timestamp_millis() - ms < VERIFY_EVERY.num_milliseconds()) {
            return Ok(false);
        }
        on_db!(&self.subscriptions.db, pool => sqlx::query(
            "INSERT INTO alert_cursor (name, value) VALUES ('verify', $1) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(now.timestamp_millis())
        .execute(pool)
        .await?
        .rows_affected());
        Ok(true)
    }

    /// Verifies the whole audit chain; a break alerts once, until the
    /// chain verifies again.
    pub async fn watch_trail(&self, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        let verified = self.subscriptions.audit.verify(None).await?;
        let bad = match verified.broken {
            Some(broken) => {
                tracing::error!(row = ?broken.id, reason = %broken.reason, "the audit chain does not verify");
                vec![("audit".to_owned(), ())]
            }
            None => Vec::new(),
        };
        let due = self
            .lasting(AlertEvent::AuditChainBroken, bad, TimeDelta::zero(), now)
            .await?;
        if !due.is_empty() {
            self.raise(AlertFacts::new(AlertEvent::AuditChainBroken, now), now)
                .await?;
        }
        Ok(())
    }
}
