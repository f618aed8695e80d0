//! What the charger drew: its currents over the last day, week or month
//! (links, so it works without JavaScript), and the 15-minute history as
//! CSV for operators.

use evse_dashboard::types::ChartRange;
use leptos::prelude::*;
use leptos_router::hooks::use_query;
use leptos_router::params::Params;

use crate::components::feedback::{Card, Loaded};
use crate::components::history_chart::CurrentChart;
use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::server_fns::history::charger_chart;

/// `?range=24h|7d|30d`.
#[derive(Params, Clone, PartialEq)]
struct RangeQuery {
    range: Option<String>,
}

fn range_label(l: Locale, range: ChartRange) -> &'static str {
    match range {
        ChartRange::Day => td_string!(l, range_24h),
        ChartRange::Week => td_string!(l, range_7d),
        ChartRange::Month => td_string!(l, range_30d),
    }
}

/// The range links: the one shown is marked current.
#[component]
pub fn RangeLinks(shown: ChartRange) -> impl IntoView {
    use strum::IntoEnumIterator;
    let l = locale();
    view! {
        <nav class="ranges" aria-label=td_string!(l, chart_range_label)>
            {ChartRange::iter()
                .map(|r| {
                    let current = (r == shown).then_some("page");
                    view! {
                        <a href=format!("?range={}", r.as_str()) aria-current=current>{range_label(l, r)}</a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// A GET form for `/…/history.csv` with two days (today by default).
#[component]
pub fn CsvForm(action: String) -> impl IntoView {
    let l = locale();
    let today = chrono::Utc::now().date_naive().to_string();
    view! {
        <form method="get" action=action class="inline-form csv-form" data-testid="history-csv">
            <label>{td_string!(l, csv_from)} " " <input type="date" name="from" value=today.clone() required /></label>
            <label>{td_string!(l, csv_to)} " " <input type="date" name="to" value=today required /></label>
            <button type="submit">{td_string!(l, download_csv)}</button>
        </form>
    }
}

#[component]
pub fn Usage(charger_id: i64, can_export: Signal<bool>) -> impl IntoView {
    let l = locale();
    let query = use_query::<RangeQuery>();
    let range = move || {
        query
            .get()
            .ok()
            .and_then(|q| q.range)
            .and_then(|r| r.parse().ok())
            .unwrap_or_default()
    };
    let chart = Resource::new(range, move |range| charger_chart(charger_id, range));
    view! {
        <Card id="usage-heading" heading=td_string!(l, history_heading) testid="usage">
            <Transition fallback=|| ()>
                {move || view! { <RangeLinks shown=range() /> }}
            </Transition>
            <Loaded>
                {move || Suspend::new(async move {
                    chart.await.map(|chart| {
                        view! { <CurrentChart chart caption_id="usage-caption".to_owned() /> }.into_any()
                    })
                })}
            </Loaded>
            <Transition fallback=|| ()>
                {move || can_export.get().then(|| view! {
                    <CsvForm action=format!("/chargers/{charger_id}/history.csv") />
                })}
            </Transition>
        </Card>
    }
}
