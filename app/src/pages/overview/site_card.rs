//! One site: its summary, a bar per charger, and a row per charger.

use evse_dashboard::types::{ChargerOverview, ChargerStatus};
use leptos::prelude::*;

use super::OverviewState;
use crate::components::badge::{PlugBadge, UnreadableBadge};
use crate::components::charts::SiteBars;
use crate::components::table::Table;
use crate::words::{problem_sentence, target_in_force};

#[component]
pub fn SiteCard(
    site: String,
    chargers: Vec<ChargerOverview>,
    state: OverviewState,
    /// Operators and admins select chargers for a bulk target.
    can_control: bool,
) -> impl IntoView {
    let total_kw: f64 = chargers.iter().map(ChargerOverview::power_kw).sum();
    let charging = chargers
        .iter()
        .filter(|c| c.status() == ChargerStatus::Charging)
        .count();
    let ids: Vec<i64> = chargers.iter().map(|c| c.charger.id).collect();
    view! {
        <section class="card site" data-site=site.clone()>
            <header class="site-head">
                <h2>{site.clone()}</h2>
                <span class="summary" data-testid="site-summary">
                    {format!("{total_kw:.1} kW · {charging} of {} charging", chargers.len())}
                </span>
                {can_control.then(|| view! {
                    <button
                        type="button"
                        class="secondary"
                        on:click=move |_| state.selected.update(|s| s.extend(ids.iter().copied()))
                    >
                        "Select all of this site"
                    </button>
                })}
            </header>
            <SiteBars chargers=chargers.clone() />
            <Table
                columns=["Charger", "Status", "Power", "L1 / L2 / L3", "Target", "Updated"]
                select=can_control
                class="fleet"
            >
                {chargers
                    .into_iter()
                    .map(|c| view! { <ChargerRow c state can_control /> })
                    .collect_view()}
            </Table>
        </section>
    }
}

/// "6 / 6 / 0 A" for the first plug's phases.
fn phases(c: &ChargerOverview) -> String {
    c.plugs
        .first()
        .map(|p| {
            let a = |v: Option<f64>| v.map_or_else(|| "–".into(), |v| format!("{v:.0}"));
            format!(
                "{} / {} / {} A",
                a(p.current_l1),
                a(p.current_l2),
                a(p.current_l3)
            )
        })
        .unwrap_or_default()
}

#[component]
fn ChargerRow(c: ChargerOverview, state: OverviewState, can_control: bool) -> impl IntoView {
    let id = c.charger.id;
    let OverviewState {
        selected,
        now,
        hydrated,
        ..
    } = state;
    let read_at = c.read_at;
    let target = c
        .settings
        .as_ref()
        .and_then(|s| s.current.zip(s.valid_until));
    let name = c.charger.name.clone();
    let status: &'static str = c.status().into();
    let reason = c.problem.as_ref().map(problem_sentence);
    let power = if c.problem.is_some() {
        String::new()
    } else {
        format!("{:.1} kW", c.power_kw())
    };
    view! {
        <tr data-charger=id data-status=status>
            {can_control.then(|| view! {
                <td>
                    <input
                        type="checkbox"
                        aria-label=format!("Select {name}")
                        prop:checked=move || selected.read().contains(&id)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| {
                                if on { s.insert(id); } else { s.remove(&id); }
                            });
                        }
                    />
                </td>
            })}
            <td><a href=format!("/chargers/{id}")>{c.charger.name.clone()}</a></td>
            <td>
                {match reason.clone() {
                    Some(reason) => view! { <UnreadableBadge reason /> }.into_any(),
                    None => c
                        .plugs
                        .iter()
                        .map(|p| view! { <PlugBadge state=p.status /> " " })
                        .collect_view()
                        .into_any(),
                }}
                {reason.map(|r| view! { <div class="muted small">{r}</div> })}
            </td>
            <td>{power}</td>
            <td>{phases(&c)}</td>
            <td>
                {move || target_in_force(target, now.get(), hydrated.get()).unwrap_or_else(|| "none".into())}
            </td>
            <td class="muted">
                {move || {
                    read_at
                        .map(|t| format!("{} s ago", (now.get() - t).num_seconds().max(0)))
                        .unwrap_or_default()
                }}
            </td>
        </tr>
    }
}
