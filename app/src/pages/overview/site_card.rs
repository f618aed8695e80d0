//! One site: its summary, a bar per charger, and a row per charger (a
//! stacked card on a phone). Operators get a checkbox per row that belongs
//! to the bulk form.

use evse_dashboard::types::ChargerOverview;
use leptos::prelude::*;

use super::cells::{Cell, site_keys, site_summary};
use crate::components::charts::SiteBars;
use crate::components::table::Table;
use crate::i18n::td_string;
use crate::islands::bulk::{FORM_ID, SelectSite};
use crate::language::{Locale, locale};

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
    let shared = chargers.first().is_some_and(|c| c.site_shared);
    let site_id = chargers.first().map_or(0, |c| c.charger.site_id);
    let [summary_key, bars_key] = site_keys(site_id);
    let now = chrono::Utc::now();
    view! {
        <section class="card site" data-site=site.clone() data-shared=shared.then_some("true") aria-labelledby=format!("site-{index}")>
            <header class="site-head">
                <h2 id=format!("site-{index}")>{site.clone()}</h2>
                {shared.then(|| view! { <span class="badge shared" data-testid="site-shared">{td_string!(l, site_shared_badge)}</span> })}
                <span class="summary" data-testid="site-summary" data-live=summary_key>
                    {site_summary(l, &chargers)}
                </span>
                {can_control.then(|| view! { <SelectSite index /> })}
            </header>
            <div data-live=bars_key>
                <SiteBars chargers=chargers.clone() />
            </div>
            <Table
                columns=columns(l)
                select=can_control
                class="fleet cards"
            >
                {chargers
                    .into_iter()
                    .map(|c| view! { <ChargerRow c index can_control now /> })
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

#[component]
fn ChargerRow(
    c: ChargerOverview,
    index: usize,
    can_control: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> impl IntoView {
    let l = locale();
    let id = c.charger.id;
    let name = c.charger.name.clone();
    let status: &'static str = c.status().into();
    let (min, max) = (c.charger.min_current, c.charger.max_current);
    // Each cell with its column's label (the phone's stacked cards) and
    // its live name; the charger's name is the first column.
    let labels = columns(l);
    let cells = Cell::ALL.into_iter().zip(&labels[1..]).map(|(cell, label)| {
        let class = match cell {
            Cell::Measured => "nowrap",
            Cell::Power | Cell::Target => "wide-only",
            Cell::Phases => "nowrap wide-only",
            Cell::Updated => "muted wide-only",
            Cell::Status | Cell::Verdict => "",
        };
        view! {
            <td data-label=*label class=(!class.is_empty()).then_some(class) data-live=cell.key(id)>
                {cell.view(l, &c, now)}
            </td>
        }
    });
    let cells = cells.collect_view();
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
            <td data-label=labels[0] class="name"><a href=format!("/chargers/{id}")>{name.clone()}</a></td>
            {cells}
        </tr>
    }
}
