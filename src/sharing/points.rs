//! One round's readings as the allocation sees them: which chargers have
//! a car, what each draws per phase, which cannot be read or do not
//! follow, and the targets people set (upper bounds).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::allocate::{Point, State};
use super::store::Stored;
use crate::audit::AuditLog;
use crate::clemap::model::PlugStatus;
use crate::history::Reading;
use crate::history::verdicts::{self, Setters};
use crate::types::{Charger, Verdict};
use crate::vocabulary::Priority;

/// What the round knows of one charger besides its reading.
pub struct Known<'a> {
    pub stored: Option<&'a Stored>,
    pub verdict: Option<Verdict>,
    pub bound: Option<u32>,
    pub priority: Priority,
}

pub fn point(
    charger: &Charger,
    reading: Option<&Reading>,
    known: Known<'_>,
    now: DateTime<Utc>,
) -> Point {
    let now_ms = now.timestamp_millis();
    let sent = known.stored.and_then(|s| s.in_force(now_ms));
    let state = match reading.map(|r| &r.result) {
        None | Some(Err(_)) => State::Unreadable { target: sent },
        Some(Ok((plugs, settings))) => {
            let charging: Vec<&PlugStatus> =
                plugs.iter().filter(|p| p.status.is_charging()).collect();
            let draw = per_phase(&charging);
            if known.verdict == Some(Verdict::NotFollowed) {
                State::NotFollowing { draw }
            } else if charging.is_empty() {
                State::Free
            } else {
                State::Charging {
                    draw,
                    given: settings.active_at(now).map(|(amps, _)| amps),
                    arrived: known.stored.and_then(|s| s.arrived_ms).unwrap_or(now_ms),
                }
            }
        }
    };
    Point {
        charger_id: charger.id,
        priority: known.priority,
        min_current: charger.min_current,
        max_current: charger.max_current,
        bound: known.bound,
        state,
    }
}

/// Amperes drawn per phase by a charger's charging plugs.
pub fn draw_of(plugs: &[PlugStatus]) -> [f64; 3] {
    let charging: Vec<&PlugStatus> = plugs.iter().filter(|p| p.status.is_charging()).collect();
    per_phase(&charging)
}

/// Amperes drawn per phase by the charging plugs (unknown counts as 0:
/// a charging plug that reports nothing still counts on every phase, see
/// `allocate::phases_of`).
fn per_phase(plugs: &[&PlugStatus]) -> [f64; 3] {
    let mut draw = [0.0; 3];
    for plug in plugs {
        for (sum, amps) in draw
            .iter_mut()
            .zip([plug.current_l1, plug.current_l2, plug.current_l3])
        {
            *sum += amps.unwrap_or(0.0).max(0.0);
        }
    }
    draw
}

/// The target a person, a schedule or an API token set on one charger that
/// is still in force (the charger page's "you asked").
pub async fn bound_of(
    audit: &AuditLog,
    charger_id: i64,
    now: DateTime<Utc>,
    longest: std::time::Duration,
) -> Result<Option<u32>, sqlx::Error> {
    let who = (Setters::NotTheLoadManager, Some(charger_id));
    let targets = verdicts::in_force(audit, now, longest, who).await?;
    Ok(targets.get(&charger_id).and_then(|t| t.amps_at(now)))
}

/// The targets a person, a schedule or an API token set that are still in
/// force, by charger: the manager never sends more. The last such set or
/// reset decides; `longest`: no target lasts longer.
pub async fn bounds(
    audit: &AuditLog,
    now: DateTime<Utc>,
    longest: std::time::Duration,
) -> Result<HashMap<i64, u32>, sqlx::Error> {
    let who = (Setters::NotTheLoadManager, None);
    Ok(verdicts::in_force(audit, now, longest, who)
        .await?
        .into_iter()
        .filter_map(|(id, t)| Some((id, t.amps_at(now)?)))
        .collect())
}
