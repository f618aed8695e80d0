//! One site: its summary, a bar per charger, and a row per charger (a
//! stacked card on a phone). Operators get a checkbox per row that belongs
//! to the bulk form.

use evse_dashboard::types::{ChargerOverview, ChargerStatus};
use leptos::prelude::*;

use crate::components::badge::{PlugBadge, UnreadableBadge, VerdictBadge};
use crate::components::charts::SiteBars;
use crate::components::table::Table;
use crate::components::time::{Countdown, Since};
use crate::i18n::td_string;
use crate::islands::bulk::{FORM_ID, SelectSite};
use crate::language::{Locale, locale};
use crate::words::{decimal, problem_sentence};

#[component]
pub fn SiteCard(
    /// The site's place on the page (for "select all of this site").
    index: usize,
    site: String,
    chargers: Vec<ChargerOverview>,
    /// Operators and admins tick chargers for a bulk target.
    can_control: bool,
) -> impl IntoView {
    let l = locale();
    let total_kw: f64 = chargers.iter().map(ChargerOverview::power_kw).sum();
    let charging = chargers
        .iter()
        .filter(|c| c.status() == ChargerStatus::Charging)
        .count();
    let shared = chargers.first().is_some_and(|c| c.site_shared);
    view! {
        <section class="card site" data-site=site.clone() data-shared=shared.then_some("true") aria-labelledby=format!("site-{index}")>
            <header class="site-head">
                <h2 id=format!("site-{index}")>{site.clone()}</h2>
                {shared.then(|| view! { <span class="badge shared" data-testid="site-shared">{td_string!(l, site_shared_badge)}</span> })}
                <span class="summary" data-testid="site-summary">
                    {td_string!(
                        l,
                        site_summary,
                        kw = decimal(l, total_kw, 1),
                        charging = charging,
                        total = chargers.len()
                    )}
                </span>
                {can_control.then(|| view! { <SelectSite index /> })}
            </header>
            <SiteBars chargers=chargers.clone() />
            <Table
                columns=columns(l)
                select=can_control
                class="fleet cards"
            >
                {chargers
                    .into_iter()
                    .map(|c| view! { <ChargerRow c index can_control /> })
                    .collect_view()}
            </Table>
        </section>
    }
}

fn columns(l: Locale) -> [&'static str; 8] {
    [
        td_string!(l, col_charger),
        td_string!(l, col_status),
        td_string!(l, col_measured),
        td_string!(l, col_verdict),
        td_string!(l, col_power),
        PHASES,
        td_string!(l, col_target),
        td_string!(l, col_updated),
    ]
}

/// The phases' column: the same in every language.
const PHASES: &str = "L1 / L2 / L3";

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

#[component]
fn ChargerRow(c: ChargerOverview, index: usize, can_control: bool) -> impl IntoView {
    let l = locale();
    let [
        col_charger,
        col_status,
        col_measured,
        col_verdict,
        col_power,
        _,
        col_target,
        col_updated,
    ] = columns(l);
    let measured = c
        .measured()
        .map_or_else(|| "–".to_owned(), |a| format!("{} A", decimal(l, a, 1)));
    let in_force = c
        .settings
        .as_ref()
        .and_then(|s| s.active_at(chrono::Utc::now()));
    let verdict = c
        .finding
        .as_ref()
        .filter(|_| in_force.is_some())
        .map(|f| f.verdict);
    let id = c.charger.id;
    let now = chrono::Utc::now();
    let target = c.settings.as_ref().and_then(|s| s.active_at(now));
    let name = c.charger.name.clone();
    let status: &'static str = c.status().into();
    let reason = c.problem.as_ref().map(|p| problem_sentence(l, p));
    let power = if c.problem.is_some() {
        String::new()
    } else {
        format!("{} kW", decimal(l, c.power_kw(), 1))
    };
    let (min, max) = (c.charger.min_current, c.charger.max_current);
    view! {
        <tr data-charger=id data-status=status>
            {can_control.then(|| view! {
                <td class="select">
                    <input
                        type="checkbox"
                        form=FORM_ID
                        name="charger_ids[]"
                        value=id
                        aria-label=td_string!(l, select_named, name = &name).to_string()
                        data-name=name.clone()
                        data-min=min
                        data-max=max
                        data-site-index=index
                    />
                </td>
            })}
            <td data-label=col_charger class="name"><a href=format!("/chargers/{id}")>{c.charger.name.clone()}</a></td>
            <td data-label=col_status>
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
            <td data-label=col_measured class="nowrap">{measured}</td>
            <td data-label=col_verdict>{verdict.map(|verdict| view! { <VerdictBadge verdict /> })}</td>
            <td data-label=col_power class="wide-only">{power}</td>
            <td data-label=PHASES class="nowrap wide-only">{phases(l, &c)}</td>
            <td data-label=col_target class="wide-only">
                {match target {
                    Some((a, until)) => view! { {format!("{a} A ")}<Countdown until /> }.into_any(),
                    None => td_string!(l, none).into_any(),
                }}
            </td>
            <td data-label=col_updated class="muted wide-only">{c.read_at.map(|at| view! { <Since at /> })}</td>
        </tr>
    }
}
