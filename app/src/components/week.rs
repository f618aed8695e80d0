//! Weeks drawn as SVG, seven days by 24 hours: a charger's planned
//! targets, and a site's planned sum per hour against its supply limit.
//! Each picture is described in words beside it (the schedule list, the
//! over-limit sentences), so nothing is only in the drawing.

use chrono::Weekday;
use evse_dashboard::schedule::week::{Stretch, stretches};
use evse_dashboard::types::Schedule;
use leptos::prelude::*;

use crate::i18n::td_string;
use crate::language::locale;
use crate::words::day_name;

const LEFT: f64 = 40.0;
/// Width of one hour.
const HOUR: f64 = 12.5;
const ROW: f64 = 22.0;
const TOP: f64 = 4.0;
const WIDTH: f64 = LEFT + 24.0 * HOUR + 10.0;
const HEIGHT: f64 = TOP + 7.0 * ROW + 16.0;

fn weekday(i: u8) -> Weekday {
    Weekday::try_from(i).unwrap_or(Weekday::Mon)
}

/// Day names down the left, hour marks along the bottom, a grid line
/// every six hours.
fn frame() -> impl IntoView {
    let l = locale();
    let days = (0..7u8)
        .map(|d| {
            let y = TOP + f64::from(d) * ROW + ROW * 0.65;
            view! { <text x="2" y=y class="week-label">{day_name(l, weekday(d))}</text> }
        })
        .collect_view();
    let hours = [0u8, 6, 12, 18, 24]
        .into_iter()
        .map(|h| {
            let x = LEFT + f64::from(h) * HOUR;
            view! {
                <line x1=x x2=x y1=TOP y2=TOP + 7.0 * ROW class="week-grid" />
                <text x=x y=HEIGHT - 3.0 text-anchor="middle" class="week-label">{h}</text>
            }
        })
        .collect_view();
    view! { {days} {hours} }
}

fn svg(
    class: &'static str,
    title_id: &'static str,
    title: &'static str,
    body: impl IntoView,
) -> impl IntoView {
    view! {
        <svg
            class=format!("week {class}")
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            role="img"
            aria-labelledby=title_id
        >
            <title id=title_id>{title}</title>
            {body}
        </svg>
    }
}

/// A charger's planned targets: one block per window and day, labelled
/// with its current where it fits.
#[component]
pub fn WeekView(schedules: Vec<Schedule>) -> impl IntoView {
    let l = locale();
    let blocks = schedules
        .iter()
        .enumerate()
        .flat_map(|(i, s)| stretches(s).into_iter().map(move |st| (i, s, st)))
        .map(|(i, s, Stretch { day, from, to })| {
            let x = LEFT + f64::from(from) / 60.0 * HOUR;
            let w = f64::from(to - from) / 60.0 * HOUR;
            let y = TOP + f64::from(day) * ROW + 2.0;
            let class = if s.enabled {
                format!("week-block tone-{}", i % 4)
            } else {
                "week-block off".to_owned()
            };
            let label = format!("{} A", s.current);
            view! {
                <rect x=x y=y width=w height=ROW - 4.0 rx="2" class=class>
                    <title>{format!("{}: {label}", s.name)}</title>
                </rect>
                {(w >= 30.0).then(|| view! {
                    <text x=x + 3.0 y=y + ROW * 0.55 class="week-amps">{label}</text>
                })}
            }
        })
        .collect_view();
    view! {
        {svg("plan", "week-plan-title", td_string!(l, week_plan), view! { {frame()} {blocks} })}
        <p class="muted small">{td_string!(l, week_plan_desc)}</p>
    }
}

/// A site's planned sum per hour (`sums`: 168, Monday 00:00 first) as a
/// bar per hour, a line at the supply limit, bars above it marked.
#[component]
pub fn SiteWeek(sums: Vec<u32>, limit: Option<u32>) -> impl IntoView {
    let l = locale();
    let top = f64::from(
        sums.iter()
            .copied()
            .max()
            .unwrap_or(0)
            .max(limit.unwrap_or(0))
            .max(1),
    );
    let bars = sums
        .iter()
        .enumerate()
        .filter(|(_, sum)| **sum > 0)
        .map(|(i, sum)| {
            let (day, hour) = (i / 24, i % 24);
            let h = f64::from(*sum) / top * (ROW - 4.0);
            let x = LEFT + hour as f64 * HOUR + 1.0;
            let y = TOP + (day as f64 + 1.0) * ROW - 2.0 - h;
            let over = limit.is_some_and(|limit| *sum > limit);
            view! {
                <rect x=x y=y width=HOUR - 2.0 height=h class=if over { "sum-bar over" } else { "sum-bar" }>
                    <title>
                        {td_string!(
                            l,
                            sum_at_hour,
                            day = day_name(l, weekday(day as u8)),
                            hour = format!("{hour:02}:00"),
                            sum = sum
                        ).to_string()}
                    </title>
                </rect>
            }
        })
        .collect_view();
    let lines = limit.map(|limit| {
        (0..7)
            .map(|day| {
                let y =
                    TOP + (f64::from(day) + 1.0) * ROW - 2.0 - f64::from(limit) / top * (ROW - 4.0);
                view! { <line x1=LEFT x2=LEFT + 24.0 * HOUR y1=y y2=y class="sum-limit" /> }
            })
            .collect_view()
    });
    svg(
        "sum",
        "site-week-title",
        td_string!(l, planned_sum),
        view! { {frame()} {bars} {lines} },
    )
}
