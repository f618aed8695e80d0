//! CLEMAP's Direct EVSE Control API: the data model (everywhere), and on the
//! server the typed client and a simulator that behaves like the documented
//! API (for tests, benchmarks and `evse-dashboard demo`).

pub mod model;

#[cfg(feature = "ssr")]
mod client;
#[cfg(feature = "ssr")]
mod error;
#[cfg(feature = "ssr")]
pub mod simulator;

#[cfg(feature = "ssr")]
pub use client::{ClemapClient, ClientConfig, EvseAddress};
#[cfg(feature = "ssr")]
pub use error::ClemapError;
