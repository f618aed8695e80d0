//! A site's plan (`/sites/ID`): its schedules and its chargers', the
//! planned sum per hour of the week against the supply limit (drawn, and
//! every hour above the limit said in words), the site's zone and limit
//! (admins), and a form for a schedule of the whole site (operators).

use evse_dashboard::schedule::week::planned_per_hour;
use evse_dashboard::types::Role;
use leptos::prelude::*;

use super::form::{NewScheduleForm, Scope};
use super::list::ScheduleTable;
use super::sharing_card::SharingCard;
use super::site_usage::SiteUsage;
use crate::components::feedback::{Card, EventBanner, action_error};
use crate::components::layout::CurrentUser;
use crate::components::page::one_thing;
use crate::components::week::SiteWeek;
use crate::i18n::td_string;
use crate::islands::live::LiveState;
use crate::language::{Locale, locale};
use crate::pages::sessions::SiteSessions;
use crate::server_fns::schedules::{SitePlan, UpdateSite, site_plan};
use crate::words::day_name;

#[component]
pub fn SitePage() -> impl IntoView {
    let l = locale();
    let (heading, loading) = (td_string!(l, site_link), td_string!(l, loading_schedules));
    one_thing(
        heading,
        loading,
        site_plan,
        |plan| view! { <SiteView plan /> },
    )
}

/// Each stretch of hours above `limit`, as a sentence with its peak.
fn over_limit(l: Locale, sums: &[u32], limit: u32) -> Vec<String> {
    let mut out = Vec::new();
    for day in 0..7 {
        let hours = &sums[day * 24..day * 24 + 24];
        let mut hour = 0;
        while hour < 24 {
            if hours[hour] <= limit {
                hour += 1;
                continue;
            }
            let first = hour;
            while hour < 24 && hours[hour] > limit {
                hour += 1;
            }
            let peak = hours[first..hour].iter().max().copied().unwrap_or(0);
            let weekday = chrono::Weekday::try_from(day as u8).unwrap_or(chrono::Weekday::Mon);
            out.push(
                td_string!(
                    l,
                    over_limit,
                    day = day_name(l, weekday),
                    from = format!("{first:02}:00"),
                    to = format!("{hour:02}:00"),
                    sum = peak,
                    limit = limit
                )
                .to_string(),
            );
        }
    }
    out
}

#[component]
fn SiteView(plan: SitePlan) -> impl IntoView {
    let l = locale();
    let update = ServerAction::<UpdateSite>::new();
    let user = expect_context::<CurrentUser>();
    let role = move || user.role();
    let SitePlan {
        site,
        schedules,
        chargers,
    } = plan;
    let sums = planned_per_hour(&schedules, &chargers);
    let peak = sums.iter().copied().max().unwrap_or(0);
    let words = match site.supply_limit {
        None => vec![td_string!(l, no_limit_set).to_owned()],
        Some(limit) => {
            let over = over_limit(l, &sums, limit);
            if over.is_empty() {
                vec![td_string!(l, within_limit).to_owned()]
            } else {
                over
            }
        }
    };
    let warn = site.supply_limit.is_some_and(|limit| peak > limit);
    let (site_id, zone) = (site.id, site.time_zone.clone());
    let limit_text = site.supply_limit.map(|a| a.to_string()).unwrap_or_default();
    let stored = StoredValue::new(schedules);
    view! {
        <p class="crumbs"><a href="/">{td_string!(l, nav_overview)}</a></p>
        <h1>{td_string!(l, site_heading, site = &site.name).to_string()}</h1>
        <LiveState />
        <EventBanner />
        <div aria-live="polite">{action_error(update)}</div>
        <SiteSessions site_id supply_limit=site.supply_limit />
        <SiteUsage site_id can_export=Signal::derive(move || role().is_some_and(|r| r >= Role::Operator)) />
        <SharingCard site_id is_admin=Signal::derive(move || role() == Some(Role::Admin)) />
        <Card id="site-schedules-heading" heading=td_string!(l, schedules_heading)>
            <Transition fallback=|| ()>
                {move || view! {
                    <ScheduleTable
                        schedules=stored.get_value()
                        can_edit=role().is_some_and(|r| r >= Role::Operator)
                    />
                }}
            </Transition>
        </Card>
        <Card id="planned-sum-heading" heading=td_string!(l, planned_sum) testid="planned-sum">
            <p class="muted small">{td_string!(l, planned_sum_desc)}</p>
            <SiteWeek sums=sums.clone() limit=site.supply_limit />
            <p>{td_string!(l, peak_planned, sum = peak).to_string()}</p>
            <ul class=if warn { "warnings over" } else { "warnings" } data-testid="limit-words">
                {words.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
            </ul>
        </Card>
        <Transition fallback=|| ()>
            {move || (role() == Some(Role::Admin)).then(|| {
                let (zone, limit_text) = (zone.clone(), limit_text.clone());
                view! {
                    <Card id="site-settings-heading" heading=td_string!(l, site_settings)>
                        <ActionForm action=update attr:class="grid-form" attr:data-testid="site-settings">
                            <input type="hidden" name="id" value=site_id />
                            <label>
                                {td_string!(l, label_time_zone)}
                                <input name="time_zone" value=zone required />
                            </label>
                            <label>
                                {td_string!(l, label_supply_limit)}
                                <input type="number" name="supply_limit" min="1" value=limit_text />
                            </label>
                            <button type="submit">{td_string!(l, save_site)}</button>
                        </ActionForm>
                    </Card>
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || role().is_some_and(|r| r >= Role::Operator).then(|| {
                view! { <NewScheduleForm scope=Scope::Site(site_id) zone=site.time_zone.clone() /> }
            })}
        </Transition>
    }
}
