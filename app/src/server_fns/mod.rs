//! Server functions: thin adapters from the browser to the back-end
//! services. Each one authorises first (`guard::require`), then calls one
//! service; errors become an [`AppError`](crate::error::AppError) by `?`.

pub mod alerts;
pub mod audit;
pub mod auth;
pub mod chargers;
pub mod control;
pub mod history;
pub mod mail_links;
pub mod overview;
pub mod prefs;
pub mod schedules;
pub mod sessions;
pub mod sharing;
pub mod system;
pub mod tokens;
pub mod users;

#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod device_cookie;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod plain_form;
