//! Per-browser display preferences kept in a cookie, so the server renders
//! the right theme in the first byte (no flash, no script needed).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The colour scheme: the system's, or one chosen with the header toggle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    #[cfg(feature = "ssr")]
    const COOKIE: &'static str = "theme";

    /// The `data-theme` attribute of `<html>`; none follows the system.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Self::System => None,
            Self::Light => Some("light"),
            Self::Dark => Some("dark"),
        }
    }

    #[cfg(feature = "ssr")]
    fn parse(value: &str) -> Self {
        match value {
            "light" => Self::Light,
            "dark" => Self::Dark,
            _ => Self::System,
        }
    }
}

/// The theme of the request being rendered (the server; the browser never
/// needs it: the page arrives styled).
pub fn request_theme() -> Theme {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| cookie(&parts.headers, Theme::COOKIE))
            .map_or(Theme::System, |v| Theme::parse(&v))
    }
    #[cfg(not(feature = "ssr"))]
    Theme::System
}

/// A cookie's value from the request headers.
#[cfg(feature = "ssr")]
pub fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Remembers the theme for this browser and goes back to `next`.
#[server(name = SetTheme, prefix = "/api", endpoint = "set_theme")]
pub async fn set_theme(theme: Theme, next: String) -> Result<(), AppError> {
    crate::api::guard::anyone();
    remember(Theme::COOKIE, theme.attribute(), &next);
    Ok(())
}

/// Stores (or with `None` forgets) a preference cookie for a year, then
/// sends the browser back to `next` (a local path only).
#[cfg(feature = "ssr")]
pub fn remember(cookie: &str, value: Option<&str>, next: &str) {
    let header = match value {
        Some(v) => format!("{cookie}={v}; Path=/; Max-Age=31536000; SameSite=Lax"),
        None => format!("{cookie}=; Path=/; Max-Age=0; SameSite=Lax"),
    };
    if let (Some(response), Ok(header)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&header),
    ) {
        response.append_header(http::header::SET_COOKIE, header);
    }
    leptos_axum::redirect(crate::api::auth::safe_next(next));
}
