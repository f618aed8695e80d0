//! The set-target controls. The server renders an exact number field (the
//! value sent), the duration chips with one chosen, and a confirmation
//! checkbox: a complete form. Where scripts run, a slider bound to the
//! same field is there before the wasm; once hydrated, the power estimate
//! and expiry follow the choice, and a review step replaces the checkbox.

use chrono::Duration;
use evse_dashboard::types::estimated_kw;
use leptos::prelude::*;

use super::confirm::{Change, ConfirmControls};
use super::dom::typed;
use crate::i18n::td_string;
use crate::islands::duration::{DurationChoice, chosen_seconds};
use crate::islands::hooks::{use_hydrated, use_now};
use crate::language::locale;
use crate::words::{clock_time, decimal, human_duration};

#[island]
pub fn TargetControls(
    charger: String,
    min: u32,
    max: u32,
    /// Where the number and the slider start.
    start: u32,
    /// Seconds, pre-selected.
    default_duration: u32,
    /// The longest duration the server accepts, minutes.
    max_minutes: u32,
) -> impl IntoView {
    let l = locale();
    let hydrated = use_hydrated();
    let now = use_now();
    // Start from what the plain form holds now: on a slow link the person
    // may have typed and chosen before the wasm arrived.
    let amps = RwSignal::new(
        typed("#amps")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(start),
    );
    let choice = RwSignal::new(
        typed(".target-form input[name=duration]:checked")
            .unwrap_or_else(|| default_duration.to_string()),
    );
    let custom =
        RwSignal::new(typed(".target-form input[name=custom_minutes]").unwrap_or_default());
    let reviewing = RwSignal::new(false);
    let seconds = move || chosen_seconds(&choice.get(), &custom.get());
    let set_amps = move |ev| {
        if let Ok(v) = event_target_value(&ev).trim().parse::<u32>() {
            amps.set(v);
        }
    };
    let kw = move || {
        if hydrated.get() {
            let kw = decimal(l, estimated_kw(amps.get()), 1);
            td_string!(l, kw_estimate, kw = kw).to_string()
        } else {
            td_string!(l, kw_per_ampere).to_owned()
        }
    };
    let valid_until = move || match (hydrated.get(), seconds()) {
        (false, _) => td_string!(l, lasts_from_sending).to_owned(),
        (true, Some(s)) => {
            let time = clock_time(now.get() + Duration::seconds(s as i64), true);
            td_string!(l, valid_until, time = time).to_string()
        }
        (true, None) => td_string!(l, enter_minutes).to_owned(),
    };
    let summary = Signal::derive(move || {
        td_string!(
            l,
            set_summary,
            amps = amps.get(),
            duration = seconds().map_or_else(|| "?".into(), |s| human_duration(l, s)),
            charger = charger.clone(),
            kw = decimal(l, estimated_kw(amps.get()), 1)
        )
        .to_string()
    });
    view! {
        <div class="amps">
            <label for="amps">{td_string!(l, current_amps)}</label>
            <input
                id="amps"
                type="number"
                name="amps"
                inputmode="numeric"
                min=min
                max=max
                step="1"
                required
                value=start
                prop:value=move || amps.get().to_string()
                on:input=set_amps
            />
            // Rendered by the server too, and kept in step with the field
            // by the page's small loader script before the wasm arrives
            // (`data-follows`; #29: on a slow link the wasm took 3 s).
            // Hidden until that script runs, so it shows only where it
            // works: it has no name, the number field is what is sent.
            <input
                type="range"
                class="slider"
                hidden=true
                data-follows="amps"
                data-valuetext=td_string!(l, amperes, amps = "{}").to_string()
                min=min
                max=max
                step="1"
                value=start
                aria-label=td_string!(l, current_amps_slider)
                aria-valuetext=move || td_string!(l, amperes, amps = amps.get()).to_string()
                prop:value=move || amps.get().to_string()
                on:input=set_amps
            />
            <p class="muted scale">{format!("{min}–{max} A")}</p>
            <p class="muted" data-testid="kw">{kw}</p>
        </div>
        <DurationChoice choice custom max_minutes />
        <p class="muted" data-testid="valid-until">{valid_until}</p>
        <ConfirmControls change=Change::SetTarget summary reviewing />
    }
}
