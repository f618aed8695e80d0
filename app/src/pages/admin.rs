//! Admin: register, edit and delete chargers; manage users. The token
//! field is write-only: the page only ever learns whether a token is set.

use evse_dashboard::types::{Charger, Role, User};
use leptos::prelude::*;

use crate::api::chargers::{
    AddCharger, DeleteCharger, SetChargerToken, TestChargerConnection, UpdateCharger, list_chargers,
};
use crate::api::users::{CreateUser, ResetUserPassword, SetUserDisabled, SetUserRole, list_users};
use crate::components::feedback::{error_message, outcome_banner};

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <h1>"Admin"</h1>
        <ChargerAdmin />
        <UserAdmin />
    }
}

#[component]
fn ChargerAdmin() -> impl IntoView {
    let add = ServerAction::<AddCharger>::new();
    let update = ServerAction::<UpdateCharger>::new();
    let delete = ServerAction::<DeleteCharger>::new();
    let set_token = ServerAction::<SetChargerToken>::new();
    let chargers = Resource::new(
        move || {
            (
                add.version().get(),
                update.version().get(),
                delete.version().get(),
            )
        },
        |_| list_chargers(),
    );
    provide_context(ChargerActions {
        update,
        delete,
        set_token,
    });

    view! {
        <section class="card" aria-labelledby="chargers-heading">
            <h2 id="chargers-heading">"Chargers"</h2>
            <Transition fallback=|| view! { <p>"Loading chargers…"</p> }>
                {move || {
                    chargers
                        .get()
                        .map(|result| match result {
                            Err(e) => {
                                view! { <p class="banner error" role="alert">{error_message(&e)}</p> }
                                    .into_any()
                            }
                            Ok(list) if list.is_empty() => {
                                view! { <p>"No chargers registered yet. Add the first one below."</p> }
                                    .into_any()
                            }
                            Ok(list) => view! { <ChargerTable chargers=list /> }.into_any(),
                        })
                }}
            </Transition>
            {move || outcome_banner(update.value().get(), |c| format!("Saved {}.", c.name))}
            {move || outcome_banner(delete.value().get(), |()| "Charger deleted; its history stays in the audit log.".into())}
            {move || outcome_banner(set_token.value().get(), |()| "Token replaced.".into())}

            <h3>"Add a charger"</h3>
            <ActionForm action=add attr:class="grid-form" attr:data-testid="add-charger">
                <ChargerFields charger=None />
                <label>
                    "evsetoken"
                    <input type="password" name="token" autocomplete="off" required />
                </label>
                <button type="submit">"Add charger"</button>
            </ActionForm>
            {move || outcome_banner(add.value().get(), |c| format!("Registered {} (id {}).", c.name, c.id))}
        </section>
    }
}

#[derive(Clone, Copy)]
struct ChargerActions {
    update: ServerAction<UpdateCharger>,
    delete: ServerAction<DeleteCharger>,
    set_token: ServerAction<SetChargerToken>,
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
        <table class="list" data-testid="charger-table">
            <thead>
                <tr>
                    <th>"Site"</th>
                    <th>"Name"</th>
                    <th>"Edge device"</th>
                    <th>"EVSE uuid"</th>
                    <th>"Range"</th>
                    <th>"Token"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {chargers.into_iter().map(|c| view! { <ChargerRow charger=c /> }).collect_view()}
            </tbody>
        </table>
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
                    let (class, text) = match r {
                        Ok(t) if t.ok => ("banner ok", t.message),
                        Ok(t) => ("banner error", t.message),
                        Err(e) => ("banner error", error_message(&e)),
                    };
                    view! {
                        <tr>
                            <td colspan="7">
                                <p class=class role="status" data-testid="connection-test">{text}</p>
                            </td>
                        </tr>
                    }
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
                    <label>
                        "Replace evsetoken (the current one is never shown)"
                        <input type="password" name="token" autocomplete="off" required />
                    </label>
                    <button type="submit">"Replace token"</button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn UserAdmin() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let users = Resource::new(
        move || {
            (
                create.version().get(),
                set_role.version().get(),
                set_disabled.version().get(),
            )
        },
        |_| list_users(),
    );
    view! {
        <section class="card" aria-labelledby="users-heading">
            <h2 id="users-heading">"Users"</h2>
            <Transition fallback=|| view! { <p>"Loading users…"</p> }>
                {move || {
                    users
                        .get()
                        .map(|result| match result {
                            Err(e) => view! { <p class="banner error">{error_message(&e)}</p> }.into_any(),
                            Ok(list) => {
                                view! {
                                    <table class="list" data-testid="user-table">
                                        <thead>
                                            <tr>
                                                <th>"Username"</th>
                                                <th>"Role"</th>
                                                <th>"Status"</th>
                                                <th>"Last login"</th>
                                                <th>"Actions"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list
                                                .into_iter()
                                                .map(|u| user_row(u, set_role, set_disabled, reset))
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
            {move || outcome_banner(set_role.value().get(), |()| "Role changed.".into())}
            {move || outcome_banner(set_disabled.value().get(), |()| "Account updated.".into())}
            {move || outcome_banner(reset.value().get(), |()| "Password reset.".into())}

            <h3>"Create a user"</h3>
            <ActionForm action=create attr:class="grid-form">
                <label>"Username" <input name="username" autocomplete="off" required /></label>
                <label>
                    "Password (at least 12 characters)"
                    <input type="password" name="password" autocomplete="new-password" minlength="12" required />
                </label>
                <label>"Role" <RoleSelect selected=Role::Viewer /></label>
                <button type="submit">"Create user"</button>
            </ActionForm>
            {move || outcome_banner(create.value().get(), |u: User| format!("Created {} ({}).", u.username, u.role))}
        </section>
    }
}

#[component]
fn RoleSelect(selected: Role) -> impl IntoView {
    view! {
        <select name="role">
            {Role::ALL
                .into_iter()
                .map(|r| view! { <option value=r.as_str() selected=r == selected>{r.as_str()}</option> })
                .collect_view()}
        </select>
    }
}

fn user_row(
    user: User,
    set_role: ServerAction<SetUserRole>,
    set_disabled: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetUserPassword>,
) -> impl IntoView {
    let id = user.id;
    let disabled = user.disabled;
    view! {
        <tr>
            <td>{user.username.clone()}</td>
            <td>
                <ActionForm action=set_role attr:class="inline">
                    <input type="hidden" name="id" value=id />
                    <RoleSelect selected=user.role />
                    <button type="submit" class="secondary">"Set"</button>
                </ActionForm>
            </td>
            <td>{if disabled { "disabled" } else { "active" }}</td>
            <td>{user.last_login_at.clone().unwrap_or_else(|| "never".into())}</td>
            <td class="actions">
                <button
                    class="secondary"
                    on:click=move |_| { set_disabled.dispatch(SetUserDisabled { id, disabled: !disabled }); }
                >
                    {if disabled { "Enable" } else { "Disable" }}
                </button>
                <ActionForm action=reset attr:class="inline">
                    <input type="hidden" name="id" value=id />
                    <input
                        type="password"
                        name="password"
                        placeholder="new password"
                        autocomplete="new-password"
                        minlength="12"
                        required
                    />
                    <button type="submit" class="secondary">"Reset password"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
