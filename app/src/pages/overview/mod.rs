//! The fleet overview: every charger by site with live status, its target
//! and how fresh the reading is; a search and status filter (a GET form,
//! so it works without JavaScript); the bulk target for operators. Its
//! rows' cells follow every reading, target and verdict as they happen
//! (`LiveState`, #41; the cells are `cells.rs`).

mod bulk;
pub mod cells;
mod site_card;

use std::collections::BTreeMap;

use evse_dashboard::types::{ChargerOverview, ChargerStatus, Role};
use leptos::prelude::*;
use leptos_router::hooks::use_query;
use leptos_router::params::Params;
use strum::IntoEnumIterator;

use crate::components::feedback::Loaded;
use crate::components::layout::CurrentUser;
use crate::components::table::ChoiceSelect;
use crate::i18n::td_string;
use crate::islands::live::LiveState;
use crate::language::locale;
use crate::server_fns::overview::fleet_overview;
use crate::words::charger_status_label;
use bulk::{BulkPanel, BulkResults};
use site_card::SiteCard;

/// The overview's URL query: the filter, and a finished bulk change.
#[derive(Params, Clone, PartialEq, Default)]
struct OverviewQuery {
    q: Option<String>,
    status: Option<String>,
    bulk: Option<String>,
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let l = locale();
    let query = use_query::<OverviewQuery>();
    let current = move || query.get().unwrap_or_default();
    let fleet = Resource::new(|| (), |_| fleet_overview());
    let user = expect_context::<CurrentUser>();
    let can_control = move || user.role().is_some_and(|r| r >= Role::Operator);
    let statuses = ChargerStatus::iter()
        .map(|s| {
            (
                Into::<&'static str>::into(s).to_owned(),
                charger_status_label(l, s).to_owned(),
            )
        })
        .collect::<Vec<_>>();

    view! {
        <h1>{td_string!(l, nav_overview)}</h1>
        <LiveState />
        <form method="get" action="/" class="toolbar" data-testid="overview-filter">
            <label>
                {td_string!(l, search)}
                <input
                    type="search"
                    name="q"
                    placeholder=td_string!(l, charger_name)
                    value=move || current().q.unwrap_or_default()
                />
            </label>
            <ChoiceSelect
                label=td_string!(l, col_status)
                name="status"
                choices=statuses
                selected=current().status
            />
            <button type="submit" class="secondary">{td_string!(l, show)}</button>
        </form>
        {move || current().bulk.map(|batch_id| view! { <BulkResults batch_id /> })}
        <Loaded waiting=td_string!(l, reading_fleet)>
            {move || {
                let filter = current();
                let needle = filter.q.unwrap_or_default().trim().to_lowercase();
                let wanted: Option<ChargerStatus> = filter.status.and_then(|s| s.parse().ok());
                // Read here, not after the await, so the server waits for it.
                let can_control = can_control();
                Suspend::new(async move {
                    fleet.await.map(|list| {
                        if list.is_empty() {
                            return view! {
                                <p>{td_string!(l, no_chargers_yet)}</p>
                            }
                            .into_any();
                        }
                        let sites = by_site(list, &needle, wanted);
                        if sites.is_empty() {
                            return view! { <p>{td_string!(l, no_charger_matches)}</p> }.into_any();
                        }
                        sites
                            .into_iter()
                            .enumerate()
                            .map(|(index, (site, chargers))| {
                                view! { <SiteCard index site chargers can_control /> }
                            })
                            .collect_view()
                            .into_any()
                    })
                })
            }}
        </Loaded>
        <Transition fallback=|| ()>
            <Show when=can_control>
                <BulkPanel />
            </Show>
        </Transition>
    }
}

/// The chargers that match the search and status filter, by site name.
pub fn by_site(
    list: Vec<ChargerOverview>,
    needle: &str,
    wanted: Option<ChargerStatus>,
) -> BTreeMap<String, Vec<ChargerOverview>> {
    let mut sites: BTreeMap<String, Vec<ChargerOverview>> = BTreeMap::new();
    for c in list {
        if (needle.is_empty() || c.charger.name.to_lowercase().contains(needle))
            && wanted.is_none_or(|w| c.status() == w)
        {
            sites
                .entry(c.charger.site_name.clone())
                .or_default()
                .push(c);
        }
    }
    sites
}
