//! History pictures, drawn on the server as SVG (no JavaScript). The plot
//! stretches to any width while its lines keep their thickness; the axis
//! labels are HTML around it, so they keep the page's text size on a phone
//! and on a wide screen alike. Each picture is described by its caption
//! (the SVG is labelled by it), and colours follow light and dark mode.

use chrono::{DateTime, Datelike, Utc};
use evse_dashboard::types::{ChargerChart, ChartRange, ChartTick, SiteChart, SiteDay, SitePhases};
use leptos::prelude::*;

use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::words::{calendar_day, day_name, decimal};

/// The plot's coordinate box (stretched to the page's width).
const W: f64 = 1000.0;
const H: f64 = 300.0;

/// The time axis: where each instant falls, 0..W.
struct TimeAxis {
    from: DateTime<Utc>,
    span: f64,
}

impl TimeAxis {
    fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Self {
            from,
            span: ((to - from).num_seconds() as f64).max(1.0),
        }
    }

    fn x(&self, at: DateTime<Utc>) -> f64 {
        ((at - self.from).num_seconds() as f64 / self.span * W).clamp(0.0, W)
    }

    /// The label column (of [`X_COLUMNS`]) an instant falls in.
    fn column(&self, at: DateTime<Utc>) -> String {
        column(self.x(at) / W)
    }
}

/// The time axis' labels sit in a grid of this many columns: the page's
/// CSP allows no inline style, so a label is placed by its column class
/// (`x0` … `x48`, style/main.css).
const X_COLUMNS: f64 = 48.0;

fn column(share: f64) -> String {
    format!("x{}", (share.clamp(0.0, 1.0) * X_COLUMNS).round() as u32)
}

/// A round top for a scale reaching `max`.
fn scale_top(max: f64) -> f64 {
    let step = if max <= 16.0 {
        4.0
    } else if max <= 40.0 {
        8.0
    } else if max <= 200.0 {
        20.0
    } else {
        100.0
    };
    ((max / step).ceil() * step).max(step)
}

fn y(value: f64, top: f64) -> f64 {
    H - (value / top).clamp(0.0, 1.0) * H
}

/// Polylines through the known points; a gap (nothing known) breaks them.
fn lines(points: &[(f64, Option<f64>)], top: f64) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for (x, v) in points {
        match v {
            Some(v) => {
                d.push_str(&format!(
                    "{}{x:.1},{:.1} ",
                    if pen_down { "L" } else { "M" },
                    y(*v, top)
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d
}

/// A step line (a value holds until the next one).
fn steps(points: &[(f64, Option<f64>)], top: f64, end: f64) -> String {
    let mut d = String::new();
    let mut last: Option<(f64, f64)> = None;
    for (x, v) in points {
        if let Some((_, lv)) = last {
            d.push_str(&format!("L{x:.1},{:.1} ", y(lv, top)));
        }
        match v {
            Some(v) => {
                let cmd = if last.is_some() { "L" } else { "M" };
                d.push_str(&format!("{cmd}{x:.1},{:.1} ", y(*v, top)));
                last = Some((*x, *v));
            }
            None => last = None,
        }
    }
    if let Some((_, lv)) = last {
        d.push_str(&format!("L{end:.1},{:.1}", y(lv, top)));
    }
    d
}

/// The y axis' labels, top to bottom, in HTML.
fn y_labels(top: f64) -> impl IntoView {
    let l = locale();
    let marks = [top, top / 2.0, 0.0];
    view! {
        <div class="chart-y" aria-hidden="true">
            {marks.map(|a| view! { <span>{format!("{} A", decimal(l, a, 0))}</span> }).collect_view()}
        </div>
    }
}

/// The time axis' labels in HTML, each where its instant falls. They are
/// short so that a week's eight fit a phone: "18:00" over a day, "Tue"
/// over a week (marks at midnight), "Tue 1" over a month (a mark a week).
fn x_labels(l: Locale, axis: &TimeAxis, ticks: &[ChartTick], range: ChartRange) -> impl IntoView {
    let marks = ticks
        .iter()
        .map(|t| {
            let day = day_name(l, t.local.weekday());
            let text = match range {
                ChartRange::Day => t.local.format("%H:%M").to_string(),
                ChartRange::Week => day.to_owned(),
                ChartRange::Month => format!("{day} {}", t.local.day()),
            };
            view! { <span class=axis.column(t.at)>{text}</span> }
        })
        .collect_view();
    view! { <div class="chart-x" aria-hidden="true">{marks}</div> }
}

/// A charger's measured current per phase with its target (a step line)
/// and CLEMAP's limit; simulated stretches are shaded.
#[component]
pub fn CurrentChart(chart: ChargerChart, caption_id: String) -> impl IntoView {
    let l = locale();
    if chart.points.is_empty() {
        return view! { <p class="muted" data-testid="current-chart">{td_string!(l, chart_no_data)}</p> }
            .into_any();
    }
    let axis = TimeAxis::new(chart.from, chart.to);
    let peak = chart
        .points
        .iter()
        .flat_map(|p| p.phases.iter().flatten().copied())
        .fold(0.0, f64::max);
    let targets = chart.points.iter().filter_map(|p| p.target).max();
    let limits = chart.points.iter().filter_map(|p| p.limit).reduce(f64::max);
    let top = scale_top(
        peak.max(f64::from(chart.max_current))
            .max(targets.map_or(0.0, f64::from)),
    );
    let series = |f: &dyn Fn(&evse_dashboard::types::CurrentPoint) -> Option<f64>| {
        chart
            .points
            .iter()
            .map(|p| (axis.x(p.at), f(p)))
            .collect::<Vec<_>>()
    };
    let phases: Vec<String> = (0..3)
        .map(|i| lines(&series(&|p| p.phases[i]), top))
        .collect();
    let target = steps(&series(&|p| p.target.map(f64::from)), top, W);
    let limit = steps(&series(&|p| p.limit), top, W);
    let simulated = chart
        .points
        .iter()
        .filter(|p| p.simulated)
        .map(|p| {
            let x = axis.x(p.at);
            let w = (W / chart.points.len().max(1) as f64).max(2.0);
            view! { <rect x=x y="0" width=w height=H class="simulated" /> }
        })
        .collect_view();
    let any_simulated = chart.points.iter().any(|p| p.simulated);
    let none = td_string!(l, chart_none);
    let summary = td_string!(
        l,
        chart_current_summary,
        from = crate::words::utc_minute(l, chart.from),
        to = crate::words::utc_minute(l, chart.to),
        peak = decimal(l, peak, 1),
        target = targets.map_or_else(|| none.to_owned(), |t| format!("{t} A")),
        limit = limits.map_or_else(|| none.to_owned(), |a| format!("{} A", decimal(l, a, 0)))
    )
    .to_string();
    view! {
        <figure class="chart" data-testid="current-chart">
            <div class="chart-body">
                {y_labels(top)}
                <svg viewBox="0 0 1000 300" preserveAspectRatio="none" role="img" aria-labelledby=caption_id.clone()>
                    {simulated}
                    <path d=phases[0].clone() class="line l1" />
                    <path d=phases[1].clone() class="line l2" />
                    <path d=phases[2].clone() class="line l3" />
                    <path d=target class="line target" />
                    <path d=limit class="line limit" />
                </svg>
            </div>
            {x_labels(l, &axis, &chart.ticks, chart.range)}
            <ul class="chart-legend" aria-hidden="true">
                <li><i class="key l1"></i>"L1"</li>
                <li><i class="key l2"></i>"L2"</li>
                <li><i class="key l3"></i>"L3"</li>
                <li><i class="key target"></i>{td_string!(l, legend_target)}</li>
                <li><i class="key limit"></i>{td_string!(l, legend_limit)}</li>
                {any_simulated.then(|| view! { <li><i class="key simulated"></i>{td_string!(l, legend_simulated)}</li> })}
            </ul>
            <figcaption id=caption_id class="muted small">{summary}</figcaption>
        </figure>
    }
    .into_any()
}

/// A site's current over 24 h, stacked per charger, against its supply
/// limit.
#[component]
pub fn SiteLoad(chart: SiteChart, caption_id: String) -> impl IntoView {
    let l = locale();
    let sums = chart.sums();
    let peak = sums.iter().copied().fold(0.0, f64::max);
    let top = scale_top(peak.max(chart.supply_limit.map_or(0.0, f64::from)));
    let (Some(first), Some(last)) = (chart.steps.first(), chart.steps.last()) else {
        return ().into_any();
    };
    let axis = TimeAxis::new(*first, *last + chrono::Duration::minutes(15));
    let slot = W / chart.steps.len().max(1) as f64;
    let mut stacked = vec![0.0; chart.steps.len()];
    let mut bars = Vec::new();
    for (n, share) in chart.chargers.iter().enumerate() {
        for (i, amps) in share.amps.iter().enumerate() {
            let Some(a) = amps.filter(|a| *a > 0.0) else {
                continue;
            };
            let (base, height) = (stacked[i], a / top * H);
            stacked[i] += height;
            bars.push(view! {
                <rect
                    x=format!("{:.1}", i as f64 * slot)
                    y=format!("{:.1}", H - base - height)
                    width=format!("{:.1}", slot * 0.9)
                    height=format!("{height:.1}")
                    class=format!("stack c{}", n % 6)
                />
            });
        }
    }
    let limit = chart.supply_limit.map(|limit| {
        let ly = y(f64::from(limit), top);
        view! { <line x1="0" x2=W y1=ly y2=ly class="line supply" /> }
    });
    let legend = chart
        .chargers
        .iter()
        .enumerate()
        .map(|(n, c)| view! { <li><i class=format!("key stack c{}", n % 6)></i>{c.name.clone()}</li> })
        .collect_view();
    let none = td_string!(l, chart_none);
    let summary = td_string!(
        l,
        site_load_summary,
        peak = decimal(l, peak, 1),
        limit = chart
            .supply_limit
            .map_or_else(|| none.to_owned(), |a| format!("{a} A"))
    )
    .to_string();
    view! {
        <figure class="chart" data-testid="site-load">
            <div class="chart-body">
                {y_labels(top)}
                <svg viewBox="0 0 1000 300" preserveAspectRatio="none" role="img" aria-labelledby=caption_id.clone()>
                    {bars}
                    {limit}
                </svg>
            </div>
            {x_labels(l, &axis, &chart.ticks, ChartRange::Day)}
            <ul class="chart-legend" aria-hidden="true">
                {legend}
                {chart.supply_limit.map(|_| view! { <li><i class="key supply"></i>{td_string!(l, legend_supply)}</li> })}
            </ul>
            <figcaption id=caption_id class="muted small">{summary}</figcaption>
        </figure>
    }
    .into_any()
}

/// A shared site's last 24 h: its draw on each phase, the sum of the
/// allocations (a step line) and the limit every phase is held under.
#[component]
pub fn SharedPhases(day: SitePhases, caption_id: String) -> impl IntoView {
    let l = locale();
    let (Some(first), Some(last)) = (day.steps.first(), day.steps.last()) else {
        return ().into_any();
    };
    let (peaks, allocated) = day.peaks();
    let limit = day.supply_limit.map(f64::from);
    let top = scale_top(
        peaks
            .iter()
            .copied()
            .fold(allocated, f64::max)
            .max(limit.unwrap_or(0.0)),
    );
    let axis = TimeAxis::new(*first, *last + chrono::Duration::minutes(15));
    let at = |i: usize| axis.x(day.steps[i]);
    let phase = |n: usize| {
        let points: Vec<(f64, Option<f64>)> = day
            .phases
            .iter()
            .enumerate()
            .map(|(i, p)| (at(i), p[n]))
            .collect();
        lines(&points, top)
    };
    let allocations: Vec<(f64, Option<f64>)> = day
        .allocated
        .iter()
        .enumerate()
        .map(|(i, a)| (at(i), *a))
        .collect();
    let limit_line = limit.map(|limit| {
        let ly = y(limit, top);
        view! { <line x1="0" x2=W y1=ly y2=ly class="line supply" /> }
    });
    let none = td_string!(l, chart_none);
    let summary = td_string!(
        l,
        shared_day_summary,
        l1 = decimal(l, peaks[0], 1),
        l2 = decimal(l, peaks[1], 1),
        l3 = decimal(l, peaks[2], 1),
        allocated = decimal(l, allocated, 0),
        limit = day
            .supply_limit
            .map_or_else(|| none.to_owned(), |a| format!("{a} A"))
    )
    .to_string();
    view! {
        <figure class="chart" data-testid="shared-phases">
            <div class="chart-body">
                {y_labels(top)}
                <svg viewBox="0 0 1000 300" preserveAspectRatio="none" role="img" aria-labelledby=caption_id.clone()>
                    <path d=phase(0) class="line l1" />
                    <path d=phase(1) class="line l2" />
                    <path d=phase(2) class="line l3" />
                    <path d=steps(&allocations, top, W) class="line target" />
                    {limit_line}
                </svg>
            </div>
            {x_labels(l, &axis, &day.ticks, ChartRange::Day)}
            <ul class="chart-legend" aria-hidden="true">
                <li><i class="key l1"></i>"L1"</li>
                <li><i class="key l2"></i>"L2"</li>
                <li><i class="key l3"></i>"L3"</li>
                <li><i class="key target"></i>{td_string!(l, legend_allocated)}</li>
                {day.supply_limit.map(|_| view! { <li><i class="key supply"></i>{td_string!(l, legend_supply)}</li> })}
            </ul>
            <figcaption id=caption_id class="muted small">{summary}</figcaption>
        </figure>
    }
    .into_any()
}

/// Energy per day for 30 days, as bars; the numbers are in a table below
/// (the picture's text equivalent).
#[component]
pub fn EnergyDays(days: Vec<SiteDay>, caption_id: String) -> impl IntoView {
    let l = locale();
    let most = days.iter().max_by(|a, b| a.kwh.total_cmp(&b.kwh)).cloned();
    let top = scale_top(most.as_ref().map_or(1.0, |d| d.kwh));
    let slot = W / days.len().max(1) as f64;
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let h = d.kwh / top * H;
            let class = if d.simulated {
                "bar simulated-bar"
            } else {
                "bar"
            };
            view! {
                <rect
                    x=format!("{:.1}", i as f64 * slot + slot * 0.1)
                    y=format!("{:.1}", H - h)
                    width=format!("{:.1}", slot * 0.8)
                    height=format!("{h:.1}")
                    class=class
                />
            }
        })
        .collect_view();
    let total: f64 = days.iter().map(|d| d.kwh).sum();
    let summary = td_string!(
        l,
        energy_summary,
        total = decimal(l, total, 1),
        day = most
            .as_ref()
            .map_or_else(String::new, |d| calendar_day(l, d.day)),
        kwh = most
            .as_ref()
            .map_or_else(|| "0".to_owned(), |d| decimal(l, d.kwh, 1))
    )
    .to_string();
    let labels = days
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 7 == 0)
        .map(|(i, d)| {
            let at = column((i as f64 + 0.5) / days.len().max(1) as f64);
            view! { <span class=at>{d.day.format("%d.%m.").to_string()}</span> }
        })
        .collect_view();
    let rows = days
        .iter()
        .rev()
        .map(|d| view! { <tr><td>{calendar_day(l, d.day)}</td><td>{format!("{} kWh", decimal(l, d.kwh, 1))}</td></tr> })
        .collect_view();
    view! {
        <figure class="chart" data-testid="energy-days">
            <div class="chart-body">
                <div class="chart-y" aria-hidden="true">
                    <span>{format!("{} kWh", decimal(l, top, 0))}</span>
                    <span>{format!("{} kWh", decimal(l, top / 2.0, 0))}</span>
                    <span>"0"</span>
                </div>
                <svg viewBox="0 0 1000 300" preserveAspectRatio="none" role="img" aria-labelledby=caption_id.clone()>
                    {bars}
                </svg>
            </div>
            <div class="chart-x" aria-hidden="true">{labels}</div>
            <figcaption id=caption_id class="muted small">{summary}</figcaption>
            <details>
                <summary>{td_string!(l, energy_heading)}</summary>
                <table class="compact">
                    <thead><tr><th scope="col">{td_string!(l, col_day)}</th><th scope="col">{td_string!(l, col_energy)}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}
