//! One's own account: change the password (needs the current one), and
//! one's own alerts.

use leptos::prelude::*;

use super::my_alerts::MyAlertsCard;
use crate::components::feedback::{Card, EventBanner, action_error};
use crate::components::layout::CurrentUser;
use crate::i18n::td_string;
use crate::language::locale;
use crate::server_fns::auth::ChangePassword;
use crate::words::role_label;

#[component]
pub fn AccountPage() -> impl IntoView {
    let l = locale();
    let change = ServerAction::<ChangePassword>::new();
    let user = expect_context::<CurrentUser>();
    view! {
        <h1>{td_string!(l, your_account)}</h1>
        {user.show(move |u| view! {
            <p>
                {td_string!(l, logged_in_as)} " " <strong>{u.username.clone()}</strong> " "
                {td_string!(l, with_role, role = role_label(l, u.role))}
            </p>
        })}
        <EventBanner />
        {action_error(change)}
        <div class="narrow">
            <Card id="password-heading" heading=td_string!(l, change_password)>
                <ActionForm action=change>
                    <label>
                        {td_string!(l, current_password)}
                        <input type="password" name="current" autocomplete="current-password" required />
                    </label>
                    <label>
                        {td_string!(l, new_password_min)}
                        <input type="password" name="new" autocomplete="new-password" minlength="12" required />
                    </label>
                    <label>
                        {td_string!(l, new_password_again)}
                        <input type="password" name="confirm" autocomplete="new-password" minlength="12" required />
                    </label>
                    <button type="submit">{td_string!(l, change_password)}</button>
                </ActionForm>
            </Card>
        </div>
        <MyAlertsCard />
    }
}
