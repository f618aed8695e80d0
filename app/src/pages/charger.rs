//! The charger page: live status, the active target with a countdown, the
//! set-target form (slider + number, duration presets, confirmation), the
//! reset, a bar picture, and the latest audit events. Without JavaScript
//! the forms post normally and the server renders the outcome.

use chrono::{DateTime, Utc};
use evse_dashboard::clemap::model::PlugStatus;
use evse_dashboard::types::{
    AuditEntry, Charger, ChargerLive, ControlOutcome, Role, estimated_kw, human_duration,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::chargers::get_charger;
use crate::api::control::{
    ResetTarget, SetTarget, charger_history, charger_live, control_outcome, target_limits,
};
use crate::components::badge::plug_badge_class;
use crate::components::feedback::error_message;
use crate::components::layout::CurrentUser;
use crate::components::time::{clock_time, date_time, parse_utc, time_left, use_hydrated, use_now};

const PRESETS: [(u32, &str); 6] = [
    (900, "15 min"),
    (1800, "30 min"),
    (3600, "1 h"),
    (7200, "2 h"),
    (14400, "4 h"),
    (28800, "8 h"),
];

#[component]
pub fn ChargerPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let charger = Resource::new(id, get_charger);

    view! {
        <Transition fallback=|| view! { <p>"Loading charger…"</p> }>
            {move || {
                charger
                    .get()
                    .map(|result| match result {
                        Ok(c) => view! { <ChargerView charger=c /> }.into_any(),
                        Err(e) => {
                            view! {
                                <h1>"Charger"</h1>
                                <p class="banner error" role="alert">{error_message(&e)}</p>
                                <p><a href="/">"Back to the overview"</a></p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
fn ChargerView(charger: Charger) -> impl IntoView {
    let id = charger.id;
    let set = ServerAction::<SetTarget>::new();
    let reset = ServerAction::<ResetTarget>::new();
    let refresh = move || (set.version().get(), reset.version().get());
    let live = Resource::new(refresh, move |_| charger_live(id));
    let history = Resource::new(refresh, move |_| charger_history(id));
    let query = use_query_map();
    let earlier = Resource::new(
        move || {
            query
                .read()
                .get("outcome")
                .and_then(|v| v.parse::<i64>().ok())
        },
        |audit_id| async move {
            match audit_id {
                Some(audit_id) => control_outcome(audit_id).await.ok(),
                None => None,
            }
        },
    );
    let user = expect_context::<CurrentUser>();
    let can_control = move || user.role().is_some_and(|r| r >= Role::Operator);
    let hydrated = use_hydrated();
    let now = use_now();
    let max = charger.max_current;
    let limits = Resource::new(|| (), |_| async { target_limits().await.ok() });

    // The newest answer of this page's set or reset; else the outcome the
    // server redirected a plain form post to.
    let latest = RwSignal::new(None::<Result<ControlOutcome, ServerFnError>>);
    Effect::new(move |_| {
        if let Some(answer) = set.value().get() {
            latest.set(Some(answer));
        }
    });
    Effect::new(move |_| {
        if let Some(answer) = reset.value().get() {
            latest.set(Some(answer));
        }
    });
    let banner = move || match latest.get() {
        Some(Ok(outcome)) => Some(outcome_view(outcome)),
        Some(Err(e)) => {
            Some(view! { <p class="banner error" role="alert">{error_message(&e)}</p> }.into_any())
        }
        None => earlier.get().flatten().map(outcome_view),
    };

    view! {
        <p class="crumbs"><a href="/">"Overview"</a> " › " {charger.site_name.clone()}</p>
        <h1>{charger.name.clone()}</h1>
        <p class="muted">
            {format!(
                "{} · edge device {} · EVSE {} · {}–{} A",
                charger.site_name,
                charger.edge_device_id,
                charger.evse_uuid,
                charger.min_current,
                charger.max_current,
            )}
        </p>
        // Its own Transition: `earlier` is a resource, and a resource read
        // outside one can hold the server-rendered page.
        <div data-testid="outcome" aria-live="polite">
            <Transition fallback=|| ()>{banner}</Transition>
        </div>
        <section class="card" aria-labelledby="live-heading">
            <h2 id="live-heading">"Now"</h2>
            <Transition fallback=|| view! { <p>"Reading from CLEMAP…"</p> }>
                {move || {
                    live.get()
                        .map(|r| match r {
                            Ok(l) => live_view(l, max, now, hydrated).into_any(),
                            Err(e) => {
                                view! { <p class="banner error" role="alert">{error_message(&e)}</p> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
        <Show
            when=can_control
            fallback=|| view! { <p class="muted" data-testid="read-only">"Your role can view this charger but not change it."</p> }
        >
            <ControlForms charger=charger.clone() set reset hydrated now limits />
        </Show>
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">"Latest changes"</h2>
            <Transition fallback=|| ()>
                {move || history.get().map(|r| match r {
                    Ok(rows) => history_view(rows, hydrated).into_any(),
                    Err(e) => view! { <p class="banner error">{error_message(&e)}</p> }.into_any(),
                })}
            </Transition>
            <p><a href=format!("/audit?charger={id}")>"Full history of this charger"</a></p>
        </section>
    }
}

/// The set and reset forms, for operators and admins.
#[component]
fn ControlForms(
    charger: Charger,
    set: ServerAction<SetTarget>,
    reset: ServerAction<ResetTarget>,
    hydrated: ReadSignal<bool>,
    now: ReadSignal<DateTime<Utc>>,
    limits: Resource<Option<crate::api::control::TargetLimits>>,
) -> impl IntoView {
    let stored = StoredValue::new(charger.clone());
    view! {
        // Inside a Transition: a resource read outside one would hold the
        // server-rendered page forever.
        <Transition fallback=|| ()>
            {move || {
                limits
                    .get()
                    .map(|l| {
                        let max_minutes = l.map_or(24 * 60, |l| l.max_duration / 60);
                        view! { <TargetForm charger=stored.get_value() set hydrated now max_minutes /> }
                    })
            }}
        </Transition>
        <ResetForm charger reset hydrated />
    }
}

fn outcome_view(outcome: ControlOutcome) -> AnyView {
    let class = if outcome.succeeded() {
        "banner ok"
    } else {
        "banner error"
    };
    view! {
        <p class=class role="status" data-outcome=outcome.outcome.clone()>
            {outcome.message}
        </p>
    }
    .into_any()
}

fn amps(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |a| format!("{a:.1} A"))
}

fn live_view(
    live: ChargerLive,
    max: u32,
    now: ReadSignal<DateTime<Utc>>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let read_at = parse_utc(&live.read_at).unwrap_or_else(Utc::now);
    let target = live.settings.current.zip(live.settings.valid_until);
    let measured = live
        .plugs
        .iter()
        .filter_map(PlugStatus::max_phase_current)
        .fold(0.0_f64, f64::max);
    let limit = live.plugs.iter().filter_map(|p| p.dyn_current_limit).next();
    view! {
        <div class="target" data-testid="active-target">
            {move || match target {
                Some((a, until)) if until > now.get() => format!(
                    "{a} A until {} ({})",
                    clock_time(until, hydrated.get()),
                    time_left(until, now.get()),
                ),
                _ => "No temporary target.".to_owned(),
            }}
        </div>
        {current_bar(measured, target.map(|(a, _)| a), max)}
        <table class="list plugs">
            <thead>
                <tr>
                    <th>"Plug"</th>
                    <th>"Status"</th>
                    <th>"L1"</th>
                    <th>"L2"</th>
                    <th>"L3"</th>
                    <th>"Power"</th>
                    <th>"CLEMAP limit"</th>
                </tr>
            </thead>
            <tbody>
                {live
                    .plugs
                    .into_iter()
                    .map(|p| {
                        view! {
                            <tr>
                                <td>{p.plug_label.clone().unwrap_or_else(|| "Plug".into())}</td>
                                <td><span class=plug_badge_class(p.status)>{p.status.label()}</span></td>
                                <td>{amps(p.current_l1)}</td>
                                <td>{amps(p.current_l2)}</td>
                                <td>{amps(p.current_l3)}</td>
                                <td>{p.power.map_or_else(|| "–".into(), |w| format!("{:.1} kW", w / 1000.0))}</td>
                                <td>{amps(p.dyn_current_limit)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="muted">
            {move || format!("Read from CLEMAP at {}.", date_time(read_at, hydrated.get()))}
            {limit.map(|l| format!(" Dynamic limit in force: {l:.0} A."))}
        </p>
    }
}

/// Measured current vs target vs the charger's maximum, as one bar.
fn current_bar(measured: f64, target: Option<u32>, max: u32) -> impl IntoView {
    let max = f64::from(max.max(1));
    let width = 300.0;
    let x = |a: f64| (a.clamp(0.0, max) / max * width).round();
    let label = format!(
        "Measured {measured:.1} A{} of at most {max:.0} A",
        target
            .map(|t| format!(", target {t} A"))
            .unwrap_or_default()
    );
    let title = label.clone();
    view! {
        <svg class="bar" viewBox="0 0 300 28" width="300" height="28" role="img" aria-label=label>
            <title>{title}</title>
            <rect x="0" y="6" width="300" height="16" rx="3" class="bar-max" />
            <rect x="0" y="6" width=x(measured) height="16" rx="3" class="bar-measured" />
            {target.map(|t| view! { <rect x=x(f64::from(t)) - 1.5 y="0" width="3" height="28" class="bar-target" /> })}
        </svg>
    }
}

#[component]
fn TargetForm(
    charger: Charger,
    set: ServerAction<SetTarget>,
    hydrated: ReadSignal<bool>,
    now: ReadSignal<DateTime<Utc>>,
    max_minutes: u32,
) -> impl IntoView {
    let (min, max) = (charger.min_current, charger.max_current);
    let start = 16u32.clamp(min, max);
    let amps = RwSignal::new(start);
    let preset = RwSignal::new("3600".to_owned());
    let custom = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let seconds = move || match preset.get().as_str() {
        "custom" => custom.get().trim().parse::<u64>().ok().map(|m| m * 60),
        s => s.parse::<u64>().ok(),
    };
    let name = charger.name.clone();
    let summary = move || {
        format!(
            "Set {} A for {} on {} (≈ {:.1} kW)?",
            amps.get(),
            seconds().map_or_else(|| "?".into(), human_duration),
            name,
            estimated_kw(amps.get()),
        )
    };
    // After an answer, leave the confirmation.
    Effect::new(move |_| {
        if set.version().get() > 0 {
            confirming.set(false);
        }
    });

    view! {
        <section class="card" aria-labelledby="set-heading">
            <h2 id="set-heading">"Set a temporary current target"</h2>
            <ActionForm action=set attr:class="target-form" attr:data-testid="target-form">
                <input type="hidden" name="charger_id" value=charger.id />
                <div class="amps">
                    <label for="amps-slider">"Current (A)"</label>
                    <input
                        id="amps-slider"
                        type="range"
                        min=min
                        max=max
                        step="1"
                        prop:value=move || amps.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse() {
                                amps.set(v);
                            }
                        }
                        aria-valuetext=move || format!("{} amperes", amps.get())
                    />
                    <input
                        id="amps"
                        type="number"
                        name="amps"
                        min=min
                        max=max
                        step="1"
                        required
                        aria-label="Current (A), exact value"
                        prop:value=move || amps.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                                amps.set(v);
                            }
                        }
                    />
                    <span class="muted" data-testid="kw">
                        {move || format!("≈ {:.1} kW on 3 phases at 230 V (estimate)", estimated_kw(amps.get()))}
                    </span>
                </div>
                <fieldset class="duration">
                    <legend>"Duration"</legend>
                    {PRESETS
                        .into_iter()
                        .map(|(secs, label)| {
                            view! {
                                <label class="chip">
                                    <input
                                        type="radio"
                                        name="duration"
                                        value=secs
                                        prop:checked=move || preset.get() == secs.to_string()
                                        on:change=move |_| preset.set(secs.to_string())
                                    />
                                    {label}
                                </label>
                            }
                        })
                        .collect_view()}
                    <label class="chip">
                        <input
                            type="radio"
                            name="duration"
                            value="custom"
                            prop:checked=move || preset.get() == "custom"
                            on:change=move |_| preset.set("custom".into())
                        />
                        "Custom"
                    </label>
                    <label class="custom">
                        "Minutes"
                        <input
                            type="number"
                            name="custom_minutes"
                            min="1"
                            max=max_minutes
                            prop:value=move || custom.get()
                            on:input=move |ev| {
                                custom.set(event_target_value(&ev));
                                preset.set("custom".into());
                            }
                        />
                    </label>
                </fieldset>
                <p class="muted" data-testid="valid-until">
                    {move || match seconds() {
                        Some(s) => format!(
                            "Valid until {}",
                            clock_time(now.get() + chrono::Duration::seconds(s as i64), hydrated.get()),
                        ),
                        None => "Enter the duration in minutes.".into(),
                    }}
                </p>
                // Without JavaScript: a checkbox is the confirmation step.
                <Show when=move || !hydrated.get()>
                    <label class="confirm-check">
                        <input type="checkbox" name="confirmed" value="yes" required />
                        "I confirm this change to the charger"
                    </label>
                    <button type="submit">"Set target"</button>
                </Show>
                <Show when=move || hydrated.get() && !confirming.get()>
                    <button type="button" on:click=move |_| confirming.set(true)>
                        "Review…"
                    </button>
                </Show>
                <Show when=move || hydrated.get() && confirming.get()>
                    <div class="confirm" role="group" aria-label="Confirm">
                        <p>{summary.clone()}</p>
                        <button type="submit" disabled=move || set.pending().get()>
                            "Confirm"
                        </button>
                        <button type="button" class="secondary" on:click=move |_| confirming.set(false)>
                            "Back"
                        </button>
                    </div>
                </Show>
            </ActionForm>
        </section>
    }
}

#[component]
fn ResetForm(
    charger: Charger,
    reset: ServerAction<ResetTarget>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    Effect::new(move |_| {
        if reset.version().get() > 0 {
            confirming.set(false);
        }
    });
    view! {
        <section class="card" aria-labelledby="reset-heading">
            <h2 id="reset-heading">"Reset"</h2>
            <p class="muted">"Removes the temporary target now; the charger returns to its normal limit."</p>
            <ActionForm action=reset attr:data-testid="reset-form">
                <input type="hidden" name="charger_id" value=charger.id />
                <Show when=move || !hydrated.get()>
                    <label class="confirm-check">
                        <input type="checkbox" name="confirmed" value="yes" required />
                        "I confirm the reset"
                    </label>
                    <button type="submit" class="danger">"Reset target"</button>
                </Show>
                <Show when=move || hydrated.get() && !confirming.get()>
                    <button type="button" class="danger" on:click=move |_| confirming.set(true)>
                        "Reset target…"
                    </button>
                </Show>
                <Show when=move || hydrated.get() && confirming.get()>
                    <div class="confirm" role="group" aria-label="Confirm reset">
                        <p>"Reset the temporary target of this charger?"</p>
                        <button type="submit" class="danger">"Confirm reset"</button>
                        <button type="button" class="secondary" on:click=move |_| confirming.set(false)>
                            "Back"
                        </button>
                    </div>
                </Show>
            </ActionForm>
        </section>
    }
}

pub fn action_label(action: &str) -> &str {
    match action {
        "set_target" => "Set target",
        "reset_target" => "Reset target",
        "charger_added" => "Charger added",
        "charger_updated" => "Charger edited",
        "charger_deleted" => "Charger deleted",
        "charger_token_replaced" => "Token replaced",
        other => other,
    }
}

fn history_view(rows: Vec<AuditEntry>, hydrated: ReadSignal<bool>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No changes recorded yet."</p> }.into_any();
    }
    view! {
        <table class="list" data-testid="charger-history">
            <thead>
                <tr>
                    <th>"When"</th>
                    <th>"Who"</th>
                    <th>"What"</th>
                    <th>"Requested"</th>
                    <th>"Outcome"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|r| {
                        let at = parse_utc(&r.at);
                        let requested = match (r.requested_current, r.requested_duration) {
                            (Some(a), Some(d)) => format!("{a} A, {}", human_duration(d.into())),
                            _ => String::new(),
                        };
                        view! {
                            <tr>
                                <td title=r.at.clone()>
                                    {move || at.map(|t| date_time(t, hydrated.get())).unwrap_or_default()}
                                </td>
                                <td>{r.actor.clone()}</td>
                                <td>{action_label(&r.action).to_owned()}</td>
                                <td>{requested}</td>
                                <td><span class=format!("outcome {}", r.outcome)>{r.outcome.clone()}</span></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
