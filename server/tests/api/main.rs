//! The server's integration tests, in one binary (like zero2prod's
//! `tests/api`): the real router on port 0 with a fresh data directory,
//! driven over HTTP as a browser or script would.

mod admin_chargers;
mod alert_privacy;
mod alerts;
mod api_v1;
mod assets;
mod audit_http;
mod authz;
mod backup;
mod bad_input;
mod calls;
mod charging_sessions;
mod control_http;
mod dates;
mod foundation;
mod hardening;
mod helpers;
mod instances;
mod keys;
mod languages;
mod leaks;
mod live;
mod login_security;
mod login_throttle;
mod metrics;
mod probe;
mod repeats;
mod sessions;
mod upgrade;
