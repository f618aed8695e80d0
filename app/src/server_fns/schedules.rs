//! Schedules: everyone logged in reads them; operators and admins create,
//! edit, enable, disable and delete them (each audited by the service);
//! admins set a site's zone and supply limit.

use evse_dashboard::types::{Charger, Schedule, ScheduleHeldBack, ScheduleInput, Site};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{context, guard},
    evse_dashboard::schedule::{Changed, Target},
    evse_dashboard::types::{Role, ScheduleScope},
};

/// A charger's schedules (its own and its site's), and whether a person's
/// target holds one back now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargerPlans {
    pub schedules: Vec<Schedule>,
    /// The site's zone: where a new schedule's times are read.
    pub site_zone: String,
    pub held_back: Option<ScheduleHeldBack>,
}

/// A site with its schedules and chargers (to sum what they plan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SitePlan {
    pub site: Site,
    pub schedules: Vec<Schedule>,
    pub chargers: Vec<Charger>,
}

#[server(name = ChargerSchedules, prefix = "/api", endpoint = "charger_schedules")]
pub async fn charger_schedules(charger_id: i64) -> Result<ChargerPlans, AppError> {
    guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let charger = services.registry.get(charger_id).await?;
    let saved = services.schedules.for_charger(charger_id).await?;
    let held_back = services
        .engine
        .held_back(&charger, &saved, chrono::Utc::now())
        .await;
    let site_zone = services.sites.site(charger.site_id).await?.time_zone;
    Ok(ChargerPlans {
        site_zone,
        schedules: saved.into_iter().map(|(s, _)| s).collect(),
        held_back,
    })
}

#[server(name = SitePlanCall, prefix = "/api", endpoint = "site_plan")]
pub async fn site_plan(site_id: i64) -> Result<SitePlan, AppError> {
    guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let site = services.sites.site(site_id).await?;
    let schedules = services.schedules.for_site(site_id).await?;
    let mut chargers = services.registry.list().await?;
    chargers.retain(|c| c.site_id == site_id);
    Ok(SitePlan {
        site,
        schedules: schedules.into_iter().map(|(s, _)| s).collect(),
        chargers,
    })
}

#[server(name = GetSchedule, prefix = "/api", endpoint = "get_schedule")]
pub async fn get_schedule(id: i64) -> Result<Schedule, AppError> {
    guard::require(Role::Viewer).await?;
    Ok(context::services()?.schedules.get(id).await?.0)
}

/// Where a schedule is shown: its charger's page or its site's.
#[cfg(feature = "ssr")]
fn home(schedule: &Schedule) -> String {
    match &schedule.scope {
        ScheduleScope::Charger { id, .. } => format!("/chargers/{id}"),
        ScheduleScope::Site { id, .. } => format!("/sites/{id}"),
    }
}

/// After a plain form post: the schedule's page with the change's banner.
#[cfg(feature = "ssr")]
fn shown(changed: Changed) -> Schedule {
    super::plain_form::show_event(&home(&changed.schedule), changed.event);
    changed.schedule
}

/// Creates a schedule for one charger (`charger_id`) or a whole site
/// (`site_id`).
#[server(name = CreateSchedule, prefix = "/api", endpoint = "create_schedule")]
pub async fn create_schedule(
    #[server(default)] charger_id: Option<i64>,
    #[server(default)] site_id: Option<i64>,
    input: ScheduleInput,
) -> Result<Schedule, AppError> {
    let user = guard::require(Role::Operator).await?;
    let services = context::services()?;
    let (target, page) = match (charger_id, site_id) {
        (Some(id), _) => (Target::Charger(id), format!("/chargers/{id}")),
        (None, Some(id)) => (Target::Site(id), format!("/sites/{id}")),
        (None, None) => return Err(AppError::Malformed),
    };
    let actor = context::actor(Some(&user), &user.username).await;
    match services.schedules.create(&actor, target, &input).await {
        Ok(changed) => Ok(shown(changed)),
        Err(e) => Err(super::plain_form::back_with_draft::<CreateSchedule>(
            &page,
            &input,
            e.into(),
        )),
    }
}

#[server(name = UpdateSchedule, prefix = "/api", endpoint = "update_schedule")]
pub async fn update_schedule(id: i64, input: ScheduleInput) -> Result<Schedule, AppError> {
    let user = guard::require(Role::Operator).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&user), &user.username).await;
    match services.schedules.update(&actor, id, &input).await {
        Ok(changed) => Ok(shown(changed)),
        Err(e) => {
            let page = format!("/schedules/{id}");
            Err(super::plain_form::back_with_draft::<UpdateSchedule>(
                &page,
                &input,
                e.into(),
            ))
        }
    }
}

#[server(name = SetScheduleEnabled, prefix = "/api", endpoint = "set_schedule_enabled")]
pub async fn set_schedule_enabled(id: i64, enabled: bool) -> Result<Schedule, AppError> {
    let user = guard::require(Role::Operator).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&user), &user.username).await;
    Ok(shown(
        services.schedules.set_enabled(&actor, id, enabled).await?,
    ))
}

#[server(name = DeleteSchedule, prefix = "/api", endpoint = "delete_schedule")]
pub async fn delete_schedule(
    id: i64,
    #[server(default)] confirmed: Option<String>,
) -> Result<(), AppError> {
    let user = guard::require(Role::Operator).await?;
    let _ = confirmed; // the form's no-JavaScript confirmation checkbox
    let services = context::services()?;
    let actor = context::actor(Some(&user), &user.username).await;
    shown(services.schedules.delete(&actor, id).await?);
    Ok(())
}

#[server(name = UpdateSite, prefix = "/api", endpoint = "update_site")]
pub async fn update_site(
    id: i64,
    time_zone: String,
    #[server(default)] supply_limit: String,
) -> Result<Site, AppError> {
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&admin), &admin.username).await;
    let site = services
        .schedules
        .update_site(&actor, id, &time_zone, &supply_limit)
        .await?;
    super::plain_form::redirect_plain_form(&format!("/sites/{id}"));
    Ok(site)
}
