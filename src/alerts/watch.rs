//! The slower troubles (#31): a site drawing more than its supply limit, a
//! schedule that keeps failing, an audit trail that no longer verifies.
//! Each is an episode in the database (so a new lease holder carries on)
//! and alerts once, when it has lasted long enough to be more than a blip.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};

use super::Alerts;
use super::detect::{Episode, Episodes};
use crate::history::reading::Reading;
use crate::on_db;
use crate::types::{AlertCharger, AlertEvent, AlertFacts, AlertSchedule, AlertSite, Charger};

/// A site over its supply limit this long is news (a car starting may
/// overshoot for a few seconds).
pub const OVER_LIMIT_FOR: TimeDelta = TimeDelta::seconds(60);

/// A schedule failing this long is past the engine's first retries
/// (after 30, 60 and 120 s); the engine goes on retrying meanwhile.
pub const SCHEDULE_FAILING_FOR: TimeDelta = TimeDelta::minutes(5);

/// How often the lease holder verifies the audit chain.
pub const VERIFY_EVERY: TimeDelta = TimeDelta::hours(1);

/// A schedule whose calls fail now, with what it is for.
#[derive(sqlx::FromRow)]
struct FailingSchedule {
    id: i64,
    name: String,
    charger_id: Option<i64>,
    charger_name: Option<String>,
    charger_site_id: Option<i64>,
    charger_site_name: Option<String>,
    site_id: Option<i64>,
    site_name: Option<String>,
    last_error: Option<String>,
}

impl FailingSchedule {
    fn facts(self, now: DateTime<Utc>) -> AlertFacts {
        let mut facts = AlertFacts::new(AlertEvent::ScheduleFailed, now);
        facts.schedule = Some(AlertSchedule {
            id: self.id,
            name: self.name,
        });
        let site = |id: Option<i64>, name: Option<String>| {
            id.zip(name).map(|(id, name)| AlertSite { id, name })
        };
        facts.charger = match (self.charger_id, self.charger_name) {
            (Some(id), Some(name)) => site(self.charger_site_id, self.charger_site_name)
                .map(|site| AlertCharger { id, name, site }),
            _ => None,
        };
        facts.site = site(self.site_id, self.site_name);
        facts.problem = self
            .last_error
            .as_deref()
            .map(crate::problem::Problem::from_stored);
        facts
    }
}

/// A shared site, its limit and the cars it could not serve.
type Oversubscribed = (AlertSite, u32, Vec<AlertCharger>);

impl Alerts {
    /// Keeps the episodes of `event` in step with what is wrong now
    /// (`bad`, by subject) and returns what has been wrong for `lasting`
    /// and not alerted yet, with whether it was held before. Episodes
    /// neither bad nor `unsure` end.
    async fn lasting<T>(
        &self,
        episodes: &Episodes,
        event: AlertEvent,
        bad: Vec<(String, T)>,
        unsure: &HashSet<String>,
        lasting: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, T, bool)>, sqlx::Error> {
        let now_ms = now.timestamp_millis();
        let mut open: HashMap<&str, Episode> = episodes
            .iter()
            .filter(|((e, _), _)| *e == event)
            .map(|((_, subject), episode)| (subject.as_str(), *episode))
            .collect();
        let mut due = Vec::new();
        for (subject, item) in bad {
            match open.remove(subject.as_str()) {
                None => {
                    self.open(event, &subject, now_ms).await?;
                    if lasting.is_zero() {
                        due.push((subject, item, false));
                    }
                }
                Some(e) if !e.alerted && now_ms - e.since_ms >= lasting.num_milliseconds() => {
                    due.push((subject, item, e.held));
                }
                Some(_) => {}
            }
        }
        for subject in open.into_keys().filter(|s| !unsure.contains(*s)) {
            self.close(event, subject).await?;
        }
        Ok(due)
    }

    /// Sites whose chargers together draw more than the site's supply
    /// limit. A charger that cannot be read adds nothing: the sum is then
    /// a lower bound, over the limit if the bound is; under it, the site is
    /// unknown (its episode neither opens nor ends).
    pub(super) async fn watch_sites(
        &self,
        episodes: &Episodes,
        chargers: &HashMap<i64, &Charger>,
        readings: &[Reading],
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let mut limits: Vec<(i64, String, u32)> = self
            .subscriptions
            .sites
            .list()
            .await?
            .into_iter()
            .filter_map(|s| Some((s.id, s.name, s.supply_limit?)))
            .collect();
        limits.sort_by_key(|(id, ..)| *id);
        let mut drawn: HashMap<i64, f64> = HashMap::new();
        let mut read: HashSet<i64> = HashSet::new();
        for reading in readings {
            let Some(charger) = chargers.get(&reading.charger_id) else {
                continue;
            };
            let amps = reading.plugs().and_then(|plugs| {
                plugs
                    .iter()
                    .map(|p| match p.max_phase_current() {
                        Some(a) => Some(a),
                        None if p.status.is_charging() => None,
                        None => Some(0.0),
                    })
                    .sum::<Option<f64>>()
            });
            if let Some(a) = amps {
                *drawn.entry(charger.site_id).or_default() += a;
                read.insert(charger.id);
            }
        }
        // A site is unknown while any of its chargers was not read.
        let unknown: HashSet<i64> = chargers
            .values()
            .filter(|c| !read.contains(&c.id))
            .map(|c| c.site_id)
            .collect();
        let mut over = Vec::new();
        let mut unsure = HashSet::new();
        for (id, name, limit) in limits {
            let amps = drawn.get(&id).copied().unwrap_or(0.0);
            if amps > f64::from(limit) {
                let site = AlertSite { id, name };
                over.push((format!("site:{id}"), (site, amps.ceil() as u32, limit)));
            } else if unknown.contains(&id) {
                unsure.insert(format!("site:{id}"));
            }
        }
        let event = AlertEvent::SiteOverLimit;
        for (subject, (site, amps, limit), held) in self
            .lasting(episodes, event, over, &unsure, OVER_LIMIT_FOR, now)
            .await?
        {
            let mut facts = AlertFacts::new(event, now);
            facts.site = Some(site);
            facts.amps = Some((amps, limit));
            self.announce(facts, held, &[subject], now).await?;
        }
        Ok(())
    }

    /// Shared sites whose supply could not give every charging car its
    /// minimum in the load manager's last round (#40), for a minute:
    /// one alert naming the cars not served.
    pub(super) async fn watch_sharing(
        &self,
        episodes: &Episodes,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let rows: Vec<(i64, String, Option<i64>, i64, String)> = on_db!(&self.subscriptions.db, pool => sqlx::query_as(
            "SELECT s.id, s.name, s.supply_limit, c.id, c.name FROM share_allocations a \
             JOIN sites s ON s.id = a.site_id JOIN chargers c ON c.id = a.charger_id \
             WHERE a.unserved AND s.sharing ORDER BY s.id, c.name",
        )
        .fetch_all(pool)
        .await?);
        let mut over: Vec<(String, Oversubscribed)> = Vec::new();
        for (site_id, site_name, limit, charger_id, charger_name) in rows {
            let site = AlertSite {
                id: site_id,
                name: site_name,
            };
            let charger = AlertCharger {
                id: charger_id,
                name: charger_name,
                site: site.clone(),
            };
            let subject = format!("site:{site_id}");
            match over.last_mut() {
                Some((s, (_, _, chargers))) if *s == subject => chargers.push(charger),
                _ => over.push((subject, (site, limit.unwrap_or(0) as u32, vec![charger]))),
            }
        }
        let event = AlertEvent::SiteOversubscribed;
        for (subject, (site, limit, chargers), held) in self
            .lasting(episodes, event, over, &HashSet::new(), OVER_LIMIT_FOR, now)
            .await?
        {
            let mut facts = AlertFacts::new(event, now);
            facts.site = Some(site);
            facts.chargers = chargers;
            facts.amps = Some((0, limit));
            self.announce(facts, held, &[subject], now).await?;
        }
        Ok(())
    }

    /// Enabled schedules whose calls have failed for
    /// [`SCHEDULE_FAILING_FOR`] (the engine notes a failure on the
    /// schedule until a call succeeds).
    pub(super) async fn watch_schedules(
        &self,
        episodes: &Episodes,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let failing: Vec<FailingSchedule> = on_db!(&self.subscriptions.db, pool => sqlx::query_as(
            "SELECT s.id, s.name, s.charger_id, c.name AS charger_name, c.site_id AS charger_site_id, \
             cs.name AS charger_site_name, s.site_id, t.name AS site_name, s.last_error \
             FROM schedules s LEFT JOIN chargers c ON c.id = s.charger_id \
             LEFT JOIN sites cs ON cs.id = c.site_id LEFT JOIN sites t ON t.id = s.site_id \
             WHERE s.last_error IS NOT NULL AND s.enabled = $1 AND s.deleted_at IS NULL ORDER BY s.id",
        )
        .bind(true)
        .fetch_all(pool)
        .await?);
        let bad = failing
            .into_iter()
            .map(|s| (format!("schedule:{}", s.id), s.facts(now)))
            .collect();
        let event = AlertEvent::ScheduleFailed;
        for (subject, facts, held) in self
            .lasting(
                episodes,
                event,
                bad,
                &HashSet::new(),
                SCHEDULE_FAILING_FOR,
                now,
            )
            .await?
        {
            self.announce(facts, held, &[subject], now).await?;
        }
        Ok(())
    }

    /// Claims the hourly chain check if it is due: only one holder wins the
    /// conditional write, even at a lease handover.
    pub async fn verify_due(&self, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        let claimed = on_db!(self.subscriptions.db.writes(), pool => sqlx::query(
            "INSERT INTO alert_cursor (name, value) VALUES ('verify', $1) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value \
             WHERE alert_cursor.value <= $2",
        )
        .bind(now.timestamp_millis())
        .bind((now - VERIFY_EVERY).timestamp_millis())
        .execute(pool)
        .await?
        .rows_affected());
        Ok(claimed == 1)
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
        let event = AlertEvent::AuditChainBroken;
        let episodes = self.episodes().await?;
        for (subject, (), held) in self
            .lasting(
                &episodes,
                event,
                bad,
                &HashSet::new(),
                TimeDelta::zero(),
                now,
            )
            .await?
        {
            let facts = AlertFacts::new(event, now);
            self.announce(facts, held, &[subject], now).await?;
        }
        Ok(())
    }
}
