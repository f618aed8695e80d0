//! User management (admin only). Every change is audited, success or not.

use evse_dashboard::types::{Role, SecretText, User};
use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{context, guard},
    evse_dashboard::types::{AuditAction, Missing, Problem},
    evse_dashboard::{audit::Event, auth::AuthError, secret::Password},
};

/// Runs an admin's change to a user and audits it.
#[cfg(feature = "ssr")]
async fn audited<T>(
    admin: &User,
    action: AuditAction,
    subject: String,
    change: impl std::future::Future<Output = Result<T, AuthError>>,
) -> Result<T, AppError> {
    let result = change.await;
    let event = Event::of(action, &result.as_ref().map_err(|e| e.problem())).about(subject);
    let id = context::audit(admin, event).await;
    let done = result?;
    super::plain_form::show_event("/admin", id);
    Ok(done)
}

#[cfg(feature = "ssr")]
async fn username_of(id: i64) -> Result<String, AppError> {
    context::services()?
        .users
        .get(id)
        .await?
        .map(|u| u.username)
        .ok_or_else(|| AppError::NotFound(Missing::User(format!("#{id}"))))
}

#[server(name = ListUsers, prefix = "/api", endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<User>, AppError> {
    guard::require(Role::Admin).await?;
    Ok(context::services()?.users.list().await?)
}

#[server(name = CreateUser, prefix = "/api", endpoint = "create_user")]
pub async fn create_user(
    username: String,
    password: SecretText,
    role: Role,
) -> Result<User, AppError> {
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let name = username.trim().to_owned();
    let password = Password::new(password.into_inner());
    audited(
        &admin,
        AuditAction::UserCreated,
        format!("{name} ({role})"),
        services.users.create(&name, &password, role),
    )
    .await
}

#[server(name = SetUserRole, prefix = "/api", endpoint = "set_user_role")]
pub async fn set_user_role(id: i64, role: Role) -> Result<(), AppError> {
    let admin = guard::require(Role::Admin).await?;
    if id == admin.id && role != Role::Admin {
        return Err(AppError::Refused(Problem::OwnRole));
    }
    let services = context::services()?;
    let name = username_of(id).await?;
    audited(
        &admin,
        AuditAction::UserRoleChanged,
        format!("{name} → {role}"),
        services.users.set_role(id, role),
    )
    .await
}

#[server(name = SetUserDisabled, prefix = "/api", endpoint = "set_user_disabled")]
pub async fn set_user_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    let admin = guard::require(Role::Admin).await?;
    if id == admin.id && disabled {
        return Err(AppError::Refused(Problem::OwnAccount));
    }
    let services = context::services()?;
    let name = username_of(id).await?;
    let action = if disabled {
        AuditAction::UserDisabled
    } else {
        AuditAction::UserEnabled
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
pub async fn reset_user_password(id: i64, password: SecretText) -> Result<(), AppError> {
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let name = username_of(id).await?;
    let password = Password::new(password.into_inner());
    audited(
        &admin,
        AuditAction::PasswordReset,
        name,
        services.users.set_password(id, &password),
    )
    .await
}
