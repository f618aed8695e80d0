//! Time in the browser: whether the wasm has taken over (local times from
//! then on), and a clock that ticks for countdowns.

use chrono::{DateTime, Utc};
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

/// Runs `tick` every `every` while the tab is visible (not while hidden).
pub fn use_interval_while_visible(every: std::time::Duration, tick: impl Fn() + 'static) {
    let tick = std::rc::Rc::new(tick);
    Effect::new(move |_| {
        let tick = tick.clone();
        let handle = set_interval_with_handle(
            move || {
                if !document().hidden() {
                    tick();
                }
            },
            every,
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
}
