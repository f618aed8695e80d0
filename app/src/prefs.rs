//! Per-browser display preferences kept in a cookie, so the server renders
//! the right theme in the first byte (no flash, no script needed).

#[cfg(feature = "ssr")]
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The colour scheme: the system's, or one chosen with the header toggle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    #[cfg(feature = "ssr")]
    pub const COOKIE: &'static str = "theme";

    /// The `data-theme` attribute of `<html>`; none follows the system.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Self::System => None,
            Self::Light => Some("light"),
            Self::Dark => Some("dark"),
        }
    }
}

/// The theme of the request being rendered (the server; the browser never
/// needs it: the page arrives styled).
pub fn request_theme() -> Theme {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| crate::request::cookie(&parts.headers, Theme::COOKIE))
            .and_then(|v| v.parse().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    Theme::System
}
