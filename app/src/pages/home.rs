//! The landing page: the fleet by site, each charger linking to its page,
//! and the server check that proves the browser reaches the server.

use std::collections::BTreeMap;

use evse_dashboard::types::Charger;
use leptos::prelude::*;

use crate::api::chargers::list_chargers;
use crate::api::system::ServerInfoCall;
use crate::components::feedback::error_message;

#[component]
pub fn HomePage() -> impl IntoView {
    let chargers = Resource::new(|| (), |_| list_chargers());
    view! {
        <h1>"Overview"</h1>
        <Transition fallback=|| view! { <p>"Loading the fleet…"</p> }>
            {move || {
                chargers
                    .get()
                    .map(|r| match r {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <p>"No chargers registered yet. An admin adds them on the Admin page."</p>
                            }
                                .into_any()
                        }
                        Ok(list) => fleet(list).into_any(),
                        Err(e) => view! { <p class="banner error">{error_message(&e)}</p> }.into_any(),
                    })
            }}
        </Transition>
        <ServerCheck />
    }
}

fn fleet(chargers: Vec<Charger>) -> impl IntoView {
    let mut sites: BTreeMap<String, Vec<Charger>> = BTreeMap::new();
    for c in chargers {
        sites.entry(c.site_name.clone()).or_default().push(c);
    }
    sites
        .into_iter()
        .map(|(site, chargers)| {
            view! {
                <section class="card site">
                    <h2>{site}</h2>
                    <ul class="fleet" data-testid="fleet">
                        {chargers
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <li>
                                        <a href=format!("/chargers/{}", c.id)>{c.name.clone()}</a>
                                        <span class="muted">
                                            {format!(" {}–{} A", c.min_current, c.max_current)}
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
        })
        .collect_view()
}

#[component]
fn ServerCheck() -> impl IntoView {
    let check = ServerAction::<ServerInfoCall>::new();
    let result = check.value();
    view! {
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
                    Some(Err(e)) => format!("The server check failed: {}", error_message(&e)),
                }}
            </p>
        </section>
    }
}
