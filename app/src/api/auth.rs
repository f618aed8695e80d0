//! Logging in and out, who am I, and changing one's own password.

use evse_dashboard::types::User;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::{self, fail, internal},
    evse_dashboard::audit::{self, Event},
    evse_dashboard::auth::AuthError,
    evse_dashboard::secret::Password,
    evse_dashboard::types::Role,
    http::StatusCode,
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
pub async fn login(
    username: String,
    password: String,
    next: String,
) -> Result<User, ServerFnError> {
    guard::anyone();
    let services = guard::services()?;
    let password = Password::new(password);
    let ip = guard::client_ip().await.unwrap_or_else(|| "unknown".into());
    let actor = guard::actor(None, username.trim()).await;
    match services.users.authenticate(&username, &password, &ip).await {
        Ok(user) => {
            let session = guard::session().await?;
            session.cycle_id().await.map_err(internal)?;
            session
                .insert(super::session_keys::USER_ID, user.id)
                .await
                .map_err(internal)?;
            session
                .insert(
                    super::session_keys::LOGGED_IN_AT,
                    chrono::Utc::now().timestamp(),
                )
                .await
                .map_err(internal)?;
            let actor = guard::actor(Some(&user), &user.username).await;
            audit::record_or_log(
                &services.pool,
                &actor,
                Event {
                    action: "login",
                    outcome: "ok",
                    ..Default::default()
                },
            )
            .await;
            leptos_axum::redirect(safe_next(&next));
            Ok(user)
        }
        Err(e @ (AuthError::BadCredentials | AuthError::LockedOut { .. })) => {
            audit::record_or_log(
                &services.pool,
                &actor,
                Event {
                    action: "login",
                    outcome: "failed",
                    subject: Some(username.trim().to_owned()),
                    error: Some(e.to_string()),
                    ..Default::default()
                },
            )
            .await;
            let status = match e {
                AuthError::LockedOut { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            Err(fail(status, e.to_string()))
        }
        Err(e) => Err(internal(e)),
    }
}

/// Ends the session on the server (not just the cookie).
#[server(name = Logout, prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), ServerFnError> {
    let user = guard::require(Role::Viewer).await?;
    let services = guard::services()?;
    let actor = guard::actor(Some(&user), &user.username).await;
    guard::session().await?.flush().await.map_err(internal)?;
    audit::record_or_log(
        &services.pool,
        &actor,
        Event {
            action: "logout",
            outcome: "ok",
            ..Default::default()
        },
    )
    .await;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The logged-in user, or `None`. Public: the login page asks it too.
#[server(name = Me, prefix = "/api", endpoint = "me")]
pub async fn me() -> Result<Option<User>, ServerFnError> {
    guard::anyone();
    guard::current_user().await
}

#[server(name = ChangePassword, prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current: String,
    new: String,
    confirm: String,
) -> Result<(), ServerFnError> {
    let user = guard::require(Role::Viewer).await?;
    let services = guard::services()?;
    if new != confirm {
        return Err(fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The new password and its confirmation differ; type them again.",
        ));
    }
    let actor = guard::actor(Some(&user), &user.username).await;
    let result = services
        .users
        .change_own_password(user.id, &Password::new(current), &Password::new(new))
        .await;
    let outcome = if result.is_ok() { "ok" } else { "failed" };
    audit::record_or_log(
        &services.pool,
        &actor,
        Event {
            action: "password_changed",
            outcome,
            subject: Some(user.username.clone()),
            error: result.as_ref().err().map(ToString::to_string),
            ..Default::default()
        },
    )
    .await;
    match result {
        Ok(()) => Ok(()),
        Err(e @ (AuthError::WrongCurrentPassword | AuthError::Invalid(_))) => {
            Err(fail(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))
        }
        Err(e) => Err(internal(e)),
    }
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
