//! One target for the ticked chargers, each clamped to its own range: a
//! plain form (the rows' checkboxes belong to it), refined by the
//! `BulkReview` island; after the post, each charger's outcome from the
//! audit trail.

use evse_dashboard::types::ControlOutcome;
use leptos::prelude::*;

use crate::components::feedback::{Card, Loaded, action_error};
use crate::i18n::td_string;
use crate::islands::bulk::{BulkReview, FORM_ID};
use crate::islands::duration::{DEFAULT_PRESET, DurationSelect};
use crate::language::locale;
use crate::server_fns::overview::{BulkSetTarget, bulk_result};
use crate::words::outcome_sentence;

#[component]
pub fn BulkPanel() -> impl IntoView {
    let l = locale();
    let bulk = ServerAction::<BulkSetTarget>::new();
    let duration = RwSignal::new(DEFAULT_PRESET.to_string());
    view! {
        <Card id="bulk-heading" heading=td_string!(l, bulk_heading) testid="bulk">
            <p class="muted">{td_string!(l, bulk_hint)}</p>
            {action_error(bulk)}
            <ActionForm action=bulk attr:id=FORM_ID attr:class="toolbar">
                <label>
                    {td_string!(l, current_amps)}
                    <input id="bulk-amps" type="number" name="amps" inputmode="numeric" min="0" max="80" value="16" required />
                </label>
                <label>{td_string!(l, duration)} <DurationSelect choice=duration /></label>
                <BulkReview />
            </ActionForm>
        </Card>
    }
}

/// What a finished bulk change did, charger by charger.
#[component]
pub fn BulkResults(batch_id: String) -> impl IntoView {
    let result = Resource::new(move || batch_id.clone(), bulk_result);
    view! {
        <Loaded>
            {move || Suspend::new(async move {
                result.await.map(|outcomes| view! {
                    <ul class="bulk-results" data-testid="bulk-results" role="status">
                        {outcomes.into_iter().map(|o| view! { <BulkLine outcome=o /> }).collect_view()}
                    </ul>
                })
            })}
        </Loaded>
    }
}

#[component]
fn BulkLine(outcome: ControlOutcome) -> impl IntoView {
    let class = if outcome.succeeded() { "ok" } else { "bad" };
    let name: &'static str = outcome.outcome.into();
    let sent = outcome
        .requested_current
        .map(|a| format!(" ({a} A): "))
        .unwrap_or_else(|| ": ".into());
    view! {
        <li class=class data-outcome=name>
            <strong>{outcome.charger_name.clone()}</strong>
            {sent}
            {outcome_sentence(locale(), &outcome)}
        </li>
    }
}
