//! Users: the list, roles, disable/enable, password resets, create.

use evse_dashboard::types::{Role, User};
use leptos::prelude::*;
use strum::IntoEnumIterator;

use crate::api::users::{CreateUser, ResetUserPassword, SetUserDisabled, SetUserRole, list_users};
use crate::components::feedback::{Card, Loaded, result_banner};
use crate::components::table::Table;
use crate::words::{date_time, role_label};

#[component]
pub fn UserAdmin() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let changes = [create.version(), set_role.version(), set_disabled.version()];
    let users = Resource::new(move || changes.map(|v| v.get()), |_| list_users());
    view! {
        <Card id="users-heading" heading="Users">
            <Loaded waiting="Loading users…">
                {move || Suspend::new(async move {
                    users.await.map(|list| {
                                view! {
                                    <Table columns=["Username", "Role", "Status", "Last login", "Actions"] testid="user-table">
                                            {list
                                                .into_iter()
                                                .map(|u| user_row(u, set_role, set_disabled, reset))
                                                .collect_view()}
                                        </Table>
                                }
                    })
                })}
                </Loaded>
            {move || result_banner(set_role.value().get(), |()| "Role changed.".into())}
            {move || result_banner(set_disabled.value().get(), |()| "Account updated.".into())}
            {move || result_banner(reset.value().get(), |()| "Password reset.".into())}

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
            {move || result_banner(create.value().get(), |u: User| format!("Created {} ({}).", u.username, role_label(u.role)))}
        </Card>
    }
}

#[component]
fn RoleSelect(selected: Role) -> impl IntoView {
    view! {
        <select name="role">
            {Role::iter()
                .map(|r| view! { <option value=r.as_str() selected=r == selected>{role_label(r)}</option> })
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
            <td>{user.last_login_at.map_or_else(|| "never".into(), |t| date_time(t, false))}</td>
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
