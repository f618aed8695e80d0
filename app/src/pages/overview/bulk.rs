//! One target for the selected chargers, each clamped to its own range,
//! previewed before anything is sent, reported per charger after.

use std::collections::BTreeSet;

use evse_dashboard::types::{BulkOutcome, ChargerOverview};
use leptos::prelude::*;

use crate::api::overview::BulkSetTarget;
use crate::components::confirm::{Change, ConfirmSubmit};
use crate::components::duration::{DEFAULT_PRESET, DurationSelect, chosen_seconds};
use crate::components::feedback::{Card, ErrorBanner};
use crate::components::time::use_hydrated;
use crate::error::AppError;
use crate::words::{human_duration, outcome_sentence, problem_sentence};

#[component]
pub fn BulkPanel(
    fleet: Resource<Result<Vec<ChargerOverview>, AppError>>,
    selected: RwSignal<BTreeSet<i64>>,
    bulk: ServerAction<BulkSetTarget>,
) -> impl IntoView {
    let amps = RwSignal::new(16i64);
    let duration = RwSignal::new(DEFAULT_PRESET.to_string());
    let hydrated = use_hydrated();
    let chosen = move || {
        let ids = selected.get();
        fleet
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| ids.contains(&c.charger.id))
            .map(|c| c.charger)
            .collect::<Vec<_>>()
    };
    let summary = Signal::derive(move || {
        format!(
            "Set {} A for {} on {} chargers? Each gets the value clamped to its own range:",
            amps.get(),
            chosen_seconds(&duration.get(), "").map_or_else(|| "?".into(), human_duration),
            selected.get().len(),
        )
    });
    view! {
        <Card id="bulk-heading" heading="Bulk target" testid="bulk">
            <p class="muted">{move || format!("{} chargers selected.", selected.get().len())}</p>
            <ActionForm action=bulk attr:class="toolbar">
                {move || {
                    selected
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, id)| view! {
                            <input type="hidden" name=format!("charger_ids[{i}]") value=id />
                        })
                        .collect_view()
                }}
                <label>
                    "Current (A)"
                    <input
                        type="number"
                        name="amps"
                        min="0"
                        max="80"
                        value=amps.get_untracked()
                        prop:value=move || amps.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse() {
                                amps.set(v);
                            }
                        }
                    />
                </label>
                <label>"Duration" <DurationSelect choice=duration /></label>
                <button type="button" class="secondary" on:click=move |_| selected.set(BTreeSet::new())>
                    "Clear selection"
                </button>
                <ConfirmSubmit change=Change::BulkTarget action=bulk hydrated summary disabled=Signal::derive(move || selected.get().is_empty()) />
                <Show when=move || hydrated.get()>
                    <ul class="preview" data-testid="bulk-preview">
                        {move || {
                            chosen()
                                .into_iter()
                                .map(|c| {
                                    let sent = c.clamp(amps.get());
                                    let note = if i64::from(sent) != amps.get() {
                                        format!(" (clamped to {}–{} A)", c.min_current, c.max_current)
                                    } else {
                                        String::new()
                                    };
                                    view! { <li>{format!("{}: {sent} A{note}", c.name)}</li> }
                                })
                                .collect_view()
                        }}
                    </ul>
                </Show>
            </ActionForm>
            {move || bulk.value().get().map(|r| match r {
                Err(error) => view! { <ErrorBanner error /> }.into_any(),
                Ok(outcome) => view! { <BulkResults outcome /> }.into_any(),
            })}
        </Card>
    }
}

#[component]
fn BulkResults(outcome: BulkOutcome) -> impl IntoView {
    view! {
        <ul class="bulk-results" data-testid="bulk-results">
            {outcome
                .items
                .into_iter()
                .map(|i| {
                    let class = if i.succeeded() { "ok" } else { "bad" };
                    let (outcome_name, sentence): (&'static str, String) = match &i.result {
                        Ok(outcome) => (outcome.outcome.into(), outcome_sentence(outcome)),
                        Err(problem) => ("error", problem_sentence(problem)),
                    };
                    view! {
                        <li class=class data-outcome=outcome_name>
                            <strong>{i.charger_name.clone()}</strong>
                            {format!(" ({} A): ", i.sent)}
                            {sentence}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
