//! Time on the page. The server writes UTC; the `TimeTicker` island turns
//! marked times into the browser's local time and keeps countdowns going.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::language::locale;
use crate::words::{clock_time, date_time, seconds_ago, until_time};

/// A date and time, shown in UTC until the browser shows it locally.
#[component]
pub fn LocalTime(at: DateTime<Utc>, #[prop(optional)] clock: bool) -> impl IntoView {
    let stamp = at.to_rfc3339();
    let text = if clock {
        clock_time(at, false)
    } else {
        date_time(locale(), at, false)
    };
    view! {
        <time datetime=stamp.clone() data-local=stamp data-clock=clock.then_some("")>
            {text}
        </time>
    }
}

/// "until 14:32 (1 h 12 min left)", kept running in the browser.
#[component]
pub fn Countdown(until: DateTime<Utc>) -> impl IntoView {
    let text = until_time(locale(), until, Utc::now(), false);
    view! { <span data-until=until.to_rfc3339()>{text}</span> }
}

/// "12 s ago", kept running in the browser.
#[component]
pub fn Since(at: DateTime<Utc>) -> impl IntoView {
    let text = seconds_ago(locale(), at, Utc::now());
    view! { <span data-since=at.to_rfc3339()>{text}</span> }
}
