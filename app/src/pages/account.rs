//! One's own account: change the password (needs the current one).

use leptos::prelude::*;

use crate::api::auth::ChangePassword;
use crate::components::feedback::{Card, EventBanner, action_error};
use crate::components::layout::CurrentUser;
use crate::language::locale;
use crate::words::role_label;

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let user = expect_context::<CurrentUser>();
    view! {
        <h1>"Your account"</h1>
        {user.show(|u| view! {
            <p>
                "Logged in as " <strong>{u.username.clone()}</strong> " (role "
                {role_label(locale(), u.role)} ")."
            </p>
        })}
        <EventBanner />
        {action_error(change)}
        <div class="narrow">
            <Card id="password-heading" heading="Change password">
                <ActionForm action=change>
                    <label>
                        "Current password"
                        <input type="password" name="current" autocomplete="current-password" required />
                    </label>
                    <label>
                        "New password (at least 12 characters)"
                        <input type="password" name="new" autocomplete="new-password" minlength="12" required />
                    </label>
                    <label>
                        "New password again"
                        <input type="password" name="confirm" autocomplete="new-password" minlength="12" required />
                    </label>
                    <button type="submit">"Change password"</button>
                </ActionForm>
            </Card>
        </div>
    }
}
