//! The audit history: filters in the URL (a plain GET form, so any view
//! can be bookmarked and shared), keyset pages, expandable rows, CSV export
//! of exactly the current filter, and a target timeline for one charger.

mod filters;
mod table;

use evse_dashboard::types::{AuditFilter, AuditPage as Rows, Role};
use leptos::prelude::*;
use leptos_router::hooks::use_query;
use leptos_router::params::Params;

use crate::components::charts::TargetTimeline;
use crate::components::feedback::Loaded;
use crate::components::layout::CurrentUser;
use crate::i18n::td_string;
use crate::islands::live::LiveState;
use crate::language::locale;
use crate::server_fns::audit::audit_page;
use filters::Filters;
pub use table::AuditTable;

/// The live region of the audit page's newest rows (#41).
pub const LIVE_RESULTS: &str = "audit-results";

/// The page's URL query. Values stay text here: a hand-edited URL with an
/// unknown action shows everything rather than an error.
#[derive(Params, Clone, PartialEq, Default)]
struct AuditQuery {
    charger: Option<String>,
    site: Option<String>,
    user: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        AuditFilter::from_query(|key| {
            match key {
                "charger" => &self.charger,
                "site" => &self.site,
                "user" => &self.user,
                "action" => &self.action,
                "outcome" => &self.outcome,
                "from" => &self.from,
                "to" => &self.to,
                _ => &None,
            }
            .clone()
        })
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let l = locale();
    let query = use_query::<AuditQuery>();
    let current = move || query.get().unwrap_or_default();
    let filter = move || current().filter();
    let before = move || current().before;
    let page = Resource::new(move || (filter(), before()), |(f, b)| audit_page(f, b));
    let user = expect_context::<CurrentUser>();

    view! {
        <h1>{td_string!(l, audit_heading)}</h1>
        // An older page stays as it was asked for: not live.
        {move || before().is_none().then(|| view! { <LiveState /> })}
        <Filters filter=Signal::derive(filter) />
        <Loaded waiting=td_string!(l, loading_audit)>
                {move || {
                    let f = filter();
                    let older_page = before().is_some();
                    let can_export = user.role().is_some_and(|r| r >= Role::Operator);
                    Suspend::new(async move {
                        page.await.map(|page| {
                            let results = view! { <AuditResults page filter=f older_page can_export /> };
                            // The newest page follows new rows (#41); an
                            // older one stays as it was asked for.
                            if older_page {
                                results.into_any()
                            } else {
                                view! { <div data-live=LIVE_RESULTS>{results}</div> }.into_any()
                            }
                        })
                    })
                }}
            </Loaded>
    }
}

/// How many rows match, the export, the timeline, the rows and the link
/// to older ones: the page's part that new rows change.
#[component]
pub fn AuditResults(
    page: Rows,
    filter: AuditFilter,
    older_page: bool,
    can_export: bool,
) -> impl IntoView {
    let l = locale();
    let p = page;
    let query_string = filter.to_query();
    let next = p.next_before.map(|b| {
        let sep = if query_string.is_empty() { "" } else { "&" };
        format!("/audit?{query_string}{sep}before={b}")
    });
    let timeline = filter
        .charger
        .map(|_| view! { <TargetTimeline entries=p.entries.clone() /> });
    view! {
        <p class="muted" data-testid="audit-count">
            {if p.more {
                td_string!(l, matching_events_more, count = p.total)
            } else {
                td_string!(l, matching_events, count = p.total)
            }}
            {older_page.then(|| format!(" ({})", td_string!(l, older_page)))}
        </p>
        <p class="actions">
            {can_export.then(|| view! {
                <a
                    class="button"
                    href=format!("/audit/export.csv?{query_string}")
                    download
                    data-testid="export"
                >
                    {td_string!(l, export_csv)}
                </a>
            })}
        </p>
        {timeline}
        <AuditTable entries=p.entries />
        {next.map(|href| view! {
            <p><a href=href data-testid="older">{td_string!(l, older_events)}</a></p>
        })}
    }
}
