//! Judging every target CLEMAP received from the samples taken after it
//! settled, for as long as it is in force. A verdict is an audit row
//! (`target_checked`) linked to the set it judges; a new one is appended
//! only when the verdict changes ("Not followed" replacing an earlier
//! "Followed"), never updated in place.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Reading;
use crate::audit::AuditLog;
use crate::db::{Stamp, stamp};
use crate::on_db;
use crate::types::{AuditAction, Finding, Renewed, Verdict, judge};

/// A target CLEMAP received that is still in force on its charger.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InForce {
    /// The set's audit row.
    pub id: i64,
    pub charger_id: i64,
    pub charger_name: Option<String>,
    pub action: AuditAction,
    pub requested_current: Option<i64>,
    pub requested_duration: Option<i64>,
    pub at: Stamp,
    /// Until when the load manager's renewals (`share_renewed`) kept the
    /// same target going after the set itself would have ended.
    #[sqlx(skip)]
    pub renewed_until: Option<DateTime<Utc>>,
}

impl InForce {
    pub fn until(&self) -> DateTime<Utc> {
        let set = self.at.0 + chrono::Duration::seconds(self.requested_duration.unwrap_or(0));
        self.renewed_until.map_or(set, |renewed| renewed.max(set))
    }

    /// The ampere asked while it is in force at `now` (a reset: none).
    pub fn amps_at(&self, now: DateTime<Utc>) -> Option<u32> {
        let amps = u32::try_from(self.requested_current?).ok()?;
        (self.action == AuditAction::SetTarget && self.until() > now).then_some(amps)
    }
}

/// Whose targets count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setters {
    /// Every target CLEMAP received (the verdicts).
    Everyone,
    /// A person's, a schedule's or a token's, not the load manager's (the
    /// bound the manager never exceeds).
    NotTheLoadManager,
}

/// The targets in force at `now`, by charger: the last set or reset CLEMAP
/// received from `setters` on each charger decides (a reset, or a set that
/// ran out, means none). `longest`: no target lasts longer, so older rows
/// cannot matter. `charger`: only that one.
pub async fn in_force(
    audit: &AuditLog,
    now: DateTime<Utc>,
    longest: Duration,
    (setters, charger): (Setters, Option<i64>),
) -> Result<HashMap<i64, InForce>, sqlx::Error> {
    let since = stamp(now - chrono::Duration::from_std(longest).unwrap_or_default());
    let everyone = setters == Setters::Everyone;
    let rows: Vec<InForce> = on_db!(audit.db(), pool => sqlx::query_as(
        "SELECT id, charger_id, charger_name, action, requested_current, requested_duration, at \
         FROM audit_events WHERE action IN ('set_target', 'reset_target') \
         AND outcome = 'received' AND charger_id IS NOT NULL AND at >= $1 \
         AND ($2 OR actor NOT LIKE 'load:%') AND ($3 IS NULL OR charger_id = $3) ORDER BY id",
    )
    .bind(&since)
    .bind(everyone)
    .bind(charger)
    .fetch_all(pool)
    .await?);
    let mut last: HashMap<i64, InForce> = HashMap::new();
    for row in rows {
        last.insert(row.charger_id, row);
    }
    if everyone {
        extend_by_renewals(audit, &since, &mut last).await?;
    }
    last.retain(|_, row| row.amps_at(now).is_some());
    Ok(last)
}

#[derive(sqlx::FromRow)]
struct Renewal {
    id: i64,
    upstream_answer: Option<String>,
    requested_duration: Option<i64>,
    at: Stamp,
}

/// A renewal CLEMAP received for the same current after the last set
/// keeps that set in force for the renewal's duration: the verdict on the
/// manager's target goes on as long as the target does.
async fn extend_by_renewals(
    audit: &AuditLog,
    since: &str,
    last: &mut HashMap<i64, InForce>,
) -> Result<(), sqlx::Error> {
    let renewals: Vec<Renewal> = on_db!(audit.db(), pool => sqlx::query_as(
        "SELECT id, upstream_answer, requested_duration, at FROM audit_events \
         WHERE action = 'share_renewed' AND at >= $1 ORDER BY id",
    )
    .bind(since)
    .fetch_all(pool)
    .await?);
    for renewal in renewals {
        let chargers: Vec<Renewed> = renewal
            .upstream_answer
            .as_deref()
            .and_then(|a| serde_json::from_str(a).ok())
            .unwrap_or_default();
        let until =
            renewal.at.0 + chrono::Duration::seconds(renewal.requested_duration.unwrap_or(0));
        for c in chargers {
            if c.outcome != crate::vocabulary::Outcome::Received {
                continue;
            }
            if let Some(set) = last.get_mut(&c.charger_id)
                && set.id < renewal.id
                && set.action == AuditAction::SetTarget
                && set.requested_current == Some(i64::from(c.current))
            {
                set.renewed_until = Some(until);
            }
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Judged {
    refers_to: i64,
    verdict: Verdict,
    /// The finding that first gave it (JSON).
    upstream_answer: Option<String>,
    at: Stamp,
}

/// The latest verdict on each set judged since `since`, and since when it
/// holds.
async fn latest_verdicts(
    audit: &AuditLog,
    since: DateTime<Utc>,
) -> Result<HashMap<i64, (Verdict, DateTime<Utc>)>, sqlx::Error> {
    let rows: Vec<Judged> = on_db!(audit.db(), pool => sqlx::query_as(
        "SELECT refers_to, verdict, upstream_answer, at FROM audit_events \
         WHERE action = 'target_checked' AND refers_to IS NOT NULL AND at >= $1 ORDER BY id",
    )
    .bind(stamp(since))
    .fetch_all(pool)
    .await?);
    Ok(rows
        .into_iter()
        .map(|r| {
            let first: Option<Finding> = r
                .upstream_answer
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok());
            let since = first.map_or(r.at.0, |f| f.sampled_at);
            (r.refers_to, (r.verdict, since))
        })
        .collect())
}

/// Judges each reading's target in force (once it has settled) and
/// appends a verdict row where the verdict changed. Returns each judged
/// charger's finding.
pub async fn judge_readings(
    audit: &AuditLog,
    readings: &[Reading],
    settle: Duration,
    longest: Duration,
) -> Result<HashMap<i64, Finding>, sqlx::Error> {
    let Some(now) = readings.iter().map(|r| r.at).max() else {
        return Ok(HashMap::new());
    };
    let targets = in_force(audit, now, longest, (Setters::Everyone, None)).await?;
    if targets.is_empty() {
        return Ok(HashMap::new());
    }
    let settle = chrono::Duration::from_std(settle).unwrap_or_default();
    let oldest = targets.values().map(|t| t.at.0).min().unwrap_or(now);
    let mut judged = latest_verdicts(audit, oldest).await?;
    let mut findings = HashMap::new();
    for reading in readings {
        let Some(target) = targets.get(&reading.charger_id) else {
            continue;
        };
        if reading.at < target.at.0 + settle || reading.at >= target.until() {
            continue;
        }
        let asked = u32::try_from(target.requested_current.unwrap_or(0)).unwrap_or(0);
        let mut finding = judge(asked, reading.plugs(), reading.at);
        match judged.get(&target.id) {
            Some((verdict, since)) if *verdict == finding.verdict => finding.since = Some(*since),
            _ => {
                let name = target.charger_name.clone().unwrap_or_default();
                audit
                    .record_verdict(target.id, (target.charger_id, name), &finding)
                    .await?;
                judged.insert(target.id, (finding.verdict, finding.sampled_at));
                finding.since = Some(finding.sampled_at);
            }
        }
        findings.insert(reading.charger_id, finding);
    }
    Ok(findings)
}
