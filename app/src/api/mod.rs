//! Server functions: thin adapters from the browser to the back-end
//! services. Each one authorises first (`guard::require`), then calls one
//! service and turns its error into a sentence for the user.

pub mod audit;
pub mod auth;
pub mod chargers;
pub mod control;
pub mod system;
pub mod users;

#[cfg(feature = "ssr")]
pub mod guard;

/// Session keys; the session holds nothing else.
#[cfg(feature = "ssr")]
pub(crate) mod session_keys {
    pub const USER_ID: &str = "user_id";
    pub const LOGGED_IN_AT: &str = "logged_in_at";
}
