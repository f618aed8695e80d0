//! Charging sessions from a round's samples. Pure: the sessions open
//! before the round and the round's samples decide what starts, what is
//! taken in and what ends, so the same round applied twice (a repeat, or
//! a second instance) asks for the same changes, which the store applies
//! only once.

use std::collections::{HashMap, HashSet};

use super::super::samples::Sample;
use crate::types::SessionEnd;

/// What a plug's status says about a car.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// A vehicle is connected (charging or not).
    Car,
    /// The plug is free.
    Free,
    /// The station answers but does not say whether a car is there
    /// (error, stopped, starting, unknown…): the session goes on and takes
    /// the reading in, it neither starts nor ends one.
    Unsaid,
    /// The station behind the plug cannot be reached (`offline`,
    /// `cloud_offline`): as good as no reading.
    Unreachable,
}

/// CLEMAP's plug states (`clemap::model::PlugState`) as presence.
pub fn presence(status: &str) -> Presence {
    match status {
        "charging" | "recently_started_charging" | "connected" | "discharging" => Presence::Car,
        "idle" => Presence::Free,
        "offline" | "cloud_offline" => Presence::Unreachable,
        _ => Presence::Unsaid,
    }
}

/// A session in progress as stored: its running totals up to the
/// reading it took in last.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Open {
    pub id: i64,
    pub charger_id: i64,
    pub plug: i64,
    pub started_ms: i64,
    pub seen_ms: i64,
    pub seen_power_w: Option<i64>,
    pub energy_mwh: i64,
    pub peak_da: Option<i64>,
    pub charging_da_sum: i64,
    pub charging_readings: i64,
    pub limited: bool,
    pub simulated: i64,
}

/// What a round changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A car seen on a plug with no session: a new one, with this reading
    /// taken in.
    Start(Open),
    /// A session took in a reading (`was_seen_ms`: the reading it had
    /// taken in before, which the store checks, so it happens once).
    Advance { was_seen_ms: i64, now: Open },
    /// A session ended at `ended_ms`.
    End {
        was_seen_ms: i64,
        now: Open,
        ended_ms: i64,
        reason: SessionEnd,
    },
}

/// How a round is read.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// A charger unreadable (or a plug silent) longer than this ends its
    /// sessions, at the last reading that saw the car.
    pub offline_after_ms: i64,
    /// Power between two readings at most this far apart is integrated
    /// (as the roll-ups do); across a longer gap nothing is known.
    pub max_gap_ms: i64,
}

fn highest_da(s: &Sample) -> Option<i64> {
    [s.l1_da, s.l2_da, s.l3_da].into_iter().flatten().max()
}

/// `open` after taking in `sample` (the same plug, a later reading).
fn take_in(open: &Open, sample: &Sample, rules: Rules) -> Open {
    let mut next = open.clone();
    let gap = sample.at_ms - open.seen_ms;
    let allowed = if open.simulated != 0 && sample.simulated != 0 {
        rules.max_gap_ms.max(super::super::rollup::SIMULATED_GAP_MS)
    } else {
        rules.max_gap_ms
    };
    if gap > 0
        && gap <= allowed
        && let (Some(a), Some(b)) = (open.seen_power_w, sample.power_w)
    {
        // W·ms → mWh: a trapezoid, as the roll-ups integrate (in i128: a
        // power no charger draws must not overflow the sum).
        let w_ms = (i128::from(a) + i128::from(b)) * i128::from(gap) / 2;
        let mwh = i64::try_from(w_ms / 3_600).unwrap_or(i64::MAX);
        next.energy_mwh = open.energy_mwh.saturating_add(mwh);
    }
    next.seen_ms = sample.at_ms;
    next.seen_power_w = sample.power_w;
    next.peak_da = match (open.peak_da, highest_da(sample)) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    if sample.is_charging()
        && let Some(da) = highest_da(sample)
    {
        next.charging_da_sum += da;
        next.charging_readings += 1;
    }
    next.limited |= sample.target_a.is_some();
    next.simulated = i64::from(open.simulated != 0 && sample.simulated != 0);
    next
}

/// A new session from its first reading (its current, charging and
/// target count; no energy before it).
fn start(sample: &Sample, rules: Rules) -> Open {
    let before = Open {
        id: 0,
        charger_id: sample.charger_id,
        plug: sample.plug,
        started_ms: sample.at_ms,
        seen_ms: sample.at_ms,
        seen_power_w: sample.power_w,
        energy_mwh: 0,
        peak_da: None,
        charging_da_sum: 0,
        charging_readings: 0,
        limited: false,
        simulated: sample.simulated,
    };
    take_in(&before, sample, rules)
}

/// The changes one round makes: `open` are the sessions in progress
/// before it (any chargers), `round` its samples (any chargers, an
/// unreadable one as its one row), `at_ms` when. A session whose plug the
/// round did not see (the charger unreadable, the plug missing from the
/// answer, the charger removed) ends once it was unseen longer than
/// `offline_after_ms`, at the last reading that saw the car.
pub fn round(open: &[Open], round: &[Sample], at_ms: i64, rules: Rules) -> Vec<Step> {
    let by_plug: HashMap<(i64, i64), &Sample> =
        round.iter().map(|s| ((s.charger_id, s.plug), s)).collect();
    let open_plugs: HashSet<(i64, i64)> = open.iter().map(|o| (o.charger_id, o.plug)).collect();
    let mut steps = Vec::new();
    // Plugs whose session ended unseen this round: a car on them now is a
    // new session.
    let mut restarted: HashSet<(i64, i64)> = HashSet::new();
    // Nothing heard of a car for this long ends its session; never less
    // than the gap the roll-ups bridge, so a short `--offline-after` does
    // not cut sessions at every round.
    let silence_ms = rules.offline_after_ms.max(rules.max_gap_ms);
    for session in open {
        let key = (session.charger_id, session.plug);
        let end_unseen = || Step::End {
            was_seen_ms: session.seen_ms,
            now: session.clone(),
            ended_ms: session.seen_ms,
            reason: SessionEnd::Unreadable,
        };
        match by_plug.get(&key).copied() {
            Some(s) if s.at_ms <= session.seen_ms => {}
            // A reading after a silence longer than allowed (the dashboard
            // was down): the session ended when last seen, whatever the
            // plug says now.
            Some(s)
                if presence(&s.status) != Presence::Unreachable
                    && s.at_ms - session.seen_ms > silence_ms =>
            {
                steps.push(end_unseen());
                restarted.insert(key);
            }
            Some(s) => match presence(&s.status) {
                Presence::Car | Presence::Unsaid => steps.push(Step::Advance {
                    was_seen_ms: session.seen_ms,
                    now: take_in(session, s, rules),
                }),
                Presence::Free => steps.push(Step::End {
                    was_seen_ms: session.seen_ms,
                    now: take_in(session, s, rules),
                    ended_ms: s.at_ms,
                    reason: SessionEnd::Unplugged,
                }),
                Presence::Unreachable if at_ms - session.seen_ms > rules.offline_after_ms => {
                    steps.push(end_unseen())
                }
                Presence::Unreachable => {}
            },
            // Unreadable, the plug missing from the answer, or the
            // charger no longer read.
            None if at_ms - session.seen_ms > rules.offline_after_ms => steps.push(end_unseen()),
            None => {}
        }
    }
    for s in round {
        let key = (s.charger_id, s.plug);
        let free_to_start = !open_plugs.contains(&key) || restarted.contains(&key);
        if s.reached() && presence(&s.status) == Presence::Car && free_to_start {
            steps.push(Step::Start(start(s, rules)));
        }
    }
    steps
}

/// A session found by [`replay`], and how it ended (`None`: in progress).
pub type Detected = (Open, Option<(i64, SessionEnd)>);

/// Runs samples (in time order; one reading per instant) round by round
/// from no session, as the sampler would have: the demo's made-up past,
/// and the tests.
pub fn replay(samples: &[Sample], rules: Rules) -> Vec<Detected> {
    let mut open: Vec<Open> = Vec::new();
    let mut done = Vec::new();
    let mut started = 0;
    for reading in samples.chunk_by(|a, b| a.at_ms == b.at_ms) {
        let at_ms = reading[0].at_ms;
        for step in round(&open, reading, at_ms, rules) {
            match step {
                Step::Start(mut new) => {
                    // A stand-in id, one per session of this replay.
                    started += 1;
                    new.id = started;
                    open.push(new);
                }
                Step::Advance { now, .. } => {
                    if let Some(o) = open.iter_mut().find(|o| o.id == now.id) {
                        *o = now;
                    }
                }
                Step::End {
                    now,
                    ended_ms,
                    reason,
                    ..
                } => {
                    open.retain(|o| o.id != now.id);
                    done.push((now, Some((ended_ms, reason))));
                }
            }
        }
    }
    done.extend(open.into_iter().map(|o| (o, None)));
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::samples::{UNREACHABLE, UNREACHABLE_PLUG};

    const RULES: Rules = Rules {
        offline_after_ms: 120_000,
        max_gap_ms: 90_000,
    };

    fn reading(at_s: i64, status: &str, amps: i64, power_w: i64) -> Sample {
        Sample {
            charger_id: 7,
            at_ms: at_s * 1000,
            plug: 0,
            status: status.into(),
            l1_da: Some(amps * 10),
            l2_da: Some(amps * 10),
            l3_da: Some(amps * 10 - 5),
            power_w: Some(power_w),
            limit_da: Some(160),
            target_a: None,
            simulated: 0,
        }
    }

    fn unreadable(at_s: i64) -> Sample {
        Sample {
            plug: UNREACHABLE_PLUG,
            status: UNREACHABLE.into(),
            l1_da: None,
            l2_da: None,
            l3_da: None,
            power_w: None,
            limit_da: None,
            ..reading(at_s, "", 0, 0)
        }
    }

    #[test]
    fn a_car_connected_charging_suspended_and_gone_is_one_session() {
        // Free, connected, charging 7.2 kW for two minutes, connected
        // (the car paused), free again.
        let sessions = replay(
            &[
                reading(0, "idle", 0, 0),
                reading(30, "connected", 0, 0),
                reading(60, "recently_started_charging", 10, 7200),
                reading(90, "charging", 10, 7200),
                reading(120, "charging", 10, 7200),
                reading(150, "connected", 0, 0),
                reading(180, "idle", 0, 0),
            ],
            RULES,
        );
        assert_eq!(sessions.len(), 1);
        let (s, end) = &sessions[0];
        assert_eq!(s.started_ms, 30_000);
        assert_eq!(*end, Some((180_000, SessionEnd::Unplugged)));
        // Trapezoids: 30–60 s ramp 0→7.2 kW (30 Wh), 60–150 s… 60–120 s
        // flat (120 Wh), 120–150 s ramp down (30 Wh): 180 Wh.
        assert_eq!(s.energy_mwh, 180_000);
        assert_eq!(s.peak_da, Some(100));
        assert_eq!((s.charging_readings, s.charging_da_sum), (3, 300));
        assert!(!s.limited);
    }

    #[test]
    fn a_short_unreadable_spell_is_bridged_and_a_long_one_ends_the_session() {
        let sessions = replay(
            &[
                reading(0, "charging", 16, 11_000),
                unreadable(30),
                unreadable(60),
                reading(90, "charging", 16, 11_000),
                // Unreadable from 120 s: the car was last seen at 90 s.
                unreadable(120),
                unreadable(180),
                unreadable(211),
                reading(240, "charging", 16, 11_000),
            ],
            RULES,
        );
        assert_eq!(sessions.len(), 2, "{sessions:?}");
        let (first, end) = &sessions[0];
        assert_eq!(first.started_ms, 0);
        assert_eq!(*end, Some((90_000, SessionEnd::Unreadable)));
        // 0 s → 90 s is wider than the 90 s gap rule? No: exactly 90 s,
        // integrated (11 kW × 90 s = 275 Wh).
        assert_eq!(first.energy_mwh, 275_000);
        let (second, end) = &sessions[1];
        assert_eq!((second.started_ms, *end), (240_000, None), "in progress");
    }

    #[test]
    fn a_silent_status_is_neither_a_start_nor_an_end() {
        let sessions = replay(
            &[
                reading(0, "error", 0, 0),
                reading(30, "charging", 6, 4000),
                reading(60, "unknown", 6, 4000),
                reading(90, "charging", 6, 4000),
            ],
            RULES,
        );
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].0.started_ms, 30_000);
        assert_eq!(sessions[0].1, None);
    }

    #[test]
    fn a_target_in_force_marks_the_session_and_a_repeat_changes_nothing() {
        let mut limited = reading(30, "charging", 8, 5500);
        limited.target_a = Some(8);
        let first = reading(0, "charging", 16, 11_000);
        let steps = round(&[], std::slice::from_ref(&first), 0, RULES);
        let Step::Start(mut open) = steps[0].clone() else {
            panic!("{steps:?}")
        };
        open.id = 1;
        let steps = round(
            std::slice::from_ref(&open),
            std::slice::from_ref(&limited),
            30_000,
            RULES,
        );
        let [Step::Advance { now, .. }] = steps.as_slice() else {
            panic!("{steps:?}")
        };
        assert!(now.limited);
        // The same round again, against the session that took it in:
        // nothing to do.
        assert!(round(std::slice::from_ref(now), &[limited], 30_000, RULES).is_empty());
    }
}
