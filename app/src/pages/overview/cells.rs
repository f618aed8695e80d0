//! What a charger's row shows, cell by cell. The page renders the row from
//! these, and a live stream (#41) renders the same cells again when a
//! reading, target or verdict changed, so both always agree. No cell holds
//! a control: replacing one never takes what a person is typing.

use chrono::{DateTime, Utc};
use evse_dashboard::types::ChargerOverview;
use leptos::prelude::*;

use crate::components::badge::{PlugBadge, UnreadableBadge, VerdictBadge};
use crate::components::time::{Countdown, Since};
use crate::i18n::td_string;
use crate::language::Locale;
use crate::words::{decimal, problem_sentence};

/// A cell of a charger's row that changes with its readings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Status,
    Measured,
    Verdict,
    Power,
    Phases,
    Target,
    Updated,
}

impl Cell {
    pub const ALL: [Cell; 7] = [
        Cell::Status,
        Cell::Measured,
        Cell::Verdict,
        Cell::Power,
        Cell::Phases,
        Cell::Target,
        Cell::Updated,
    ];

    /// The cell's `data-live` name on the page: `c12-status`.
    pub fn key(self, charger_id: i64) -> String {
        let name = match self {
            Cell::Status => "status",
            Cell::Measured => "measured",
            Cell::Verdict => "verdict",
            Cell::Power => "power",
            Cell::Phases => "phases",
            Cell::Target => "target",
            Cell::Updated => "updated",
        };
        format!("c{charger_id}-{name}")
    }

    /// What the cell shows of `c` at `now`.
    pub fn view(self, l: Locale, c: &ChargerOverview, now: DateTime<Utc>) -> AnyView {
        let target = c.settings.as_ref().and_then(|s| s.active_at(now));
        match self {
            Cell::Status => {
                let reason = c.problem.as_ref().map(|p| problem_sentence(l, p));
                let badges = match reason.clone() {
                    Some(reason) => view! { <UnreadableBadge reason /> }.into_any(),
                    None => c
                        .plugs
                        .iter()
                        .map(|p| view! { <PlugBadge state=p.status /> " " })
                        .collect_view()
                        .into_any(),
                };
                view! {
                    {badges}
                    {reason.map(|r| view! { <div class="muted small">{r}</div> })}
                }
                .into_any()
            }
            Cell::Measured => c
                .measured()
                .map_or_else(|| "–".to_owned(), |a| format!("{} A", decimal(l, a, 1)))
                .into_any(),
            Cell::Verdict => c
                .finding
                .as_ref()
                .filter(|_| target.is_some())
                .map(|f| {
                    let verdict = f.verdict;
                    view! { <VerdictBadge verdict /> }
                })
                .into_any(),
            Cell::Power => {
                let power = if c.problem.is_some() {
                    String::new()
                } else {
                    format!("{} kW", decimal(l, c.power_kw(), 1))
                };
                power.into_any()
            }
            Cell::Phases => phases(l, c).into_any(),
            Cell::Target => match target {
                Some((a, until)) => view! { {format!("{a} A ")}<Countdown until /> }.into_any(),
                None => td_string!(l, none).into_any(),
            },
            Cell::Updated => c.read_at.map(|at| view! { <Since at /> }).into_any(),
        }
    }
}

/// "6 / 6 / 0 A" for the first plug's phases.
fn phases(l: Locale, c: &ChargerOverview) -> String {
    c.plugs
        .first()
        .map(|p| {
            let a = |v: Option<f64>| v.map_or_else(|| "–".into(), |v| decimal(l, v, 0));
            format!(
                "{} / {} / {} A",
                a(p.current_l1),
                a(p.current_l2),
                a(p.current_l3)
            )
        })
        .unwrap_or_default()
}

/// A site's summary line: its power, and how many of its chargers charge.
pub fn site_summary(l: Locale, chargers: &[ChargerOverview]) -> String {
    let total_kw: f64 = chargers.iter().map(ChargerOverview::power_kw).sum();
    let charging = chargers
        .iter()
        .filter(|c| c.status() == evse_dashboard::types::ChargerStatus::Charging)
        .count();
    td_string!(
        l,
        site_summary,
        kw = decimal(l, total_kw, 1),
        charging = charging,
        total = chargers.len()
    )
    .to_string()
}

/// The `data-live` names of a site's summary and bars.
pub fn site_keys(site_id: i64) -> [String; 2] {
    [format!("s{site_id}-summary"), format!("s{site_id}-bars")]
}
