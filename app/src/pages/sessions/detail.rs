//! One charging session (`/sessions/ID`): what it used, its chart with
//! the target line, the targets in force and who set them with their
//! verdicts, and the audit rows about its charger while it ran.

use evse_dashboard::types::{AuditEntry, SessionDetail};
use leptos::prelude::*;

use crate::components::badge::VerdictBadge;
use crate::components::feedback::Card;
use crate::components::history_chart::CurrentChart;
use crate::components::page::one_thing;
use crate::components::time::LocalTime;
use crate::i18n::td_string;
use crate::language::locale;
use crate::pages::audit::AuditTable;
use crate::server_fns::sessions::session_detail;
use crate::words::{
    action_label, amps, kwh, plug_number, requested, session_duration, session_state,
};

#[component]
pub fn SessionPage() -> impl IntoView {
    let l = locale();
    one_thing(
        td_string!(l, session_heading_plain),
        td_string!(l, loading_session),
        session_detail,
        |detail| view! { <SessionView detail /> },
    )
}

#[component]
fn SessionView(detail: SessionDetail) -> impl IntoView {
    let l = locale();
    let SessionDetail {
        session: s,
        chart,
        targets,
        audit,
        more_audit,
        ..
    } = detail;
    let heading = td_string!(
        l,
        session_heading,
        charger = &s.charger_name,
        plug = plug_number(l, s.plug)
    )
    .to_string();
    let day = s.started.format("%Y-%m-%d").to_string();
    let audit_link = format!("/audit?charger={}&from={day}", s.charger_id);
    let facts: Vec<(&'static str, AnyView)> = vec![
        (
            td_string!(l, col_started),
            view! { <LocalTime at=s.started /> }.into_any(),
        ),
        (
            td_string!(l, col_ended),
            match s.ended {
                Some(at) => view! { <LocalTime at /> }.into_any(),
                None => td_string!(l, session_in_progress).into_any(),
            },
        ),
        (
            td_string!(l, col_session_state),
            session_state(l, &s).into_any(),
        ),
        (
            td_string!(l, col_duration),
            session_duration(l, &s).into_any(),
        ),
        (td_string!(l, col_energy), kwh(l, s.energy_wh).into_any()),
        (
            td_string!(l, col_peak_current),
            amps(l, s.peak_a).into_any(),
        ),
        (
            td_string!(l, col_average_current),
            amps(l, s.average_a).into_any(),
        ),
        (
            td_string!(l, col_under_limit),
            if s.limited {
                td_string!(l, yes)
            } else {
                td_string!(l, no)
            }
            .into_any(),
        ),
    ];
    view! {
        <p class="crumbs">
            <a href="/sessions">{td_string!(l, nav_sessions)}</a>
            " › "
            <a href=format!("/chargers/{}", s.charger_id)>{s.charger_name.clone()}</a>
        </p>
        <h1>{heading}</h1>
        {s.simulated.then(|| view! { <p class="muted">{td_string!(l, session_simulated)}</p> })}
        <dl class="facts" data-testid="session-facts">
            {facts.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
        </dl>
        <Card id="session-chart-heading" heading=td_string!(l, session_chart_heading)>
            <CurrentChart chart caption_id="session-chart-caption".to_owned() />
        </Card>
        <Card id="session-targets-heading" heading=td_string!(l, session_targets_heading) testid="session-targets">
            <TargetsInForce targets />
        </Card>
        <Card id="session-audit-heading" heading=td_string!(l, session_audit_heading)>
            {if audit.is_empty() {
                view! { <p>{td_string!(l, session_no_audit)}</p> }.into_any()
            } else {
                view! { <AuditTable entries=audit /> }.into_any()
            }}
            {more_audit.then(|| view! {
                <p><a href=audit_link>{td_string!(l, session_more_audit)}</a></p>
            })}
        </Card>
    }
}

/// Each target in force: when CLEMAP received it, who sent it, what it
/// asked for, and the latest verdict on it.
#[component]
fn TargetsInForce(targets: Vec<AuditEntry>) -> impl IntoView {
    let l = locale();
    if targets.is_empty() {
        return view! { <p>{td_string!(l, session_no_targets)}</p> }.into_any();
    }
    view! {
        <ul class="targets">
            {targets.into_iter().map(|t| {
                let at = t.at;
                view! {
                    <li>
                        <LocalTime at />
                        " · "{action_label(l, t.action)}
                        " · "{requested(l, t.requested_current, t.requested_duration)}
                        " · "<span class="muted">{t.actor.clone()}</span>
                        {t.verdict.map(|verdict| view! { " " <VerdictBadge verdict /> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
