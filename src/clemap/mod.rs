//! CLEMAP's Direct EVSE Control API: the data model (everywhere), and on the
//! server the typed client and a simulator that behaves like the documented
//! API (for tests, benchmarks and `evse-dashboard demo`).

pub mod model;

#[cfg(feature = "ssr")]
pub(crate) mod client;
#[cfg(feature = "ssr")]
mod error;
#[cfg(feature = "ssr")]
pub mod simulator;

#[cfg(feature = "ssr")]
pub use client::{ClemapClient, ClientBuildError, ClientConfig, EvseAddress};

/// How many status reads may be in flight toward CLEMAP at once: enough for
/// 500 stations at 50 ms in well under a second, few enough not to hammer
/// an API whose rate limits are undocumented.
pub const DEFAULT_STATUS_CONCURRENCY: usize = 64;
#[cfg(feature = "ssr")]
pub use error::ClemapError;
