//! Recurring current limits as the UI shows and edits them.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::Charger;
use crate::problem::Problem;

/// The time zone of a site that names none, and of a schedule that names
/// neither its own nor a site's.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Zurich";

/// Where a schedule applies: one charger, or each charger of a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScheduleScope {
    Charger { id: i64, name: String },
    Site { id: i64, name: String },
}

/// A saved schedule, with when it next applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: i64,
    pub name: String,
    pub scope: ScheduleScope,
    /// Weekday bits, Monday = 1 … Sunday = 64.
    pub days: u8,
    pub start: NaiveTime,
    /// At or before `start`: the window runs past midnight.
    pub end: NaiveTime,
    pub time_zone: String,
    pub current: u32,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub enabled: bool,
    /// The engine's last failure, until a call succeeds again.
    pub last_error: Option<(Problem, DateTime<Utc>)>,
    /// The occurrence in force now, else the next one (start, end).
    pub next: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The same on the schedule's own wall clock.
    pub next_local: Option<(NaiveDateTime, NaiveDateTime)>,
}

impl Schedule {
    /// Who the engine's calls on its behalf are, in the audit trail.
    pub fn as_actor(&self) -> super::Who {
        super::Who::Schedule {
            id: self.id,
            name: self.name.clone(),
        }
    }

    /// Whether the schedule plans for `charger` (its own, or its site's).
    pub fn applies_to(&self, charger: &Charger) -> bool {
        match &self.scope {
            ScheduleScope::Charger { id, .. } => charger.id == *id,
            ScheduleScope::Site { id, .. } => charger.site_id == *id,
        }
    }

    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.next
            .is_some_and(|(start, end)| start <= now && now < end)
    }
}

/// What a person types to create or edit a schedule. Text as typed, so a
/// refusal can name what was wrong; one checkbox per weekday.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScheduleInput {
    pub name: String,
    pub mon: Option<String>,
    pub tue: Option<String>,
    pub wed: Option<String>,
    pub thu: Option<String>,
    pub fri: Option<String>,
    pub sat: Option<String>,
    pub sun: Option<String>,
    /// Local start, `HH:MM`.
    pub from: String,
    /// Local end, `HH:MM`.
    pub to: String,
    /// Ampere.
    pub current: String,
    /// IANA name; empty: the site's.
    pub time_zone: String,
    /// `YYYY-MM-DD`, or empty.
    pub valid_from: String,
    pub valid_to: String,
}

impl ScheduleInput {
    /// The weekday checkboxes, Monday first.
    pub fn day_boxes(&self) -> [&Option<String>; 7] {
        [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ]
    }

    /// The checked weekdays as bits, Monday = 1.
    pub fn day_bits(&self) -> u8 {
        self.day_boxes()
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_some())
            .fold(0, |bits, (i, _)| bits | 1 << i)
    }

    /// Ticks the weekdays in `bits` (Monday = 1).
    pub fn with_days(mut self, bits: u8) -> Self {
        let on = |i: u8| (bits & (1 << i) != 0).then(|| "on".to_owned());
        (self.mon, self.tue, self.wed, self.thu) = (on(0), on(1), on(2), on(3));
        (self.fri, self.sat, self.sun) = (on(4), on(5), on(6));
        self
    }

    /// The form filled in with a saved schedule (for editing).
    pub fn from_schedule(s: &Schedule) -> Self {
        Self {
            name: s.name.clone(),
            from: s.start.format("%H:%M").to_string(),
            to: s.end.format("%H:%M").to_string(),
            current: s.current.to_string(),
            time_zone: s.time_zone.clone(),
            valid_from: s.valid_from.map(|d| d.to_string()).unwrap_or_default(),
            valid_to: s.valid_to.map(|d| d.to_string()).unwrap_or_default(),
            ..Self::default()
        }
        .with_days(s.days)
    }
}

/// A site with what schedules need of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    /// Ampere per phase the supply carries, when known.
    pub supply_limit: Option<u32>,
    /// Whether the dashboard shares the supply among the cars charging
    /// (#40), and the least each charging car gets.
    pub sharing: bool,
    pub share_minimum: u32,
}

/// What the charger page says when a hand-made target holds a schedule
/// back: "Manual target until 15:40; the schedule 'Office hours' resumes
/// then".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleHeldBack {
    pub schedule: String,
    /// When the manual target ends; `None`: it was a reset, and the
    /// schedule resumes at its next occurrence.
    pub until: Option<DateTime<Utc>>,
    /// The same on the schedule's wall clock.
    pub until_local: Option<NaiveDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_boxes_and_bits_agree() {
        let input = ScheduleInput::default().with_days(0b001_0101);
        assert!(input.mon.is_some() && input.wed.is_some() && input.fri.is_some());
        assert!(input.tue.is_none() && input.sun.is_none());
        assert_eq!(input.day_bits(), 0b001_0101);
        assert_eq!(ScheduleInput::default().day_bits(), 0);
    }
}
