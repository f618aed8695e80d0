//! Admin: register, edit and delete chargers; manage users. The token
//! field is write-only: the page only ever learns whether a token is set.

mod chargers;
mod users;

use leptos::prelude::*;

use crate::components::feedback::EventBanner;
use crate::i18n::td_string;
use crate::language::locale;

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <h1>{td_string!(locale(), nav_admin)}</h1>
        <EventBanner />
        <chargers::ChargerAdmin />
        <users::UserAdmin />
    }
}
