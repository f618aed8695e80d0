//! One's own account: change the password (needs the current one).

use leptos::prelude::*;

use crate::api::auth::ChangePassword;
use crate::components::feedback::outcome_banner;
use crate::components::layout::CurrentUser;

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let user = expect_context::<CurrentUser>().0;
    view! {
        <h1>"Your account"</h1>
        <Transition fallback=|| ()>
            {move || {
                user.get()
                    .flatten()
                    .map(|u| {
                        view! {
                            <p>
                                "Logged in as " <strong>{u.username.clone()}</strong> " (role "
                                {u.role.as_str()} ")."
                            </p>
                        }
                    })
            }}
        </Transition>
        <section class="card narrow">
            <h2>"Change password"</h2>
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
            {move || outcome_banner(change.value().get(), |()| "Your password was changed.".into())}
        </section>
    }
}
