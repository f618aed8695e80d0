//! The charger registry: reading for everyone logged in, changes for
//! admins. Tokens go in (write-only) and never come out.

use evse_dashboard::clemap::model::CurrentSettings;
use evse_dashboard::types::{Charger, ChargerInput, Problem, SecretText};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{context, guard},
    evse_dashboard::types::{AuditAction, Role, User},
    evse_dashboard::{audit::Event, registry::RegistryError, secret::EvseToken},
};

/// The outcome of "Test connection": what CLEMAP said, or why it failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ConnectionTest {
    Connected(CurrentSettings),
    Failed(Problem),
}

/// Runs an admin's change to a charger and audits it.
#[cfg(feature = "ssr")]
async fn audited<T>(
    admin: &User,
    action: AuditAction,
    charger: (Option<i64>, String),
    result: Result<T, RegistryError>,
) -> Result<T, AppError> {
    let event = Event::of(action, &result.as_ref().map_err(|e| e.problem()))
        .on_charger(charger.0, charger.1);
    let id = context::audit(admin, event).await;
    let done = result?;
    super::plain_form::show_event("/admin", id);
    Ok(done)
}

#[server(name = ListChargers, prefix = "/api", endpoint = "list_chargers")]
pub async fn list_chargers() -> Result<Vec<Charger>, AppError> {
    guard::require(Role::Viewer).await?;
    Ok(context::services()?.registry.list().await?)
}

#[server(name = GetCharger, prefix = "/api", endpoint = "get_charger")]
pub async fn get_charger(id: i64) -> Result<Charger, AppError> {
    guard::require(Role::Viewer).await?;
    Ok(context::services()?.registry.get(id).await?)
}

#[server(name = AddCharger, prefix = "/api", endpoint = "add_charger")]
pub async fn add_charger(input: ChargerInput, token: SecretText) -> Result<Charger, AppError> {
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let token = EvseToken::new(token.into_inner());
    let result = services.registry.add(&input, &token).await;
    let id = result.as_ref().ok().map(|c| c.id);
    let name = input.name.trim().to_owned();
    audited(&admin, AuditAction::ChargerAdded, (id, name), result).await
}

#[server(name = UpdateCharger, prefix = "/api", endpoint = "update_charger")]
pub async fn update_charger(id: i64, input: ChargerInput) -> Result<Charger, AppError> {
    let admin = guard::require(Role::Admin).await?;
    let result = context::services()?.registry.update(id, &input).await;
    let charger = (Some(id), input.name.trim().to_owned());
    audited(&admin, AuditAction::ChargerUpdated, charger, result).await
}

/// An admin's change to an existing charger: who, and the charger's name
/// for the audit row (which outlives the charger).
#[cfg(feature = "ssr")]
async fn admin_on(id: i64) -> Result<(User, (Option<i64>, String)), AppError> {
    let admin = guard::require(Role::Admin).await?;
    let name = context::services()?.registry.get(id).await?.name;
    Ok((admin, (Some(id), name)))
}

#[server(name = DeleteCharger, prefix = "/api", endpoint = "delete_charger")]
pub async fn delete_charger(id: i64) -> Result<(), AppError> {
    let (admin, charger) = admin_on(id).await?;
    let result = context::services()?.registry.delete(id).await;
    audited(&admin, AuditAction::ChargerDeleted, charger, result).await
}

#[server(name = SetChargerToken, prefix = "/api", endpoint = "set_charger_token")]
pub async fn set_charger_token(id: i64, token: SecretText) -> Result<(), AppError> {
    let (admin, charger) = admin_on(id).await?;
    let token = EvseToken::new(token.into_inner());
    let result = context::services()?.registry.set_token(id, &token).await;
    audited(&admin, AuditAction::ChargerTokenReplaced, charger, result).await
}

/// Reads the charger's current settings from CLEMAP through the server.
#[server(name = TestChargerConnection, prefix = "/api", endpoint = "test_charger_connection")]
pub async fn test_charger_connection(id: i64) -> Result<ConnectionTest, AppError> {
    guard::require(Role::Admin).await?;
    let services = context::services()?;
    let (address, token) = match services.registry.credentials(id).await {
        Ok(credentials) => credentials,
        Err(RegistryError::Vault(e)) => return Ok(ConnectionTest::Failed(e.problem())),
        Err(e) => return Err(e.into()),
    };
    Ok(
        match services.clemap.current_settings(&address, &token).await {
            Ok(settings) => ConnectionTest::Connected(settings),
            Err(e) => {
                tracing::warn!(charger = id, error = %e, "connection test failed");
                ConnectionTest::Failed(Problem::Clemap(e.failure()))
            }
        },
    )
}
