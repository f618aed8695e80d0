//! The load manager: after each round the sampler's lease holder samples,
//! it shares each shared site's supply (`allocate`) and sends what
//! changed by at least 1 A, and renews what would end within half the
//! hold, as temporary targets through `Control` (validated, audited
//! intent first, under `load:SITE`). A charger CLEMAP refuses or does not
//! answer keeps its last stored target and is tried again next round; the
//! others are not held up (the sends run in parallel).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;

use super::ChargerShare;
use super::allocate::{Allocation, Supply, allocate};
use super::error::SharingError;
use super::points::{self, Known};
use super::settings::Settings;
use super::store::{self, Stored};
use crate::audit::{Actor, AuditLog};
use crate::control::Control;
use crate::history::sampler::Round;
use crate::types::{Charger, Site, SitePhases, Who};
use crate::vocabulary::Outcome;

/// How long each target the manager sends holds (`--share-hold-secs`):
/// the most a charger keeps it after every instance stopped.
pub const DEFAULT_HOLD: Duration = Duration::from_secs(600);

/// Sends running at once per round (the sampler reads as many).
const SENDS_AT_ONCE: usize = 32;

#[derive(Clone, Debug)]
pub struct Sharing {
    audit: AuditLog,
    control: Control,
    hold: Duration,
    pub settings: Settings,
}

impl Sharing {
    pub fn new(audit: AuditLog, control: Control) -> Self {
        Self {
            settings: Settings::new(audit.clone()),
            audit,
            control,
            hold: DEFAULT_HOLD,
        }
    }

    pub fn with_hold(mut self, hold: Duration) -> Self {
        self.hold = hold;
        self
    }

    pub fn hold(&self) -> Duration {
        self.hold
    }

    /// Acts on each round the sampler publishes (spawned by
    /// `Application::build`); a round that fails is logged, the next one
    /// starts afresh.
    pub async fn run(self, mut rounds: tokio::sync::watch::Receiver<Option<Arc<Round>>>) {
        while rounds.changed().await.is_ok() {
            let round = rounds.borrow_and_update().clone();
            if let Some(round) = round
                && let Err(e) = self.after_round(&round).await
            {
                tracing::error!(error = %e, "a load management round failed");
            }
        }
    }

    /// Shares every shared site's supply from `round`'s readings; returns
    /// each site's allocation.
    pub async fn after_round(
        &self,
        round: &Round,
    ) -> Result<Vec<(Site, Allocation)>, SharingError> {
        let shared: Vec<Site> = self
            .settings
            .sites()
            .await?
            .into_iter()
            .filter(|s| s.sharing && s.supply_limit.is_some())
            .collect();
        if shared.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.audit.db();
        let latest = crate::history::latest::LatestReadings::of(db).all().await?;
        let longest = std::time::Duration::from_secs(self.control.limits().max_duration.into());
        let bounds = points::bounds(&self.audit, round.at, longest).await?;
        let priorities = self.settings.priorities().await?;
        let readings: HashMap<i64, &crate::history::Reading> =
            round.readings.iter().map(|r| (r.charger_id, r)).collect();
        let mut done = Vec::with_capacity(shared.len());
        for site in shared {
            let chargers: Vec<&Charger> = round
                .chargers
                .iter()
                .filter(|c| c.site_id == site.id)
                .collect();
            let stored = store::Allocations::of(db).for_site(site.id).await?;
            let points: Vec<_> = chargers
                .iter()
                .map(|c| {
                    let known = Known {
                        stored: stored.get(&c.id),
                        verdict: latest
                            .get(&c.id)
                            .and_then(|l| l.finding.as_ref())
                            .map(|f| f.verdict),
                        bound: bounds.get(&c.id).copied(),
                        priority: priorities.get(&c.id).copied().unwrap_or_default(),
                    };
                    points::point(c, readings.get(&c.id).copied(), known, round.at)
                })
                .collect();
            let supply = Supply {
                limit: site.supply_limit.unwrap_or_default(),
                minimum: site.share_minimum,
            };
            let allocation = allocate(supply, &points);
            let rows = self
                .send(&site, &allocation, (&points, &chargers), &stored, round.at)
                .await;
            store::Allocations::of(db)
                .save(site.id, &rows, round.at.timestamp_millis())
                .await?;
            // The site page's shares follow (#41).
            db.changes().publish(crate::db::changes::Change::Chargers {
                ids: chargers.iter().map(|c| c.id).collect(),
            });
            done.push((site, allocation));
        }
        Ok(done)
    }

    /// Sends what changed or is due for renewal; the rows to keep.
    async fn send(
        &self,
        site: &Site,
        allocation: &Allocation,
        (points, chargers): (&[super::allocate::Point], &[&Charger]),
        stored: &HashMap<i64, Stored>,
        now: DateTime<Utc>,
    ) -> Vec<Stored> {
        let now_ms = now.timestamp_millis();
        let hold_ms = i64::try_from(self.hold.as_millis()).unwrap_or(i64::MAX);
        let hold_secs = u32::try_from(self.hold.as_secs()).unwrap_or(u32::MAX);
        let actor = Actor::of(Who::Load { site_id: site.id });
        let batch = uuid::Uuid::new_v4().to_string();
        // Changed (or never sent): a set of its own. In force and only due
        // for renewal: one renewal row for the site.
        let (mut changed, mut renew) = (Vec::new(), Vec::new());
        for share in &allocation.shares {
            let Some(amps) = share.amps else { continue };
            let last = stored.get(&share.charger_id);
            let in_force = last.and_then(|s| s.in_force(now_ms));
            let due = last
                .and_then(|s| s.sent_until_ms)
                .is_none_or(|until| until - now_ms < hold_ms / 2);
            if in_force != Some(amps) {
                changed.push((share.charger_id, amps));
            } else if due && let Some(charger) = chargers.iter().find(|c| c.id == share.charger_id)
            {
                renew.push(((*charger).clone(), amps));
            }
        }
        let mut sent: HashMap<i64, bool> = futures::stream::iter(changed)
            .map(|(charger_id, amps)| {
                let (actor, batch) = (&actor, &batch);
                async move {
                    let result = self
                        .control
                        .set_target_in_batch(actor, charger_id, (amps, hold_secs), batch)
                        .await;
                    let received = match result {
                        Ok(outcome) => outcome.outcome == Outcome::Received,
                        Err(e) => {
                            tracing::warn!(error = %e, charger_id, "a shared target was not sent");
                            false
                        }
                    };
                    (charger_id, received)
                }
            })
            .buffer_unordered(SENDS_AT_ONCE)
            .collect()
            .await;
        if !renew.is_empty() {
            match self
                .control
                .renew_in_batch(&actor, &site.name, renew, hold_secs)
                .await
            {
                Ok(renewed) => sent.extend(
                    renewed
                        .into_iter()
                        .map(|r| (r.charger_id, r.outcome == Outcome::Received)),
                ),
                Err(e) => {
                    tracing::warn!(error = %e, site = site.id, "shared targets were not renewed")
                }
            }
        }
        allocation
            .shares
            .iter()
            .zip(points)
            .map(|(share, point)| {
                let last = stored.get(&share.charger_id);
                let (amps, sent_until_ms) = if sent.get(&share.charger_id) == Some(&true) {
                    (share.amps.map(i64::from), Some(now_ms + hold_ms))
                } else {
                    (
                        last.and_then(|s| s.amps),
                        last.and_then(|s| s.sent_until_ms),
                    )
                };
                let charging = matches!(point.state, super::allocate::State::Charging { .. });
                let arrived_ms =
                    charging.then(|| last.and_then(|s| s.arrived_ms).unwrap_or(now_ms));
                Stored {
                    charger_id: share.charger_id,
                    amps,
                    sent_until_ms,
                    arrived_ms,
                    share: serde_json::to_string(share).unwrap_or_default(),
                    unserved: share.why == super::allocate::Why::Unserved,
                }
            })
            .collect()
    }

    /// What each charger's charging plugs drew per phase at its latest
    /// reading; `None` for one that could not be read.
    pub async fn latest_draws(&self) -> Result<HashMap<i64, Option<[f64; 3]>>, SharingError> {
        let latest = crate::history::latest::LatestReadings::of(self.audit.db())
            .all()
            .await?;
        Ok(latest
            .into_iter()
            .map(|(id, l)| (id, l.result.ok().map(|(plugs, _)| points::draw_of(&plugs))))
            .collect())
    }

    /// For the charger page: when its site is shared, the target a person
    /// (or schedule, or token) asked and what the site shares to it now.
    pub async fn for_charger(
        &self,
        charger_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<ChargerShare>, SharingError> {
        let site_id: Option<i64> = crate::on_db!(self.audit.db(), pool => sqlx::query_scalar(
            "SELECT site_id FROM chargers WHERE id = $1",
        )
        .bind(charger_id)
        .fetch_optional(pool)
        .await?);
        let Some(site_id) = site_id else {
            return Ok(None);
        };
        if !self.settings.site(site_id).await?.sharing {
            return Ok(None);
        }
        let longest = std::time::Duration::from_secs(self.control.limits().max_duration.into());
        let asked = points::bound_of(&self.audit, charger_id, now, longest).await?;
        let shared = store::Allocations::of(self.audit.db())
            .for_site(site_id)
            .await?
            .get(&charger_id)
            .and_then(|s| s.in_force(now.timestamp_millis()));
        Ok(Some(ChargerShare { asked, shared }))
    }

    /// A site's last 24 h per phase with the sum of what was allocated,
    /// for the Sharing card's chart.
    pub async fn day(&self, site: &Site, now: DateTime<Utc>) -> Result<SitePhases, SharingError> {
        let shape = (site.time_zone.as_str(), site.supply_limit);
        Ok(crate::history::series::site_phases(self.audit.db(), site.id, shape, now).await?)
    }

    /// The last allocation of each charger of a site, as stored.
    pub async fn allocations(&self, site_id: i64) -> Result<HashMap<i64, Stored>, SharingError> {
        Ok(store::Allocations::of(self.audit.db())
            .for_site(site_id)
            .await?)
    }
}
