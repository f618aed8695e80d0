//! What CLEMAP says about the charger now: the target in force with its
//! countdown, the gauge, and every plug.

use evse_dashboard::types::{Charger, ChargerLive};
use leptos::prelude::*;

use crate::components::badge::PlugBadge;
use crate::components::charts::Gauge;
use crate::components::table::Table;
use crate::components::time::{Countdown, LocalTime};
use crate::language::locale;
use crate::words::{amps, kilowatts};

/// The highest reading of each phase over all plugs.
fn phases(live: &ChargerLive) -> [Option<f64>; 3] {
    let best = |f: fn(&evse_dashboard::clemap::model::PlugStatus) -> Option<f64>| {
        live.plugs.iter().filter_map(f).reduce(f64::max)
    };
    [
        best(|p| p.current_l1),
        best(|p| p.current_l2),
        best(|p| p.current_l3),
    ]
}

#[component]
pub fn LiveReading(live: ChargerLive, charger: Charger) -> impl IntoView {
    let now = chrono::Utc::now();
    let target = live.settings.active_at(now);
    let limit = live.dynamic_limit();
    view! {
        <div class="target" data-testid="active-target">
            {match target {
                Some((a, until)) => view! { {format!("{a} A ")}<Countdown until /> }.into_any(),
                None => "No temporary target.".into_any(),
            }}
        </div>
        <Gauge
            phases=phases(&live)
            target=target.map(|(a, _)| a)
            limit
            min=charger.min_current
            max=charger.max_current
        />
        <Table columns=["Plug", "Status", "L1", "L2", "L3", "Power", "CLEMAP limit"] class="plugs cards">
            {live
                .plugs
                .into_iter()
                .map(|p| {
                    view! {
                        <tr>
                            <td data-label="Plug">{p.plug_label.clone().unwrap_or_else(|| "Plug".into())}</td>
                            <td data-label="Status"><PlugBadge state=p.status /></td>
                            <td data-label="L1">{amps(locale(), p.current_l1)}</td>
                            <td data-label="L2">{amps(locale(), p.current_l2)}</td>
                            <td data-label="L3">{amps(locale(), p.current_l3)}</td>
                            <td data-label="Power">{kilowatts(locale(), p.power)}</td>
                            <td data-label="CLEMAP limit">{amps(locale(), p.dyn_current_limit)}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
        <p class="muted">"Read from CLEMAP at " <LocalTime at=live.read_at /> "."</p>
    }
}
