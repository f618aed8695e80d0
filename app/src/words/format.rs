//! Numbers, durations and times on screen. The server renders UTC (it
//! cannot know the browser's zone); once hydrated, the browser shows local
//! time.

use crate::i18n::td_string;
use chrono::{DateTime, Datelike, Local, TimeZone, Timelike, Utc};

use crate::language::Locale;

/// "2 h", "1 h 30 min", "15 min", "45 s" (German "2 Std.", "15 Min.").
pub fn human_duration(l: Locale, seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let (hours, minutes, secs) = (
        td_string!(l, unit_hours),
        td_string!(l, unit_minutes),
        td_string!(l, unit_seconds),
    );
    match (h, m, s) {
        (0, 0, s) => format!("{s} {secs}"),
        (0, m, 0) => format!("{m} {minutes}"),
        (0, m, s) => format!("{m} {minutes} {s} {secs}"),
        (h, 0, _) => format!("{h} {hours}"),
        (h, m, _) => format!("{h} {hours} {m} {minutes}"),
    }
}

/// "10 A, 2 h" for a requested target, nothing when there was none.
pub fn requested(l: Locale, current: Option<u32>, duration: Option<u32>) -> String {
    match (current, duration) {
        (Some(a), Some(d)) => format!("{a} A, {}", human_duration(l, d.into())),
        _ => String::new(),
    }
}

/// `value` with `places` decimals in the locale's way ("6.5", "6,5"), by
/// integer arithmetic: the browser bundle then carries no float-formatting
/// machinery.
pub fn decimal(l: Locale, value: f64, places: u32) -> String {
    let scale = 10_i64.pow(places);
    let scaled = (value * scale as f64).round() as i64;
    let (sign, abs) = if scaled < 0 {
        ("-", -scaled)
    } else {
        ("", scaled)
    };
    if places == 0 {
        format!("{sign}{abs}")
    } else {
        let width = places as usize;
        let point = td_string!(l, decimal_separator);
        format!("{sign}{}{point}{:0width$}", abs / scale, abs % scale)
    }
}

/// "6.5 A", or "–" when unknown.
pub fn amps(l: Locale, value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |a| format!("{} A", decimal(l, a, 1)))
}

/// "7.4 kW" from watts, or "–" when unknown.
pub fn kilowatts(l: Locale, watts: Option<f64>) -> String {
    watts.map_or_else(
        || "–".into(),
        |w| format!("{} kW", decimal(l, w / 1000.0, 1)),
    )
}

/// "14:32" (no chrono strftime: it is large in the browser bundle).
fn hh_mm<Tz: TimeZone>(at: &DateTime<Tz>) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// The date as the reader writes it: "2026-11-24", "24.11.2026".
fn date<Tz: TimeZone>(l: Locale, at: &DateTime<Tz>) -> String {
    td_string!(
        l,
        date,
        year = at.year(),
        month = format!("{:02}", at.month()),
        day = format!("{:02}", at.day())
    )
    .to_string()
}

/// "2026-11-24 14:32:05".
fn ymd_hms<Tz: TimeZone>(l: Locale, at: &DateTime<Tz>) -> String {
    format!("{} {}:{:02}", date(l, at), hh_mm(at), at.second())
}

/// "14:32" in the browser's zone, or "14:32 UTC" before hydration.
pub fn clock_time(at: DateTime<Utc>, local: bool) -> String {
    if local {
        hh_mm(&at.with_timezone(&Local))
    } else {
        format!("{} UTC", hh_mm(&at))
    }
}

/// "14:32:05" in the browser's zone: when a live page last heard news.
pub fn clock_seconds(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&Local);
    format!("{}:{:02}", hh_mm(&local), local.second())
}

/// "2026-11-24 14:32:05" local, or with " UTC" before hydration.
pub fn date_time(l: Locale, at: DateTime<Utc>, local: bool) -> String {
    if local {
        ymd_hms(l, &at.with_timezone(&Local))
    } else {
        format!("{} UTC", ymd_hms(l, &at))
    }
}

/// "2026-11-24 14:32" on a wall clock the server already chose (a
/// schedule's zone).
pub fn wall_clock(l: Locale, at: chrono::NaiveDateTime) -> String {
    let at = at.and_utc();
    format!("{} {}", date(l, &at), hh_mm(&at))
}

/// "2026-11-24" (English) or "24.11.2026": a calendar day.
pub fn calendar_day(l: Locale, day: chrono::NaiveDate) -> String {
    date(l, &day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

/// "2026-11-24 14:32" in UTC.
pub fn utc_minute(l: Locale, at: DateTime<Utc>) -> String {
    format!("{} {}", date(l, &at), hh_mm(&at))
}

/// "1 h 12 min left", "45 s left" (whole minutes above two minutes).
pub fn time_left(l: Locale, until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (until - now).num_seconds().max(0) as u64;
    let shown = if seconds >= 120 {
        seconds / 60 * 60
    } else {
        seconds
    };
    td_string!(l, time_left, duration = human_duration(l, shown)).to_string()
}

/// "12 s ago" (never negative: clocks may differ a little).
pub fn seconds_ago(l: Locale, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds().max(0);
    td_string!(l, seconds_ago, seconds = seconds).to_string()
}

/// "until 14:32 (1 h 12 min left)", or "expired"; `local` in the
/// browser's time zone rather than UTC.
pub fn until_time(l: Locale, until: DateTime<Utc>, now: DateTime<Utc>, local: bool) -> String {
    if until <= now {
        return td_string!(l, expired).to_owned();
    }
    td_string!(
        l,
        until_left,
        time = clock_time(until, local),
        left = time_left(l, until, now)
    )
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: Locale = Locale::en;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(EN, 45), "45 s");
        assert_eq!(human_duration(EN, 900), "15 min");
        assert_eq!(human_duration(EN, 7200), "2 h");
        assert_eq!(human_duration(EN, 5400), "1 h 30 min");
        assert_eq!(human_duration(EN, 90), "1 min 30 s");
    }

    #[test]
    fn each_language_has_its_units_and_decimal_mark() {
        assert_eq!(human_duration(Locale::de, 7200), "2 Std.");
        assert_eq!(human_duration(Locale::de, 5400), "1 Std. 30 Min.");
        assert_eq!(human_duration(Locale::fr, 7200), "2 h");
        assert_eq!(decimal(Locale::de, 6.5, 1), "6,5");
        assert_eq!(decimal(Locale::fr, 22.08, 1), "22,1");
        assert_eq!(kilowatts(Locale::fr, Some(7400.0)), "7,4 kW");
        let now = Utc::now();
        assert_eq!(
            time_left(Locale::de, now + chrono::Duration::seconds(45), now),
            "noch 45 Sek."
        );
    }

    #[test]
    fn decimals_without_float_formatting() {
        assert_eq!(decimal(EN, 6.9, 1), "6.9");
        assert_eq!(decimal(EN, 22.08, 1), "22.1");
        assert_eq!(decimal(EN, -0.0, 1), "0.0");
        assert_eq!(decimal(EN, -1.25, 1), "-1.3");
        assert_eq!(decimal(EN, 16.0, 0), "16");
        assert_eq!(decimal(EN, 0.05, 2), "0.05");
    }

    #[test]
    fn times_read_the_same_as_before() {
        let at: DateTime<Utc> = "2026-03-05T07:04:09Z".parse().unwrap();
        assert_eq!(clock_time(at, false), "07:04 UTC");
        assert_eq!(date_time(EN, at, false), "2026-03-05 07:04:09 UTC");
        assert_eq!(utc_minute(EN, at), "2026-03-05 07:04");
    }

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let at: DateTime<Utc> = "2026-03-05T17:04:09Z".parse().unwrap();
        assert_eq!(date_time(Locale::de, at, false), "05.03.2026 17:04:09 UTC");
        assert_eq!(utc_minute(Locale::fr, at), "05.03.2026 17:04");
    }

    #[test]
    fn countdowns_round_to_minutes() {
        let now = Utc::now();
        assert_eq!(
            time_left(EN, now + chrono::Duration::seconds(7170), now),
            "1 h 59 min left"
        );
        assert_eq!(
            time_left(EN, now + chrono::Duration::seconds(45), now),
            "45 s left"
        );
        assert_eq!(
            time_left(EN, now - chrono::Duration::seconds(5), now),
            "0 s left"
        );
    }

    #[test]
    fn a_countdown_says_until_when_and_then_expired() {
        let now: DateTime<Utc> = "2026-03-05T07:04:09Z".parse().unwrap();
        let until = now + chrono::Duration::seconds(7170);
        assert_eq!(
            until_time(EN, until, now, false),
            "until 09:03 UTC (1 h 59 min left)"
        );
        assert_eq!(
            until_time(Locale::de, until, now, false),
            "bis 09:03 UTC (noch 1 Std. 59 Min.)"
        );
        assert_eq!(until_time(EN, now, now, false), "expired");
    }
}
