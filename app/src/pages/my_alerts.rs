//! One's own alerts (#31, account page): an address of one's own for the
//! events and sites one picks, with quiet hours in each site's local time.
//! Mails come in one's language. Plain forms.

use evse_dashboard::types::{AlertSite, AlertSubscription};
use leptos::prelude::*;

use crate::components::alert_choices::{
    AddressFields, RemoveFields, events_in_words, sites_in_words,
};
use crate::components::feedback::{Card, Loaded, action_error};
use crate::components::table::Table;
use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::server_fns::alerts::{AddMyAlert, ConfirmMyAlertAgain, RemoveMyAlert, my_alerts};

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
    let again = ServerAction::<ConfirmMyAlertAgain>::new();
    provide_context(remove);
    provide_context(again);
    let mine = Resource::new(|| (), |_| my_alerts());
    view! {
        <Card id="my-alerts-heading" heading=td_string!(l, my_alerts_heading) testid="my-alerts">
            <p>{td_string!(l, my_alerts_intro)}</p>
            {action_error(remove)}
            {action_error(again)}
            {action_error(add)}
            <Loaded waiting=td_string!(l, loading_alerts)>
                {move || Suspend::new(async move {
                    mine.await.map(|view| {
                        let sites = view.sites.clone();
                        view! {
                            <Mine list=view.subscriptions sites=view.sites />
                            <h3>{td_string!(l, add_my_alert_heading)}</h3>
                            <ActionForm action=add attr:class="grid-form" attr:data-testid="add-my-alert">
                                <AddressFields sites />
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
    let remove_action = expect_context::<ServerAction<RemoveMyAlert>>();
    let again_action = expect_context::<ServerAction<ConfirmMyAlertAgain>>();
    view! {
        <Table columns=columns(l) class="cards" testid="my-alert-table">
            {list
                .into_iter()
                .map(|s| {
                    let names = events_in_words(l, &s.events);
                    let where_ = sites_in_words(l, &s.sites, &sites);
                    let hours = s.quiet.map_or_else(|| td_string!(l, no_quiet).to_owned(), |q| q.shown());
                    view! {
                        <tr data-alert=s.id>
                            <td data-label=receiver>
                                <code>{s.target.clone()}</code>
                                {(!s.confirmed).then(|| view! {
                                    <p class="muted">{td_string!(l, my_alert_waiting)}</p>
                                    <ActionForm action=again_action attr:class="inline">
                                        <input type="hidden" name="id" value=s.id />
                                        <button type="submit" class="secondary">{td_string!(l, my_alert_send_again)}</button>
                                    </ActionForm>
                                })}
                            </td>
                            <td data-label=events>{names}</td>
                            <td data-label=sites_column>{where_}</td>
                            <td data-label=quiet>{hours}</td>
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
