//! How a plug's or a charger's state looks, the same on every page.

use evse_dashboard::clemap::model::PlugState;
use evse_dashboard::types::{ChargerStatus, Finding, Verdict};
use leptos::prelude::*;

use crate::components::time::LocalTime;
use crate::language::locale;
use crate::words::{charger_status_label, plug_label, verdict_detail, verdict_label, verdict_time};

/// The CSS classes of a plug-state badge.
fn plug_class(state: PlugState) -> &'static str {
    use PlugState::*;
    match state {
        Charging | RecentlyStartedCharging => "badge charging",
        Idle | Connected | Starting | Init | Stopped | Discharging | Producing => "badge idle",
        Error => "badge bad",
        Offline | CloudOffline | Unknown => "badge offline",
    }
}

#[component]
pub fn PlugBadge(state: PlugState) -> impl IntoView {
    view! { <span class=plug_class(state)>{plug_label(locale(), state)}</span> }
}

/// A verdict's badge: its label, coloured by what it asks of a person;
/// `data-verdict` carries the fixed identifier for scripts and tests.
#[component]
pub fn VerdictBadge(verdict: Verdict) -> impl IntoView {
    let class = match verdict {
        Verdict::Followed => "badge verdict ok",
        Verdict::NotFollowed => "badge verdict bad",
        Verdict::CouldNotBeChecked => "badge verdict offline",
        Verdict::HeldLowerByClemap | Verdict::NoVehicleCharging => "badge verdict idle",
    };
    let id: &'static str = verdict.into();
    view! { <span class=class data-verdict=id>{verdict_label(locale(), verdict)}</span> }
}

/// A verdict in a sentence: the badge, what it rests on and its time.
#[component]
pub fn VerdictLine(finding: Finding) -> impl IntoView {
    let detail = verdict_detail(locale(), &finding);
    let at = verdict_time(&finding);
    view! {
        <p class="verdict-line" data-testid="verdict">
            <VerdictBadge verdict=finding.verdict />
            " " {detail} " " <LocalTime at clock=true />
        </p>
    }
}

/// The badge of a charger that could not be read; the reason is its title.
#[component]
pub fn UnreadableBadge(reason: String) -> impl IntoView {
    view! {
        <span class="badge bad" title=reason>
            {charger_status_label(locale(), ChargerStatus::Unreadable)}
        </span>
    }
}
