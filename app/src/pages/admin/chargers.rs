//! Chargers: the list, add, edit, replace the token, test the
//! connection, delete.

use evse_dashboard::types::Charger;
use leptos::prelude::*;

use crate::api::chargers::{
    AddCharger, ConnectionTest, DeleteCharger, SetChargerToken, TestChargerConnection,
    UpdateCharger, list_chargers,
};
use crate::components::feedback::{Card, ErrorBanner, Loaded, result_banner};
use crate::components::table::Table;
use crate::words::{clock_time, problem_sentence};

#[component]
pub fn ChargerAdmin() -> impl IntoView {
    let actions = ChargerActions::new();
    let ChargerActions {
        add,
        update,
        delete,
        set_token,
    } = actions;
    // Read again after every change.
    let changes = [add.version(), update.version(), delete.version()];
    let chargers = Resource::new(move || changes.map(|v| v.get()), |_| list_chargers());
    provide_context(actions);

    view! {
        <Card id="chargers-heading" heading="Chargers">
            <Loaded waiting="Loading chargers…">
                    {move || Suspend::new(async move {
                        chargers.await.map(|list| {
                            if list.is_empty() {
                                view! { <p>"No chargers registered yet. Add the first one below."</p> }
                                    .into_any()
                            } else {
                                view! { <ChargerTable chargers=list /> }.into_any()
                            }
                        })
                    })}
                </Loaded>
            {move || result_banner(update.value().get(), |c| format!("Saved {}.", c.name))}
            {move || result_banner(delete.value().get(), |()| "Charger deleted; its history stays in the audit log.".into())}
            {move || result_banner(set_token.value().get(), |()| "Token replaced.".into())}

            <h3>"Add a charger"</h3>
            <ActionForm action=add attr:class="grid-form" attr:data-testid="add-charger">
                <ChargerFields charger=None />
                <TokenField label="evsetoken" />
                <button type="submit">"Add charger"</button>
            </ActionForm>
            {move || result_banner(add.value().get(), |c| format!("Registered {} (id {}).", c.name, c.id))}
        </Card>
    }
}

/// The changes an admin makes to chargers, shared by the table's rows.
#[derive(Clone, Copy)]
struct ChargerActions {
    add: ServerAction<AddCharger>,
    update: ServerAction<UpdateCharger>,
    delete: ServerAction<DeleteCharger>,
    set_token: ServerAction<SetChargerToken>,
}

impl ChargerActions {
    fn new() -> Self {
        Self {
            add: ServerAction::new(),
            update: ServerAction::new(),
            delete: ServerAction::new(),
            set_token: ServerAction::new(),
        }
    }
}

/// The fields of a charger form, named as `ChargerInput` expects them.
#[component]
fn ChargerFields(charger: Option<Charger>) -> impl IntoView {
    let c = charger.clone();
    let text = move |f: fn(&Charger) -> String| c.as_ref().map(f).unwrap_or_default();
    let min = charger.as_ref().map_or(6, |c| c.min_current);
    let max = charger.as_ref().map_or(32, |c| c.max_current);
    view! {
        <label>"Name" <input name="input[name]" value=text(|c| c.name.clone()) required /></label>
        <label>"Site" <input name="input[site]" value=text(|c| c.site_name.clone()) required /></label>
        <label>
            "Edge device id"
            <input name="input[edge_device_id]" value=text(|c| c.edge_device_id.clone()) required />
        </label>
        <label>
            "EVSE uuid"
            <input name="input[evse_uuid]" value=text(|c| c.evse_uuid.clone()) required />
        </label>
        <label>
            "Min current (A)"
            <input type="number" name="input[min_current]" min="0" max="80" value=min />
        </label>
        <label>
            "Max current (A)"
            <input type="number" name="input[max_current]" min="0" max="80" value=max />
        </label>
        <label class="wide">
            "Notes" <input name="input[notes]" value=text(|c| c.notes.clone().unwrap_or_default()) />
        </label>
    }
}

#[component]
fn ChargerTable(chargers: Vec<Charger>) -> impl IntoView {
    view! {
        <Table columns=["Site", "Name", "Edge device", "EVSE uuid", "Range", "Token", "Actions"] testid="charger-table">
                {chargers.into_iter().map(|c| view! { <ChargerRow charger=c /> }).collect_view()}
            </Table>
    }
}

#[component]
fn ChargerRow(charger: Charger) -> impl IntoView {
    let actions = expect_context::<ChargerActions>();
    let test = ServerAction::<TestChargerConnection>::new();
    let (editing, set_editing) = signal(false);
    let (confirm_delete, set_confirm_delete) = signal(false);
    let id = charger.id;
    let name = charger.name.clone();
    let edit_charger = charger.clone();
    view! {
        <tr data-charger=id>
            <td>{charger.site_name.clone()}</td>
            <td>{charger.name.clone()}</td>
            <td><code>{charger.edge_device_id.clone()}</code></td>
            <td><code>{charger.evse_uuid.clone()}</code></td>
            <td>{format!("{}–{} A", charger.min_current, charger.max_current)}</td>
            <td>{if charger.token_set { "token set — replace" } else { "no token" }}</td>
            <td class="actions">
                <button class="secondary" on:click=move |_| set_editing.update(|e| *e = !*e)>
                    "Edit"
                </button>
                <button class="secondary" on:click=move |_| { test.dispatch(TestChargerConnection { id }); }>
                    "Test connection"
                </button>
                <button class="danger" on:click=move |_| set_confirm_delete.set(true)>
                    "Delete"
                </button>
            </td>
        </tr>
        <Show when=move || confirm_delete.get()>
            <tr class="confirm">
                <td colspan="7">
                    {format!("Delete {name}? Its audit history stays readable; its token is erased. ")}
                    <button class="danger" on:click=move |_| {
                        actions.delete.dispatch(DeleteCharger { id });
                        set_confirm_delete.set(false);
                    }>"Yes, delete"</button>
                    <button class="secondary" on:click=move |_| set_confirm_delete.set(false)>"Cancel"</button>
                </td>
            </tr>
        </Show>
        {move || {
            test.value()
                .get()
                .map(|r| {
                    let result = match r {
                        Ok(test) => {
                            let ok = matches!(test, ConnectionTest::Connected(_));
                            let class = if ok { "banner ok" } else { "banner error" };
                            view! {
                                <p class=class role="status" data-testid="connection-test">
                                    {connection_sentence(&test)}
                                </p>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorBanner error /> }.into_any(),
                    };
                    view! { <tr><td colspan="7">{result}</td></tr> }
                })
        }}
        {move || {
            let charger = edit_charger.clone();
            editing.get().then(move || view! { <ChargerEditRow charger actions /> })
        }}
    }
}

#[component]
fn ChargerEditRow(charger: Charger, actions: ChargerActions) -> impl IntoView {
    let id = charger.id;
    view! {
        <tr class="edit">
            <td colspan="7">
                <ActionForm action=actions.update attr:class="grid-form">
                    <input type="hidden" name="id" value=id />
                    <ChargerFields charger=Some(charger) />
                    <button type="submit">"Save"</button>
                </ActionForm>
                <ActionForm action=actions.set_token attr:class="grid-form">
                    <input type="hidden" name="id" value=id />
                    <TokenField label="Replace evsetoken (the current one is never shown)" />
                    <button type="submit">"Replace token"</button>
                </ActionForm>
            </td>
        </tr>
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

fn connection_sentence(test: &ConnectionTest) -> String {
    match test {
        ConnectionTest::Connected(settings) => match settings.active_at(chrono::Utc::now()) {
            Some((amps, until)) => format!(
                "Connected: CLEMAP accepted the token. Active target {amps} A until {}.",
                clock_time(until, false)
            ),
            None => "Connected: CLEMAP accepted the token. No temporary target is active.".into(),
        },
        ConnectionTest::Failed(problem) => problem_sentence(problem),
    }
}
