//! How a plug's state looks, the same on every page.

use evse_dashboard::clemap::model::PlugState;

/// The CSS classes of a plug-state badge.
pub fn plug_badge_class(state: PlugState) -> &'static str {
    use PlugState::*;
    match state {
        Charging | RecentlyStartedCharging => "badge charging",
        Idle | Connected | Starting | Init | Stopped | Discharging | Producing => "badge idle",
        Error => "badge bad",
        Offline | CloudOffline | Unknown => "badge offline",
    }
}
