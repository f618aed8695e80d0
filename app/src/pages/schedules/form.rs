//! The schedule form: weekdays as checkboxes, times, current, zone and
//! optional first and last days. A refused post comes back with what was
//! typed (`?draft=`), so nothing is lost.

use evse_dashboard::types::ScheduleInput;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{Card, action_error};
use crate::i18n::td_string;
use crate::language::locale;
use crate::server_fns::schedules::CreateSchedule;
use crate::words::day_name;

/// What a refused post typed, from the URL it came back to.
pub fn draft() -> Option<ScheduleInput> {
    let query = use_query_map();
    query
        .get_untracked()
        .get("draft")
        .and_then(|json| serde_json::from_str(&json).ok())
}

/// The fields, named as `ScheduleInput` expects them under `input[…]`.
#[component]
pub fn ScheduleFields(input: ScheduleInput) -> impl IntoView {
    let l = locale();
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let boxes = input
        .day_boxes()
        .into_iter()
        .zip(names)
        .enumerate()
        .map(|(i, (checked, name))| {
            let day = chrono::Weekday::try_from(i as u8).unwrap_or(chrono::Weekday::Mon);
            view! {
                <label class="check">
                    <input type="checkbox" name=format!("input[{name}]") checked=checked.is_some() />
                    {day_name(l, day)}
                </label>
            }
        })
        .collect_view();
    view! {
        <label class="wide">
            {td_string!(l, name)}
            <input name="input[name]" value=input.name.clone() required maxlength="100" />
        </label>
        <fieldset class="wide days">
            <legend>{td_string!(l, weekdays_legend)}</legend>
            {boxes}
        </fieldset>
        <label>
            {td_string!(l, label_from)}
            <input type="time" name="input[from]" value=input.from.clone() required />
        </label>
        <label>
            {td_string!(l, label_to)}
            <input type="time" name="input[to]" value=input.to.clone() required aria-describedby="to-hint" />
            <span id="to-hint" class="muted small">{td_string!(l, label_to_hint)}</span>
        </label>
        <label>
            {td_string!(l, planned_current_amps)}
            <input type="number" name="input[current]" min="0" max="80" step="1" value=input.current.clone() required />
        </label>
        <label>
            {td_string!(l, label_time_zone)}
            <input name="input[time_zone]" value=input.time_zone.clone() autocomplete="off" />
        </label>
        <label>
            {td_string!(l, label_valid_from)}
            <input type="date" name="input[valid_from]" value=input.valid_from.clone() />
        </label>
        <label>
            {td_string!(l, label_valid_to)}
            <input type="date" name="input[valid_to]" value=input.valid_to.clone() />
        </label>
    }
}

/// Where a new schedule applies: a charger, or a whole site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Charger(i64),
    Site(i64),
}

/// The "Add a schedule" card, filled with a refused draft or with the
/// usual office window in `zone`.
#[component]
pub fn NewScheduleForm(scope: Scope, zone: String) -> impl IntoView {
    let l = locale();
    let create = ServerAction::<CreateSchedule>::new();
    let input = draft().unwrap_or_else(|| {
        ScheduleInput {
            from: "08:00".into(),
            to: "18:00".into(),
            current: "10".into(),
            time_zone: zone,
            ..Default::default()
        }
        .with_days(0b001_1111)
    });
    let (heading, hidden) = match scope {
        Scope::Charger(id) => (td_string!(l, add_schedule), ("charger_id", id)),
        Scope::Site(id) => (td_string!(l, add_site_schedule), ("site_id", id)),
    };
    view! {
        <Card id="add-schedule-heading" heading=heading testid="add-schedule">
            {action_error(create)}
            <ActionForm action=create attr:class="grid-form">
                <input type="hidden" name=hidden.0 value=hidden.1 />
                <ScheduleFields input />
                <button type="submit">{td_string!(l, create_schedule)}</button>
            </ActionForm>
        </Card>
    }
}
