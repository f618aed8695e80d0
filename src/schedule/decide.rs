//! What a schedule in force should do on one charger now, from what
//! CLEMAP says is in force and the hand-made changes in the audit trail.
//! Pure, so every case is a unit test.

use chrono::{DateTime, Duration, Utc};

use super::claims::Changes;
#[cfg(test)]
use super::claims::{LastChange, ManualMark};
use super::occurrence::Occurrence;
use crate::clemap::model::CurrentSettings;

/// A target in force this close to the one planned is the one planned
/// (CLEMAP and the dashboard stamp expiries a moment apart).
pub const SLACK: Duration = Duration::seconds(60);

/// How long before a target runs out its renewal is sent, when a window
/// is longer than the longest target CLEMAP takes.
pub const RENEW_LEAD: Duration = Duration::seconds(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The planned target is in force: nothing to send.
    InPlace,
    /// A person's change holds the schedule back: their target until it
    /// ends (`Some`), or their reset until the next occurrence (`None`).
    HeldBack { until: Option<DateTime<Utc>> },
    /// Send the planned target, valid until `until`.
    Send { until: DateTime<Utc> },
}

/// Which renewal of an occurrence `now` falls in (0: the first target).
pub fn round(occurrence: &Occurrence, now: DateTime<Utc>, max_duration: u32) -> i64 {
    let period = (Duration::seconds(max_duration.into()) - RENEW_LEAD).max(SLACK);
    (now - occurrence.start).num_seconds().max(0) / period.num_seconds()
}

/// When a target sent now for `occurrence` would end: the window's end,
/// or as far as CLEMAP's longest target reaches.
pub fn until(occurrence: &Occurrence, now: DateTime<Utc>, max_duration: u32) -> DateTime<Utc> {
    occurrence
        .end
        .min(now + Duration::seconds(max_duration.into()))
}

/// See [`Decision`]. A target in force that differs from the plan and
/// was not sent by a schedule is a person's (or made outside the
/// dashboard): it wins for its duration.
pub fn decide(
    amps: u32,
    occurrence: &Occurrence,
    now: DateTime<Utc>,
    max_duration: u32,
    in_force: &CurrentSettings,
    changes: &Changes,
) -> Decision {
    let wanted = until(occurrence, now, max_duration);
    let by_schedule = changes.last.is_some_and(|last| last.by_schedule);
    let reset_by_hand_in_window = changes
        .last
        .is_some_and(|last| !last.by_schedule && last.reset && last.at >= occurrence.start);
    match in_force.active_at(now) {
        Some((current, ends)) if current == amps && ends + SLACK >= wanted => Decision::InPlace,
        Some((_, ends)) if !by_schedule => Decision::HeldBack { until: Some(ends) },
        None if reset_by_hand_in_window => Decision::HeldBack { until: None },
        _ => Decision::Send { until: wanted },
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap()
    }

    fn window() -> Occurrence {
        Occurrence {
            date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            start: at(8, 0),
            end: at(18, 0),
        }
    }

    fn target(amps: u32, until: DateTime<Utc>) -> CurrentSettings {
        CurrentSettings {
            current: Some(amps),
            valid_until: Some(until),
        }
    }

    const DAY: u32 = 86_400;

    #[test]
    fn nothing_in_force_sends_for_the_rest_of_the_window() {
        let d = decide(
            10,
            &window(),
            at(9, 0),
            DAY,
            &CurrentSettings::default(),
            &Changes::default(),
        );
        assert_eq!(d, Decision::Send { until: at(18, 0) });
    }

    #[test]
    fn the_planned_target_in_force_is_left_alone() {
        let ours = Changes {
            last: Some(LastChange {
                by_schedule: true,
                reset: false,
                at: at(8, 0),
            }),
            manual_mark: ManualMark::NONE,
        };
        let d = decide(10, &window(), at(9, 0), DAY, &target(10, at(18, 0)), &ours);
        assert_eq!(d, Decision::InPlace);
    }

    #[test]
    fn a_persons_target_wins_until_it_ends() {
        let theirs = Changes {
            last: Some(LastChange {
                by_schedule: false,
                reset: false,
                at: at(9, 0),
            }),
            manual_mark: ManualMark::audit_id(7),
        };
        let d = decide(
            10,
            &window(),
            at(9, 30),
            DAY,
            &target(16, at(15, 40)),
            &theirs,
        );
        assert_eq!(
            d,
            Decision::HeldBack {
                until: Some(at(15, 40))
            }
        );
        // Once it ended, the schedule resumes.
        let d = decide(
            10,
            &window(),
            at(15, 41),
            DAY,
            &CurrentSettings::default(),
            &theirs,
        );
        assert_eq!(d, Decision::Send { until: at(18, 0) });
    }

    #[test]
    fn a_reset_by_hand_holds_the_rest_of_the_occurrence() {
        let reset = Changes {
            last: Some(LastChange {
                by_schedule: false,
                reset: true,
                at: at(9, 0),
            }),
            manual_mark: ManualMark::audit_id(7),
        };
        let d = decide(
            10,
            &window(),
            at(9, 30),
            DAY,
            &CurrentSettings::default(),
            &reset,
        );
        assert_eq!(d, Decision::HeldBack { until: None });
        // A reset before the window began does not.
        let earlier = Changes {
            last: Some(LastChange {
                by_schedule: false,
                reset: true,
                at: at(7, 0),
            }),
            manual_mark: ManualMark::audit_id(7),
        };
        let d = decide(
            10,
            &window(),
            at(9, 30),
            DAY,
            &CurrentSettings::default(),
            &earlier,
        );
        assert_eq!(d, Decision::Send { until: at(18, 0) });
    }

    #[test]
    fn a_schedules_own_target_is_replaced_when_the_plan_changed() {
        let ours = Changes {
            last: Some(LastChange {
                by_schedule: true,
                reset: false,
                at: at(8, 0),
            }),
            manual_mark: ManualMark::NONE,
        };
        let d = decide(8, &window(), at(9, 0), DAY, &target(10, at(18, 0)), &ours);
        assert_eq!(d, Decision::Send { until: at(18, 0) });
    }

    #[test]
    fn long_windows_are_renewed_before_the_target_runs_out() {
        let two_hours = 7200;
        let ours = Changes {
            last: Some(LastChange {
                by_schedule: true,
                reset: false,
                at: at(8, 0),
            }),
            manual_mark: ManualMark::NONE,
        };
        assert_eq!(round(&window(), at(8, 0), two_hours), 0);
        assert_eq!(until(&window(), at(8, 0), two_hours), at(10, 0));
        // Still well in force: nothing.
        let d = decide(
            10,
            &window(),
            at(8, 0),
            two_hours,
            &target(10, at(10, 0)),
            &ours,
        );
        assert_eq!(d, Decision::InPlace);
        // Five minutes before it ends, the next round begins and sends.
        assert_eq!(round(&window(), at(9, 55), two_hours), 1);
        let d = decide(
            10,
            &window(),
            at(9, 55),
            two_hours,
            &target(10, at(10, 0)),
            &ours,
        );
        assert_eq!(d, Decision::Send { until: at(11, 55) });
    }
}
