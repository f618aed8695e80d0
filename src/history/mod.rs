//! What chargers did, not only what was asked (#28): one sampler reads
//! every charger's status on a fixed interval (one instance at a time, by
//! a lease in the database), keeps the raw samples two days and 15-minute
//! roll-ups 400 days, keeps each charger's latest reading for the pages
//! (which never call CLEMAP themselves), and judges every target CLEMAP
//! received from the samples taken after it settled.

pub mod backfill;
pub mod buckets;
pub mod config;
pub mod energy_days;
pub mod export;
pub mod latest;
mod lease;
pub mod reading;
mod reads;
pub mod rollup;
pub mod sampler;
pub mod samples;
pub mod series;
pub mod sessions;
pub mod verdicts;

pub use config::HistoryConfig;

/// A site's zone by its name (a name that no longer reads: the default
/// zone): the one place a stored zone becomes a `Tz`.
pub fn zone_of(name: &str) -> chrono_tz::Tz {
    name.parse()
        .or_else(|_| crate::types::DEFAULT_TIME_ZONE.parse())
        .unwrap_or(chrono_tz::UTC)
}

/// Why a sampling round (or a read of one charger) could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
}

impl HistoryError {
    pub fn problem(&self) -> crate::problem::Problem {
        match self {
            Self::Db(_) => crate::problem::Problem::Internal,
            Self::Registry(e) => e.problem(),
        }
    }
}
pub use reading::Reading;
pub use reads::History;
pub use sampler::Sampler;
