//! Pieces the admin's and each user's alert cards share: the event tick
//! boxes, the events in words, and a row's remove button.

use evse_dashboard::types::{AlertEvent, AlertSite};
use leptos::prelude::*;
use strum::IntoEnumIterator;

use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::words::alert_event_label;

/// One tick box per event (`events[]`); none ticked means all.
#[component]
pub fn EventChoices() -> impl IntoView {
    let l = locale();
    view! {
        <fieldset class="events wide">
            <legend>{td_string!(l, events_legend)}</legend>
            {AlertEvent::iter()
                .map(|e| {
                    let value: &'static str = e.into();
                    view! {
                        <label class="check">
                            <input type="checkbox" name="events[]" value=value />
                            {alert_event_label(l, e)}
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// An e-mail subscription's fields: the address, the events, the sites
/// (none ticked: all) and the quiet hours.
#[component]
pub fn AddressFields(sites: Vec<AlertSite>) -> impl IntoView {
    let l = locale();
    view! {
        <label class="wide">
            {td_string!(l, email_address_label)}
            <input name="address" type="email" autocomplete="email" required />
        </label>
        <EventChoices />
        <fieldset class="events wide">
            <legend>{td_string!(l, sites_legend)}</legend>
            {sites
                .into_iter()
                .map(|s| view! {
                    <label class="check">
                        <input type="checkbox" name="sites[]" value=s.id />
                        {s.name}
                    </label>
                })
                .collect_view()}
        </fieldset>
        <fieldset class="quiet" aria-describedby="quiet-hint">
            <legend>{td_string!(l, quiet_legend)}</legend>
            <p id="quiet-hint" class="hint">{td_string!(l, quiet_hint)}</p>
            <label>
                {td_string!(l, quiet_from_label)}
                <input name="quiet_from" type="time" />
            </label>
            <label>
                {td_string!(l, quiet_until_label)}
                <input name="quiet_until" type="time" />
            </label>
        </fieldset>
    }
}

/// "Charger offline, Charger back", or "all events".
pub fn events_in_words(l: Locale, events: &[AlertEvent]) -> String {
    if events.is_empty() {
        return td_string!(l, all_events).to_owned();
    }
    events
        .iter()
        .map(|e| alert_event_label(l, *e))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Roof, Garage" by the sites' names, or "all sites".
pub fn sites_in_words(l: Locale, ids: &[i64], sites: &[AlertSite]) -> String {
    if ids.is_empty() {
        return td_string!(l, all_sites).to_owned();
    }
    ids.iter()
        .map(|id| {
            sites
                .iter()
                .find(|s| s.id == *id)
                .map_or_else(|| format!("#{id}"), |s| s.name.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The inside of a row's remove form: the subscription's id, and a
/// button that names the receiver for a screen reader.
#[component]
pub fn RemoveFields(id: i64, receiver: String) -> impl IntoView {
    let l = locale();
    view! {
        <input type="hidden" name="id" value=id />
        <button type="submit" class="danger">
            {td_string!(l, remove)} <span class="visually-hidden">{format!(" {receiver}")}</span>
        </button>
    }
}
