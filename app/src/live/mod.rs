//! Live pages on the server (#41): which page a stream serves, which
//! changes concern it, and its regions rendered again by the same
//! components and server functions the page itself uses, so a region
//! shows exactly what a reload would, with the same rights checked
//! (every server function's guard sees the stream's user).
//!
//! The browser half is `islands::live`; the stream itself is the server
//! crate's `live` module.

use std::collections::HashMap;

use evse_dashboard::db::changes::Change;
use evse_dashboard::services::Services;
use evse_dashboard::types::{AuditFilter, ChargerStatus, Role, User};
use leptos::prelude::*;

use crate::error::AppError;
use crate::language::Locale;
use crate::pages::overview::by_site;
use crate::pages::overview::cells::{Cell, site_keys, site_summary};
use crate::session::RequestUser;

/// A region: its `data-live` name and its inner HTML.
pub type Region = (String, String);

/// What a page shows that changes: its regions, and (the overview) when
/// each charger was last read, which the page shows as "N s ago".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Regions {
    pub html: Vec<Region>,
    pub read: Vec<(i64, chrono::DateTime<chrono::Utc>)>,
}

/// A page that follows changes.
#[derive(Clone, Debug, PartialEq)]
pub enum LivePage {
    /// The fleet, as the page's search and status filter show it.
    Overview {
        needle: String,
        status: Option<ChargerStatus>,
    },
    Charger(i64),
    Site(i64),
    /// The audit trail's newest rows under a filter.
    Audit(AuditFilter),
    /// The alert deliveries on the admin page.
    Admin,
}

impl LivePage {
    /// The page at `page` (a path with its query, as the browser shows
    /// it), or `None` when it is not a live page.
    pub fn parse(page: &str) -> Option<Self> {
        let (path, query) = page.split_once('?').unwrap_or((page, ""));
        let id = |rest: &str| rest.parse::<i64>().ok().filter(|id| *id > 0);
        let pairs: HashMap<String, String> = serde_urlencoded::from_str(query).unwrap_or_default();
        match path.trim_end_matches('/') {
            // As the page reads its filter (`OverviewQuery`).
            "" => Some(LivePage::Overview {
                needle: pairs
                    .get("q")
                    .map(|q| q.trim().to_lowercase())
                    .unwrap_or_default(),
                status: pairs.get("status").and_then(|s| s.parse().ok()),
            }),
            "/audit" => {
                // An older page stays as it was asked for.
                if pairs.contains_key("before") {
                    return None;
                }
                Some(LivePage::Audit(AuditFilter::from_query(|key| {
                    pairs.get(key).cloned()
                })))
            }
            "/admin" => Some(LivePage::Admin),
            path => {
                if let Some(rest) = path.strip_prefix("/chargers/") {
                    id(rest).map(LivePage::Charger)
                } else if let Some(rest) = path.strip_prefix("/sites/") {
                    id(rest).map(LivePage::Site)
                } else {
                    None
                }
            }
        }
    }

    /// Whether `change` may alter what this page shows.
    pub fn wants(&self, change: &Change) -> bool {
        match self {
            LivePage::Overview { .. } | LivePage::Site(_) => change.touches_chargers(),
            LivePage::Charger(id) => change.touches_charger(*id),
            LivePage::Audit(_) => {
                matches!(
                    change,
                    Change::Audit { .. } | Change::Fleet | Change::Resync
                )
            }
            LivePage::Admin => matches!(change, Change::Deliveries | Change::Resync),
        }
    }
}

/// Who a stream renders for, and in which language.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub user: User,
    pub locale: Locale,
    pub services: Services,
}

/// The page's regions as `viewer` may see them now. Fails as the page
/// would: a charger that is gone is `NotFound`, a page above the viewer's
/// role `Forbidden`.
pub async fn regions(page: &LivePage, viewer: &Viewer) -> Result<Regions, AppError> {
    let owner = Owner::new();
    owner.with(|| {
        provide_context(viewer.services.clone());
        provide_context(viewer.locale);
        provide_context(request_as(&viewer.user));
    });
    let (page, l, role) = (page.clone(), viewer.locale, viewer.user.role);
    owner
        .with(|| ScopedFuture::new_untracked(async move { render(page, l, role).await }))
        .await
}

/// The request parts a server function's guard reads the user from.
fn request_as(user: &User) -> http::request::Parts {
    let (mut parts, ()) = http::Request::new(()).into_parts();
    parts.extensions.insert(RequestUser(user.clone()));
    parts
}

fn html(view: impl IntoView) -> String {
    view.to_html()
}

async fn render(page: LivePage, l: Locale, role: Role) -> Result<Regions, AppError> {
    use crate::components::charts::SiteBars;
    use crate::i18n::td_string;
    use crate::pages::admin::alerts::{Deliveries, LIVE_DELIVERIES};
    use crate::pages::audit::{AuditResults, LIVE_RESULTS};
    use crate::pages::charger::{History, LIVE_HISTORY, LIVE_READING, LiveReading};
    use crate::pages::schedules::{LIVE_SITE_LOAD, SiteCharts, sharing_live_cells};
    use crate::pages::sessions::{
        LIVE_CHARGER_SESSIONS, LIVE_MONTH_PEAK, LIVE_SITE_SESSIONS, MonthPeak, SessionTable,
    };
    use crate::server_fns::{alerts, chargers, control, history, overview, sessions, sharing};
    let now = chrono::Utc::now();
    let shown = match page {
        LivePage::Overview { needle, status } => {
            let fleet = overview::fleet_overview().await?;
            let mut regions = Regions {
                html: Vec::with_capacity(fleet.len() * Cell::ALL.len()),
                read: Vec::with_capacity(fleet.len()),
            };
            // The sites and chargers the page shows, as it groups them.
            for chargers in by_site(fleet, &needle, status).into_values() {
                for c in &chargers {
                    for cell in Cell::ALL {
                        if cell == Cell::Updated {
                            // Every round moves it: sent as a time, not HTML.
                            regions.read.extend(c.read_at.map(|at| (c.charger.id, at)));
                        } else {
                            let region = (cell.key(c.charger.id), html(cell.view(l, c, now)));
                            regions.html.push(region);
                        }
                    }
                }
                let Some(site_id) = chargers.first().map(|c| c.charger.site_id) else {
                    continue;
                };
                let [summary, bars] = site_keys(site_id);
                regions
                    .html
                    .push((summary, html(site_summary(l, &chargers))));
                regions
                    .html
                    .push((bars, html(view! { <SiteBars chargers /> })));
            }
            return Ok(regions);
        }
        LivePage::Charger(id) => {
            let charger = chargers::get_charger(id).await?;
            let live = control::charger_live(id).await?;
            let rows = control::charger_history(id).await?;
            let latest = sessions::latest_sessions(None, Some(id)).await?;
            let empty = td_string!(l, no_sessions_yet);
            vec![
                (
                    LIVE_READING.to_owned(),
                    html(view! { <LiveReading live charger /> }),
                ),
                (LIVE_HISTORY.to_owned(), html(view! { <History rows /> })),
                (
                    LIVE_CHARGER_SESSIONS.to_owned(),
                    html(view! { <SessionTable sessions=latest empty /> }),
                ),
            ]
        }
        LivePage::Site(id) => {
            let chart = history::site_chart(id).await?;
            let shares = sharing::site_sharing(id).await?;
            let mut regions = sharing_live_cells(l, &shares)
                .into_iter()
                .map(|(key, text)| (key, html(text)))
                .collect::<Vec<_>>();
            regions.push((
                LIVE_SITE_LOAD.to_owned(),
                html(view! { <SiteCharts chart /> }),
            ));
            let latest = sessions::latest_sessions(Some(id), None).await?;
            let empty = td_string!(l, no_sessions_yet);
            regions.push((
                LIVE_SITE_SESSIONS.to_owned(),
                html(view! { <SessionTable sessions=latest empty /> }),
            ));
            let peak = sessions::month_peak(id).await?;
            regions.push((
                LIVE_MONTH_PEAK.to_owned(),
                html(view! { <MonthPeak peak /> }),
            ));
            regions
        }
        LivePage::Audit(filter) => {
            let page = crate::server_fns::audit::audit_page(filter.clone(), None).await?;
            let can_export = role >= Role::Operator;
            vec![(
                LIVE_RESULTS.to_owned(),
                html(view! { <AuditResults page filter older_page=false can_export /> }),
            )]
        }
        // The deliveries are an admin's; anyone else's admin page has
        // nothing that follows changes.
        LivePage::Admin if role < Role::Admin => Vec::new(),
        LivePage::Admin => {
            let alerts = alerts::list_alerts().await?;
            vec![(
                LIVE_DELIVERIES.to_owned(),
                html(view! { <Deliveries list=alerts.deliveries /> }),
            )]
        }
    };
    Ok(Regions {
        html: shown,
        read: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_pages_are_known_by_their_address() {
        let all = LivePage::Overview {
            needle: String::new(),
            status: None,
        };
        assert_eq!(LivePage::parse("/"), Some(all));
        assert_eq!(
            LivePage::parse("/?q=+HQ+&status=charging"),
            Some(LivePage::Overview {
                needle: "hq".into(),
                status: Some(ChargerStatus::Charging),
            })
        );
        assert_eq!(LivePage::parse("/chargers/12"), Some(LivePage::Charger(12)));
        assert_eq!(LivePage::parse("/sites/3"), Some(LivePage::Site(3)));
        assert_eq!(LivePage::parse("/admin"), Some(LivePage::Admin));
        let Some(LivePage::Audit(filter)) = LivePage::parse("/audit?charger=4&action=nonsense")
        else {
            panic!("the audit page is live");
        };
        assert_eq!(filter.charger, Some(4));
        assert_eq!(filter.action, None, "an unknown action shows everything");
        for not_live in [
            "/audit?before=10",
            "/chargers/x",
            "/chargers/-1",
            "/login",
            "/account",
        ] {
            assert_eq!(LivePage::parse(not_live), None, "{not_live}");
        }
    }

    #[test]
    fn a_page_wants_only_the_changes_it_shows() {
        let set_on_4 = Change::Audit { chargers: vec![4] };
        assert!(LivePage::Charger(4).wants(&set_on_4));
        assert!(!LivePage::Charger(5).wants(&set_on_4));
        let overview = LivePage::parse("/").unwrap();
        assert!(overview.wants(&Change::Chargers { ids: vec![9] }));
        assert!(!overview.wants(&Change::Deliveries));
        assert!(LivePage::Admin.wants(&Change::Deliveries));
        assert!(!LivePage::Admin.wants(&set_on_4));
        assert!(LivePage::Audit(AuditFilter::default()).wants(&Change::Audit { chargers: vec![] }));
        assert!(!LivePage::Audit(AuditFilter::default()).wants(&Change::User { id: 1 }));
    }
}
