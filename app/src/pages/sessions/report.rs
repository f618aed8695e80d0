//! A site's monthly report (`/sites/ID/report?month=YYYY-MM`): energy per
//! charger and in total, sessions, the month's peak quarter hour, the
//! time at the supply limit and the share under a limit. It prints on A4
//! (the print stylesheet drops the navigation and the forms).

use evse_dashboard::types::{Role, SiteReport};
use leptos::prelude::*;
use leptos_router::hooks::{use_params, use_query};
use leptos_router::params::Params;

use crate::components::feedback::Loaded;
use crate::components::layout::CurrentUser;
use crate::components::table::Table;
use crate::i18n::td_string;
use crate::language::locale;
use crate::server_fns::sessions::site_report;
use crate::words::{hours, kwh, month_label, peak_power, peak_time, percent, wall_clock};

#[derive(Params, Clone, PartialEq)]
struct IdParams {
    id: Option<i64>,
}

#[derive(Params, Clone, PartialEq, Default)]
struct MonthQuery {
    month: Option<String>,
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let l = locale();
    let params = use_params::<IdParams>();
    let query = use_query::<MonthQuery>();
    let id = move || params.get().ok().and_then(|p| p.id).unwrap_or(0);
    let month = move || query.get().ok().and_then(|q| q.month).unwrap_or_default();
    let report = Resource::new(move || (id(), month()), |(id, m)| site_report(id, m));
    let user = expect_context::<CurrentUser>();
    view! {
        <p class="crumbs no-print">
            <a href=move || format!("/sites/{}", id())>{td_string!(l, site_link)}</a>
        </p>
        <h1>{td_string!(l, report_heading)}</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                // The month asked for as typed, else the one shown.
                let asked = month();
                let shown = if asked.is_empty() {
                    report.await.map(|r| r.month.to_string()).unwrap_or_default()
                } else {
                    asked
                };
                view! {
                    <form method="get" class="grid-form no-print" data-testid="report-month">
                        <label>
                            {td_string!(l, month_field)}
                            <input
                                type="month"
                                name="month"
                                value=shown
                                pattern="[0-9]{4}-[0-9]{2}"
                                placeholder="2026-11"
                            />
                        </label>
                        <button type="submit">{td_string!(l, show_report)}</button>
                    </form>
                }
            })}
        </Transition>
        <Loaded waiting=td_string!(l, loading_report)>
            {move || {
                let can_export = user.role().is_some_and(|r| r >= Role::Operator);
                Suspend::new(async move {
                    report.await.map(|report| view! { <Report report can_export /> })
                })
            }}
        </Loaded>
    }
}

#[component]
fn Report(report: SiteReport, can_export: bool) -> impl IntoView {
    let l = locale();
    let r = report;
    let title = td_string!(
        l,
        report_title,
        site = &r.site_name,
        month = month_label(l, r.month)
    )
    .to_string();
    let (from, to) = (wall_clock(l, r.local_from), wall_clock(l, r.local_to));
    let period = if r.complete {
        td_string!(l, report_period, from = from, to = to, zone = &r.time_zone).to_string()
    } else {
        td_string!(l, report_so_far, from = from, to = to, zone = &r.time_zone).to_string()
    };
    let peak = r.peak.as_ref().map_or_else(
        || td_string!(l, report_no_peak).to_owned(),
        |p| format!("{} · {}", peak_power(l, p), peak_time(l, p)),
    );
    let limit = r.supply_limit.map_or_else(
        || td_string!(l, no_limit_set).to_owned(),
        |a| td_string!(l, supply_limit_amps, amps = a).to_string(),
    );
    let at_limit = r
        .hours_at_limit
        .map_or_else(|| "–".to_owned(), |h| hours(l, h));
    let share = r
        .limited_share()
        .map_or_else(|| "–".to_owned(), |s| percent(l, s));
    let facts: Vec<(&'static str, String, &'static str)> = vec![
        (
            td_string!(l, report_energy),
            kwh(l, r.energy_wh),
            "report-energy",
        ),
        (
            td_string!(l, report_sessions),
            r.sessions.to_string(),
            "report-sessions",
        ),
        (td_string!(l, report_peak), peak, "report-peak"),
        (td_string!(l, supply_limit), limit, "report-limit"),
        (
            td_string!(l, report_hours_at_limit),
            at_limit,
            "report-at-limit",
        ),
        (
            td_string!(l, report_under_limit),
            share,
            "report-under-limit",
        ),
    ];
    let first_day = r
        .month
        .first_day()
        .map(|d| d.format("%Y-%m-%d").to_string());
    let sessions_link = format!(
        "/sessions?site={}&from={}&to={}",
        r.site_id,
        first_day.unwrap_or_default(),
        r.month
            .next()
            .first_day()
            .and_then(|d| d.pred_opt())
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    );
    let columns = [
        td_string!(l, col_charger),
        td_string!(l, col_energy),
        td_string!(l, col_under_limit_energy),
        td_string!(l, report_sessions),
    ];
    let [c_charger, c_energy, c_limited, c_sessions] = columns;
    view! {
        <section class="report" data-testid="report">
            <h2>{title}</h2>
            <p class="muted">{period}</p>
            <dl class="facts">
                {facts.into_iter().map(|(k, v, testid)| view! {
                    <div><dt>{k}</dt><dd data-testid=testid>{v}</dd></div>
                }).collect_view()}
            </dl>
            <p class="muted small">{td_string!(l, report_explained)}</p>
            <Table columns=columns class="report-chargers cards" testid="report-chargers">
                {r.chargers.iter().map(|c| {
                    // Never read this month: unknown, not 0 kWh.
                    let known = c.quarters_read > 0;
                    let energy = |wh| if known { kwh(l, wh) } else { td_string!(l, report_no_readings).to_owned() };
                    view! {
                    <tr>
                        <td data-label=c_charger>{c.name.clone()}</td>
                        <td data-label=c_energy class="num">{energy(c.energy_wh)}</td>
                        <td data-label=c_limited class="num">{energy(c.limited_wh)}</td>
                        <td data-label=c_sessions class="num">{c.sessions}</td>
                    </tr>
                    }
                }).collect_view()}
            </Table>
            <p class="actions no-print">
                <a href=sessions_link>{td_string!(l, report_sessions_link)}</a>
                {can_export.then(|| view! {
                    <a
                        class="button"
                        href=format!("/sites/{}/report.csv?month={}", r.site_id, r.month)
                        download
                        data-testid="report-export"
                    >
                        {td_string!(l, export_csv)}
                    </a>
                })}
            </p>
        </section>
    }
}
