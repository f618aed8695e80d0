//! How saving a schedule can fail, and what a schedule applies to: shared
//! by the checks and the service, so neither imports the other.

use super::overlap::Overlap;
use crate::problem::{Invalid, Missing, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("invalid schedule: {0:?}")]
    Invalid(Invalid),
    #[error("the schedule would overlap schedule {other:?}")]
    Overlap { other: String, overlap: Overlap },
    #[error("schedule {0} does not exist (it may have been deleted)")]
    NotFound(i64),
    #[error("{0:?} does not exist")]
    Missing(Missing),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<Invalid> for ScheduleError {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

impl From<crate::sites::SiteError> for ScheduleError {
    fn from(e: crate::sites::SiteError) -> Self {
        match e {
            crate::sites::SiteError::Missing(id) => Self::Missing(Missing::Site(id)),
            crate::sites::SiteError::Db(e) => Self::Db(e),
        }
    }
}

impl ScheduleError {
    /// What the UI and the audit trail say about it.
    pub fn problem(&self) -> Problem {
        match self {
            Self::Invalid(invalid) => Problem::Invalid(invalid.clone()),
            Self::Overlap { other, overlap } => Problem::ScheduleOverlap {
                other: other.clone(),
                days: overlap.days.bits(),
                from: overlap.from.format("%H:%M").to_string(),
                to: overlap.to.format("%H:%M").to_string(),
            },
            Self::NotFound(id) => Problem::NotFound(Missing::Schedule(*id)),
            Self::Missing(missing) => Problem::NotFound(missing.clone()),
            Self::Db(_) => Problem::Internal,
        }
    }
}

/// Where a new schedule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Charger(i64),
    Site(i64),
}
