//! Admin: register, edit and delete chargers; manage users and API
//! tokens. The evsetoken field is write-only: the page only ever learns
//! whether a token is set.
//! Only an admin sees the forms: everyone else is told whom to ask
//! (every action would be refused anyway, so offering it would only
//! mislead).

pub mod alerts;
mod chargers;
mod tokens;
mod users;

use evse_dashboard::types::Role;
use leptos::prelude::*;

use crate::islands::live::LiveState;

use crate::components::feedback::{ErrorBanner, EventBanner};
use crate::components::layout::CurrentUser;
use crate::error::AppError;
use crate::i18n::td_string;
use crate::language::locale;

#[component]
pub fn AdminPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let new_token = tokens::new_token();
    view! {
        <h1>{td_string!(locale(), nav_admin)}</h1>
        <LiveState />
        {user.show(move |u| {
            if u.role == Role::Admin {
                view! {
                    <EventBanner />
                    <chargers::ChargerAdmin />
                    <users::UserAdmin />
                    <tokens::TokenAdmin new_token />
                    <alerts::AlertAdmin />
                }
                    .into_any()
            } else {
                let error = AppError::Forbidden {
                    role: u.role,
                    needed: Role::Admin,
                };
                view! { <ErrorBanner error /> }.into_any()
            }
        })}
    }
}
