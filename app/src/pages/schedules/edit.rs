//! A schedule's own page (`/schedules/ID`): edit it, enable or disable
//! it, delete it. Operators and admins only change; the page says so to
//! viewers.

use evse_dashboard::types::{Role, Schedule, ScheduleInput, ScheduleScope};
use leptos::prelude::*;

use super::form::{ScheduleFields, draft};
use super::list::ScheduleTable;
use crate::components::feedback::{Card, action_error};
use crate::components::layout::CurrentUser;
use crate::components::page::one_thing;
use crate::i18n::td_string;
use crate::language::locale;
use crate::server_fns::schedules::{DeleteSchedule, UpdateSchedule, get_schedule};

#[component]
pub fn SchedulePage() -> impl IntoView {
    let l = locale();
    let (heading, loading) = (
        td_string!(l, edit_schedule),
        td_string!(l, loading_schedules),
    );
    one_thing(heading, loading, get_schedule, |schedule| {
        view! { <ScheduleView schedule /> }
    })
}

#[component]
fn ScheduleView(schedule: Schedule) -> impl IntoView {
    let l = locale();
    let update = ServerAction::<UpdateSchedule>::new();
    let delete = ServerAction::<DeleteSchedule>::new();
    let user = expect_context::<CurrentUser>();
    let can_edit = move || user.role().is_some_and(|r| r >= Role::Operator);
    let (home, place) = match &schedule.scope {
        ScheduleScope::Charger { id, name } => (format!("/chargers/{id}"), name.clone()),
        ScheduleScope::Site { id, name } => (format!("/sites/{id}"), name.clone()),
    };
    let input =
        StoredValue::new(draft().unwrap_or_else(|| ScheduleInput::from_schedule(&schedule)));
    let id = schedule.id;
    let stored = StoredValue::new(schedule.clone());
    view! {
        <p class="crumbs"><a href="/">{td_string!(l, nav_overview)}</a> " › " <a href=home>{place}</a></p>
        <h1>{schedule.name.clone()}</h1>
        <div aria-live="polite">
            {action_error(update)}
            {action_error(delete)}
        </div>
        <Transition fallback=|| ()>
            {move || {
                let schedule = stored.get_value();
                view! { <ScheduleTable schedules=vec![schedule] can_edit=can_edit() /> }
            }}
        </Transition>
        <Transition fallback=|| ()>
            <Show when=can_edit fallback=move || view! { <p class="muted">{td_string!(l, read_only)}</p> }>
                <Card id="edit-schedule-heading" heading=td_string!(l, edit_schedule)>
                    <ActionForm action=update attr:class="grid-form" attr:data-testid="edit-schedule">
                        <input type="hidden" name="id" value=id />
                        <ScheduleFields input=input.get_value() />
                        <button type="submit">{td_string!(l, save_schedule)}</button>
                    </ActionForm>
                </Card>
                <Card id="delete-schedule-heading" heading=td_string!(l, delete_schedule)>
                    <ActionForm action=delete attr:data-testid="delete-schedule">
                        <input type="hidden" name="id" value=id />
                        <label class="check">
                            <input type="checkbox" name="confirmed" required />
                            {td_string!(l, delete_schedule_confirm)}
                        </label>
                        <button type="submit" class="danger">{td_string!(l, delete_schedule)}</button>
                    </ActionForm>
                </Card>
            </Show>
        </Transition>
    }
}
