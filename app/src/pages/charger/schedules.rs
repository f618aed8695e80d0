//! The charger's schedules: whether a person's target holds one back, the
//! list with each one's next occurrence, the week view, and (operators)
//! the form to add one.

use evse_dashboard::types::Charger;
use leptos::prelude::*;

use crate::components::feedback::{Card, Loaded};
use crate::components::week::WeekView;
use crate::i18n::td_string;
use crate::language::locale;
use crate::pages::schedules::{HeldBackBanner, NewScheduleForm, ScheduleTable, Scope};
use crate::server_fns::schedules::charger_schedules;

#[component]
pub fn ChargerSchedules(charger: Charger, can_edit: Signal<bool>) -> impl IntoView {
    let l = locale();
    let id = charger.id;
    let plans = Resource::new(|| (), move |_| charger_schedules(id));
    view! {
        <Card id="schedules-heading" heading=td_string!(l, schedules_heading) testid="schedules">
            <p><a href=format!("/sites/{}", charger.site_id)>{td_string!(l, site_link)}</a></p>
            <Loaded waiting=td_string!(l, loading_schedules)>
                {move || Suspend::new(async move {
                    plans.await.map(|plans| {
                        let week = plans.schedules.clone();
                        let zone = plans.site_zone.clone();
                        view! {
                            {plans.held_back.map(|held| view! { <HeldBackBanner held /> })}
                            <ScheduleTable schedules=plans.schedules can_edit=can_edit.get() />
                            <WeekView schedules=week />
                            {can_edit.get().then(|| view! {
                                <NewScheduleForm scope=Scope::Charger(id) zone />
                            })}
                        }
                    })
                })}
            </Loaded>
        </Card>
    }
}
