//! One's own alerts (#31, account page): an address of one's own for the
//! events and sites one picks, with quiet hours in each site's local time.
//! Mails come in one's language. Plain forms.

use evse_dashboard::types::{AlertEvent, AlertSite, AlertSubscription};
use leptos::prelude::*;
use strum::IntoEnumIterator;

use crate::api::alerts::{AddMyAlert, RemoveMyAlert, my_alerts};
use crate::components::feedback::{Card, Loaded, action_error};
use crate::components::table::Table;
use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::words::alert_event_label;

fn columns(l: Locale) -> [&'static str; 5] {
    [
        td_string!(l, col_receiver),
        td_string!(l, col_events),
        td_string!(l, col_sites),
        td_string!(l, col_quiet),
        td_string!(l, remove),
    ]
}

#[component]
pub fn MyAlertsCard() -> impl IntoView {
    let l = locale();
    let add = ServerAction::<AddMyAlert>::new();
    let remove = ServerAction::<RemoveMyAlert>::new();
    let mine = Resource::new(|| (), |_| my_alerts());
    view! {
        <Card id="my-alerts-heading" heading=td_string!(l, my_alerts_heading) testid="my-alerts">
            <p>{td_string!(l, my_alerts_intro)}</p>
            {action_error(remove)}
            {action_error(add)}
            <Loaded waiting=td_string!(l, loading_alerts)>
                {move || Suspend::new(async move {
                    mine.await.map(|view| {
                        let sites = view.sites.clone();
                        view! {
                            <Mine list=view.subscriptions sites=view.sites />
                            <h3>{td_string!(l, add_my_alert_heading)}</h3>
                            <ActionForm action=add attr:class="grid-form" attr:data-testid="add-my-alert">
                                <label class="wide">
                                    {td_string!(l, email_address_label)}
                                    <input name="address" type="email" autocomplete="email" required />
                                </label>
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
                                <fieldset class="wide" aria-describedby="quiet-hint">
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
                                <button type="submit">{td_string!(l, add_my_alert)}</button>
                            </ActionForm>
                        }
                    })
                })}
            </Loaded>
        </Card>
    }
}

#[component]
fn Mine(list: Vec<AlertSubscription>, sites: Vec<AlertSite>) -> impl IntoView {
    let l = locale();
    if list.is_empty() {
        return view! { <p>{td_string!(l, no_my_alerts)}</p> }.into_any();
    }
    let [receiver, events, sites_column, quiet, remove] = columns(l);
    let site_name = move |id: i64| {
        sites
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| format!("#{id}"), |s| s.name.clone())
    };
    view! {
        <Table columns=columns(l) class="cards" testid="my-alert-table">
            {list
                .into_iter()
                .map(|s| {
                    let names = if s.events.is_empty() {
                        td_string!(l, all_events).to_owned()
                    } else {
                        s.events.iter().map(|e| alert_event_label(l, *e)).collect::<Vec<_>>().join(", ")
                    };
                    let where_ = if s.sites.is_empty() {
                        td_string!(l, all_sites).to_owned()
                    } else {
                        s.sites.iter().map(|id| site_name(*id)).collect::<Vec<_>>().join(", ")
                    };
                    let hours = s.quiet.map_or_else(|| td_string!(l, no_quiet).to_owned(), |q| q.shown());
                    let whose = format!(" {}", s.target);
                    view! {
                        <tr data-alert=s.id>
                            <td data-label=receiver><code>{s.target.clone()}</code></td>
                            <td data-label=events>{names}</td>
                            <td data-label=sites_column>{where_}</td>
                            <td data-label=quiet>{hours}</td>
                            <td data-label=remove>
                                <ActionForm action={ServerAction::<RemoveMyAlert>::new()} attr:class="inline">
                                    <input type="hidden" name="id" value=s.id />
                                    <button type="submit" class="danger">
                                        {td_string!(l, remove)} <span class="visually-hidden">{whose}</span>
                                    </button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
    .into_any()
}
