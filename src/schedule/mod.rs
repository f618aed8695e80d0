//! Recurring current limits: "weekdays 08:00–18:00, 10 A". Which days
//! (`days`, also in the browser), when each window is in force in real
//! time across DST (`occurrence`), whether two windows would meet
//! (`overlap`); behind `ssr`, checking and saving them (`validate`,
//! `service`) and applying them (`engine`).

#[cfg(feature = "ssr")]
mod checks;
#[cfg(feature = "ssr")]
pub mod claims;
#[cfg(feature = "ssr")]
mod columns;
pub mod days;
#[cfg(feature = "ssr")]
pub mod decide;
#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
mod error;
#[cfg(feature = "ssr")]
pub mod occurrence;
#[cfg(feature = "ssr")]
pub mod overlap;
#[cfg(all(test, feature = "ssr"))]
mod properties;
#[cfg(feature = "ssr")]
mod sends;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub(crate) mod sites;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod validate;
pub mod week;

pub use days::{BadDays, Days};
#[cfg(feature = "ssr")]
pub use error::{ScheduleError, Target};
#[cfg(feature = "ssr")]
pub use occurrence::{Occurrence, Weekly, resolve};
#[cfg(feature = "ssr")]
pub use overlap::{Overlap, overlap};
#[cfg(feature = "ssr")]
pub use service::{Changed, Schedules};
