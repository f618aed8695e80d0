//! A site's month (#42): energy per charger and in total, the sessions,
//! the highest 15-minute average power, the time at the supply limit and
//! the share of energy under a limit. Energy comes from the 15-minute
//! buckets, so the report adds up to what the charts and the history CSV
//! show, and a session that runs across midnight or into the next month
//! counts where its energy was used.

use chrono::{DateTime, Utc};

use crate::types::{Peak, SiteReport};

/// One quarter hour of a site, summed over its chargers.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Quarter {
    pub start_s: i64,
    pub energy_wh: i64,
    /// Of it, used while a target was in force.
    pub limited_wh: i64,
    /// The chargers' average draw per phase, deciampere (`None`: no
    /// charger's known).
    pub l1_da: Option<i64>,
    pub l2_da: Option<i64>,
    pub l3_da: Option<i64>,
}

/// A quarter's average power: its energy over a quarter of an hour.
fn average_w(q: &Quarter) -> i64 {
    q.energy_wh * 4
}

/// The highest quarter (the first of equals), as a peak on `zone`'s clock.
pub fn peak(quarters: &[Quarter], zone: chrono_tz::Tz) -> Option<Peak> {
    let best = quarters
        .iter()
        .filter(|q| q.energy_wh > 0)
        .reduce(|best, q| {
            if average_w(q) > average_w(best) {
                q
            } else {
                best
            }
        })?;
    let at = DateTime::<Utc>::from_timestamp(best.start_s, 0)?;
    Some(Peak {
        at,
        local: at.with_timezone(&zone).fixed_offset(),
        watts: average_w(best),
    })
}

/// Hours of quarters whose draw on some phase reached
/// [`SiteReport::AT_LIMIT`] of `limit` (ampere per phase).
pub fn hours_at_limit(quarters: &[Quarter], limit: u32) -> f64 {
    let near_da = f64::from(limit) * 10.0 * SiteReport::AT_LIMIT;
    let at_limit = quarters
        .iter()
        .filter(|q| {
            [q.l1_da, q.l2_da, q.l3_da]
                .into_iter()
                .flatten()
                .any(|da| da as f64 >= near_da)
        })
        .count();
    at_limit as f64 / 4.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quarter(at: &str, energy_wh: i64, highest_da: i64) -> Quarter {
        let start_s = at.parse::<DateTime<Utc>>().unwrap().timestamp();
        assert_eq!(start_s % 900, 0);
        Quarter {
            start_s,
            energy_wh,
            limited_wh: 0,
            l1_da: Some(highest_da),
            l2_da: Some(highest_da / 2),
            l3_da: None,
        }
    }

    #[test]
    fn the_peak_is_the_highest_quarter_on_the_sites_clock_across_dst() {
        let zurich: chrono_tz::Tz = "Europe/Zurich".parse().unwrap();
        // 25 October 2026: 02:00–03:00 happens twice in Zurich. The first
        // 02:15 is 00:15 UTC (summer time), the second 01:15 UTC.
        let quarters = [
            quarter("2026-10-01T06:00:00Z", 5_000, 300),
            quarter("2026-10-25T00:15:00Z", 7_000, 300),
            quarter("2026-10-25T01:15:00Z", 7_500, 300),
            quarter("2026-10-31T22:45:00Z", 7_500, 300),
        ];
        let p = peak(&quarters, zurich).unwrap();
        assert_eq!(p.watts, 30_000, "7.5 kWh in a quarter hour is 30 kW");
        assert_eq!(
            p.at,
            "2026-10-25T01:15:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            p.local.to_rfc3339(),
            "2026-10-25T02:15:00+01:00",
            "the second 02:15"
        );
        // The month's last quarter (23:45 on 31 October local) is as high
        // but later: the first of equals is the peak.
        assert_eq!(peak(&[], zurich), None);
        let idle = [quarter("2026-10-02T06:00:00Z", 0, 0)];
        assert_eq!(peak(&idle, zurich), None, "no energy, no peak");
    }

    #[test]
    fn time_at_the_limit_counts_quarters_near_it_on_any_phase() {
        let quarters = [
            quarter("2026-10-01T06:00:00Z", 1, 600), // 60 A of 63: 95.2 %
            quarter("2026-10-01T06:15:00Z", 1, 598), // 59.8 A: 94.9 %
            quarter("2026-10-01T06:30:00Z", 1, 700), // over it
        ];
        assert_eq!(hours_at_limit(&quarters, 63), 0.5);
        assert_eq!(hours_at_limit(&quarters, 100), 0.0);
    }
}
