//! Times that change after the page was rendered, for every page at once:
//! a countdown (`data-until`), "N s ago" (`data-since`) and local clock
//! times (`data-local`). The server writes UTC text the page is correct
//! with; this island rewrites it once the wasm runs and every second after.
//! It also marks the body as hydrated (for people and tests to see).

use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[cfg(feature = "hydrate")]
use {
    super::dom::each_with,
    crate::language::locale,
    crate::words::{clock_time, date_time, seconds_ago, until_time},
};

/// Rewrites every marked time on the page for `now`.
#[allow(unused_variables)]
pub(crate) fn refresh_times(now: DateTime<Utc>) {
    #[cfg(feature = "hydrate")]
    {
        let parse = |v: &str| v.parse::<DateTime<Utc>>().ok();
        // Read once per tick, not per element: it is an attribute of <html>.
        let l = locale();
        each_with("data-until", |el, v| {
            if let Some(until) = parse(v) {
                el.set_text_content(Some(&until_time(l, until, now, true)));
            }
        });
        each_with("data-since", |el, v| {
            if let Some(at) = parse(v) {
                el.set_text_content(Some(&seconds_ago(l, at, now)));
            }
        });
        each_with("data-local", |el, v| {
            if let Some(at) = parse(v) {
                let text = if el.get_attribute("data-clock").is_some() {
                    clock_time(at, true)
                } else {
                    date_time(l, at, true)
                };
                el.set_text_content(Some(&text));
            }
        });
    }
}

#[island]
pub fn TimeTicker() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
        refresh_times(Utc::now());
        let handle = set_interval_with_handle(
            || refresh_times(Utc::now()),
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
}
