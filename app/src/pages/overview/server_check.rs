//! The round trip that proves the browser reaches the server functions.

use leptos::prelude::*;

use crate::api::system::ServerInfoCall;
use crate::components::feedback::Card;
use crate::words::error_sentence;

#[component]
pub fn ServerCheck() -> impl IntoView {
    let check = ServerAction::<ServerInfoCall>::new();
    let result = check.value();
    view! {
        <Card id="server-check" heading="Server">
            <ActionForm action=check>
                <button type="submit" data-testid="check-server">
                    "Check server"
                </button>
            </ActionForm>
            <p role="status" data-testid="server-info">
                {move || match result.get() {
                    None => "Not checked yet.".to_owned(),
                    Some(Ok(info)) => format!(
                        "Server {} is up — SQLite {}, {} migrations applied, running since {}.",
                        info.version,
                        info.sqlite_version,
                        info.migrations_applied,
                        info.started_at.to_rfc3339(),
                    ),
                    Some(Err(e)) => format!("The server check failed: {}", error_sentence(&e)),
                }}
            </p>
        </Card>
    }
}
