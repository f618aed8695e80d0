//! The browser's preferences, kept in cookies: its theme and its
//! language (also saved for a logged-in user, on every device).

use evse_dashboard::types::Language;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{context, guard};
use crate::error::AppError;
use crate::prefs::Theme;

/// Remembers the theme for this browser and goes back to `next`.
#[server(name = SetTheme, prefix = "/api", endpoint = "set_theme")]
pub async fn set_theme(theme: Theme, next: String) -> Result<(), AppError> {
    guard::anyone();
    remember(Theme::COOKIE, theme.attribute(), &next);
    Ok(())
}

/// Stores (or with `None` forgets) a preference cookie for a year, then
/// sends the browser back to `next` (a local path only).
#[cfg(feature = "ssr")]
fn remember(cookie: &str, value: Option<&str>, next: &str) {
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
    leptos_axum::redirect(super::auth::safe_next(next));
}

/// Switches the language for this browser (and, when logged in, for the
/// user on every device), then goes back to `next`.
#[server(name = SetLanguage, prefix = "/api", endpoint = "set_language")]
pub async fn set_language(language: Language, next: String) -> Result<(), AppError> {
    guard::anyone();
    if let Some(user) = guard::current_user().await? {
        context::services()?
            .users
            .set_language(user.id, Some(language))
            .await?;
    }
    remember(crate::language::COOKIE, Some(language.as_str()), &next);
    Ok(())
}
