//! The charger's latest audit events.

use evse_dashboard::types::AuditEntry;
use leptos::prelude::*;

use crate::components::table::Table;
use crate::words::{action_label, date_time, outcome_label, requested};

#[component]
pub fn History(rows: Vec<AuditEntry>, hydrated: ReadSignal<bool>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No changes recorded yet."</p> }.into_any();
    }
    view! {
        <Table columns=["When", "Who", "What", "Requested", "Outcome"] testid="charger-history">
                {rows
                    .into_iter()
                    .map(|r| {
                        let at = r.at;
                        let outcome_class = format!("outcome {}", r.outcome);
                        view! {
                            <tr>
                                <td title=at.to_rfc3339()>{move || date_time(at, hydrated.get())}</td>
                                <td>{r.actor.clone()}</td>
                                <td>{action_label(r.action)}</td>
                                <td>{requested(r.requested_current, r.requested_duration)}</td>
                                <td><span class=outcome_class>{outcome_label(r.outcome)}</span></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </Table>
    }
    .into_any()
}
