//! The audit history: filters in the URL (a plain GET form, so any view
//! can be bookmarked and shared), keyset pages, expandable rows, CSV export
//! of exactly the current filter, and a target timeline for one charger.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use evse_dashboard::types::{AuditEntry, AuditFilter, Role, human_duration};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::audit::audit_page;
use crate::api::chargers::list_chargers;
use crate::components::feedback::error_message;
use crate::components::layout::CurrentUser;
use crate::components::time::{date_time, parse_utc, use_hydrated};
use crate::pages::charger::action_label;

const ACTIONS: [&str; 14] = [
    "set_target",
    "reset_target",
    "login",
    "logout",
    "password_changed",
    "password_reset",
    "user_created",
    "user_role_changed",
    "user_disabled",
    "user_enabled",
    "charger_added",
    "charger_updated",
    "charger_deleted",
    "charger_token_replaced",
];
const OUTCOMES: [&str; 9] = [
    "received", "rejected", "error", "refused", "unknown", "pending", "ok", "failed", "",
];

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        let text = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
        AuditFilter {
            charger: text("charger").and_then(|v| v.parse().ok()),
            site: text("site").and_then(|v| v.parse().ok()),
            user: text("user"),
            action: text("action"),
            outcome: text("outcome"),
            from: text("from"),
            to: text("to"),
        }
    };
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|v| v.parse::<i64>().ok())
    };
    let page = Resource::new(move || (filter(), before()), |(f, b)| audit_page(f, b));
    let chargers = Resource::new(|| (), |_| list_chargers());
    let user = expect_context::<CurrentUser>();
    let hydrated = use_hydrated();

    view! {
        <h1>"Audit history"</h1>
        <Transition fallback=|| ()>
            {move || {
                let f = filter();
                let chargers = chargers.get().and_then(Result::ok).unwrap_or_default();
                let mut sites = BTreeMap::new();
                for c in &chargers {
                    sites.insert(c.site_id, c.site_name.clone());
                }
                view! {
                    <form method="get" action="/audit" class="grid-form filters" data-testid="audit-filters">
                        <label>
                            "Charger"
                            <select name="charger">
                                <option value="">"All"</option>
                                {chargers
                                    .iter()
                                    .map(|c| {
                                        view! {
                                            <option value=c.id selected=f.charger == Some(c.id)>
                                                {format!("{} ({})", c.name, c.site_name)}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <label>
                            "Site"
                            <select name="site">
                                <option value="">"All"</option>
                                {sites
                                    .into_iter()
                                    .map(|(id, name)| view! { <option value=id selected=f.site == Some(id)>{name}</option> })
                                    .collect_view()}
                            </select>
                        </label>
                        <label>"User" <input name="user" value=f.user.clone().unwrap_or_default() /></label>
                        <label>
                            "Action"
                            <select name="action">
                                <option value="">"All"</option>
                                {ACTIONS
                                    .into_iter()
                                    .map(|a| view! { <option value=a selected=f.action.as_deref() == Some(a)>{action_label(a).to_owned()}</option> })
                                    .collect_view()}
                            </select>
                        </label>
                        <label>
                            "Outcome"
                            <select name="outcome">
                                <option value="">"All"</option>
                                {OUTCOMES
                                    .into_iter()
                                    .filter(|o| !o.is_empty())
                                    .map(|o| view! { <option value=o selected=f.outcome.as_deref() == Some(o)>{o}</option> })
                                    .collect_view()}
                            </select>
                        </label>
                        <label>"From (default: 7 days ago)" <input type="date" name="from" value=f.from.clone().unwrap_or_default() /></label>
                        <label>"To" <input type="date" name="to" value=f.to.clone().unwrap_or_default() /></label>
                        <button type="submit">"Filter"</button>
                    </form>
                }
            }}
        </Transition>
        <Transition fallback=|| view! { <p>"Loading the audit trail…"</p> }>
            {move || {
                page.get()
                    .map(|r| match r {
                        Err(e) => view! { <p class="banner error" role="alert">{error_message(&e)}</p> }.into_any(),
                        Ok(p) => {
                            let f = filter();
                            let query_string = serde_urlencoded::to_string(&f).unwrap_or_default();
                            let can_export = user.role().is_some_and(|r| r >= Role::Operator);
                            let next = p.next_before.map(|b| {
                                let sep = if query_string.is_empty() { "" } else { "&" };
                                format!("/audit?{query_string}{sep}before={b}")
                            });
                            let timeline = f.charger.map(|_| target_timeline(&p.entries));
                            view! {
                                <p class="muted" data-testid="audit-count">
                                    {format!("{} matching events", p.total)}
                                    {before().map(|_| " (older page)")}
                                </p>
                                <p class="actions">
                                    {can_export
                                        .then(|| {
                                            view! {
                                                <a class="button" href=format!("/audit/export.csv?{query_string}") download data-testid="export">
                                                    "Export CSV"
                                                </a>
                                            }
                                        })}
                                </p>
                                {timeline}
                                {audit_table(p.entries, hydrated)}
                                {next.map(|href| view! { <p><a href=href data-testid="older">"Older events →"</a></p> })}
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

fn audit_table(entries: Vec<AuditEntry>, hydrated: ReadSignal<bool>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p>"No events match these filters."</p> }.into_any();
    }
    view! {
        <table class="list audit" data-testid="audit-table">
            <thead>
                <tr>
                    <th>"Time"</th>
                    <th>"User"</th>
                    <th>"Action"</th>
                    <th>"Charger"</th>
                    <th>"Requested"</th>
                    <th>"Outcome"</th>
                    <th>"CLEMAP"</th>
                    <th>"Details"</th>
                </tr>
            </thead>
            <tbody>
                {entries.into_iter().map(|e| audit_row(e, hydrated)).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn audit_row(e: AuditEntry, hydrated: ReadSignal<bool>) -> impl IntoView {
    let at = parse_utc(&e.at);
    let utc = e.at.clone();
    let requested = match (e.requested_current, e.requested_duration) {
        (Some(a), Some(d)) => format!("{a} A, {}", human_duration(d.into())),
        _ => String::new(),
    };
    let charger = match (e.charger_id, e.charger_name.clone()) {
        (Some(id), Some(name)) => view! { <a href=format!("/chargers/{id}")>{name}</a> }.into_any(),
        (_, Some(name)) => name.into_any(),
        _ => e.subject.clone().unwrap_or_default().into_any(),
    };
    let details: Vec<(&str, Option<String>)> = vec![
        ("CLEMAP's answer", e.upstream_answer.clone()),
        ("Previous settings", e.previous_settings.clone()),
        ("Error", e.error.clone()),
        ("Subject", e.subject.clone()),
        ("Request id", e.request_id.clone()),
        ("Client IP", e.client_ip.clone()),
        ("Event id", Some(e.id.to_string())),
    ];
    view! {
        <tr data-audit-id=e.id>
            <td title=format!("{utc} (UTC)")>{move || at.map(|t| date_time(t, hydrated.get())).unwrap_or_default()}</td>
            <td>{e.actor.clone()}</td>
            <td>{action_label(&e.action).to_owned()}</td>
            <td>{charger}</td>
            <td>{requested}</td>
            <td><span class=format!("outcome {}", e.outcome)>{e.outcome.clone()}</span></td>
            <td>{e.upstream_status.map(|s| s.to_string()).unwrap_or_default()}</td>
            <td>
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

/// A step chart of the requested target over the page's events: a
/// received set raises it for its duration, a reset drops it.
fn target_timeline(entries: &[AuditEntry]) -> AnyView {
    let mut steps: Vec<(DateTime<Utc>, DateTime<Utc>, u32)> = Vec::new();
    let mut events: Vec<&AuditEntry> = entries
        .iter()
        .filter(|e| {
            e.outcome == "received" && (e.action == "set_target" || e.action == "reset_target")
        })
        .collect();
    events.sort_by_key(|e| e.id);
    for e in events {
        let Some(at) = parse_utc(&e.at) else { continue };
        if let Some(last) = steps.last_mut()
            && last.1 > at
        {
            last.1 = at; // a later set or a reset ends the previous target
        }
        if let (Some(a), Some(d)) = (e.requested_current, e.requested_duration) {
            steps.push((at, at + chrono::Duration::seconds(d.into()), a));
        }
    }
    if steps.is_empty() {
        return ().into_any();
    }
    let start = steps.first().map(|s| s.0).unwrap_or_default();
    let end = steps.iter().map(|s| s.1).max().unwrap_or(start);
    let span = (end - start).num_seconds().max(1) as f64;
    let top = steps.iter().map(|s| s.2).max().unwrap_or(1).max(1) as f64;
    let (w, h) = (600.0, 120.0);
    let x = |t: DateTime<Utc>| ((t - start).num_seconds() as f64 / span * w).round();
    let y = |a: u32| (h - f64::from(a) / top * (h - 10.0)).round();
    let mut path = format!("M0,{h}");
    for (from, to, a) in &steps {
        path.push_str(&format!(
            " L{},{h} L{},{} L{},{} L{},{h}",
            x(*from),
            x(*from),
            y(*a),
            x(*to),
            y(*a),
            x(*to)
        ));
    }
    path.push_str(&format!(" L{w},{h}"));
    let label = format!("Target timeline: {} targets, up to {top:.0} A", steps.len());
    let title = label.clone();
    view! {
        <figure class="timeline">
            <svg viewBox="0 0 600 120" width="600" height="120" role="img" aria-label=label data-testid="timeline">
                <title>{title}</title>
                <path d=path class="timeline-line" fill="none" />
            </svg>
            <figcaption class="muted">
                {format!(
                    "Requested target over time ({} to {} UTC), highest {top:.0} A; resets drop to none.",
                    start.format("%Y-%m-%d %H:%M"),
                    end.format("%Y-%m-%d %H:%M"),
                )}
            </figcaption>
        </figure>
    }
    .into_any()
}
