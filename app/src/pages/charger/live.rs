//! What CLEMAP says about the charger now: the target in force with its
//! countdown, a bar of measured vs target current, and every plug.

use chrono::{DateTime, Utc};
use evse_dashboard::types::ChargerLive;
use leptos::prelude::*;

use crate::components::badge::PlugBadge;
use crate::components::charts::CurrentBar;
use crate::components::table::Table;
use crate::words::{amps, date_time, kilowatts, target_in_force};

#[component]
pub fn LiveReading(
    live: ChargerLive,
    max: u32,
    now: ReadSignal<DateTime<Utc>>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let read_at = live.read_at;
    let target = live.settings.current.zip(live.settings.valid_until);
    let measured = live.measured();
    let limit = live.dynamic_limit();
    view! {
        <div class="target" data-testid="active-target">
            {move || {
                target_in_force(target, now.get(), hydrated.get())
                    .unwrap_or_else(|| "No temporary target.".into())
            }}
        </div>
        <CurrentBar measured target=target.map(|(a, _)| a) max />
        <Table columns=["Plug", "Status", "L1", "L2", "L3", "Power", "CLEMAP limit"] class="plugs">
                {live
                    .plugs
                    .into_iter()
                    .map(|p| {
                        view! {
                            <tr>
                                <td>{p.plug_label.clone().unwrap_or_else(|| "Plug".into())}</td>
                                <td><PlugBadge state=p.status /></td>
                                <td>{amps(p.current_l1)}</td>
                                <td>{amps(p.current_l2)}</td>
                                <td>{amps(p.current_l3)}</td>
                                <td>{kilowatts(p.power)}</td>
                                <td>{amps(p.dyn_current_limit)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </Table>
        <p class="muted">
            {move || format!("Read from CLEMAP at {}.", date_time(read_at, hydrated.get()))}
            {limit.map(|l| format!(" Dynamic limit in force: {l:.0} A."))}
        </p>
    }
}
