//! The sessions filter: a plain GET to /sessions, values from the URL.

use evse_dashboard::types::SessionFilter;
use leptos::prelude::*;

use crate::components::table::{ChoiceSelect, site_and_charger_choices};
use crate::i18n::td_string;
use crate::language::locale;
use crate::server_fns::chargers::list_chargers;

#[component]
pub fn Filters(filter: Signal<SessionFilter>) -> impl IntoView {
    let chargers = Resource::new(|| (), |_| list_chargers());
    view! {
        <Transition fallback=|| ()>
            {move || {
                let f = filter.get();
                let l = locale();
                let chargers = chargers.get().and_then(Result::ok).unwrap_or_default();
                let (site_choices, charger_choices) = site_and_charger_choices(&chargers);
                view! {
                    <form method="get" action="/sessions" class="grid-form filters" data-testid="session-filters">
                        <ChoiceSelect
                            label=td_string!(l, site)
                            name="site"
                            choices=site_choices
                            selected=f.site.map(|s| s.to_string())
                        />
                        <ChoiceSelect
                            label=td_string!(l, col_charger)
                            name="charger"
                            choices=charger_choices
                            selected=f.charger.map(|c| c.to_string())
                        />
                        <label>
                            {td_string!(l, from_day)}
                            <input type="date" name="from" value=f.from.clone().unwrap_or_default() />
                        </label>
                        <label>
                            {td_string!(l, to)}
                            <input type="date" name="to" value=f.to.clone().unwrap_or_default() />
                        </label>
                        <label class="check">
                            <input type="checkbox" name="limited" value="on" checked=f.limited />
                            {td_string!(l, only_under_limit)}
                        </label>
                        <button type="submit">{td_string!(l, filter)}</button>
                    </form>
                }
            }}
        </Transition>
    }
}
