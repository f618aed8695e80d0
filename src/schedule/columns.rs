//! A schedule's plan as the `schedules` table stores it.

use super::validate::Plan;

/// A plan as the `schedules` columns store it.
pub(super) struct PlanColumns {
    pub name: String,
    pub days: i64,
    pub start_time: String,
    pub end_time: String,
    pub time_zone: String,
    pub current: i64,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

impl PlanColumns {
    pub(super) fn of(plan: &Plan) -> Self {
        let w = &plan.weekly;
        Self {
            name: plan.name.clone(),
            days: i64::from(w.days.bits()),
            start_time: w.start.format("%H:%M").to_string(),
            end_time: w.end.format("%H:%M").to_string(),
            time_zone: w.zone.name().to_owned(),
            current: i64::from(plan.current),
            valid_from: w.valid_from.map(|d| d.to_string()),
            valid_to: w.valid_to.map(|d| d.to_string()),
        }
    }
}
