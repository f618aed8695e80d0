//! User management (admin only).

use evse_dashboard::types::{Role, User};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::{self, fail, internal},
    evse_dashboard::audit::{self, Event},
    evse_dashboard::auth::AuthError,
    evse_dashboard::secret::Password,
    http::StatusCode,
};

#[cfg(feature = "ssr")]
fn user_error(e: AuthError) -> ServerFnError {
    match e {
        AuthError::Invalid(_) | AuthError::Duplicate(_) => {
            fail(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
        }
        AuthError::NotFound(_) => fail(StatusCode::NOT_FOUND, e.to_string()),
        e => internal(e),
    }
}

/// Runs an admin change on a user and audits it, success or not.
#[cfg(feature = "ssr")]
async fn audited(
    admin: &User,
    action: &str,
    subject: String,
    change: impl std::future::Future<Output = Result<(), AuthError>>,
) -> Result<(), ServerFnError> {
    let services = guard::services()?;
    let result = change.await;
    let actor = guard::actor(Some(admin), &admin.username).await;
    audit::record_or_log(
        &services.pool,
        &actor,
        Event {
            action,
            outcome: if result.is_ok() { "ok" } else { "failed" },
            subject: Some(subject),
            error: result.as_ref().err().map(ToString::to_string),
            ..Default::default()
        },
    )
    .await;
    result.map_err(user_error)
}

#[cfg(feature = "ssr")]
async fn username_of(id: i64) -> Result<String, ServerFnError> {
    let services = guard::services()?;
    services
        .users
        .get(id)
        .await
        .map_err(internal)?
        .map(|u| u.username)
        .ok_or_else(|| fail(StatusCode::NOT_FOUND, format!("There is no user #{id}.")))
}

#[server(name = ListUsers, prefix = "/api", endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<User>, ServerFnError> {
    guard::require(Role::Admin).await?;
    guard::services()?.users.list().await.map_err(internal)
}

#[server(name = CreateUser, prefix = "/api", endpoint = "create_user")]
pub async fn create_user(
    username: String,
    password: String,
    role: Role,
) -> Result<User, ServerFnError> {
    let admin = guard::require(Role::Admin).await?;
    let services = guard::services()?;
    let name = username.trim().to_owned();
    let mut created = None;
    audited(&admin, "user_created", format!("{name} ({role})"), async {
        created = Some(
            services
                .users
                .create(&name, &Password::new(password), role)
                .await?,
        );
        Ok(())
    })
    .await?;
    Ok(created.expect("set on success"))
}

#[server(name = SetUserRole, prefix = "/api", endpoint = "set_user_role")]
pub async fn set_user_role(id: i64, role: Role) -> Result<(), ServerFnError> {
    let admin = guard::require(Role::Admin).await?;
    if id == admin.id && role != Role::Admin {
        return Err(fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "You cannot lower your own role; another admin has to.",
        ));
    }
    let services = guard::services()?;
    let name = username_of(id).await?;
    audited(
        &admin,
        "user_role_changed",
        format!("{name} → {role}"),
        services.users.set_role(id, role),
    )
    .await
}

#[server(name = SetUserDisabled, prefix = "/api", endpoint = "set_user_disabled")]
pub async fn set_user_disabled(id: i64, disabled: bool) -> Result<(), ServerFnError> {
    let admin = guard::require(Role::Admin).await?;
    if id == admin.id && disabled {
        return Err(fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "You cannot disable your own account.",
        ));
    }
    let services = guard::services()?;
    let name = username_of(id).await?;
    let action = if disabled {
        "user_disabled"
    } else {
        "user_enabled"
    };
    audited(
        &admin,
        action,
        name,
        services.users.set_disabled(id, disabled),
    )
    .await
}

#[server(name = ResetUserPassword, prefix = "/api", endpoint = "reset_user_password")]
pub async fn reset_user_password(id: i64, password: String) -> Result<(), ServerFnError> {
    let admin = guard::require(Role::Admin).await?;
    let services = guard::services()?;
    let name = username_of(id).await?;
    audited(
        &admin,
        "password_reset",
        name,
        services.users.set_password(id, &Password::new(password)),
    )
    .await
}
