//! The latest sessions on a charger's page, and on a site's page with
//! the month's peak so far next to the supply limit (a manager sees a
//! new peak coming) and the way to the monthly report.

use leptos::prelude::*;

use super::SessionTable;
use crate::components::feedback::{Card, Loaded};
use crate::i18n::td_string;
use crate::language::locale;
use crate::server_fns::sessions::{latest_sessions, month_peak};
use crate::words::{peak_power, peak_time};
use evse_dashboard::types::Peak;

/// The live regions of the latest sessions and the month's peak (#41).
pub const LIVE_CHARGER_SESSIONS: &str = "charger-sessions";
pub const LIVE_SITE_SESSIONS: &str = "site-sessions";
pub const LIVE_MONTH_PEAK: &str = "month-peak";

/// "70.8 kW · 2026-12-07 02:00 (UTC+01:00)", or that nothing was used.
#[component]
pub fn MonthPeak(peak: Option<Peak>) -> impl IntoView {
    let l = locale();
    match peak {
        Some(p) => format!("{} · {}", peak_power(l, &p), peak_time(l, &p)),
        None => td_string!(l, report_no_peak).to_owned(),
    }
}

#[component]
pub fn ChargerSessions(charger_id: i64) -> impl IntoView {
    let l = locale();
    let sessions = Resource::new(|| (), move |_| latest_sessions(None, Some(charger_id)));
    view! {
        <Card id="charger-sessions-heading" heading=td_string!(l, latest_sessions) testid="charger-sessions">
            <Loaded>
                {move || Suspend::new(async move {
                    sessions.await.map(|sessions| view! {
                        <div data-live=LIVE_CHARGER_SESSIONS>
                            <SessionTable sessions empty=td_string!(l, no_sessions_yet) />
                        </div>
                    })
                })}
            </Loaded>
            <p><a href=format!("/sessions?charger={charger_id}")>{td_string!(l, all_charger_sessions)}</a></p>
        </Card>
    }
}

#[component]
pub fn SiteSessions(site_id: i64, supply_limit: Option<u32>) -> impl IntoView {
    let l = locale();
    let sessions = Resource::new(|| (), move |_| latest_sessions(Some(site_id), None));
    let peak = Resource::new(|| (), move |_| month_peak(site_id));
    let limit = supply_limit.map_or_else(
        || td_string!(l, no_limit_set).to_owned(),
        |a| td_string!(l, supply_limit_amps, amps = a).to_string(),
    );
    view! {
        <Card id="site-month-heading" heading=td_string!(l, this_month_heading) testid="site-month">
            <dl class="facts">
                <div><dt>{td_string!(l, supply_limit)}</dt><dd>{limit}</dd></div>
                <div>
                    <dt>{td_string!(l, month_peak_so_far)}</dt>
                    <dd data-testid="month-peak">
                        <Loaded>
                            {move || Suspend::new(async move {
                                peak.await.map(|peak| view! {
                                    <span data-live=LIVE_MONTH_PEAK><MonthPeak peak /></span>
                                })
                            })}
                        </Loaded>
                    </dd>
                </div>
            </dl>
            <p><a href=format!("/sites/{site_id}/report") data-testid="report-link">{td_string!(l, monthly_report_link)}</a></p>
        </Card>
        <Card id="site-sessions-heading" heading=td_string!(l, latest_sessions) testid="site-sessions">
            <Loaded>
                {move || Suspend::new(async move {
                    sessions.await.map(|sessions| view! {
                        <div data-live=LIVE_SITE_SESSIONS>
                            <SessionTable sessions empty=td_string!(l, no_sessions_yet) />
                        </div>
                    })
                })}
            </Loaded>
            <p><a href=format!("/sessions?site={site_id}")>{td_string!(l, all_site_sessions)}</a></p>
        </Card>
    }
}
