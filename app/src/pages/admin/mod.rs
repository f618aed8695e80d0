//! Admin: register, edit and delete chargers; manage users. The token
//! field is write-only: the page only ever learns whether a token is set.

mod chargers;
mod users;

use leptos::prelude::*;

use crate::components::feedback::EventBanner;

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <h1>"Admin"</h1>
        <EventBanner />
        <chargers::ChargerAdmin />
        <users::UserAdmin />
    }
}
