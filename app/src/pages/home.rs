//! The fleet overview: every charger by site with live status, its target
//! and how fresh the reading is; a summary and a small picture per site;
//! search and a status filter; auto-refresh while the tab is visible; and
//! the bulk target for operators.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use evse_dashboard::types::{ChargerOverview, Role, clamp_to_charger, human_duration};
use leptos::prelude::*;

use crate::api::control::{BulkSetTarget, fleet_overview};
use crate::api::system::ServerInfoCall;
use crate::components::badge::plug_badge_class;
use crate::components::feedback::error_message;
use crate::components::layout::CurrentUser;
use crate::components::time::{clock_time, parse_utc, time_left, use_hydrated, use_now};

const REFRESH_SECS: u64 = 15;

fn status_class(c: &ChargerOverview) -> &'static str {
    if c.error.is_some() {
        "error"
    } else if c.plugs.iter().any(|p| p.status.is_charging()) {
        "charging"
    } else if c.plugs.iter().any(|p| {
        use evse_dashboard::clemap::model::PlugState::*;
        matches!(p.status, Offline | CloudOffline | Unknown | Error)
    }) {
        "offline"
    } else {
        "idle"
    }
}

fn power_kw(c: &ChargerOverview) -> f64 {
    // A fold from +0.0: an empty float sum is -0.0, which prints as "-0.0".
    c.plugs
        .iter()
        .filter_map(|p| p.power)
        .fold(0.0, |a, b| a + b)
        / 1000.0
}

fn measured(c: &ChargerOverview) -> f64 {
    c.plugs
        .iter()
        .filter_map(|p| p.max_phase_current())
        .fold(0.0, f64::max)
}

#[component]
pub fn HomePage() -> impl IntoView {
    let tick = RwSignal::new(0u64);
    let bulk = ServerAction::<BulkSetTarget>::new();
    let fleet = Resource::new(
        move || (tick.get(), bulk.version().get()),
        |_| fleet_overview(),
    );
    // Refresh every 15 s, but not while the tab is hidden.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                if !document().hidden() {
                    tick.update(|t| *t += 1);
                }
            },
            std::time::Duration::from_secs(REFRESH_SECS),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let selected = RwSignal::new(BTreeSet::<i64>::new());
    let now = use_now();
    let hydrated = use_hydrated();
    let user = expect_context::<CurrentUser>();
    let can_control = move || user.role().is_some_and(|r| r >= Role::Operator);

    view! {
        <h1>"Overview"</h1>
        <div class="toolbar">
            <label>
                "Search"
                <input
                    type="search"
                    placeholder="Charger name"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
            </label>
            <label>
                "Status"
                <select on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">"All"</option>
                    <option value="charging">"Charging"</option>
                    <option value="idle">"Idle / connected"</option>
                    <option value="offline">"Offline"</option>
                    <option value="error">"Cannot read"</option>
                </select>
            </label>
            <span class="muted">{format!("Refreshes every {REFRESH_SECS} s while visible.")}</span>
        </div>
        <Transition fallback=|| view! { <p>"Reading the fleet from CLEMAP…"</p> }>
            {move || {
                fleet
                    .get()
                    .map(|r| match r {
                        Err(e) => view! { <p class="banner error" role="alert">{error_message(&e)}</p> }.into_any(),
                        Ok(list) if list.is_empty() => {
                            view! { <p>"No chargers registered yet. An admin adds them on the Admin page."</p> }
                                .into_any()
                        }
                        Ok(list) => {
                            let needle = search.get().to_lowercase();
                            let wanted = status.get();
                            let mut sites: BTreeMap<String, Vec<ChargerOverview>> = BTreeMap::new();
                            for c in list {
                                if (needle.is_empty() || c.charger.name.to_lowercase().contains(&needle))
                                    && (wanted.is_empty() || status_class(&c) == wanted)
                                {
                                    sites.entry(c.charger.site_name.clone()).or_default().push(c);
                                }
                            }
                            sites
                                .into_iter()
                                .map(|(site, chargers)| site_card(site, chargers, selected, can_control(), now, hydrated))
                                .collect_view()
                                .into_any()
                        }
                    })
            }}
        </Transition>
        // In a Transition: the role comes from a resource, and a resource
        // read outside one is not waited for during server rendering.
        <Transition fallback=|| ()>
            <Show when=can_control>
                <BulkPanel fleet selected bulk />
            </Show>
        </Transition>
        <ServerCheck />
    }
}

fn site_card(
    site: String,
    chargers: Vec<ChargerOverview>,
    selected: RwSignal<BTreeSet<i64>>,
    can_control: bool,
    now: ReadSignal<DateTime<Utc>>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let total_kw: f64 = chargers.iter().map(power_kw).sum();
    let charging = chargers
        .iter()
        .filter(|c| status_class(c) == "charging")
        .count();
    let ids: Vec<i64> = chargers.iter().map(|c| c.charger.id).collect();
    let bars = site_bars(&chargers);
    view! {
        <section class="card site" data-site=site.clone()>
            <header class="site-head">
                <h2>{site.clone()}</h2>
                <span class="summary" data-testid="site-summary">
                    {format!("{total_kw:.1} kW · {charging} of {} charging", chargers.len())}
                </span>
                {can_control
                    .then(|| {
                        let ids = ids.clone();
                        view! {
                            <button
                                type="button"
                                class="secondary"
                                on:click=move |_| selected.update(|s| s.extend(ids.iter().copied()))
                            >
                                "Select all of this site"
                            </button>
                        }
                    })}
            </header>
            {bars}
            <table class="list fleet">
                <thead>
                    <tr>
                        {can_control.then(|| view! { <th><span class="visually-hidden">"Select"</span></th> })}
                        <th>"Charger"</th>
                        <th>"Status"</th>
                        <th>"Power"</th>
                        <th>"L1 / L2 / L3"</th>
                        <th>"Target"</th>
                        <th>"Updated"</th>
                    </tr>
                </thead>
                <tbody>
                    {chargers
                        .into_iter()
                        .map(|c| charger_row(c, selected, can_control, now, hydrated))
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

fn charger_row(
    c: ChargerOverview,
    selected: RwSignal<BTreeSet<i64>>,
    can_control: bool,
    now: ReadSignal<DateTime<Utc>>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let id = c.charger.id;
    let read_at = c.read_at.as_deref().and_then(parse_utc);
    let target = c
        .settings
        .as_ref()
        .and_then(|s| s.current.zip(s.valid_until));
    let phases = c
        .plugs
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
        .unwrap_or_default();
    let name = c.charger.name.clone();
    view! {
        <tr data-charger=id data-status=status_class(&c)>
            {can_control
                .then(|| {
                    view! {
                        <td>
                            <input
                                type="checkbox"
                                aria-label=format!("Select {name}")
                                prop:checked=move || selected.read().contains(&id)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                                }
                            />
                        </td>
                    }
                })}
            <td><a href=format!("/chargers/{id}")>{c.charger.name.clone()}</a></td>
            <td>
                {match &c.error {
                    Some(e) => view! { <span class="badge bad" title=e.clone()>"Cannot read"</span> }.into_any(),
                    None => c
                        .plugs
                        .iter()
                        .map(|p| {
                            view! { <span class=plug_badge_class(p.status)>{p.status.label()}</span> " " }
                        })
                        .collect_view()
                        .into_any(),
                }}
                {c.error.clone().map(|e| view! { <div class="muted small">{e}</div> })}
            </td>
            <td>{if c.error.is_some() { String::new() } else { format!("{:.1} kW", power_kw(&c)) }}</td>
            <td>{phases}</td>
            <td>
                {move || match target {
                    Some((a, until)) if until > now.get() => {
                        format!("{a} A until {} ({})", clock_time(until, hydrated.get()), time_left(until, now.get()))
                    }
                    _ => "none".to_owned(),
                }}
            </td>
            <td class="muted">
                {move || read_at.map(|t| format!("{} s ago", (now.get() - t).num_seconds().max(0))).unwrap_or_default()}
            </td>
        </tr>
    }
}

/// One bar per charger: measured current, with the target as a tick.
fn site_bars(chargers: &[ChargerOverview]) -> impl IntoView + use<> {
    let n = chargers.len().max(1) as f64;
    let (w, h) = (320.0, 48.0);
    let slot = w / n;
    let top = chargers
        .iter()
        .map(|c| c.charger.max_current)
        .max()
        .unwrap_or(32)
        .max(1) as f64;
    let bars = chargers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let x = (i as f64 * slot + slot * 0.15).round();
            let bw = (slot * 0.7).max(1.0).round();
            let bh = (measured(c) / top * h).round();
            let target = c.settings.as_ref().and_then(|s| s.current);
            view! {
                <rect x=x y=h - bh width=bw height=bh class="bar-measured">
                    <title>{format!("{}: {:.0} A", c.charger.name, measured(c))}</title>
                </rect>
                {target.map(|t| {
                    let ty = (h - f64::from(t) / top * h).round();
                    view! { <rect x=x y=ty - 1.0 width=bw height="2" class="bar-target" /> }
                })}
            }
        })
        .collect_view();
    view! {
        <svg class="site-bars" viewBox="0 0 320 48" width="320" height="48" role="img" aria-label="Current per charger, target marked">
            <rect x="0" y="0" width="320" height="48" class="bar-max" />
            {bars}
        </svg>
    }
}

#[component]
fn BulkPanel(
    fleet: Resource<Result<Vec<ChargerOverview>, ServerFnError>>,
    selected: RwSignal<BTreeSet<i64>>,
    bulk: ServerAction<BulkSetTarget>,
) -> impl IntoView {
    let amps = RwSignal::new(16i64);
    let duration = RwSignal::new("3600".to_owned());
    let confirming = RwSignal::new(false);
    let chosen = move || {
        let ids = selected.get();
        fleet
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| ids.contains(&c.charger.id))
            .map(|c| c.charger)
            .collect::<Vec<_>>()
    };
    Effect::new(move |_| {
        if bulk.version().get() > 0 {
            confirming.set(false);
        }
    });
    view! {
        <section class="card" aria-labelledby="bulk-heading" data-testid="bulk">
            <h2 id="bulk-heading">"Bulk target"</h2>
            <p class="muted">{move || format!("{} chargers selected.", selected.get().len())}</p>
            <div class="toolbar">
                <label>
                    "Current (A)"
                    <input
                        type="number"
                        min="0"
                        max="80"
                        prop:value=move || amps.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse() {
                                amps.set(v);
                            }
                        }
                    />
                </label>
                <label>
                    "Duration"
                    <select on:change=move |ev| duration.set(event_target_value(&ev))>
                        <option value="900">"15 min"</option>
                        <option value="1800">"30 min"</option>
                        <option value="3600" selected>"1 h"</option>
                        <option value="7200">"2 h"</option>
                        <option value="14400">"4 h"</option>
                        <option value="28800">"8 h"</option>
                    </select>
                </label>
                <button type="button" class="secondary" on:click=move |_| selected.set(BTreeSet::new())>
                    "Clear selection"
                </button>
                <button
                    type="button"
                    disabled=move || selected.get().is_empty()
                    on:click=move |_| confirming.set(true)
                >
                    "Review…"
                </button>
            </div>
            <Show when=move || confirming.get()>
                <div class="confirm" role="group" aria-label="Confirm bulk target">
                    <p>
                        {move || format!(
                            "Set {} A for {} on {} chargers? Each gets the value clamped to its own range:",
                            amps.get(),
                            human_duration(duration.get().parse().unwrap_or(0)),
                            selected.get().len(),
                        )}
                    </p>
                    <ul class="preview" data-testid="bulk-preview">
                        {move || {
                            chosen()
                                .into_iter()
                                .map(|c| {
                                    let sent = clamp_to_charger(amps.get(), &c);
                                    let note = if i64::from(sent) != amps.get() {
                                        format!(" (clamped to {}–{} A)", c.min_current, c.max_current)
                                    } else {
                                        String::new()
                                    };
                                    view! { <li>{format!("{}: {sent} A{note}", c.name)}</li> }
                                })
                                .collect_view()
                        }}
                    </ul>
                    <button
                        type="button"
                        disabled=move || bulk.pending().get()
                        on:click=move |_| {
                            bulk.dispatch(BulkSetTarget {
                                charger_ids: selected.get().into_iter().collect(),
                                amps: amps.get().to_string(),
                                duration: duration.get(),
                                custom_minutes: None,
                            });
                        }
                    >
                        "Confirm"
                    </button>
                    <button type="button" class="secondary" on:click=move |_| confirming.set(false)>
                        "Back"
                    </button>
                </div>
            </Show>
            {move || {
                bulk.value()
                    .get()
                    .map(|r| match r {
                        Err(e) => view! { <p class="banner error" role="alert">{error_message(&e)}</p> }.into_any(),
                        Ok(outcome) => {
                            view! {
                                <ul class="bulk-results" data-testid="bulk-results">
                                    {outcome
                                        .items
                                        .into_iter()
                                        .map(|i| {
                                            let class = if i.outcome.succeeded() { "ok" } else { "bad" };
                                            view! {
                                                <li class=class data-outcome=i.outcome.outcome.clone()>
                                                    <strong>{i.charger_name}</strong>
                                                    {format!(" ({} A): ", i.sent)}
                                                    {i.outcome.message}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                    })
            }}
        </section>
    }
}

#[component]
fn ServerCheck() -> impl IntoView {
    let check = ServerAction::<ServerInfoCall>::new();
    let result = check.value();
    view! {
        <section class="card" aria-labelledby="server-check">
            <h2 id="server-check">"Server"</h2>
            <ActionForm action=check>
                <button type="submit" data-testid="check-server">
                    "Check server"
                </button>
            </ActionForm>
            <p role="status" data-testid="server-info">
                {move || match result.get() {
                    None => "Not checked yet.".to_owned(),
                    Some(Ok(info)) => {
                        format!(
                            "Server {} is up — SQLite {}, {} migrations applied, running since {}.",
                            info.version,
                            info.sqlite_version,
                            info.migrations_applied,
                            info.started_at,
                        )
                    }
                    Some(Err(e)) => format!("The server check failed: {}", error_message(&e)),
                }}
            </p>
        </section>
    }
}
