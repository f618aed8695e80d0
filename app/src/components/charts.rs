//! Small SVG pictures, each with a text equivalent for screen readers.

use chrono::{DateTime, Utc};
use evse_dashboard::types::{AuditAction, AuditEntry, ChargerOverview, Outcome};
use leptos::prelude::*;

use crate::i18n::td_string;

use crate::language::locale;
use crate::words::{decimal, utc_minute};

/// Where the gauge's scale starts and ends, in SVG units.
const GAUGE_LEFT: f64 = 30.0;
const GAUGE_RIGHT: f64 = 310.0;

/// A mark's label is centred on it, except near an end of the scale,
/// where it would be cut off.
fn anchor(at: f64) -> &'static str {
    if at > GAUGE_RIGHT - 40.0 {
        "end"
    } else if at < GAUGE_LEFT + 40.0 {
        "start"
    } else {
        "middle"
    }
}

/// Round tick steps for a scale up to `max` ampere.
fn tick_step(max: u32) -> u32 {
    match max {
        0..=16 => 2,
        17..=40 => 5,
        _ => 10,
    }
}

/// The charger's currents on one scale from 0 to its maximum: the measured
/// current per phase, the allowed range, the target in force and CLEMAP's
/// dynamic limit, each labelled, and the same in words below.
#[component]
pub fn Gauge(
    /// Measured per phase (L1, L2, L3), ampere.
    phases: [Option<f64>; 3],
    target: Option<u32>,
    limit: Option<f64>,
    min: u32,
    max: u32,
) -> impl IntoView {
    let top = f64::from(max.max(1));
    let x = move |a: f64| GAUGE_LEFT + (a.clamp(0.0, top) / top) * (GAUGE_RIGHT - GAUGE_LEFT);
    let phase_rows = phases
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let y = 8.0 + 20.0 * i as f64;
            let width = a.map_or(0.0, |a| x(a) - GAUGE_LEFT);
            view! {
                <text x="2" y=y + 11.0 class="gauge-label">{format!("L{}", i + 1)}</text>
                <rect x=GAUGE_LEFT y=y width=width height="14" rx="2" class="bar-measured" />
            }
        })
        .collect_view();
    let ticks = (0..=max)
        .step_by(tick_step(max) as usize)
        .map(|a| {
            let at = x(f64::from(a));
            view! {
                <line x1=at x2=at y1="70" y2="74" class="gauge-axis" />
                <text x=at y="86" text-anchor="middle" class="gauge-label">{a.to_string()}</text>
            }
        })
        .collect_view();
    let target_mark = target.map(|t| {
        let at = x(f64::from(t));
        view! {
            <line x1=at x2=at y1="2" y2="70" class="gauge-target" />
            <text x=at y="100" text-anchor=anchor(at) class="gauge-label target">{td_string!(locale(), gauge_target, amps = t).to_string()}</text>
        }
    });
    let limit_mark = limit.map(|l| {
        let at = x(l);
        view! {
            <line x1=at x2=at y1="2" y2="70" class="gauge-limit" />
            <text x=at y="114" text-anchor=anchor(at) class="gauge-label limit">
                {td_string!(locale(), gauge_limit, amps = decimal(locale(), l, 0)).to_string()}
            </text>
        }
    });
    let lang = locale();
    let phase_words: Vec<String> = phases
        .iter()
        .enumerate()
        .map(|(i, a)| {
            format!(
                "L{} {}",
                i + 1,
                a.map_or("–".into(), |a| format!("{} A", decimal(lang, a, 1)))
            )
        })
        .collect();
    let mut words = phase_words.join(", ");
    if let Some(t) = target {
        words.push_str(&format!("; {}", td_string!(lang, gauge_target, amps = t)));
    }
    if let Some(l) = limit {
        let limit = decimal(lang, l, 0);
        words.push_str(&format!(
            "; {}",
            td_string!(lang, gauge_clemap_limit, amps = limit)
        ));
    }
    words.push_str(&format!(
        "; {}",
        td_string!(lang, gauge_allowed, min = min, max = max)
    ));
    let label = td_string!(lang, gauge_label, max = max, words = &words).to_string();
    let title = label.clone();
    let (range_x, range_w) = (x(f64::from(min)), x(f64::from(max)) - x(f64::from(min)));
    view! {
        <figure class="gauge" data-testid="gauge">
            <svg viewBox="0 0 320 120" role="img" aria-label=label>
                <title>{title}</title>
                <rect x=range_x y="4" width=range_w height="64" class="gauge-range" />
                {phase_rows}
                <line x1=GAUGE_LEFT x2=GAUGE_RIGHT y1="70" y2="70" class="gauge-axis" />
                {ticks}
                {target_mark}
                {limit_mark}
            </svg>
            <figcaption class="muted">{words}</figcaption>
        </figure>
    }
}

/// A site's chargers as labelled bars: first the site's total against its
/// supply limit, then each charger's highest phase against its own
/// maximum, its target a tick. Names and values are HTML beside each bar,
/// so they read at any width; the caption states both scales.
#[component]
pub fn SiteBars(chargers: Vec<ChargerOverview>) -> impl IntoView {
    let l = locale();
    // Unknown readings add nothing; the total says so when any is missing.
    let total: f64 = chargers.iter().filter_map(ChargerOverview::measured).sum();
    let unread = chargers.iter().filter(|c| c.measured().is_none()).count();
    let supply = chargers.first().and_then(|c| c.site_supply_limit);
    let total_top = f64::from(supply.unwrap_or(0)).max(total).max(1.0);
    let top = chargers
        .iter()
        .map(|c| c.charger.max_current)
        .max()
        .unwrap_or(32)
        .max(1);
    let bar = |share: f64, class: &'static str, tick: Option<f64>, mark: Option<f64>| {
        view! {
            <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                <rect x="0" y="0" width="100" height="10" class="track" />
                <rect x="0" y="0" width=format!("{:.1}", share.clamp(0.0, 1.0) * 100.0) height="10" class=class />
                {tick.map(|t| view! { <line x1=t * 100.0 x2=t * 100.0 y1="0" y2="10" class="tick" /> })}
                {mark.map(|m| view! { <line x1=m * 100.0 x2=m * 100.0 y1="0" y2="10" class="limit-mark" /> })}
            </svg>
        }
    };
    let over = supply.is_some_and(|s| total > f64::from(s));
    // A shared site's total bar marks what the load manager allocated.
    let allocated: Option<u32> = chargers
        .first()
        .is_some_and(|c| c.site_shared)
        .then(|| chargers.iter().filter_map(|c| c.shared).sum());
    let rows = chargers
        .iter()
        .map(|c| {
            let target = c
                .settings
                .as_ref()
                .and_then(|s| s.active_at(chrono::Utc::now()))
                .map(|(a, _)| f64::from(a) / f64::from(top));
            let value = c
                .measured()
                .map_or_else(|| "–".to_owned(), |a| format!("{} A", decimal(l, a, 1)));
            view! {
                <div class="row">
                    <span class="name">{c.charger.name.clone()}</span>
                    {bar(c.measured().unwrap_or(0.0) / f64::from(top), "fill", target, None)}
                    <span class="value">{value}</span>
                </div>
            }
        })
        .collect_view();
    let scale = td_string!(l, site_bars_scale, amps = top).to_string();
    let supply_words = supply.map(|s| format!("; {} {s} A", td_string!(l, legend_supply)));
    let allocated_words =
        allocated.map(|a| td_string!(l, site_bars_allocated, amps = a).to_string());
    let unread_words =
        (unread > 0).then(|| td_string!(l, site_bars_unread, count = unread).to_string());
    view! {
        <figure class="site-bars" data-testid="site-bars">
            <div class="row total">
                <span class="name">{td_string!(l, site_total)}</span>
                {bar(total / total_top, if over { "fill over" } else { "fill" }, allocated.map(|a| f64::from(a) / total_top), supply.map(|s| f64::from(s) / total_top))}
                <span class="value">{format!("{} A", decimal(l, total, 1))}</span>
            </div>
            {rows}
            <figcaption class="muted small">{scale}{supply_words}{allocated_words}{unread_words}</figcaption>
        </figure>
    }
}

/// The targets CLEMAP received over a list of audit events: a received set
/// raises the line for its duration, a later set or a reset ends it.
fn target_steps(entries: &[AuditEntry]) -> Vec<(DateTime<Utc>, DateTime<Utc>, u32)> {
    let mut events: Vec<&AuditEntry> = entries
        .iter()
        .filter(|e| e.outcome == Outcome::Received && e.action.is_upstream_call())
        .collect();
    events.sort_by_key(|e| e.id);
    let mut steps: Vec<(DateTime<Utc>, DateTime<Utc>, u32)> = Vec::new();
    for e in events {
        if let Some(last) = steps.last_mut()
            && last.1 > e.at
        {
            last.1 = e.at;
        }
        if let (AuditAction::SetTarget, Some(a), Some(d)) =
            (e.action, e.requested_current, e.requested_duration)
        {
            steps.push((e.at, e.at + chrono::Duration::seconds(d.into()), a));
        }
    }
    steps
}

/// A step chart of the requested target over the given events.
#[component]
pub fn TargetTimeline(entries: Vec<AuditEntry>) -> impl IntoView {
    let steps = target_steps(&entries);
    if steps.is_empty() {
        return ().into_any();
    }
    let start = steps.first().map(|s| s.0).unwrap_or_default();
    let end = steps.iter().map(|s| s.1).max().unwrap_or(start);
    let span = (end - start).num_seconds().max(1) as f64;
    let top = steps.iter().map(|s| s.2).max().unwrap_or(1).max(1) as f64;
    let (w, h) = (600.0, 120.0);
    let x = |t: DateTime<Utc>| ((t - start).num_seconds() as f64 / span * w).round();
    let y = |a: u32| (h - f64::from(a) / top * (h - 10.0)).round();
    let mut path = format!("M0,{h}");
    for (from, to, a) in &steps {
        path.push_str(&format!(
            " L{},{h} L{},{} L{},{} L{},{h}",
            x(*from),
            x(*from),
            y(*a),
            x(*to),
            y(*a),
            x(*to)
        ));
    }
    path.push_str(&format!(" L{w},{h}"));
    let lang = locale();
    let label = td_string!(
        lang,
        timeline_label,
        count = steps.len(),
        amps = decimal(lang, top, 0)
    )
    .to_string();
    let title = label.clone();
    view! {
        <figure class="timeline">
            <svg
                viewBox="0 0 600 120"
                width="600"
                height="120"
                role="img"
                aria-label=label
                data-testid="timeline"
            >
                <title>{title}</title>
                <path d=path class="timeline-line" fill="none" />
            </svg>
            <figcaption class="muted">
                {td_string!(
                    lang,
                    timeline_caption,
                    from = utc_minute(lang, start),
                    to = utc_minute(lang, end),
                    amps = decimal(lang, top, 0)
                )
                .to_string()}
            </figcaption>
        </figure>
    }
    .into_any()
}
