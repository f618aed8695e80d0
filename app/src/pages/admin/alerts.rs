//! Alerts (#31): who receives them (each with "Send a test"), a form to
//! add a webhook, and the latest deliveries with their attempts and last
//! error. Plain forms.

use evse_dashboard::types::{AlertDelivery, AlertSite, AlertSubscription};
use leptos::prelude::*;

use crate::components::alert_choices::{
    AddressFields, EventChoices, RemoveFields, events_in_words, sites_in_words,
};
use crate::components::feedback::{Card, Loaded, action_error};
use crate::components::table::Table;
use crate::components::time::LocalTime;
use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::server_fns::alerts::{
    AddAlertEmail, AddAlertWebhook, RemoveAlert, SendAlertTest, list_alerts,
};
use crate::words::{alert_event_label, channel_label, delivery_label};

fn subscription_columns(l: Locale) -> [&'static str; 6] {
    [
        td_string!(l, col_channel),
        td_string!(l, col_receiver),
        td_string!(l, col_events),
        td_string!(l, col_sites),
        td_string!(l, col_test),
        td_string!(l, remove),
    ]
}

fn delivery_columns(l: Locale) -> [&'static str; 5] {
    [
        td_string!(l, col_time),
        td_string!(l, col_event),
        td_string!(l, col_status),
        td_string!(l, col_attempts),
        td_string!(l, col_last_error),
    ]
}

#[component]
pub fn AlertAdmin() -> impl IntoView {
    let l = locale();
    let add = ServerAction::<AddAlertWebhook>::new();
    let add_email = ServerAction::<AddAlertEmail>::new();
    let remove = ServerAction::<RemoveAlert>::new();
    let test = ServerAction::<SendAlertTest>::new();
    provide_context(test);
    provide_context(remove);
    let alerts = Resource::new(|| (), |_| list_alerts());
    view! {
        <Card id="alerts-heading" heading=td_string!(l, alerts_heading) testid="alerts">
            <p>{td_string!(l, alerts_intro)}</p>
            {action_error(remove)}
            {action_error(test)}
            <Loaded waiting=td_string!(l, loading_alerts)>
                {move || Suspend::new(async move {
                    alerts.await.map(|view| {
                        let sites = view.sites.clone();
                        view! {
                            <Subscriptions list=view.subscriptions sites=view.sites />
                            <h3>{td_string!(l, deliveries_heading)}</h3>
                            <div data-live=LIVE_DELIVERIES><Deliveries list=view.deliveries /></div>
                            <h3>{td_string!(l, add_address_heading)}</h3>
                            {action_error(add_email)}
                            <ActionForm action=add_email attr:class="grid-form" attr:data-testid="add-address">
                                <AddressFields sites />
                                <label>
                                    {td_string!(l, mail_language_label)}
                                    <select name="language">
                                        <option value="en">{td_string!(l, language_en)}</option>
                                        <option value="de">{td_string!(l, language_de)}</option>
                                        <option value="fr">{td_string!(l, language_fr)}</option>
                                    </select>
                                </label>
                                <button type="submit">{td_string!(l, add_address)}</button>
                            </ActionForm>
                        }
                    })
                })}
            </Loaded>

            <h3>{td_string!(l, add_webhook_heading)}</h3>
            {action_error(add)}
            <ActionForm action=add attr:class="grid-form" attr:data-testid="add-webhook">
                <label>
                    {td_string!(l, webhook_url_label)}
                    <input name="url" type="url" inputmode="url" autocomplete="off" required />
                </label>
                <label>
                    {td_string!(l, webhook_secret_label)}
                    <input name="secret" type="password" autocomplete="new-password" minlength="16" maxlength="256" required />
                </label>
                <EventChoices />
                <button type="submit">{td_string!(l, add_webhook)}</button>
            </ActionForm>
        </Card>
    }
}

#[component]
fn Subscriptions(list: Vec<AlertSubscription>, sites: Vec<AlertSite>) -> impl IntoView {
    let l = locale();
    if list.is_empty() {
        return view! { <p>{td_string!(l, no_alerts)}</p> }.into_any();
    }
    let [channel, receiver, events, sites_column, test_column, remove] = subscription_columns(l);
    let test = expect_context::<ServerAction<SendAlertTest>>();
    let remove_action = expect_context::<ServerAction<RemoveAlert>>();
    view! {
        <Table columns=subscription_columns(l) class="cards" testid="alert-table">
            {list
                .into_iter()
                .map(|s| {
                    let names = events_in_words(l, &s.events);
                    let where_ = sites_in_words(l, &s.sites, &sites);
                    let whose_test = format!(" {}", s.target);
                    view! {
                        <tr data-alert=s.id>
                            <td data-label=channel>{channel_label(l, s.channel)}</td>
                            <td data-label=receiver>
                                <code>{s.target.clone()}</code>
                                {s.owner_disabled.then(|| view! { " " {td_string!(l, owner_disabled)} })}
                            </td>
                            <td data-label=events>{names}</td>
                            <td data-label=sites_column>{where_}</td>
                            <td data-label=test_column>
                                <ActionForm action=test attr:class="inline">
                                    <input type="hidden" name="id" value=s.id />
                                    <button type="submit">
                                        {td_string!(l, send_test)} <span class="visually-hidden">{whose_test}</span>
                                    </button>
                                </ActionForm>
                            </td>
                            <td data-label=remove>
                                <ActionForm action=remove_action attr:class="inline">
                                    <RemoveFields id=s.id receiver=s.target.clone() />
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

/// The live region of the latest deliveries (#41).
pub const LIVE_DELIVERIES: &str = "deliveries";

#[component]
pub fn Deliveries(list: Vec<AlertDelivery>) -> impl IntoView {
    let l = locale();
    if list.is_empty() {
        return view! { <p>{td_string!(l, no_deliveries)}</p> }.into_any();
    }
    let [time, event, status, attempts, last_error] = delivery_columns(l);
    view! {
        <Table columns=delivery_columns(l) class="cards" testid="delivery-table">
            {list
                .into_iter()
                .map(|d| view! {
                    <tr>
                        <td data-label=time><LocalTime at=d.created_at /></td>
                        <td data-label=event>{alert_event_label(l, d.event)}</td>
                        <td data-label=status>{delivery_label(l, d.status)}</td>
                        <td data-label=attempts>{d.attempts}</td>
                        <td data-label=last_error>{d.last_error.unwrap_or_default()}</td>
                    </tr>
                })
                .collect_view()}
        </Table>
    }
    .into_any()
}
