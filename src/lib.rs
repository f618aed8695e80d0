//! Domain types and back-end services of the EVSE dashboard.
//!
//! The types at the top level compile everywhere, also to wasm, because the
//! UI shows them. Everything behind the `ssr` feature is server-only: it
//! talks to SQLite and to CLEMAP and holds secrets, so it must never be
//! compiled into the browser bundle.

pub mod calendar;
pub mod clemap;
pub mod problem;
pub mod schedule;
pub mod sharing;
pub mod types;
pub mod vocabulary;

#[cfg(feature = "ssr")]
pub mod alerts;
#[cfg(feature = "ssr")]
pub mod api_tokens;
#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod control;
#[cfg(feature = "ssr")]
pub mod csv_safe;
#[cfg(feature = "ssr")]
pub mod csv_stream;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod history;
#[cfg(feature = "ssr")]
pub mod inflight;
#[cfg(feature = "ssr")]
pub mod key_rotation;
#[cfg(feature = "ssr")]
pub mod keys;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod net;
#[cfg(feature = "ssr")]
pub mod overview;
#[cfg(feature = "ssr")]
pub mod registry;
#[cfg(feature = "ssr")]
pub mod secret;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod sites;
#[cfg(feature = "ssr")]
pub mod vault;

/// The version of this build, shown in the UI footer and by `/healthz`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
