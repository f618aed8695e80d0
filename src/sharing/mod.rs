//! Sharing a site's supply among the cars charging now (#40).
//!
//! `allocate` is the rule, a pure function (also compiled for the
//! browser, whose pages word its reasons). Behind `ssr`: `settings` (per
//! site on/off and minimum, per charger priority; audited), `store` (the
//! allocation each managed charger was last given), `manager` (after each
//! sampling round on the lease holder: readings → allocation → targets).
//!
//! Targets are CLEMAP's temporary ones, sent for `hold` and renewed before
//! they end: when every instance stops, each ends within `hold` and the
//! charger falls back to its own settings.

pub mod allocate;

/// What the charger page says of a shared site's charger: "You asked
/// 16 A; the site shares 10 A to this charger now."
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChargerShare {
    /// A person's, schedule's or token's target in force: the most the
    /// manager sends.
    pub asked: Option<u32>,
    /// The manager's target in force.
    pub shared: Option<u32>,
}

#[cfg(feature = "ssr")]
mod error;
#[cfg(feature = "ssr")]
mod manager;
#[cfg(feature = "ssr")]
mod points;
#[cfg(feature = "ssr")]
mod settings;
#[cfg(feature = "ssr")]
pub(crate) mod store;

#[cfg(feature = "ssr")]
pub use error::SharingError;
#[cfg(feature = "ssr")]
pub use manager::{DEFAULT_HOLD, Sharing};
#[cfg(feature = "ssr")]
pub use settings::{MINIMUM_RANGE, Settings};
#[cfg(feature = "ssr")]
pub use store::Stored;
