//! What CLEMAP says about the charger now: the target in force with its
//! countdown, the gauge, and every plug.

use evse_dashboard::types::{Charger, ChargerLive};
use leptos::prelude::*;

use crate::components::badge::{PlugBadge, VerdictLine};
use crate::components::charts::Gauge;
use crate::components::table::Table;
use crate::components::time::{Countdown, LocalTime};
use crate::i18n::td_string;
use crate::language::locale;
use crate::server_fns::control::RefreshCharger;
use crate::words::{amps, kilowatts};

/// "Read now": asks CLEMAP at once (at most once per 10 s per charger).
#[component]
pub fn RefreshForm(charger_id: i64) -> impl IntoView {
    let refresh = ServerAction::<RefreshCharger>::new();
    view! {
        <ActionForm action=refresh attr:class="inline">
            <input type="hidden" name="id" value=charger_id />
            <button type="submit" class="secondary">{td_string!(locale(), refresh_now)}</button>
        </ActionForm>
    }
}

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
    let l = locale();
    let [plug, status, power, clemap_limit] = [
        td_string!(l, plug),
        td_string!(l, col_status),
        td_string!(l, col_power),
        td_string!(l, clemap_limit),
    ];
    let now = chrono::Utc::now();
    let target = live.settings.active_at(now);
    let limit = live.dynamic_limit();
    // What the charger did with the target: the verdict of its latest
    // reading, or why there is none yet.
    let verdict = match (&live.finding, target) {
        (Some(finding), Some(_)) => view! { <VerdictLine finding=finding.clone() /> }.into_any(),
        (_, Some(_)) => {
            view! { <p class="muted" data-testid="verdict">{td_string!(l, verdict_waiting)}</p> }
                .into_any()
        }
        (_, None) => ().into_any(),
    };
    view! {
        <div class="target" data-testid="active-target">
            {match target {
                Some((a, until)) => view! { {format!("{a} A ")}<Countdown until /> }.into_any(),
                None => td_string!(l, no_target).into_any(),
            }}
        </div>
        {verdict}
        <Gauge
            phases=phases(&live)
            target=target.map(|(a, _)| a)
            limit
            min=charger.min_current
            max=charger.max_current
        />
        <Table columns=[plug, status, "L1", "L2", "L3", power, clemap_limit] class="plugs cards">
            {live
                .plugs
                .into_iter()
                .map(|p| {
                    view! {
                        <tr>
                            <td data-label=plug>{p.plug_label.clone().unwrap_or_else(|| plug.into())}</td>
                            <td data-label=status><PlugBadge state=p.status /></td>
                            <td data-label="L1">{amps(l, p.current_l1)}</td>
                            <td data-label="L2">{amps(l, p.current_l2)}</td>
                            <td data-label="L3">{amps(l, p.current_l3)}</td>
                            <td data-label=power>{kilowatts(l, p.power)}</td>
                            <td data-label=clemap_limit>{amps(l, p.dyn_current_limit)}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
        <p class="muted">{td_string!(l, read_at_before)} " " <LocalTime at=live.read_at /> {td_string!(l, read_at_after)}</p>
    }
}
