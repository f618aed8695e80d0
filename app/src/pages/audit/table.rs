//! The audit table: one row per event, its details behind "More".

use evse_dashboard::types::AuditEntry;
use leptos::prelude::*;

use crate::components::table::Table;
use crate::components::time::LocalTime;
use crate::language::locale;
use crate::words::{action_label, outcome_label, problem_sentence, requested};

#[component]
pub fn AuditTable(entries: Vec<AuditEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p>"No events match these filters."</p> }.into_any();
    }
    view! {
        <Table columns=["Time", "User", "Action", "Charger", "Requested", "Outcome", "CLEMAP", "Details"] class="audit cards" testid="audit-table">
                {entries.into_iter().map(|entry| view! { <AuditRow entry /> }).collect_view()}
            </Table>
    }
    .into_any()
}

#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let e = entry;
    let at = e.at;
    let charger = match (e.charger_id, e.charger_name.clone()) {
        (Some(id), Some(name)) => view! { <a href=format!("/chargers/{id}")>{name}</a> }.into_any(),
        (_, Some(name)) => name.into_any(),
        _ => e.subject.clone().unwrap_or_default().into_any(),
    };
    let details: Vec<(&str, Option<String>)> = vec![
        ("CLEMAP's answer", e.upstream_answer.clone()),
        ("Previous settings", e.previous_settings.clone()),
        ("Error", e.problem.as_ref().map(problem_sentence)),
        ("Subject", e.subject.clone()),
        ("Request id", e.request_id.clone()),
        ("Client IP", e.client_ip.clone()),
        ("Event id", Some(e.id.to_string())),
    ];
    let outcome_class = format!("outcome {}", e.outcome);
    view! {
        <tr data-audit-id=e.id>
            <td data-label="Time"><LocalTime at /></td>
            <td data-label="User">{e.actor.clone()}</td>
            <td data-label="Action">{action_label(locale(), e.action)}</td>
            <td data-label="Charger">{charger}</td>
            <td data-label="Requested">{requested(locale(), e.requested_current, e.requested_duration)}</td>
            <td data-label="Outcome"><span class=outcome_class>{outcome_label(locale(), e.outcome)}</span></td>
            <td data-label="CLEMAP">{e.upstream_status.map(|s| s.to_string()).unwrap_or_default()}</td>
            <td data-label="Details">
                <details>
                    <summary>"More"</summary>
                    <dl>
                        {details
                            .into_iter()
                            .filter_map(|(k, v)| v.map(|v| view! { <dt>{k}</dt><dd><code>{v}</code></dd> }))
                            .collect_view()}
                    </dl>
                </details>
            </td>
        </tr>
    }
}
