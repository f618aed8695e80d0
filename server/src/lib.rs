//! The `evse-dashboard` executable as a library, so integration tests can
//! start the real server on port 0 (see `Application`).

pub mod alert_wording;
pub mod api_v1;
mod application;
pub mod assets;
pub mod cli;
pub mod client_ip;
pub mod commands;
mod config;
pub mod data_dir;
pub mod export;
pub mod history_export;
pub mod http;
pub mod listener;
pub mod live;
pub mod live_streams;
pub mod memory;
pub mod metrics;
pub mod one_click;
pub mod read_bound;
pub mod security;
pub mod session_cache;
pub mod session_export;
mod sessions;
pub mod site;
pub mod state;
mod sweeper;
pub mod telemetry;
pub mod write_rate;

pub use application::{Application, StartError, shutdown_signal};
pub use config::ServeConfig;
