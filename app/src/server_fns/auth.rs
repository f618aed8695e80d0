//! Logging in and out, who am I, and changing one's own password.

use evse_dashboard::types::{SecretText, User};
use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{context, guard},
    evse_dashboard::audit::Event,
    evse_dashboard::auth::LoginAttempt,
    evse_dashboard::secret::Password,
    evse_dashboard::types::{AuditAction, Field, Invalid, Role, Rule},
};

/// The longest `next` path followed after login.
const MAX_NEXT: usize = 2048;

/// Only a path on this site is followed after login: one leading `/`, and
/// no backslash, whitespace or control character anywhere (browsers strip
/// or rewrite those, so `/\t/evil.example` would leave the site, and a
/// newline cannot go into a `Location` header at all).
pub fn safe_next(next: &str) -> &str {
    let on_this_site = next.starts_with('/')
        && !next.starts_with("//")
        && next.len() <= MAX_NEXT
        && !next
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    if on_this_site { next } else { "/" }
}

/// Checks the credentials, starts a fresh session (new id: no fixation)
/// and sends the browser on to `next`.
#[server(name = Login, prefix = "/api", endpoint = "login")]
pub async fn login(username: String, password: SecretText, next: String) -> Result<User, AppError> {
    guard::anyone();
    let services = context::services()?;
    let password = Password::new(password.into_inner());
    let actor = context::actor(None, "").await;
    let ip = actor.client_ip.clone().unwrap_or_else(|| "unknown".into());
    let device = super::device_cookie::device_cookie();
    let attempt = LoginAttempt {
        username: &username,
        password: &password,
        ip: &ip,
        device: device.as_deref(),
    };
    let logged_in = services.users.authenticate(attempt, actor).await?;
    super::device_cookie::set_device_cookie(&logged_in.device_cookie);
    let user = logged_in.user;
    let session = context::session().await?;
    crate::session::start(&session, &services, &user)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "could not start a session");
            AppError::Internal
        })?;
    leptos_axum::redirect(safe_next(&next));
    Ok(user)
}

/// Ends the session on the server (not just the cookie).
#[server(name = Logout, prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let user = guard::require(Role::Viewer).await?;
    crate::session::end(&context::session().await?)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "could not end a session");
            AppError::Internal
        })?;
    // Its live streams close, and other instances forget it at once.
    context::services()?.users.session_ended(user.id);
    context::audit(&user, Event::of(AuditAction::Logout, &Ok(()))).await;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The logged-in user, or `None`. Public: the login page asks it too.
#[server(name = Me, prefix = "/api", endpoint = "me")]
pub async fn me() -> Result<Option<User>, AppError> {
    guard::anyone();
    guard::current_user().await
}

#[server(name = ChangePassword, prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current: SecretText,
    new: SecretText,
    confirm: SecretText,
) -> Result<(), AppError> {
    let user = guard::require(Role::Viewer).await?;
    let services = context::services()?;
    if new != confirm {
        return Err(Invalid::new(Field::PasswordConfirmation, Rule::Mismatch).into());
    }
    let actor = context::actor(Some(&user), &user.username).await;
    let (current, new) = (
        Password::new(current.into_inner()),
        Password::new(new.into_inner()),
    );
    let result = services
        .users
        .change_own_password(&user, &current, &new, &actor)
        .await;
    let event = Event::of(
        AuditAction::PasswordChanged,
        &result.as_ref().map_err(|e| e.problem()),
    )
    .about(user.username.clone());
    let id = context::audit(&user, event).await;
    result?;
    super::plain_form::show_event("/account", id);
    // The change ended every session of this user; keep this one.
    let session = context::session().await?;
    crate::session::start(&session, &services, &user)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "could not renew the session");
            AppError::Internal
        })
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn secrets_in_arguments_never_show_in_debug() {
        let login = super::Login {
            username: "olga".into(),
            password: "hunter2 hunter2".into(),
            next: "/".into(),
        };
        assert!(!format!("{login:?}").contains("hunter2"));
        let change = super::ChangePassword {
            current: "old secret words".into(),
            new: "new secret words".into(),
            confirm: "new secret words".into(),
        };
        assert!(!format!("{change:?}").contains("secret"));
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/chargers/3?x=1"), "/chargers/3?x=1");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next(""), "/");
        // Browsers strip tabs and newlines: "//evil.example".
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/\n/evil.example"), "/");
        assert_eq!(safe_next("/\n"), "/");
        assert_eq!(safe_next("/ /evil.example"), "/");
        assert_eq!(safe_next("/a\\b"), "/");
    }
}
