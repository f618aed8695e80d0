//! Sessions as a table: on a phone each row is a card.

use evse_dashboard::types::ChargingSession;
use leptos::prelude::*;

use crate::components::table::Table;
use crate::components::time::LocalTime;
use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::words::{amps, kwh, plug_number, session_duration, session_state};

fn columns(l: Locale) -> [&'static str; 8] {
    [
        td_string!(l, col_started),
        td_string!(l, col_charger),
        td_string!(l, col_duration),
        td_string!(l, col_energy),
        td_string!(l, col_peak_current),
        td_string!(l, col_average_current),
        td_string!(l, col_under_limit),
        td_string!(l, col_session_state),
    ]
}

/// `sessions`, newest first as given; `empty` when there are none.
#[component]
pub fn SessionTable(
    sessions: Vec<ChargingSession>,
    empty: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let l = locale();
    if sessions.is_empty() {
        return view! { <p data-testid=testid>{empty}</p> }.into_any();
    }
    view! {
        <Table columns=columns(l) class="sessions cards" testid=testid.unwrap_or("sessions-table")>
            {sessions.into_iter().map(|session| view! { <SessionRow session /> }).collect_view()}
        </Table>
    }
    .into_any()
}

#[component]
fn SessionRow(session: ChargingSession) -> impl IntoView {
    let l = locale();
    let [
        started,
        charger,
        duration,
        energy,
        peak,
        average,
        limited,
        state,
    ] = columns(l);
    let s = session;
    let at = s.started;
    let state_class = if s.in_progress() {
        "session-state live"
    } else {
        "session-state"
    };
    view! {
        <tr data-session-id=s.id>
            <td data-label=started>
                <a href=format!("/sessions/{}", s.id)><LocalTime at /></a>
            </td>
            // One element per cell: a phone's card lays the cell out as a
            // grid of its label and one value.
            <td data-label=charger>
                <span>
                    <a href=format!("/chargers/{}", s.charger_id)>{s.charger_name.clone()}</a>
                    " · "{plug_number(l, s.plug)}
                    <span class="muted small">" · "{s.site_name.clone()}</span>
                </span>
            </td>
            <td data-label=duration>{session_duration(l, &s)}</td>
            <td data-label=energy class="num">{kwh(l, s.energy_wh)}</td>
            <td data-label=peak class="num">{amps(l, s.peak_a)}</td>
            <td data-label=average class="num">{amps(l, s.average_a)}</td>
            <td data-label=limited>
                {if s.limited { td_string!(l, yes) } else { td_string!(l, no) }}
            </td>
            <td data-label=state>
                <span>
                    <span class=state_class>{session_state(l, &s)}</span>
                    {s.simulated.then(|| view! { <span class="muted small">" · "{td_string!(l, simulated_short)}</span> })}
                </span>
            </td>
        </tr>
    }
}
