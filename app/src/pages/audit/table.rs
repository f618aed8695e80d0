//! The audit table: one row per event, its details behind "More".

use evse_dashboard::types::AuditEntry;
use leptos::prelude::*;

use crate::components::badge::VerdictBadge;
use crate::components::table::Table;
use crate::components::time::LocalTime;
use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::words::{action_label, outcome_label, problem_sentence, requested};

#[component]
pub fn AuditTable(entries: Vec<AuditEntry>) -> impl IntoView {
    let l = locale();
    if entries.is_empty() {
        return view! { <p>{td_string!(l, no_events_match)}</p> }.into_any();
    }
    view! {
        <Table columns=columns(l) class="audit cards" testid="audit-table">
                {entries.into_iter().map(|entry| view! { <AuditRow entry /> }).collect_view()}
            </Table>
    }
    .into_any()
}

fn columns(l: Locale) -> [&'static str; 9] {
    [
        td_string!(l, col_time),
        td_string!(l, col_user),
        td_string!(l, col_action),
        td_string!(l, col_charger),
        td_string!(l, col_requested),
        td_string!(l, col_outcome),
        td_string!(l, col_verdict),
        "CLEMAP",
        td_string!(l, col_details),
    ]
}

#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let l = locale();
    let [
        time,
        user,
        action,
        charger_col,
        requested_col,
        outcome,
        verdict_col,
        clemap,
        more,
    ] = columns(l);
    let e = entry;
    let at = e.at;
    let charger = match (e.charger_id, e.charger_name.clone()) {
        (Some(id), Some(name)) => view! { <a href=format!("/chargers/{id}")>{name}</a> }.into_any(),
        (_, Some(name)) => name.into_any(),
        _ => e.subject.clone().unwrap_or_default().into_any(),
    };
    let details: Vec<(&str, Option<String>)> = vec![
        (td_string!(l, clemap_answer), e.upstream_answer.clone()),
        (
            td_string!(l, previous_settings),
            e.previous_settings.clone(),
        ),
        (
            td_string!(l, error),
            e.problem.as_ref().map(|p| problem_sentence(l, p)),
        ),
        (td_string!(l, subject), e.subject.clone()),
        (td_string!(l, request_id), e.request_id.clone()),
        (td_string!(l, client_ip), e.client_ip.clone()),
        (td_string!(l, event_id), Some(e.id.to_string())),
    ];
    let outcome_class = format!("outcome {}", e.outcome);
    view! {
        <tr data-audit-id=e.id>
            <td data-label=time><LocalTime at /></td>
            <td data-label=user>{e.actor.clone()}</td>
            <td data-label=action>{action_label(l, e.action)}</td>
            <td data-label=charger_col>{charger}</td>
            <td data-label=requested_col>{requested(l, e.requested_current, e.requested_duration)}</td>
            <td data-label=outcome><span class=outcome_class>{outcome_label(l, e.outcome)}</span></td>
            <td data-label=verdict_col>{e.verdict.map(|verdict| view! { <VerdictBadge verdict /> })}</td>
            <td data-label=clemap>{e.upstream_status.map(|s| s.to_string()).unwrap_or_default()}</td>
            <td data-label=more>
                <details>
                    <summary>{td_string!(l, more)}</summary>
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
