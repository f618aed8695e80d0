//! The landing page. Until the fleet overview exists it shows the server
//! check, which proves the browser talks to the server functions.

use leptos::prelude::*;

use crate::api::system::ServerInfoCall;

#[component]
pub fn HomePage() -> impl IntoView {
    let check = ServerAction::<ServerInfoCall>::new();
    let result = check.value();
    view! {
        <h1>"Overview"</h1>
        <p>"The fleet overview arrives with the charger registry."</p>
        <section class="card" aria-labelledby="server-check">
            <h2 id="server-check">"Server"</h2>
            <ActionForm action=check>
                <button type="submit" data-testid="check-server">
                    "Check server"
                </button>
            </ActionForm>
            <p role="status" data-testid="server-info">
                {move || match result.get() {
                    None => "Not checked yet.".to_owned(),
                    Some(Ok(info)) => {
                        format!(
                            "Server {} is up — SQLite {}, {} migrations applied, running since {}.",
                            info.version,
                            info.sqlite_version,
                            info.migrations_applied,
                            info.started_at,
                        )
                    }
                    Some(Err(e)) => format!("The server check failed: {e}"),
                }}
            </p>
        </section>
    }
}
