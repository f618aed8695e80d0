//! Users: the list, roles, disable/enable, password resets, create. Each
//! change is its own small plain form.

use evse_dashboard::types::{Role, User};
use leptos::prelude::*;
use strum::IntoEnumIterator;

use crate::api::users::{CreateUser, ResetUserPassword, SetUserDisabled, SetUserRole, list_users};
use crate::components::feedback::{Card, Loaded, action_error};
use crate::components::table::Table;
use crate::components::time::LocalTime;
use crate::language::locale;
use crate::words::role_label;

const COLUMNS: [&str; 5] = ["Username", "Role", "Status", "Last login", "Password"];

#[component]
pub fn UserAdmin() -> impl IntoView {
    // Created for the errors a plain post brings back in the URL.
    let create = ServerAction::<CreateUser>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let users = Resource::new(|| (), |_| list_users());
    view! {
        <Card id="users-heading" heading="Users">
            {action_error(set_role)}
            {action_error(set_disabled)}
            {action_error(reset)}
            <Loaded waiting="Loading users…">
                {move || Suspend::new(async move {
                    users.await.map(|list| view! {
                        <Table columns=COLUMNS class="cards" testid="user-table">
                            {list.into_iter().map(|user| view! { <UserRow user /> }).collect_view()}
                        </Table>
                    })
                })}
            </Loaded>

            <h3>"Create a user"</h3>
            {action_error(create)}
            <ActionForm action=create attr:class="grid-form" attr:data-testid="create-user">
                <label>"Username" <input name="username" autocomplete="off" required /></label>
                <label>
                    "Password (at least 12 characters)"
                    <input type="password" name="password" autocomplete="new-password" minlength="12" required />
                </label>
                <label>"Role" <RoleSelect selected=Role::Viewer /></label>
                <button type="submit">"Create user"</button>
            </ActionForm>
        </Card>
    }
}

#[component]
fn RoleSelect(selected: Role) -> impl IntoView {
    view! {
        <select name="role">
            {Role::iter()
                .map(|r| view! { <option value=r.as_str() selected=r == selected>{role_label(locale(), r)}</option> })
                .collect_view()}
        </select>
    }
}

#[component]
fn UserRow(user: User) -> impl IntoView {
    let id = user.id;
    let disabled = user.disabled;
    // Buttons repeat per row; screen readers hear whose they are.
    let name = &user.username;
    let [role_of, set_of, toggle_of, new_password, reset_of] = [
        format!("Role of {name}"),
        format!(" of {name}"),
        format!(" {name}"),
        format!("New password for {name}"),
        format!(" of {name}"),
    ];
    let [username, role, status, last_login, password] = COLUMNS;
    view! {
        <tr data-user=id>
            <td data-label=username>{user.username.clone()}</td>
            <td data-label=role>
                <ActionForm action={ServerAction::<SetUserRole>::new()} attr:class="inline">
                    <input type="hidden" name="id" value=id />
                    <label>
                        <span class="visually-hidden">{role_of}</span>
                        <RoleSelect selected=user.role />
                    </label>
                    <button type="submit" class="secondary">
                        "Set role" <span class="visually-hidden">{set_of}</span>
                    </button>
                </ActionForm>
            </td>
            <td data-label=status>
                <ActionForm action={ServerAction::<SetUserDisabled>::new()} attr:class="inline">
                    {if disabled { "disabled " } else { "active " }}
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="disabled" value=(!disabled).to_string() />
                    <button type="submit" class="secondary">
                        {if disabled { "Enable" } else { "Disable" }}
                        <span class="visually-hidden">{toggle_of}</span>
                    </button>
                </ActionForm>
            </td>
            <td data-label=last_login>
                {match user.last_login_at {
                    Some(at) => view! { <LocalTime at /> }.into_any(),
                    None => "never".into_any(),
                }}
            </td>
            <td data-label=password>
                <ActionForm action={ServerAction::<ResetUserPassword>::new()} attr:class="inline">
                    <input type="hidden" name="id" value=id />
                    <label>
                        <span class="visually-hidden">{new_password}</span>
                        <input
                            type="password"
                            name="password"
                            placeholder="new password"
                            autocomplete="new-password"
                            minlength="12"
                            required
                        />
                    </label>
                    <button type="submit" class="secondary">
                        "Reset password" <span class="visually-hidden">{reset_of}</span>
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}
