//! The charger's latest audit events.

use evse_dashboard::types::AuditEntry;
use leptos::prelude::*;

use crate::components::badge::VerdictBadge;
use crate::components::table::Table;
use crate::components::time::LocalTime;
use crate::i18n::td_string;
use crate::language::locale;
use crate::words::{action_label, outcome_label, requested};

#[component]
pub fn History(rows: Vec<AuditEntry>) -> impl IntoView {
    let l = locale();
    if rows.is_empty() {
        return view! { <p class="muted">{td_string!(l, no_changes_yet)}</p> }.into_any();
    }
    let columns = [
        td_string!(l, col_when),
        td_string!(l, col_who),
        td_string!(l, col_what),
        td_string!(l, col_requested),
        td_string!(l, col_outcome),
    ];
    let [when, who, what, requested_col, outcome] = columns;
    view! {
        <Table columns class="cards" testid="charger-history">
            {rows
                .into_iter()
                .map(|r| {
                    let outcome_class = format!("outcome {}", r.outcome);
                    view! {
                        <tr>
                            <td data-label=when><LocalTime at=r.at /></td>
                            <td data-label=who>{r.actor.clone()}</td>
                            <td data-label=what>{action_label(l, r.action)}</td>
                            <td data-label=requested_col>{requested(l, r.requested_current, r.requested_duration)}</td>
                            <td data-label=outcome>
                                // One child: the phone's card layout puts each in a cell.
                                <span>
                                    <span class=outcome_class>{outcome_label(l, r.outcome)}</span>
                                    {r.verdict.map(|verdict| view! { " " <VerdictBadge verdict /> })}
                                </span>
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
    .into_any()
}
