//! The login page: a plain form; the server sends the browser on to
//! `next`, or back here with the reason.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{Card, action_error};
use crate::i18n::td_string;
use crate::language::locale;
use crate::server_fns::auth::{Login, safe_next};

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || safe_next(&query.read().get("next").unwrap_or_default()).to_owned();
    let l = locale();
    view! {
        <div class="narrow">
            <Card id="login-heading" heading=td_string!(l, log_in)>
                {action_error(login)}
                <ActionForm action=login>
                    <label>
                        {td_string!(l, username)}
                        <input name="username" autocomplete="username" required autofocus />
                    </label>
                    <label>
                        {td_string!(l, password)}
                        <input type="password" name="password" autocomplete="current-password" required />
                    </label>
                    <input type="hidden" name="next" value=next />
                    <button type="submit">{td_string!(l, log_in)}</button>
                </ActionForm>
            </Card>
        </div>
    }
}
