//! Chargers: the list, add, edit, replace the token, test the connection,
//! delete. Every change is a plain form; the connection test is a link
//! (`?test=ID`), because it only reads from CLEMAP.

use evse_dashboard::types::Charger;
use leptos::prelude::*;
use leptos_router::hooks::use_query;
use leptos_router::params::Params;

use crate::components::feedback::{Card, ErrorBanner, Loaded, action_error};
use crate::components::table::Table;
use crate::error::AppError;
use crate::i18n::td_string;
use crate::islands::confirm::{Change, ConfirmStep};
use crate::language::{Locale, locale};
use crate::server_fns::chargers::{
    AddCharger, ConnectionTest, DeleteCharger, SetChargerToken, UpdateCharger, list_chargers,
    test_charger_connection,
};
use crate::words::{clock_time, problem_sentence};

fn columns(l: Locale) -> [&'static str; 7] {
    [
        td_string!(l, site),
        td_string!(l, name),
        td_string!(l, edge_device),
        td_string!(l, evse_uuid),
        td_string!(l, range),
        td_string!(l, token),
        td_string!(l, connection),
    ]
}

#[derive(Params, Clone, PartialEq)]
struct TestQuery {
    test: Option<i64>,
}

/// A connection test that was asked for: which charger, and its result.
type Tested = Option<(i64, Result<ConnectionTest, AppError>)>;

#[component]
pub fn ChargerAdmin() -> impl IntoView {
    let l = locale();
    // Created for the errors a plain post brings back in the URL.
    let add = ServerAction::<AddCharger>::new();
    let update = ServerAction::<UpdateCharger>::new();
    let delete = ServerAction::<DeleteCharger>::new();
    let set_token = ServerAction::<SetChargerToken>::new();
    let chargers = Resource::new(|| (), |_| list_chargers());
    let query = use_query::<TestQuery>();
    let tested = Resource::new(
        move || query.get().ok().and_then(|q| q.test),
        |id| async move {
            match id {
                Some(id) => Some((id, test_charger_connection(id).await)),
                None => None,
            }
        },
    );

    view! {
        <Card id="chargers-heading" heading=td_string!(l, chargers_heading)>
            {action_error(update)}
            {action_error(delete)}
            {action_error(set_token)}
            <Loaded waiting=td_string!(l, loading_chargers)>
                {move || Suspend::new(async move {
                    let tested: Tested = tested.await;
                    chargers.await.map(|list| {
                        if list.is_empty() {
                            view! { <p>{td_string!(l, no_chargers_add_below)}</p> }
                                .into_any()
                        } else {
                            view! { <ChargerTable chargers=list tested /> }.into_any()
                        }
                    })
                })}
            </Loaded>

            <h3 id="add-heading">{td_string!(l, add_charger_heading)}</h3>
            {action_error(add)}
            <ActionForm action=add attr:class="grid-form" attr:data-testid="add-charger">
                <ChargerFields charger=None />
                <TokenField label="evsetoken" />
                <button type="submit">{td_string!(l, add_charger)}</button>
            </ActionForm>
        </Card>
    }
}

/// The fields of a charger form, named as `ChargerInput` expects them.
#[component]
fn ChargerFields(charger: Option<Charger>) -> impl IntoView {
    let c = charger.clone();
    let text = move |f: fn(&Charger) -> String| c.as_ref().map(f).unwrap_or_default();
    let min = charger.as_ref().map_or(6, |c| c.min_current);
    let max = charger.as_ref().map_or(32, |c| c.max_current);
    let l = locale();
    view! {
        <label>{td_string!(l, name)} <input name="input[name]" value=text(|c| c.name.clone()) required /></label>
        <label>{td_string!(l, site)} <input name="input[site]" value=text(|c| c.site_name.clone()) required /></label>
        <label>
            {td_string!(l, edge_device_id)}
            <input name="input[edge_device_id]" value=text(|c| c.edge_device_id.clone()) required />
        </label>
        <label>
            {td_string!(l, evse_uuid)}
            <input name="input[evse_uuid]" value=text(|c| c.evse_uuid.clone()) required />
        </label>
        <label>
            {td_string!(l, min_current_amps)}
            <input type="number" name="input[min_current]" min="0" max="80" value=min />
        </label>
        <label>
            {td_string!(l, max_current_amps)}
            <input type="number" name="input[max_current]" min="0" max="80" value=max />
        </label>
        <label class="wide">
            {td_string!(l, notes)} <input name="input[notes]" value=text(|c| c.notes.clone().unwrap_or_default()) />
        </label>
    }
}

#[component]
fn ChargerTable(chargers: Vec<Charger>, tested: Tested) -> impl IntoView {
    view! {
        <Table columns=columns(locale()) class="cards" testid="charger-table">
            {chargers
                .into_iter()
                .map(|charger| {
                    let result = tested
                        .as_ref()
                        .filter(|(id, _)| *id == charger.id)
                        .map(|(_, result)| result.clone());
                    view! { <ChargerRow charger result /> }
                })
                .collect_view()}
        </Table>
    }
}

#[component]
fn ChargerRow(
    charger: Charger,
    /// The connection test's result, when this charger was just tested.
    result: Option<Result<ConnectionTest, AppError>>,
) -> impl IntoView {
    let l = locale();
    let id = charger.id;
    let [site, name, edge, uuid, range, token, connection] = columns(l);
    let token_state = if charger.token_set {
        td_string!(l, token_set)
    } else {
        td_string!(l, token_missing)
    };
    view! {
        <tr id=format!("charger-{id}") data-charger=id>
            <td data-label=site>{charger.site_name.clone()}</td>
            <td data-label=name>{charger.name.clone()}</td>
            <td data-label=edge><code>{charger.edge_device_id.clone()}</code></td>
            <td data-label=uuid><code>{charger.evse_uuid.clone()}</code></td>
            <td data-label=range>{format!("{}–{} A", charger.min_current, charger.max_current)}</td>
            <td data-label=token>{token_state}</td>
            <td data-label=connection>
                <a class="button secondary" href=format!("/admin?test={id}#charger-{id}")>
                    {td_string!(l, test_connection)}
                    <span class="visually-hidden">{td_string!(l, of_name, name = &charger.name)}</span>
                </a>
            </td>
        </tr>
        {result.map(|result| view! {
            <tr class="full"><td colspan="7">{test_banner(result)}</td></tr>
        })}
        <tr class="full">
            <td colspan="7"><ChargerChanges charger /></td>
        </tr>
    }
}

fn test_banner(result: Result<ConnectionTest, AppError>) -> AnyView {
    match result {
        Ok(test) => {
            let class = if matches!(test, ConnectionTest::Connected(_)) {
                "banner ok"
            } else {
                "banner error"
            };
            view! {
                <p class=class role="status" data-testid="connection-test">
                    {connection_sentence(locale(), &test)}
                </p>
            }
            .into_any()
        }
        Err(error) => view! { <ErrorBanner error /> }.into_any(),
    }
}

/// Edit, replace the token, delete: folded away until asked for.
#[component]
fn ChargerChanges(charger: Charger) -> impl IntoView {
    let l = locale();
    let id = charger.id;
    let summary = td_string!(l, delete_summary, charger = &charger.name).to_string();
    view! {
        <details>
            <summary>{td_string!(l, change_charger, charger = &charger.name)}</summary>
            <ActionForm action={ServerAction::<UpdateCharger>::new()} attr:class="grid-form">
                <input type="hidden" name="id" value=id />
                <ChargerFields charger=Some(charger.clone()) />
                <button type="submit">{td_string!(l, save)}</button>
            </ActionForm>
            <ActionForm action={ServerAction::<SetChargerToken>::new()} attr:class="grid-form">
                <input type="hidden" name="id" value=id />
                <TokenField label=td_string!(l, new_token) />
                <button type="submit">{td_string!(l, replace_token)}</button>
            </ActionForm>
            <ActionForm action={ServerAction::<DeleteCharger>::new()} attr:class="inline">
                <input type="hidden" name="id" value=id />
                <ConfirmStep change=Change::DeleteCharger summary />
            </ActionForm>
        </details>
    }
}

/// The write-only token field: typed in, never filled in.
#[component]
fn TokenField(label: &'static str) -> impl IntoView {
    view! {
        <label>
            {label}
            <input type="password" name="token" autocomplete="off" required />
        </label>
    }
}

fn connection_sentence(l: Locale, test: &ConnectionTest) -> String {
    match test {
        ConnectionTest::Connected(settings) => match settings.active_at(chrono::Utc::now()) {
            Some((amps, until)) => td_string!(
                l,
                connected_target,
                amps = amps,
                time = clock_time(until, false)
            )
            .to_string(),
            None => td_string!(l, connected_no_target).to_owned(),
        },
        ConnectionTest::Failed(problem) => problem_sentence(l, problem),
    }
}
