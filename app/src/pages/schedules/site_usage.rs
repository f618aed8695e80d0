//! What a site drew: the last 24 h per charger against the supply limit,
//! the energy per day for 30 days, and the 15-minute history as CSV.

use leptos::prelude::*;

use crate::components::feedback::{Card, Loaded};
use crate::components::history_chart::{EnergyDays, SiteLoad};
use crate::i18n::td_string;
use crate::language::locale;
use crate::pages::charger::CsvForm;
use crate::server_fns::history::site_chart;
use evse_dashboard::types::SiteChart;

/// The live region of a site's charts (#41).
pub const LIVE_SITE_LOAD: &str = "site-load";

/// The last 24 h against the limit, and the energy per day.
#[component]
pub fn SiteCharts(chart: SiteChart) -> impl IntoView {
    let l = locale();
    let days = chart.days.clone();
    view! {
        <SiteLoad chart caption_id="site-load-caption".to_owned() />
        <h3>{td_string!(l, energy_heading)}</h3>
        <EnergyDays days caption_id="energy-caption".to_owned() />
    }
}

#[component]
pub fn SiteUsage(site_id: i64, can_export: Signal<bool>) -> impl IntoView {
    let l = locale();
    let chart = Resource::new(|| (), move |_| site_chart(site_id));
    view! {
        <Card id="site-load-heading" heading=td_string!(l, site_load_heading) testid="site-usage">
            <Loaded>
                {move || Suspend::new(async move {
                    chart.await.map(|chart| {
                        view! { <div data-live=LIVE_SITE_LOAD><SiteCharts chart /></div> }.into_any()
                    })
                })}
            </Loaded>
            <Transition fallback=|| ()>
                {move || can_export.get().then(|| view! {
                    <CsvForm action=format!("/sites/{site_id}/history.csv") />
                })}
            </Transition>
        </Card>
    }
}
