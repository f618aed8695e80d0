//! The schedules of a charger or site as a table (cards on a phone):
//! what, where, when, how much, when next, and whether it works.

use chrono::Utc;
use evse_dashboard::types::{Schedule, ScheduleHeldBack, ScheduleScope, schedule_key};
use leptos::prelude::*;

use crate::components::table::Table;
use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::server_fns::schedules::SetScheduleEnabled;
use crate::words::{date_time, days_label, problem_sentence, wall_clock};

fn columns(l: Locale) -> [&'static str; 7] {
    [
        td_string!(l, col_schedule),
        td_string!(l, col_applies_to),
        td_string!(l, col_days),
        td_string!(l, col_window),
        td_string!(l, col_current),
        td_string!(l, col_next),
        td_string!(l, col_state),
    ]
}

fn next_text(l: Locale, s: &Schedule) -> String {
    match (s.next, s.next_local) {
        (Some(_), Some((_, end))) if s.in_force(Utc::now()) => {
            td_string!(l, schedule_in_force_until, time = wall_clock(l, end)).to_string()
        }
        (Some(_), Some((start, _))) => wall_clock(l, start),
        _ => td_string!(l, schedule_no_next).to_owned(),
    }
}

#[component]
pub fn ScheduleTable(schedules: Vec<Schedule>, can_edit: bool) -> impl IntoView {
    let l = locale();
    if schedules.is_empty() {
        return view! { <p data-testid="no-schedules">{td_string!(l, no_schedules)}</p> }
            .into_any();
    }
    let [
        c_name,
        c_scope,
        c_days,
        c_window,
        c_current,
        c_next,
        c_state,
    ] = columns(l);
    let rows = schedules
        .into_iter()
        .map(|s| {
            let scope = match &s.scope {
                ScheduleScope::Charger { id, name } => {
                    view! { <a href=format!("/chargers/{id}")>{name.clone()}</a> }.into_any()
                }
                ScheduleScope::Site { id, name } => view! {
                    <a href=format!("/sites/{id}")>{td_string!(l, whole_site, site = name).to_string()}</a>
                }
                .into_any(),
            };
            let window = format!(
                "{}–{} ({})",
                s.start.format("%H:%M"),
                s.end.format("%H:%M"),
                s.time_zone
            );
            let state = if s.enabled {
                td_string!(l, schedule_enabled)
            } else {
                td_string!(l, schedule_disabled)
            };
            let failure = s.last_error.clone().map(|(problem, at)| {
                view! {
                    <p class="error-text small">
                        {td_string!(
                            l,
                            schedule_failed,
                            when = date_time(l, at, false),
                            problem = problem_sentence(l, &problem)
                        ).to_string()}
                    </p>
                }
            });
            let id = s.id;
            view! {
                <tr data-schedule=s.name.clone()>
                    <td data-label=c_name>
                        {if can_edit {
                            view! { <a href=format!("/schedules/{id}")>{s.name.clone()}</a> }.into_any()
                        } else {
                            s.name.clone().into_any()
                        }}
                    </td>
                    <td data-label=c_scope>{scope}</td>
                    <td data-label=c_days>{days_label(l, s.days)}</td>
                    <td data-label=c_window>{window}</td>
                    <td data-label=c_current>{format!("{} A", s.current)}</td>
                    <td data-label=c_next>{next_text(l, &s)}</td>
                    <td data-label=c_state>
                        {state}
                        {failure}
                        {can_edit.then(|| view! { <ToggleForm id enabled=s.enabled /> })}
                        <a class="small" href=format!("/audit?user={}", schedule_key(id))>
                            {td_string!(l, schedule_history)}
                        </a>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Table columns=columns(l) class="cards" testid="schedule-table">
            {rows}
        </Table>
    }
    .into_any()
}

/// Enable or disable: one button, a plain form.
#[component]
fn ToggleForm(id: i64, enabled: bool) -> impl IntoView {
    let l = locale();
    let toggle = ServerAction::<SetScheduleEnabled>::new();
    let label = if enabled {
        td_string!(l, disable)
    } else {
        td_string!(l, enable)
    };
    view! {
        <ActionForm action=toggle attr:class="inline">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="enabled" value=(!enabled).to_string() />
            <button type="submit" class="secondary">{label}</button>
        </ActionForm>
    }
}

/// "Manual target until 15:40; the schedule 'Office hours' resumes then."
#[component]
pub fn HeldBackBanner(held: ScheduleHeldBack) -> impl IntoView {
    let l = locale();
    let text = match held.until_local {
        Some(until) => td_string!(
            l,
            schedule_held_until,
            time = until.format("%H:%M").to_string(),
            name = &held.schedule
        )
        .to_string(),
        None => td_string!(l, schedule_held_reset, name = &held.schedule).to_string(),
    };
    view! { <p class="banner info" role="status" data-testid="held-back">{text}</p> }
}
