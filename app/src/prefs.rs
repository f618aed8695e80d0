//! Per-browser display preferences kept in a cookie, so the server renders
//! the right theme in the first byte (no flash, no script needed).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

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
    const COOKIE: &'static str = "theme";

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
            .and_then(|parts| crate::api::context::cookie(&parts.headers, Theme::COOKIE))
            .and_then(|v| v.parse().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    Theme::System
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
    use tower_sessions::cookie::{Cookie, SameSite, time::Duration};
    // A year, or (to forget) already expired.
    let max_age = if value.is_some() { 365 } else { 0 };
    let header = Cookie::build((cookie, value.unwrap_or_default()))
        .path("/")
        .max_age(Duration::days(max_age))
        .same_site(SameSite::Lax)
        .build()
        .to_string();
    if let (Some(response), Ok(header)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&header),
    ) {
        response.append_header(http::header::SET_COOKIE, header);
    }
    leptos_axum::redirect(crate::api::auth::safe_next(next));
}
