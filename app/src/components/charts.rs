//! Small SVG pictures, each with a text equivalent for screen readers.

use chrono::{DateTime, Utc};
use evse_dashboard::types::{AuditAction, AuditEntry, ChargerOverview, Outcome};
use leptos::prelude::*;

/// Measured current vs target vs the charger's maximum, as one bar.
#[component]
pub fn CurrentBar(measured: f64, target: Option<u32>, max: u32) -> impl IntoView {
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
            {target.map(|t| view! {
                <rect x=x(f64::from(t)) - 1.5 y="0" width="3" height="28" class="bar-target" />
            })}
        </svg>
    }
}

/// One bar per charger of a site: measured current, the target a tick.
#[component]
pub fn SiteBars(chargers: Vec<ChargerOverview>) -> impl IntoView {
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
            let bh = (c.measured() / top * h).round();
            let target = c.settings.as_ref().and_then(|s| s.current);
            view! {
                <rect x=x y=h - bh width=bw height=bh class="bar-measured">
                    <title>{format!("{}: {:.0} A", c.charger.name, c.measured())}</title>
                </rect>
                {target.map(|t| {
                    let ty = (h - f64::from(t) / top * h).round();
                    view! { <rect x=x y=ty - 1.0 width=bw height="2" class="bar-target" /> }
                })}
            }
        })
        .collect_view();
    view! {
        <svg
            class="site-bars"
            viewBox="0 0 320 48"
            width="320"
            height="48"
            role="img"
            aria-label="Current per charger, target marked"
        >
            <rect x="0" y="0" width="320" height="48" class="bar-max" />
            {bars}
        </svg>
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
    let label = format!("Target timeline: {} targets, up to {top:.0} A", steps.len());
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
                {format!(
                    "Requested target over time ({} to {} UTC), highest {top:.0} A; resets drop to none.",
                    start.format("%Y-%m-%d %H:%M"),
                    end.format("%Y-%m-%d %H:%M"),
                )}
            </figcaption>
        </figure>
    }
    .into_any()
}
