//! Schedules in the UI: the list shown on a charger's and a site's page,
//! the form to create or edit one, the schedule's own page (edit, enable
//! or disable, delete) and the site's plan.

mod edit;
mod form;
mod list;
mod sharing_card;
mod site;
mod site_usage;

pub use edit::SchedulePage;
pub use form::{NewScheduleForm, Scope};
pub use list::{HeldBackBanner, ScheduleTable};
pub use sharing_card::{SharedLine, live_cells as sharing_live_cells};
pub use site::SitePage;
pub use site_usage::{LIVE_SITE_LOAD, SiteCharts};
