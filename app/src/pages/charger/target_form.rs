//! Setting a temporary current target: a slider with an exact number
//! field, a duration, and the confirmation step.

use chrono::{DateTime, Utc};
use evse_dashboard::types::{Charger, TargetLimits, estimated_kw};
use leptos::prelude::*;

use crate::api::control::SetTarget;
use crate::components::confirm::{Change, ConfirmSubmit};
use crate::components::duration::{DEFAULT_PRESET, DurationChoice, chosen_seconds};
use crate::components::feedback::Card;
use crate::words::{clock_time, human_duration};

/// Where the slider starts: a common 16 A, within the charger's range.
const START_AMPS: u32 = 16;

#[component]
pub fn TargetForm(
    charger: Charger,
    set: ServerAction<SetTarget>,
    hydrated: ReadSignal<bool>,
    now: ReadSignal<DateTime<Utc>>,
    limits: TargetLimits,
) -> impl IntoView {
    let (min, max) = (charger.min_current, charger.max_current);
    let start = START_AMPS.clamp(min, max);
    let amps = RwSignal::new(start);
    let choice = RwSignal::new(DEFAULT_PRESET.to_string());
    let custom = RwSignal::new(String::new());
    let seconds = move || chosen_seconds(&choice.get(), &custom.get());
    let name = charger.name.clone();
    let summary = Signal::derive(move || {
        format!(
            "Set {} A for {} on {} (≈ {:.1} kW)?",
            amps.get(),
            seconds().map_or_else(|| "?".into(), human_duration),
            name,
            estimated_kw(amps.get()),
        )
    });
    let set_amps = move |ev| {
        if let Ok(v) = event_target_value(&ev).parse::<u32>() {
            amps.set(v);
        }
    };

    view! {
        <Card id="set-heading" heading="Set a temporary current target">
            <ActionForm action=set attr:class="target-form" attr:data-testid="target-form">
                <input type="hidden" name="charger_id" value=charger.id />
                <div class="amps">
                    <label for="amps-slider">"Current (A)"</label>
                    <input
                        id="amps-slider"
                        type="range"
                        min=min
                        max=max
                        step="1"
                        value=start
                        prop:value=move || amps.get().to_string()
                        on:input=set_amps
                        aria-valuetext=move || format!("{} amperes", amps.get())
                    />
                    <input
                        id="amps"
                        type="number"
                        name="amps"
                        min=min
                        max=max
                        step="1"
                        required
                        aria-label="Current (A), exact value"
                        value=start
                        prop:value=move || amps.get().to_string()
                        on:input=set_amps
                    />
                    <span class="muted" data-testid="kw">
                        {move || format!(
                            "≈ {:.1} kW on 3 phases at 230 V (estimate)",
                            estimated_kw(amps.get()),
                        )}
                    </span>
                </div>
                <DurationChoice choice custom max_minutes=limits.max_duration / 60 />
                <p class="muted" data-testid="valid-until">
                    {move || match seconds() {
                        Some(s) => format!(
                            "Valid until {}",
                            clock_time(now.get() + chrono::Duration::seconds(s as i64), hydrated.get()),
                        ),
                        None => "Enter the duration in minutes.".into(),
                    }}
                </p>
                <ConfirmSubmit change=Change::SetTarget action=set hydrated summary />
            </ActionForm>
        </Card>
    }
}
