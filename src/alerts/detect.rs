//! What is going wrong, from what the sampler read and what the audit
//! trail says, turned into alerts once per episode. Runs after each
//! sampling round, so only the instance holding the sampler's lease runs
//! it; what it knows (open episodes, its place in the trail) is in the
//! database, so another instance taking over the lease carries on.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::Alerts;
use crate::clemap::model::PlugState;
use crate::history::reading::Reading;
use crate::on_db;
use crate::types::{AlertCharger, AlertEvent, AlertFacts, AlertSite, Charger, Verdict};
use crate::vocabulary::{AuditAction, Outcome};

/// `--offline-after`'s default: CLEMAP itself falls back after 120 s.
pub const OFFLINE_AFTER: TimeDelta = TimeDelta::seconds(120);

/// How a reading looks for alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    Fine,
    /// Unreachable, `offline` or `cloud_offline`.
    Offline,
    /// A plug reports `error`.
    Failing,
}

fn health(reading: &Reading) -> Health {
    let Some(plugs) = reading.plugs() else {
        return Health::Offline;
    };
    if plugs.iter().any(|p| p.status == PlugState::Error) {
        Health::Failing
    } else if plugs
        .iter()
        .any(|p| matches!(p.status, PlugState::Offline | PlugState::CloudOffline))
    {
        Health::Offline
    } else {
        Health::Fine
    }
}

pub(super) fn named(charger: &Charger) -> AlertCharger {
    AlertCharger {
        id: charger.id,
        name: charger.name.clone(),
        site: AlertSite {
            id: charger.site_id,
            name: charger.site_name.clone(),
        },
    }
}

/// An open episode: since when, whether its alert went out, and whether
/// the 15-minute rule held it back (then it is raised again).
#[derive(Debug, Clone, Copy)]
pub(super) struct Episode {
    pub since_ms: i64,
    pub alerted: bool,
    pub held: bool,
}

pub(super) type Episodes = HashMap<(AlertEvent, String), Episode>;

/// A charger whose episode is due to alert, and whether it was held.
type Due = (AlertCharger, bool);

impl crate::history::sampler::RoundObserver for Alerts {
    fn after_round<'a>(
        &'a self,
        round: &'a crate::history::sampler::Round,
    ) -> futures::future::BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(Alerts::after_round(
            self,
            &round.chargers,
            &round.readings,
            round.at,
        ))
    }
}

impl Alerts {
    /// After a sampling round: opens and closes episodes of offline and
    /// failing chargers, and raises their alerts (chargers of one site
    /// going offline in the same round: one alert); then the slower
    /// troubles (`watch`) and the new part of the audit trail.
    pub async fn after_round(
        &self,
        chargers: &[Charger],
        readings: &[Reading],
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let by_id: HashMap<i64, &Charger> = chargers.iter().map(|c| (c.id, c)).collect();
        let mut episodes = self.episodes().await?;
        let (mut offline, mut failing, mut back) =
            (Vec::<Due>::new(), Vec::<Due>::new(), Vec::new());
        let now_ms = now.timestamp_millis();
        for reading in readings {
            let Some(charger) = by_id.get(&reading.charger_id) else {
                continue;
            };
            let subject = format!("charger:{}", charger.id);
            let state = health(reading);
            for (event, bad) in [
                (AlertEvent::ChargerOffline, Health::Offline),
                (AlertEvent::ChargerError, Health::Failing),
            ] {
                // An error is news at once; offline only once it lasted
                // (CLEMAP falls back on its own meanwhile).
                let wait = match event {
                    AlertEvent::ChargerOffline => self.offline_after.num_milliseconds(),
                    _ => 0,
                };
                let due = match (state == bad, episodes.remove(&(event, subject.clone()))) {
                    (true, None) => {
                        self.open(event, &subject, now_ms).await?;
                        (wait == 0).then_some(false)
                    }
                    (true, Some(e)) if !e.alerted && now_ms - e.since_ms >= wait => Some(e.held),
                    (true, Some(_)) | (false, None) => None,
                    (false, Some(e)) => {
                        self.close(event, &subject).await?;
                        // Back means fine: offline turning into an error is
                        // not good news (the error alerts on its own).
                        let fine = state == Health::Fine;
                        if fine
                            && e.alerted
                            && !back.iter().any(|c: &AlertCharger| c.id == charger.id)
                        {
                            back.push(named(charger));
                        }
                        None
                    }
                };
                match (due, event) {
                    (None, _) => {}
                    (Some(held), AlertEvent::ChargerOffline) => {
                        offline.push((named(charger), held))
                    }
                    (Some(held), _) => failing.push((named(charger), held)),
                }
            }
        }
        for (charger, held) in failing {
            let subject = format!("charger:{}", charger.id);
            let mut facts = AlertFacts::new(AlertEvent::ChargerError, now);
            facts.charger = Some(charger);
            self.announce(facts, held, &[subject], now).await?;
        }
        self.raise_grouped(offline, now).await?;
        for charger in back {
            let mut facts = AlertFacts::new(AlertEvent::ChargerBack, now);
            facts.charger = Some(charger);
            self.raise(facts, now).await?;
        }
        // The charger episodes were taken out above; what is left are the
        // slower troubles' own, read once for both.
        self.watch_sites(&episodes, &by_id, readings, now).await?;
        self.watch_sharing(&episodes, now).await?;
        self.watch_schedules(&episodes, now).await?;
        if self.verify_due(now).await? {
            // A long trail takes a while to verify: not in the sampler's way.
            let this = self.clone();
            tokio::spawn(async move {
                if let Err(e) = this.watch_trail(now).await {
                    tracing::error!(error = %e, "the audit chain check failed to run");
                }
            });
        }
        self.read_trail(&by_id, now).await
    }

    /// One alert per site for chargers that went offline together.
    async fn raise_grouped(
        &self,
        offline: Vec<Due>,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let mut by_site: Vec<(AlertSite, Vec<Due>)> = Vec::new();
        for due in offline {
            match by_site.iter_mut().find(|(s, _)| s.id == due.0.site.id) {
                Some((_, list)) => list.push(due),
                None => by_site.push((due.0.site.clone(), vec![due])),
            }
        }
        for (site, group) in by_site {
            let held = group.iter().all(|(_, held)| *held);
            let subjects: Vec<String> = group
                .iter()
                .map(|(c, _)| format!("charger:{}", c.id))
                .collect();
            let mut chargers: Vec<AlertCharger> = group.into_iter().map(|(c, _)| c).collect();
            let mut facts = AlertFacts::new(AlertEvent::ChargerOffline, now);
            if chargers.len() == 1 {
                facts.charger = chargers.pop();
            } else {
                facts.site = Some(site);
                facts.chargers = chargers;
            }
            self.announce(facts, held, &subjects, now).await?;
        }
        Ok(())
    }

    /// Raises an episode's alert (again, if it was held before) and notes
    /// what became of it on each of its episodes: alerted, or held by the
    /// 15-minute rule, to be raised again on a later round.
    pub(super) async fn announce(
        &self,
        facts: AlertFacts,
        held_before: bool,
        subjects: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let event = facts.event;
        let raised = if held_before {
            self.raise_again(facts, now).await?
        } else {
            self.raise(facts, now).await?
        };
        let held = raised == super::outbox::Raised::Held;
        for subject in subjects {
            self.mark(event, subject, !held, held).await?;
        }
        Ok(())
    }

    /// Rejected sets and "not followed" verdicts written since the last
    /// round. The first round starts at the trail's end: no alerts about
    /// the past.
    async fn read_trail(
        &self,
        chargers: &HashMap<i64, &Charger>,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let db = &self.subscriptions.db;
        let top: Option<i64> = on_db!(db, pool => sqlx::query_scalar("SELECT MAX(id) FROM audit_events")
            .fetch_one(pool)
            .await?);
        let top = top.unwrap_or(0);
        let cursor: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
            "SELECT value FROM alert_cursor WHERE name = 'audit'",
        )
        .fetch_optional(pool)
        .await?);
        let mut reached = top;
        if let Some(cursor) = cursor {
            let rows: Vec<(i64, AuditAction, Option<i64>, Option<String>)> = on_db!(db, pool => sqlx::query_as(
                "SELECT id, action, charger_id, error FROM audit_events \
                 WHERE id > $1 AND id <= $2 AND ((action = $3 AND outcome = $4) OR verdict = $5) \
                 ORDER BY id LIMIT 500",
            )
            .bind(cursor)
            .bind(top)
            .bind(AuditAction::SetTarget)
            .bind(Outcome::Rejected)
            .bind(Verdict::NotFollowed)
            .fetch_all(pool)
            .await?);
            if rows.len() == 500 {
                reached = rows.last().map_or(top, |r| r.0);
            }
            for (id, action, charger_id, error) in rows {
                let Some(charger) = charger_id.and_then(|c| chargers.get(&c)) else {
                    continue; // deleted since: nothing left to act on
                };
                let event = if action == AuditAction::SetTarget {
                    AlertEvent::TargetRejected
                } else {
                    AlertEvent::TargetNotFollowed
                };
                let mut facts = AlertFacts::new(event, now);
                facts.charger = Some(named(charger));
                facts.audit_id = Some(id);
                facts.problem = error.as_deref().map(crate::problem::Problem::from_stored);
                self.raise(facts, now).await?;
            }
        }
        on_db!(db.writes(), pool => sqlx::query(
            "INSERT INTO alert_cursor (name, value) VALUES ('audit', $1) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(reached)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    pub(super) async fn episodes(&self) -> Result<Episodes, sqlx::Error> {
        let rows: Vec<(AlertEvent, String, i64, i64, i64)> = on_db!(&self.subscriptions.db, pool => sqlx::query_as(
            "SELECT event, subject, since_ms, alerted, held FROM alert_episodes",
        )
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(event, subject, since_ms, alerted, held)| {
                let episode = Episode {
                    since_ms,
                    alerted: alerted == 1,
                    held: held == 1,
                };
                ((event, subject), episode)
            })
            .collect())
    }

    pub(super) async fn open(
        &self,
        event: AlertEvent,
        subject: &str,
        since_ms: i64,
    ) -> Result<(), sqlx::Error> {
        on_db!(self.subscriptions.db.writes(), pool => sqlx::query(
            "INSERT INTO alert_episodes (event, subject, since_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (event, subject) DO NOTHING",
        )
        .bind(event)
        .bind(subject)
        .bind(since_ms)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    async fn mark(
        &self,
        event: AlertEvent,
        subject: &str,
        alerted: bool,
        held: bool,
    ) -> Result<(), sqlx::Error> {
        on_db!(self.subscriptions.db.writes(), pool => sqlx::query(
            "UPDATE alert_episodes SET alerted = $1, held = $2 WHERE event = $3 AND subject = $4",
        )
        .bind(i64::from(alerted))
        .bind(i64::from(held))
        .bind(event)
        .bind(subject)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    pub(super) async fn close(&self, event: AlertEvent, subject: &str) -> Result<(), sqlx::Error> {
        on_db!(self.subscriptions.db.writes(), pool => sqlx::query(
            "DELETE FROM alert_episodes WHERE event = $1 AND subject = $2",
        )
        .bind(event)
        .bind(subject)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }
}
