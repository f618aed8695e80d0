//! Times on screen. The server renders UTC (it cannot know the browser's
//! zone); once hydrated, the browser switches to local time, and a ticking
//! clock drives countdowns.

use chrono::{DateTime, Local, Utc};
use leptos::prelude::*;

/// `true` once the page runs in the browser (after hydration).
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

/// Now, updated every second in the browser.
pub fn use_now() -> ReadSignal<DateTime<Utc>> {
    let (now, set_now) = signal(Utc::now());
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || set_now.set(Utc::now()),
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
    now
}

/// "14:32" in the browser's zone, or "14:32 UTC" before hydration.
pub fn clock_time(at: DateTime<Utc>, local: bool) -> String {
    if local {
        at.with_timezone(&Local).format("%H:%M").to_string()
    } else {
        at.format("%H:%M UTC").to_string()
    }
}

/// "2026-11-24 14:32" local, or with " UTC" before hydration.
pub fn date_time(at: DateTime<Utc>, local: bool) -> String {
    if local {
        at.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    } else {
        at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    }
}

/// "1 h 12 min left", "45 s left".
pub fn time_left(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (until - now).num_seconds().max(0) as u64;
    format!(
        "{} left",
        evse_dashboard::types::human_duration(if seconds >= 120 {
            seconds / 60 * 60
        } else {
            seconds
        })
    )
}

pub fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
