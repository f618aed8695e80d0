//! The charger's latest audit events.

use evse_dashboard::types::AuditEntry;
use leptos::prelude::*;

use crate::components::table::Table;
use crate::components::time::LocalTime;
use crate::language::locale;
use crate::words::{action_label, outcome_label, requested};

#[component]
pub fn History(rows: Vec<AuditEntry>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No changes recorded yet."</p> }.into_any();
    }
    view! {
        <Table columns=["When", "Who", "What", "Requested", "Outcome"] class="cards" testid="charger-history">
            {rows
                .into_iter()
                .map(|r| {
                    let outcome_class = format!("outcome {}", r.outcome);
                    view! {
                        <tr>
                            <td data-label="When"><LocalTime at=r.at /></td>
                            <td data-label="Who">{r.actor.clone()}</td>
                            <td data-label="What">{action_label(locale(), r.action)}</td>
                            <td data-label="Requested">{requested(locale(), r.requested_current, r.requested_duration)}</td>
                            <td data-label="Outcome"><span class=outcome_class>{outcome_label(locale(), r.outcome)}</span></td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
    .into_any()
}
