//! Charging sessions (#42): the list (`/sessions`, filters in the URL as
//! a plain GET form, keyset pages), one session (`/sessions/ID`), a
//! site's monthly report (`/sites/ID/report`), and the latest sessions
//! on a charger's and a site's page.

mod detail;
mod filters;
mod latest;
mod report;
mod table;

pub use detail::SessionPage;
pub use latest::{
    ChargerSessions, LIVE_CHARGER_SESSIONS, LIVE_MONTH_PEAK, LIVE_SITE_SESSIONS, MonthPeak,
    SiteSessions,
};
pub use report::ReportPage;
pub use table::SessionTable;

use evse_dashboard::types::{Role, SessionFilter, SessionPage as Page};
use leptos::prelude::*;
use leptos_router::hooks::use_query;
use leptos_router::params::Params;

use crate::components::feedback::Loaded;
use crate::components::layout::CurrentUser;
use crate::i18n::td_string;
use crate::language::locale;
use crate::server_fns::sessions::session_page;
use filters::Filters;

/// The page's URL query. Values stay text: a hand-edited id that is not
/// a number shows every site or charger rather than an error.
#[derive(Params, Clone, PartialEq, Default)]
struct SessionsQuery {
    site: Option<String>,
    charger: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limited: Option<String>,
    before: Option<String>,
}

impl SessionsQuery {
    fn filter(&self) -> SessionFilter {
        SessionFilter::from_query(|key| {
            match key {
                "site" => &self.site,
                "charger" => &self.charger,
                "from" => &self.from,
                "to" => &self.to,
                "limited" => &self.limited,
                _ => &None,
            }
            .clone()
        })
    }
}

#[component]
pub fn SessionsPage() -> impl IntoView {
    let l = locale();
    let query = use_query::<SessionsQuery>();
    let current = move || query.get().unwrap_or_default();
    let filter = move || current().filter();
    let before = move || current().before.filter(|b| !b.is_empty());
    let page = Resource::new(move || (filter(), before()), |(f, b)| session_page(f, b));
    let user = expect_context::<CurrentUser>();
    view! {
        <h1>{td_string!(l, sessions_heading)}</h1>
        <p class="muted">{td_string!(l, sessions_intro)}</p>
        <Filters filter=Signal::derive(filter) />
        <Loaded waiting=td_string!(l, loading_sessions)>
            {move || {
                let f = filter();
                let older = before().is_some();
                let can_export = user.role().is_some_and(|r| r >= Role::Operator);
                Suspend::new(async move {
                    page.await.map(|page| view! { <SessionResults page filter=f older can_export /> })
                })
            }}
        </Loaded>
    }
}

/// The export link, the rows and the link to older ones.
#[component]
fn SessionResults(
    page: Page,
    filter: SessionFilter,
    older: bool,
    can_export: bool,
) -> impl IntoView {
    let l = locale();
    let query = filter.to_query();
    let sep = if query.is_empty() { "" } else { "&" };
    let next = page
        .next
        .map(|c| format!("/sessions?{query}{sep}before={}", c.to_param()));
    view! {
        {older.then(|| view! { <p class="muted">{td_string!(l, sessions_older_page)}</p> })}
        <p class="actions">
            {can_export.then(|| view! {
                <a class="button" href=format!("/sessions/export.csv?{query}") download data-testid="sessions-export">
                    {td_string!(l, export_csv)}
                </a>
            })}
        </p>
        <SessionTable sessions=page.sessions empty=td_string!(l, no_sessions_match) />
        {next.map(|href| view! {
            <p><a href=href data-testid="older-sessions">{td_string!(l, older_sessions)}</a></p>
        })}
    }
}
