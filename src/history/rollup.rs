//! Rolling raw samples up into 15-minute buckets per charger. Pure: the
//! same samples always give the same bucket, which is what makes a
//! roll-up safe to repeat (after a restart, a crash, or on a second
//! instance): it is recomputed and replaced, never added to.

use super::samples::Sample;

/// A bucket's length.
pub const BUCKET_S: i64 = 15 * 60;

/// The demo's made-up past has a reading a minute whatever the sampler's
/// interval: between two made-up readings this much is no gap, so a
/// roll-up repeated by a fast sampler keeps their energy.
pub const SIMULATED_GAP_MS: i64 = 3 * 60_000;

/// The start of the bucket `at_ms` falls in, seconds.
pub fn bucket_start(at_ms: i64) -> i64 {
    at_ms.div_euclid(1000).div_euclid(BUCKET_S) * BUCKET_S
}

/// One charger at one instant: its plugs taken together (the currents a
/// charger draws from its supply are its plugs' sums).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub at_ms: i64,
    /// It could be read.
    pub reached: bool,
    /// Per phase, deciampere; `None` when any plug did not say.
    pub phases: [Option<i64>; 3],
    pub power_w: Option<i64>,
    pub charging: bool,
    pub target_a: Option<i64>,
    /// CLEMAP's limit: the lowest over the plugs.
    pub limit_da: Option<i64>,
    pub simulated: bool,
}

/// Samples of one charger (in time order) as snapshots, one per reading.
pub fn snapshots(samples: &[Sample]) -> Vec<Snapshot> {
    samples
        .chunk_by(|a, b| a.at_ms == b.at_ms)
        .map(|plugs| {
            let sum = |f: fn(&Sample) -> Option<i64>| -> Option<i64> {
                plugs.iter().map(f).sum::<Option<i64>>()
            };
            let reached = plugs.iter().all(Sample::reached);
            Snapshot {
                at_ms: plugs[0].at_ms,
                reached,
                phases: if reached {
                    [sum(|s| s.l1_da), sum(|s| s.l2_da), sum(|s| s.l3_da)]
                } else {
                    [None; 3]
                },
                power_w: if reached { sum(|s| s.power_w) } else { None },
                charging: plugs.iter().any(Sample::is_charging),
                target_a: plugs[0].target_a,
                limit_da: plugs.iter().filter_map(|s| s.limit_da).min(),
                simulated: plugs.iter().all(|s| s.simulated != 0),
            }
        })
        .collect()
}

/// One 15-minute bucket of one charger, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Bucket {
    pub charger_id: i64,
    pub start_s: i64,
    pub samples: i64,
    pub avg_l1_da: Option<i64>,
    pub avg_l2_da: Option<i64>,
    pub avg_l3_da: Option<i64>,
    pub max_l1_da: Option<i64>,
    pub max_l2_da: Option<i64>,
    pub max_l3_da: Option<i64>,
    pub avg_power_w: Option<i64>,
    pub energy_wh: i64,
    pub charging_s: i64,
    pub target_a: Option<i64>,
    pub limit_da: Option<i64>,
    pub simulated: i64,
}

fn mean(values: impl Iterator<Item = i64>) -> Option<i64> {
    let (sum, n) = values.fold((0_i64, 0_i64), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| (sum as f64 / n as f64).round() as i64)
}

/// The bucket starting at `start_s` from a charger's snapshots (those
/// around it included: energy and charging time run across the edges).
/// Power between two readings no more than `max_gap_ms` apart is taken as
/// a straight line (trapezoids); across a longer gap nothing is known.
/// `None` when no reading falls inside.
pub fn bucket(
    charger_id: i64,
    start_s: i64,
    snapshots: &[Snapshot],
    max_gap_ms: i64,
) -> Option<Bucket> {
    let (start, end) = (start_s * 1000, (start_s + BUCKET_S) * 1000);
    let inside: Vec<&Snapshot> = snapshots
        .iter()
        .filter(|s| (start..end).contains(&s.at_ms))
        .collect();
    if inside.is_empty() {
        return None;
    }
    let known = || inside.iter().filter(|s| s.reached);
    let phase = |i: usize| known().filter_map(move |s| s.phases[i]);
    let mut energy_mj = 0.0; // W·ms
    let mut charging_ms = 0;
    for pair in snapshots.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let gap = b.at_ms - a.at_ms;
        let allowed = if a.simulated && b.simulated {
            max_gap_ms.max(SIMULATED_GAP_MS)
        } else {
            max_gap_ms
        };
        let (from, to) = (a.at_ms.max(start), b.at_ms.min(end));
        if gap <= 0 || gap > allowed || from >= to || !a.reached || !b.reached {
            continue;
        }
        if a.charging {
            charging_ms += to - from;
        }
        if let (Some(pa), Some(pb)) = (a.power_w, b.power_w) {
            let at = |t: i64| pa as f64 + (pb - pa) as f64 * (t - a.at_ms) as f64 / gap as f64;
            energy_mj += (at(from) + at(to)) / 2.0 * (to - from) as f64;
        }
    }
    let last_known = known().next_back();
    Some(Bucket {
        charger_id,
        start_s,
        samples: inside.len() as i64,
        avg_l1_da: mean(phase(0)),
        avg_l2_da: mean(phase(1)),
        avg_l3_da: mean(phase(2)),
        max_l1_da: phase(0).max(),
        max_l2_da: phase(1).max(),
        max_l3_da: phase(2).max(),
        avg_power_w: mean(known().filter_map(|s| s.power_w)),
        energy_wh: (energy_mj / 3_600_000.0).round() as i64,
        charging_s: charging_ms / 1000,
        target_a: last_known.and_then(|s| s.target_a),
        limit_da: last_known.and_then(|s| s.limit_da),
        simulated: i64::from(inside.iter().all(|s| s.simulated)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(at_s: i64, amps: Option<i64>, power_w: Option<i64>, status: &str) -> Sample {
        Sample {
            charger_id: 1,
            at_ms: at_s * 1000,
            plug: 0,
            status: status.into(),
            l1_da: amps.map(|a| a * 10),
            l2_da: amps.map(|a| a * 10),
            l3_da: amps.map(|a| a * 10),
            power_w,
            limit_da: Some(160),
            target_a: Some(10),
            simulated: 0,
        }
    }

    const GAP: i64 = 90_000;

    #[test]
    fn energy_is_the_trapezoids_under_the_power_curve() {
        // 0 W at 0 s, 6 kW at 60 s and 120 s: a ramp and a flat stretch.
        // By hand: (0 + 6000) / 2 W × 60 s + 6000 W × 60 s = 540 kJ = 150 Wh.
        let samples = [
            sample(0, Some(0), Some(0), "charging"),
            sample(60, Some(9), Some(6000), "charging"),
            sample(120, Some(9), Some(6000), "charging"),
        ];
        let b = bucket(1, 0, &snapshots(&samples), GAP).unwrap();
        assert_eq!(b.energy_wh, 150);
        assert_eq!(b.charging_s, 120);
        assert_eq!((b.samples, b.avg_power_w), (3, Some(4000)));
        assert_eq!((b.avg_l1_da, b.max_l1_da), (Some(60), Some(90)));
    }

    #[test]
    fn energy_across_a_bucket_edge_is_split_where_the_edge_falls() {
        // 7.2 kW throughout, samples at 14:30 and 15:30 past a bucket edge
        // at 15:00 (900 s): each side gets 30 s of it, 60 Wh each.
        let samples = [
            sample(870, Some(10), Some(7200), "charging"),
            sample(930, Some(10), Some(7200), "charging"),
        ];
        let snaps = snapshots(&samples);
        let first = bucket(1, 0, &snaps, GAP).unwrap();
        let second = bucket(1, 900, &snaps, GAP).unwrap();
        assert_eq!((first.energy_wh, second.energy_wh), (60, 60));
        assert_eq!((first.charging_s, second.charging_s), (30, 30));
    }

    #[test]
    fn a_gap_or_an_unreachable_reading_adds_nothing_and_unknown_is_not_zero() {
        let mut unreachable = sample(60, None, None, "unreachable");
        unreachable.plug = super::super::samples::UNREACHABLE_PLUG;
        let samples = [
            sample(0, Some(10), Some(6900), "charging"),
            unreachable,
            sample(600, Some(10), Some(6900), "charging"),
        ];
        let b = bucket(1, 0, &snapshots(&samples), GAP).unwrap();
        assert_eq!(b.energy_wh, 0, "nothing is known across the gap");
        assert_eq!(b.samples, 3);
        assert_eq!(
            b.avg_l1_da,
            Some(100),
            "the unreachable reading is not a 0 A reading"
        );
        // A plug that did not say what it draws makes the sum unknown.
        let silent = [sample(0, None, None, "charging")];
        let b = bucket(1, 0, &snapshots(&silent), GAP).unwrap();
        assert_eq!(
            (b.avg_l1_da, b.max_l1_da, b.avg_power_w),
            (None, None, None)
        );
    }

    #[test]
    fn the_same_samples_always_give_the_same_bucket() {
        let samples: Vec<Sample> = (0..30)
            .map(|i| sample(i * 30, Some(6 + i % 5), Some(4000 + i * 10), "charging"))
            .collect();
        let snaps = snapshots(&samples);
        assert_eq!(bucket(1, 0, &snaps, GAP), bucket(1, 0, &snaps, GAP));
        assert_eq!(bucket_start(899_999), 0);
        assert_eq!(bucket_start(900_000), 900);
        assert_eq!(bucket(1, 900 * 4, &snaps, GAP), None, "no reading inside");
    }
}
