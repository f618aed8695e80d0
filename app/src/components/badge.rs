//! How a plug's or a charger's state looks, the same on every page.

use evse_dashboard::clemap::model::PlugState;
use evse_dashboard::types::ChargerStatus;
use leptos::prelude::*;

use crate::language::locale;
use crate::words::{charger_status_label, plug_label};

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

/// The badge of a charger that could not be read; the reason is its title.
#[component]
pub fn UnreadableBadge(reason: String) -> impl IntoView {
    view! {
        <span class="badge bad" title=reason>
            {charger_status_label(locale(), ChargerStatus::Unreadable)}
        </span>
    }
}
