//! Signals the islands share: whether the island runs in the browser yet,
//! and the time, ticking.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// `true` once an island runs in the browser (after hydration).
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
