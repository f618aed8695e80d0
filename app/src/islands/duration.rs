//! Choosing how long a target lasts: the same presets everywhere, one
//! selected by default so a plain form always sends a duration.

use leptos::prelude::*;

use crate::i18n::td_string;

use crate::language::locale;
use crate::words::human_duration;

/// The offered durations, seconds.
pub const PRESETS: [u32; 6] = [900, 1800, 3600, 7200, 14400, 28800];
/// Selected when a form opens.
pub const DEFAULT_PRESET: u32 = 3600;
/// The choice that reads the custom minutes field instead.
pub const CUSTOM: &str = evse_dashboard::types::CUSTOM_DURATION;

/// The chosen duration in seconds, if it can be known.
pub fn chosen_seconds(choice: &str, custom_minutes: &str) -> Option<u64> {
    match choice {
        CUSTOM => custom_minutes.trim().parse::<u64>().ok().map(|m| m * 60),
        seconds => seconds.parse().ok(),
    }
}

/// Radio chips for the presets, plus a custom number of minutes. The
/// inputs are named as the set-target server functions expect them.
#[component]
pub fn DurationChoice(
    /// Seconds as text, or [`CUSTOM`].
    choice: RwSignal<String>,
    /// Minutes, as typed.
    custom: RwSignal<String>,
    /// The longest duration the server accepts, minutes.
    max_minutes: u32,
) -> impl IntoView {
    let l = locale();
    let offered = PRESETS
        .into_iter()
        .filter(move |s| *s / 60 <= max_minutes)
        .map(|secs| {
            let text = human_duration(l, secs.into());
            view! { <DurationChip choice value=secs.to_string() text /> }
        })
        .collect_view();
    view! {
        <fieldset class="duration">
            <legend>{td_string!(l, duration)}</legend>
            {offered}
            <DurationChip choice value=CUSTOM.to_owned() text=td_string!(l, custom).to_owned() />
            <label class="custom">
                {td_string!(l, minutes)}
                <input
                    type="number"
                    name="custom_minutes"
                    min="1"
                    max=max_minutes
                    prop:value=move || custom.get()
                    on:input=move |ev| {
                        custom.set(event_target_value(&ev));
                        choice.set(CUSTOM.into());
                    }
                />
            </label>
        </fieldset>
    }
}

/// The presets as a compact select (for the bulk panel), same values.
#[component]
pub fn DurationSelect(choice: RwSignal<String>) -> impl IntoView {
    let l = locale();
    let initial = choice.get_untracked();
    view! {
        <select id="bulk-duration" name="duration" on:change=move |ev| choice.set(event_target_value(&ev))>
            {PRESETS
                .into_iter()
                .map(|secs| {
                    let value = secs.to_string();
                    let selected = value == initial;
                    view! { <option value=value selected=selected>{human_duration(l, secs.into())}</option> }
                })
                .collect_view()}
        </select>
    }
}

/// One radio chip. `checked` is rendered by the server too, so the form
/// sends the chosen duration before (or without) the wasm.
#[component]
fn DurationChip(choice: RwSignal<String>, value: String, text: String) -> impl IntoView {
    let checked_at_render = choice.get_untracked() == value;
    let (mine, chosen) = (value.clone(), value.clone());
    view! {
        <label class="chip">
            <input
                type="radio"
                name="duration"
                value=value
                checked=checked_at_render
                prop:checked=move || choice.get() == mine
                on:change=move |_| choice.set(chosen.clone())
            />
            {text}
        </label>
    }
}
