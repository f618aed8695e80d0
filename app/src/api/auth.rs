//! Logging in and out, who am I, and changing one's own password.

use evse_dashboard::types::User;
use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{context, guard},
    evse_dashboard::audit::{self, Event},
    evse_dashboard::secret::Password,
    evse_dashboard::types::{AuditAction, Field, Invalid, Problem, Role, Rule},
};

/// Only local paths are followed after login: `next=//evil.example`
/// would otherwise be an open redirect.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

/// Checks the credentials, starts a fresh session (new id: no fixation)
/// and sends the browser on to `next`.
#[server(name = Login, prefix = "/api", endpoint = "login")]
pub async fn login(username: String, password: String, next: String) -> Result<User, AppError> {
    guard::anyone();
    let services = context::services()?;
    let password = Password::new(password);
    let ip = context::client_ip()
        .await
        .unwrap_or_else(|| "unknown".into());
    let result = services.users.authenticate(&username, &password, &ip).await;
    let user = match result {
        Ok(user) => user,
        Err(e) => {
            let problem = e.problem();
            if problem != Problem::Internal {
                let actor = context::actor(None, username.trim()).await;
                let event =
                    Event::of(AuditAction::Login, &Err::<(), _>(problem)).about(username.trim());
                audit::record_or_log(&services.pool, &actor, event).await;
            }
            return Err(e.into());
        }
    };
    let session = context::session().await?;
    crate::session::start(&session, &user).await.map_err(|e| {
        tracing::error!(error = %e, "could not start a session");
        AppError::Internal
    })?;
    context::audit(&user, Event::of(AuditAction::Login, &Ok(()))).await;
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
    current: String,
    new: String,
    confirm: String,
) -> Result<(), AppError> {
    let user = guard::require(Role::Viewer).await?;
    let services = context::services()?;
    if new != confirm {
        return Err(Invalid::new(Field::PasswordConfirmation, Rule::Mismatch).into());
    }
    let result = services
        .users
        .change_own_password(user.id, &Password::new(current), &Password::new(new))
        .await;
    let event = Event::of(
        AuditAction::PasswordChanged,
        &result.as_ref().map_err(|e| e.problem()),
    )
    .about(user.username.clone());
    context::audit(&user, event).await;
    Ok(result?)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/chargers/3?x=1"), "/chargers/3?x=1");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next(""), "/");
    }
}
