//! Property tests of occurrence computation: random weekly windows in
//! zones with and without DST, in ordinary weeks and in the weeks clocks
//! change, never apply twice at once, never skip a planned day, and keep
//! their wall-clock times except where DST makes that impossible.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::{Days, Weekly, resolve};

const ZONES: [Tz; 6] = [
    chrono_tz::Europe::Zurich,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Sydney,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Asia::Kolkata,
    chrono_tz::UTC,
];

/// Mondays of weeks in which clocks change in Zurich, New York and
/// Sydney in 2026, and ordinary weeks.
const WEEKS: [&str; 8] = [
    "2026-03-23", // Zurich springs forward on Sunday 29 March
    "2026-10-19", // Zurich falls back on Sunday 25 October
    "2026-03-02", // New York springs forward on Sunday 8 March
    "2026-10-26", // New York falls back on Sunday 1 November
    "2026-03-30", // Sydney falls back on Sunday 5 April
    "2026-09-28", // Sydney springs forward on Sunday 4 October
    "2026-06-15",
    "2026-12-28",
];

fn weekly() -> impl Strategy<Value = (Weekly, NaiveDate)> {
    (
        0..ZONES.len(),
        1u8..=127,
        0u32..24 * 4,
        1u32..24 * 4,
        0..WEEKS.len(),
    )
        .prop_map(|(zone, bits, start, length, week)| {
            // Quarter hours, so starts and ends land in the gaps too.
            let minutes = |q: u32| NaiveTime::from_num_seconds_from_midnight_opt(q % 96 * 900, 0);
            let window = Weekly {
                days: Days::from_bits(bits).expect("1..=127"),
                start: minutes(start).expect("valid"),
                end: minutes(start + length).expect("valid"),
                zone: ZONES[zone],
                valid_from: None,
                valid_to: None,
            };
            (window, WEEKS[week].parse().expect("a date"))
        })
}

/// Minutes the window lasts on the wall clock (start and end differ).
fn planned_minutes(w: &Weekly) -> i64 {
    let (s, e) = (
        i64::from(w.start.num_seconds_from_midnight()),
        i64::from(w.end.num_seconds_from_midnight()),
    );
    (e - s).rem_euclid(86_400) / 60
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_week_never_applies_twice_at_once_nor_skips_a_planned_day((w, monday) in weekly()) {
        let from = monday.and_time(NaiveTime::MIN).and_utc() - Duration::days(1);
        let to = from + Duration::days(9);
        let all = w.between(from, to);
        // In order, and no two occurrences in force at the same instant.
        for pair in all.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start, "overlap: {pair:?}");
        }
        for day in monday.iter_days().take(7) {
            let planned = w.days.contains(day.weekday());
            let occurrence = w.on(day);
            if planned && occurrence.is_none() {
                // Only a window that lies wholly in a DST gap may vanish.
                let end_day = if w.end <= w.start { day.succ_opt().unwrap() } else { day };
                prop_assert_eq!(
                    resolve(w.zone, day.and_time(w.start)),
                    resolve(w.zone, end_day.and_time(w.end)),
                    "{} skipped", day
                );
            }
            if let Some(o) = occurrence {
                prop_assert!(planned);
                prop_assert!(all.contains(&o), "{o:?} missing from between()");
                // Lasts as planned, give or take the clock change (≤ 1 h).
                let lasted = (o.end - o.start).num_minutes();
                prop_assert!((lasted - planned_minutes(&w)).abs() <= 60, "{lasted} min");
                // Starts at the planned wall-clock time, unless that time
                // did not exist that night; then at the first that did.
                let local = o.start.with_timezone(&w.zone);
                match w.zone.from_local_datetime(&day.and_time(w.start)) {
                    LocalResult::Single(at) => prop_assert_eq!(at.with_timezone(&Utc), o.start),
                    LocalResult::Ambiguous(earlier, _) => {
                        prop_assert_eq!(earlier.with_timezone(&Utc), o.start)
                    }
                    LocalResult::None => {
                        prop_assert!(local.time() > w.start);
                        let minute_before = o.start - Duration::minutes(1);
                        let local_before = minute_before.with_timezone(&w.zone).naive_local();
                        prop_assert!(local_before < day.and_time(w.start));
                    }
                }
            }
        }
    }

    #[test]
    fn at_any_instant_at_most_one_occurrence_is_in_force((w, monday) in weekly(), minute in 0i64..7 * 24 * 60) {
        let at: DateTime<Utc> = monday.and_time(NaiveTime::MIN).and_utc() + Duration::minutes(minute);
        let around = w.between(at - Duration::days(2), at + Duration::days(2));
        let covering: Vec<_> = around.iter().filter(|o| o.contains(at)).collect();
        prop_assert!(covering.len() <= 1, "{covering:?}");
        let in_force = w.in_force(at);
        prop_assert_eq!(in_force.as_ref(), covering.first().copied());
    }

    #[test]
    fn a_resolved_time_is_never_before_the_planned_wall_clock(zone in 0..ZONES.len(), week in 0..WEEKS.len(), quarter in 0u32..7 * 96) {
        let monday: NaiveDate = WEEKS[week].parse().unwrap();
        let local = monday.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(quarter) * 15);
        let zone = ZONES[zone];
        let at = resolve(zone, local);
        prop_assert!(at.with_timezone(&zone).naive_local() >= local);
    }
}
