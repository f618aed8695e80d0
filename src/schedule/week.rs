//! A week of plans on the wall clock, for drawing and for summing: which
//! stretches of which weekdays a schedule covers, and per hour of the
//! week how much current a site's schedules plan. Wall-clock only (a DST
//! night shifts an hour; a plan is drawn as people read it).

#[cfg(test)]
use crate::types::ScheduleScope;
use crate::types::{Charger, Schedule};

/// Minutes in a day.
const DAY: u16 = 24 * 60;

/// A stretch of one weekday (0 = Monday), in minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    pub day: u8,
    pub from: u16,
    pub to: u16,
}

fn minutes(t: chrono::NaiveTime) -> u16 {
    use chrono::Timelike;
    u16::try_from(t.hour() * 60 + t.minute()).unwrap_or(0)
}

/// The stretches a schedule covers in a week; a window past midnight
/// continues on the next day (Sunday's on Monday).
pub fn stretches(schedule: &Schedule) -> Vec<Stretch> {
    let (start, end) = (minutes(schedule.start), minutes(schedule.end));
    let mut out = Vec::new();
    for day in (0..7u8).filter(|d| schedule.days & (1 << d) != 0) {
        if end > start {
            out.push(Stretch {
                day,
                from: start,
                to: end,
            });
        } else {
            out.push(Stretch {
                day,
                from: start,
                to: DAY,
            });
            if end > 0 {
                out.push(Stretch {
                    day: (day + 1) % 7,
                    from: 0,
                    to: end,
                });
            }
        }
    }
    out
}

/// Per hour of the week (168, Monday 00:00 first), the current the
/// enabled schedules plan on `chargers` together: each charger counted
/// with its own range (a site's schedule is clamped per charger).
pub fn planned_per_hour(schedules: &[Schedule], chargers: &[Charger]) -> Vec<u32> {
    let mut sums = vec![0u32; 168];
    for schedule in schedules.iter().filter(|s| s.enabled) {
        let amps: u32 = chargers
            .iter()
            .filter(|c| schedule.applies_to(c))
            .map(|c| c.clamp(schedule.current.into()))
            .sum();
        for s in stretches(schedule) {
            for hour in 0..24u16 {
                let middle = hour * 60 + 30;
                if s.from <= middle && middle < s.to {
                    sums[usize::from(s.day) * 24 + usize::from(hour)] += amps;
                }
            }
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;

    use super::*;

    fn schedule(scope: ScheduleScope, days: u8, from: u32, to: u32, current: u32) -> Schedule {
        Schedule {
            id: 1,
            name: "x".into(),
            scope,
            days,
            start: NaiveTime::from_hms_opt(from, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(to, 0, 0).unwrap(),
            time_zone: "Europe/Zurich".into(),
            current,
            valid_from: None,
            valid_to: None,
            enabled: true,
            last_error: None,
            next: None,
            next_local: None,
        }
    }

    fn charger(id: i64, max: u32) -> Charger {
        Charger {
            id,
            name: format!("Bay {id}"),
            site_id: 1,
            site_name: "Depot".into(),
            edge_device_id: "e".into(),
            evse_uuid: format!("u{id}"),
            min_current: 6,
            max_current: max,
            notes: None,
            token_set: true,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_window_past_midnight_continues_on_the_next_day() {
        let site = ScheduleScope::Site {
            id: 1,
            name: "Depot".into(),
        };
        let night = schedule(site, 0b100_0000, 22, 6, 10);
        assert_eq!(
            stretches(&night),
            [
                Stretch {
                    day: 6,
                    from: 22 * 60,
                    to: DAY
                },
                Stretch {
                    day: 0,
                    from: 0,
                    to: 6 * 60
                },
            ]
        );
    }

    #[test]
    fn a_site_plan_sums_each_charger_clamped_to_its_range() {
        let site = ScheduleScope::Site {
            id: 1,
            name: "Depot".into(),
        };
        let one = ScheduleScope::Charger {
            id: 2,
            name: "Bay 2".into(),
        };
        let plans = [
            schedule(site, 0b000_0001, 8, 12, 20),
            schedule(one, 0b000_0001, 12, 14, 30),
        ];
        let sums = planned_per_hour(&plans, &[charger(1, 16), charger(2, 32)]);
        assert_eq!(sums[8], 16 + 20); // Monday 08:00
        assert_eq!(sums[12], 30);
        assert_eq!(sums[14], 0);
        assert_eq!(sums[24 + 8], 0); // Tuesday
    }
}
