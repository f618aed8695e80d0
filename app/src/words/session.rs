//! Charging sessions and monthly reports in words (#42).

use evse_dashboard::types::{ChargingSession, Month, Peak, SessionEnd};

use super::format::{decimal, human_duration, wall_clock};
use crate::i18n::td_string;
use crate::language::Locale;

/// "12.35 kWh" (two decimals, the locale's separator).
pub fn kwh(l: Locale, wh: i64) -> String {
    format!("{} kWh", decimal(l, wh as f64 / 1000.0, 2))
}

/// "In progress", "Unplugged", "Ended while unreadable".
pub fn session_state(l: Locale, session: &ChargingSession) -> &'static str {
    match session.end {
        None => td_string!(l, session_in_progress),
        Some(SessionEnd::Unplugged) => td_string!(l, session_unplugged),
        Some(SessionEnd::Unreadable) => td_string!(l, session_unreadable),
    }
}

/// "Plug 1" (CLEMAP counts from 0, people from 1).
pub fn plug_number(l: Locale, plug: u32) -> String {
    td_string!(l, plug_number, n = plug + 1).to_string()
}

/// "1 h 12 min" from start to end (or to now while in progress).
pub fn session_duration(l: Locale, session: &ChargingSession) -> String {
    let seconds = u64::try_from(session.duration().num_seconds()).unwrap_or(0);
    // Whole minutes: a session's seconds mean nothing to anyone.
    let shown = if seconds >= 60 {
        seconds / 60 * 60
    } else {
        seconds
    };
    human_duration(l, shown)
}

/// "November 2026", "November 2026", "novembre 2026".
pub fn month_label(l: Locale, month: Month) -> String {
    let name = match month.month {
        1 => td_string!(l, month_1),
        2 => td_string!(l, month_2),
        3 => td_string!(l, month_3),
        4 => td_string!(l, month_4),
        5 => td_string!(l, month_5),
        6 => td_string!(l, month_6),
        7 => td_string!(l, month_7),
        8 => td_string!(l, month_8),
        9 => td_string!(l, month_9),
        10 => td_string!(l, month_10),
        11 => td_string!(l, month_11),
        _ => td_string!(l, month_12),
    };
    format!("{name} {}", month.year)
}

/// "30.0 kW": a peak's average power.
pub fn peak_power(l: Locale, peak: &Peak) -> String {
    format!("{} kW", decimal(l, peak.kw(), 1))
}

/// "25.10.2026 02:15 (UTC+01:00)": when a peak's quarter hour began on
/// the site's clock, with the offset (the hour repeated in autumn
/// happens twice).
pub fn peak_time(l: Locale, peak: &Peak) -> String {
    format!(
        "{} (UTC{})",
        wall_clock(l, peak.local.naive_local()),
        peak.local.offset()
    )
}

/// "42 %" of a share from 0 to 1.
pub fn percent(l: Locale, share: f64) -> String {
    format!("{} %", decimal(l, share * 100.0, 0))
}

/// "3.25 h".
pub fn hours(l: Locale, hours: f64) -> String {
    format!("{} h", decimal(l, hours, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn energy_has_two_decimals_in_the_readers_way() {
        assert_eq!(kwh(Locale::en, 12_345), "12.35 kWh");
        assert_eq!(kwh(Locale::de, 12_345), "12,35 kWh");
        assert_eq!(kwh(Locale::fr, 0), "0,00 kWh");
    }

    #[test]
    fn a_peak_in_the_repeated_hour_says_which_one() {
        let at: chrono::DateTime<chrono::Utc> = "2026-10-25T01:15:00Z".parse().unwrap();
        // Zurich's winter time, the second 02:15 of that night.
        let winter = chrono::FixedOffset::east_opt(3600).unwrap();
        let peak = Peak {
            at,
            local: at.with_timezone(&winter),
            watts: 30_000,
        };
        assert_eq!(peak_time(Locale::de, &peak), "25.10.2026 02:15 (UTC+01:00)");
        assert_eq!(peak_power(Locale::en, &peak), "30.0 kW");
        assert_eq!(
            month_label(
                Locale::fr,
                Month {
                    year: 2026,
                    month: 11
                }
            ),
            "novembre 2026"
        );
    }
}
