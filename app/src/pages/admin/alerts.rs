//! Alerts (#31): who receives them (each with "Send a test"), a form to
//! add a webhook, and the latest deliveries with their attempts and last
//! error. Plain forms.

use evse_dashboard::types::{AlertDelivery, AlertEvent, AlertSubscription};
use leptos::prelude::*;
use strum::IntoEnumIterator;

use crate::api::alerts::{AddAlertWebhook, RemoveAlert, SendAlertTest, list_alerts};
use crate::components::feedback::{Card, Loaded, action_error};
use crate::components::table::Table;
use crate::components::time::LocalTime;
use crate::i18n::td_string;
use crate::language::{Locale, locale};
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
    let remove = ServerAction::<RemoveAlert>::new();
    let test = ServerAction::<SendAlertTest>::new();
    provide_context(test);
    let alerts = Resource::new(|| (), |_| list_alerts());
    view! {
        <Card id="alerts-heading" heading=td_string!(l, alerts_heading) testid="alerts">
            <p>{td_string!(l, alerts_intro)}</p>
            {action_error(remove)}
            {action_error(test)}
            {move || matches!(test.value().get(), Some(Ok(()))).then(|| view! {
                <p class="banner ok" role="status">{td_string!(l, test_alert_arrived)}</p>
            })}
            <Loaded waiting=td_string!(l, loading_alerts)>
                {move || Suspend::new(async move {
                    alerts.await.map(|view| view! {
                        <Subscriptions list=view.subscriptions />
                        <h3>{td_string!(l, deliveries_heading)}</h3>
                        <Deliveries list=view.deliveries />
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
                <button type="submit">{td_string!(l, add_webhook)}</button>
            </ActionForm>
        </Card>
    }
}

#[component]
fn Subscriptions(list: Vec<AlertSubscription>) -> impl IntoView {
    let l = locale();
    if list.is_empty() {
        return view! { <p>{td_string!(l, no_alerts)}</p> }.into_any();
    }
    let [channel, receiver, events, sites, test_column, remove] = subscription_columns(l);
    let test = expect_context::<ServerAction<SendAlertTest>>();
    view! {
        <Table columns=subscription_columns(l) class="cards" testid="alert-table">
            {list
                .into_iter()
                .map(|s| {
                    let names = if s.events.is_empty() {
                        td_string!(l, all_events).to_owned()
                    } else {
                        s.events.iter().map(|e| alert_event_label(l, *e)).collect::<Vec<_>>().join(", ")
                    };
                    let whose = format!(" {}", s.target);
                    let whose_test = whose.clone();
                    let where_ = if s.sites.is_empty() {
                        td_string!(l, all_sites).to_owned()
                    } else {
                        s.sites.iter().map(|id| format!("#{id}")).collect::<Vec<_>>().join(", ")
                    };
                    view! {
                        <tr data-alert=s.id>
                            <td data-label=channel>{channel_label(l, s.channel)}</td>
                            <td data-label=receiver><code>{s.target.clone()}</code></td>
                            <td data-label=events>{names}</td>
                            <td data-label=sites>{where_}</td>
                            <td data-label=test_column>
                                <ActionForm action=test attr:class="inline">
                                    <input type="hidden" name="id" value=s.id />
                                    <button type="submit">
                                        {td_string!(l, send_test)} <span class="visually-hidden">{whose_test}</span>
                                    </button>
                                </ActionForm>
                            </td>
                            <td data-label=remove>
                                <ActionForm action={ServerAction::<RemoveAlert>::new()} attr:class="inline">
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

#[component]
fn Deliveries(list: Vec<AlertDelivery>) -> impl IntoView {
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
