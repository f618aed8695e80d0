//! The filter form: a plain GET to /audit, values filled in from the URL.

use evse_dashboard::types::{AuditAction, AuditFilter, Outcome};
use leptos::prelude::*;
use strum::IntoEnumIterator;

use crate::components::table::{Choice, ChoiceSelect, site_and_charger_choices};
use crate::i18n::td_string;
use crate::language::locale;
use crate::server_fns::chargers::list_chargers;
use crate::words::{action_label, outcome_label};

/// The choices of a closed set, labelled.
fn closed_set<T: IntoEnumIterator + Into<&'static str> + Copy>(
    label: impl Fn(T) -> &'static str,
) -> Vec<Choice> {
    T::iter()
        .map(|v| {
            let text = label(v);
            (v.into().to_owned(), text.to_owned())
        })
        .collect()
}

#[component]
pub fn Filters(filter: Signal<AuditFilter>) -> impl IntoView {
    let chargers = Resource::new(|| (), |_| list_chargers());
    view! {
        <Transition fallback=|| ()>
            {move || {
                let f = filter.get();
                let l = locale();
                let chargers = chargers.get().and_then(Result::ok).unwrap_or_default();
                let (site_choices, charger_choices) = site_and_charger_choices(&chargers);
                let text = |v: Option<&'static str>| v.map(str::to_owned);
                let actions = closed_set::<AuditAction>(|a| action_label(l, a));
                let outcomes = closed_set::<Outcome>(|o| outcome_label(l, o));
                view! {
                    <form method="get" action="/audit" class="grid-form filters" data-testid="audit-filters">
                        <ChoiceSelect
                            label=td_string!(l, col_charger)
                            name="charger"
                            choices=charger_choices
                            selected=f.charger.map(|c| c.to_string())
                        />
                        <ChoiceSelect
                            label=td_string!(l, site)
                            name="site"
                            choices=site_choices
                            selected=f.site.map(|s| s.to_string())
                        />
                        <label>{td_string!(l, col_user)} <input name="user" value=f.user.clone().unwrap_or_default() /></label>
                        <ChoiceSelect
                            label=td_string!(l, col_action)
                            name="action"
                            choices=actions
                            selected=text(f.action.map(Into::into))
                        />
                        <ChoiceSelect
                            label=td_string!(l, col_outcome)
                            name="outcome"
                            choices=outcomes
                            selected=text(f.outcome.map(Into::into))
                        />
                        <label>
                            {td_string!(l, from_default)}
                            <input type="date" name="from" value=f.from.clone().unwrap_or_default() />
                        </label>
                        <label>
                            {td_string!(l, to)}
                            <input type="date" name="to" value=f.to.clone().unwrap_or_default() />
                        </label>
                        <button type="submit">{td_string!(l, filter)}</button>
                    </form>
                }
            }}
        </Transition>
    }
}
