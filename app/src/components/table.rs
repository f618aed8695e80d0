//! Pieces every table and filter form shares.

use leptos::prelude::*;

use crate::i18n::td_string;
use crate::language::locale;

/// The column names of a table.
pub struct Columns(Vec<String>);

impl<const N: usize> From<[&'static str; N]> for Columns {
    fn from(names: [&'static str; N]) -> Self {
        Self(names.iter().map(|n| (*n).to_owned()).collect())
    }
}

impl From<Vec<String>> for Columns {
    fn from(names: Vec<String>) -> Self {
        Self(names)
    }
}

/// A list table: its header row from `columns`, its rows from the
/// children. `select` adds a first column for row checkboxes, named for
/// screen readers only.
#[component]
pub fn Table(
    #[prop(into)] columns: Columns,
    #[prop(optional)] select: bool,
    /// Classes beside `list`.
    #[prop(optional)]
    class: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let l = locale();
    view! {
        <table class=format!("list {class}") data-testid=testid>
            <thead>
                <tr>
                    {select.then(|| view! { <th><span class="visually-hidden">{td_string!(l, select)}</span></th> })}
                    {columns.0.into_iter().map(|name| view! { <th>{name}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

/// One choice of a [`ChoiceSelect`]: the value sent and the label shown.
pub type Choice = (String, String);

/// A filter's site and charger choices from the chargers (a charger as
/// "Name (Site)"; each site once, by id).
pub fn site_and_charger_choices(
    chargers: &[evse_dashboard::types::Charger],
) -> (Vec<Choice>, Vec<Choice>) {
    let sites: std::collections::BTreeMap<i64, String> = chargers
        .iter()
        .map(|c| (c.site_id, c.site_name.clone()))
        .collect();
    let chargers = chargers
        .iter()
        .map(|c| (c.id.to_string(), format!("{} ({})", c.name, c.site_name)))
        .collect();
    let sites = sites
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    (sites, chargers)
}

/// A labelled select whose first option ("All") sends nothing, for the
/// filters of a plain GET form; `selected` is filled in by the server.
#[component]
pub fn ChoiceSelect(
    label: &'static str,
    name: &'static str,
    choices: Vec<Choice>,
    selected: Option<String>,
) -> impl IntoView {
    let l = locale();
    view! {
        <label>
            {label}
            <select name=name>
                <option value="">{td_string!(l, all)}</option>
                {choices
                    .into_iter()
                    .map(|(value, text)| {
                        let chosen = selected.as_deref() == Some(value.as_str());
                        view! { <option value=value selected=chosen>{text}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
