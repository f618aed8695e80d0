//! The fleet overview: every charger by site with live status, its target
//! and how fresh the reading is; search and a status filter; auto-refresh
//! while the tab is visible; and the bulk target for operators.

mod bulk;
mod server_check;
mod site_card;

use std::collections::{BTreeMap, BTreeSet};

use evse_dashboard::types::{ChargerOverview, ChargerStatus, Role};
use leptos::prelude::*;
use strum::IntoEnumIterator;

use crate::api::overview::{BulkSetTarget, fleet_overview};
use crate::components::feedback::Loaded;
use crate::components::layout::CurrentUser;
use crate::components::time::{use_hydrated, use_interval_while_visible, use_now};
use crate::words::charger_status_label;
use bulk::BulkPanel;
use server_check::ServerCheck;
use site_card::SiteCard;

const REFRESH_SECS: u64 = 15;

/// The overview's view state, shared by its parts.
#[derive(Clone, Copy)]
pub(crate) struct OverviewState {
    pub selected: RwSignal<BTreeSet<i64>>,
    pub can_control: Signal<bool>,
    pub now: ReadSignal<chrono::DateTime<chrono::Utc>>,
    pub hydrated: ReadSignal<bool>,
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let tick = RwSignal::new(0u64);
    let bulk = ServerAction::<BulkSetTarget>::new();
    let fleet = Resource::new(
        move || (tick.get(), bulk.version().get()),
        |_| fleet_overview(),
    );
    use_interval_while_visible(std::time::Duration::from_secs(REFRESH_SECS), move || {
        tick.update(|t| *t += 1)
    });
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(None::<ChargerStatus>);
    let user = expect_context::<CurrentUser>();
    let state = OverviewState {
        selected: RwSignal::new(BTreeSet::new()),
        can_control: Signal::derive(move || user.role().is_some_and(|r| r >= Role::Operator)),
        now: use_now(),
        hydrated: use_hydrated(),
    };

    view! {
        <h1>"Overview"</h1>
        <div class="toolbar">
            <label>
                "Search"
                <input
                    type="search"
                    placeholder="Charger name"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
            </label>
            <label>
                "Status"
                <select on:change=move |ev| status.set(event_target_value(&ev).parse().ok())>
                    <option value="">"All"</option>
                    {ChargerStatus::iter()
                        .map(|s| {
                            let value: &'static str = s.into();
                            view! { <option value=value>{charger_status_label(s)}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <span class="muted">{format!("Refreshes every {REFRESH_SECS} s while visible.")}</span>
        </div>
        <Loaded waiting="Reading the fleet from CLEMAP…">
                {move || {
                    // Read before the await, so typing re-renders the list.
                    let (needle, wanted) = (search.get().to_lowercase(), status.get());
                    let can_control = state.can_control.get();
                    Suspend::new(async move {
                    fleet.await.map(|list| {
                        if list.is_empty() {
                            return view! {
                                <p>"No chargers registered yet. An admin adds them on the Admin page."</p>
                            }
                            .into_any();
                        }
                        by_site(list, &needle, wanted)
                            .into_iter()
                            .map(|(site, chargers)| view! { <SiteCard site chargers state can_control /> })
                            .collect_view()
                            .into_any()
                    })
                })}}
            </Loaded>
        // In a Transition: the role comes from a resource, and a resource
        // read outside one is not waited for during server rendering.
        <Transition fallback=|| ()>
            <Show when=move || state.can_control.get()>
                <BulkPanel fleet selected=state.selected bulk />
            </Show>
        </Transition>
        <ServerCheck />
    }
}

/// The chargers that match the search and status filter, by site name.
fn by_site(
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
