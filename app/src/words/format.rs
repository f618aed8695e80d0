//! Numbers, durations and times on screen. The server renders UTC (it
//! cannot know the browser's zone); once hydrated, the browser shows local
//! time.

use chrono::{DateTime, Local, Utc};

/// "2 h", "1 h 30 min", "15 min", "45 s".
pub fn human_duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// "10 A, 2 h" for a requested target, nothing when there was none.
pub fn requested(current: Option<u32>, duration: Option<u32>) -> String {
    match (current, duration) {
        (Some(a), Some(d)) => format!("{a} A, {}", human_duration(d.into())),
        _ => String::new(),
    }
}

/// "6.5 A", or "–" when unknown.
pub fn amps(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |a| format!("{a:.1} A"))
}

/// "7.4 kW" from watts, or "–" when unknown.
pub fn kilowatts(watts: Option<f64>) -> String {
    watts.map_or_else(|| "–".into(), |w| format!("{:.1} kW", w / 1000.0))
}

/// "14:32" in the browser's zone, or "14:32 UTC" before hydration.
pub fn clock_time(at: DateTime<Utc>, local: bool) -> String {
    if local {
        at.with_timezone(&Local).format("%H:%M").to_string()
    } else {
        at.format("%H:%M UTC").to_string()
    }
}

/// "2026-11-24 14:32:05" local, or with " UTC" before hydration.
pub fn date_time(at: DateTime<Utc>, local: bool) -> String {
    if local {
        at.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    } else {
        at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    }
}

/// "1 h 12 min left", "45 s left" (whole minutes above two minutes).
pub fn time_left(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (until - now).num_seconds().max(0) as u64;
    let shown = if seconds >= 120 {
        seconds / 60 * 60
    } else {
        seconds
    };
    format!("{} left", human_duration(shown))
}

/// "10 A until 14:32 (1 h 12 min left)" while a target is in force.
pub fn target_in_force(
    target: Option<(u32, DateTime<Utc>)>,
    now: DateTime<Utc>,
    local: bool,
) -> Option<String> {
    let (amps, until) = target.filter(|(_, until)| *until > now)?;
    Some(format!(
        "{amps} A until {} ({})",
        clock_time(until, local),
        time_left(until, now)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(45), "45 s");
        assert_eq!(human_duration(900), "15 min");
        assert_eq!(human_duration(7200), "2 h");
        assert_eq!(human_duration(5400), "1 h 30 min");
        assert_eq!(human_duration(90), "1 min 30 s");
    }

    #[test]
    fn countdowns_round_to_minutes() {
        let now = Utc::now();
        assert_eq!(
            time_left(now + chrono::Duration::seconds(7170), now),
            "1 h 59 min left"
        );
        assert_eq!(
            time_left(now + chrono::Duration::seconds(45), now),
            "45 s left"
        );
        assert_eq!(
            time_left(now - chrono::Duration::seconds(5), now),
            "0 s left"
        );
    }
}
