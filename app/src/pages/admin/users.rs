//! Users: the list, roles, disable/enable, password resets, create. Each
//! change is its own small plain form.

use evse_dashboard::types::{Role, User};
use leptos::prelude::*;
use strum::IntoEnumIterator;

use crate::components::feedback::{Card, Loaded, action_error};
use crate::components::table::Table;
use crate::components::time::LocalTime;
use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::server_fns::users::{
    CreateUser, ResetUserPassword, SetUserDisabled, SetUserRole, list_users,
};
use crate::words::role_label;

fn columns(l: Locale) -> [&'static str; 5] {
    [
        td_string!(l, username),
        td_string!(l, role),
        td_string!(l, col_status),
        td_string!(l, last_login),
        td_string!(l, password),
    ]
}

#[component]
pub fn UserAdmin() -> impl IntoView {
    let l = locale();
    // Created for the errors a plain post brings back in the URL.
    let create = ServerAction::<CreateUser>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let users = Resource::new(|| (), |_| list_users());
    view! {
        <Card id="users-heading" heading=td_string!(l, users_heading)>
            {action_error(set_role)}
            {action_error(set_disabled)}
            {action_error(reset)}
            <Loaded waiting=td_string!(l, loading_users)>
                {move || Suspend::new(async move {
                    users.await.map(|list| view! {
                        <Table columns=columns(l) class="cards" testid="user-table">
                            {list.into_iter().map(|user| view! { <UserRow user /> }).collect_view()}
                        </Table>
                    })
                })}
            </Loaded>

            <h3>{td_string!(l, create_user_heading)}</h3>
            {action_error(create)}
            <ActionForm action=create attr:class="grid-form" attr:data-testid="create-user">
                <label>{td_string!(l, username)} <input name="username" autocomplete="off" required /></label>
                <label>
                    {td_string!(l, password_min)}
                    <input type="password" name="password" autocomplete="new-password" minlength="12" required />
                </label>
                <label>{td_string!(l, role)} <RoleSelect selected=Role::Viewer /></label>
                <button type="submit">{td_string!(l, create_user)}</button>
            </ActionForm>
        </Card>
    }
}

#[component]
fn RoleSelect(selected: Role) -> impl IntoView {
    let l = locale();
    view! {
        <select name="role">
            {Role::iter()
                .map(|r| view! { <option value=r.as_str() selected=r == selected>{role_label(l, r)}</option> })
                .collect_view()}
        </select>
    }
}

#[component]
fn UserRow(user: User) -> impl IntoView {
    let l = locale();
    let id = user.id;
    let disabled = user.disabled;
    // Buttons repeat per row; screen readers hear whose they are.
    let name = &user.username;
    let whose = td_string!(l, of_name, name = name).to_string();
    let (set_whose, toggle_whose) = (whose.clone(), format!(" {name}"));
    let role_of = td_string!(l, role_of, name = name).to_string();
    let new_password = td_string!(l, new_password_for, name = name).to_string();
    let [username, role, status, last_login, password] = columns(l);
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
                        {td_string!(l, set_role)} <span class="visually-hidden">{set_whose}</span>
                    </button>
                </ActionForm>
            </td>
            <td data-label=status>
                <ActionForm action={ServerAction::<SetUserDisabled>::new()} attr:class="inline">
                    {if disabled { td_string!(l, user_disabled) } else { td_string!(l, user_active) }} " "
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="disabled" value=(!disabled).to_string() />
                    <button type="submit" class="secondary">
                        {if disabled { td_string!(l, enable) } else { td_string!(l, disable) }}
                        <span class="visually-hidden">{toggle_whose}</span>
                    </button>
                </ActionForm>
            </td>
            <td data-label=last_login>
                {match user.last_login_at {
                    Some(at) => view! { <LocalTime at /> }.into_any(),
                    None => td_string!(l, never).into_any(),
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
                            placeholder=td_string!(l, new_password_placeholder)
                            autocomplete="new-password"
                            minlength="12"
                            required
                        />
                    </label>
                    <button type="submit" class="secondary">
                        {td_string!(l, reset_password)} <span class="visually-hidden">{whose}</span>
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}
