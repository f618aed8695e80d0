//! The charger registry: reading for everyone logged in, changes for
//! admins. Tokens go in (write-only) and never come out.

use evse_dashboard::types::{Charger, ChargerInput};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::guard::{self, fail, internal},
    evse_dashboard::audit::{self, Event},
    evse_dashboard::registry::RegistryError,
    evse_dashboard::secret::EvseToken,
    evse_dashboard::types::{Role, User},
    http::StatusCode,
};

/// The outcome of "Test connection", as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionTest {
    pub ok: bool,
    pub message: String,
}

#[cfg(feature = "ssr")]
fn registry_error(e: RegistryError) -> ServerFnError {
    match e {
        RegistryError::Invalid(_) | RegistryError::Duplicate { .. } => {
            fail(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
        }
        RegistryError::NotFound(_) => fail(StatusCode::NOT_FOUND, e.to_string()),
        RegistryError::Vault(_) => fail(StatusCode::CONFLICT, e.to_string()),
        RegistryError::Db(_) => internal(e),
    }
}

/// Audits an admin's change to a charger, success or failure.
#[cfg(feature = "ssr")]
async fn audit_change<T>(
    admin: &User,
    action: &str,
    charger: (Option<i64>, String),
    result: &Result<T, RegistryError>,
) {
    let Ok(services) = guard::services() else {
        return;
    };
    let actor = guard::actor(Some(admin), &admin.username).await;
    audit::record_or_log(
        &services.pool,
        &actor,
        Event {
            action,
            outcome: if result.is_ok() { "ok" } else { "failed" },
            charger_id: charger.0,
            charger_name: Some(charger.1),
            error: result.as_ref().err().map(ToString::to_string),
            ..Default::default()
        },
    )
    .await;
}

#[server(name = ListChargers, prefix = "/api", endpoint = "list_chargers")]
pub async fn list_chargers() -> Result<Vec<Charger>, ServerFnError> {
    guard::require(Role::Viewer).await?;
    guard::services()?
        .registry
        .list()
        .await
        .map_err(registry_error)
}

#[server(name = GetCharger, prefix = "/api", endpoint = "get_charger")]
pub async fn get_charger(id: i64) -> Result<Charger, ServerFnError> {
    guard::require(Role::Viewer).await?;
    guard::services()?
        .registry
        .get(id)
        .await
        .map_err(registry_error)
}

#[server(name = AddCharger, prefix = "/api", endpoint = "add_charger")]
pub async fn add_charger(input: ChargerInput, token: String) -> Result<Charger, ServerFnError> {
    let admin = guard::require(Role::Admin).await?;
    let services = guard::services()?;
    let result = services.registry.add(&input, &EvseToken::new(token)).await;
    let id = result.as_ref().ok().map(|c| c.id);
    audit_change(
        &admin,
        "charger_added",
        (id, input.name.trim().to_owned()),
        &result,
    )
    .await;
    result.map_err(registry_error)
}

#[server(name = UpdateCharger, prefix = "/api", endpoint = "update_charger")]
pub async fn update_charger(id: i64, input: ChargerInput) -> Result<Charger, ServerFnError> {
    let admin = guard::require(Role::Admin).await?;
    let services = guard::services()?;
    let result = services.registry.update(id, &input).await;
    audit_change(
        &admin,
        "charger_updated",
        (Some(id), input.name.trim().to_owned()),
        &result,
    )
    .await;
    result.map_err(registry_error)
}

#[server(name = DeleteCharger, prefix = "/api", endpoint = "delete_charger")]
pub async fn delete_charger(id: i64) -> Result<(), ServerFnError> {
    let admin = guard::require(Role::Admin).await?;
    let services = guard::services()?;
    let name = services
        .registry
        .get(id)
        .await
        .map_err(registry_error)?
        .name;
    let result = services.registry.delete(id).await;
    audit_change(&admin, "charger_deleted", (Some(id), name), &result).await;
    result.map_err(registry_error)
}

#[server(name = SetChargerToken, prefix = "/api", endpoint = "set_charger_token")]
pub async fn set_charger_token(id: i64, token: String) -> Result<(), ServerFnError> {
    let admin = guard::require(Role::Admin).await?;
    let services = guard::services()?;
    let name = services
        .registry
        .get(id)
        .await
        .map_err(registry_error)?
        .name;
    let result = services
        .registry
        .set_token(id, &EvseToken::new(token))
        .await;
    audit_change(&admin, "charger_token_replaced", (Some(id), name), &result).await;
    result.map_err(registry_error)
}

/// Reads the charger's current settings from CLEMAP through the server.
#[server(name = TestChargerConnection, prefix = "/api", endpoint = "test_charger_connection")]
pub async fn test_charger_connection(id: i64) -> Result<ConnectionTest, ServerFnError> {
    guard::require(Role::Admin).await?;
    let services = guard::services()?;
    let (address, token) = match services.registry.credentials(id).await {
        Ok(credentials) => credentials,
        Err(RegistryError::Vault(e)) => {
            return Ok(ConnectionTest {
                ok: false,
                message: e.to_string(),
            });
        }
        Err(e) => return Err(registry_error(e)),
    };
    Ok(
        match services.clemap.current_settings(&address, &token).await {
            Ok(settings) => ConnectionTest {
                ok: true,
                message: match settings.active_at(chrono::Utc::now()) {
                    Some((amps, until)) => format!(
                        "Connected: CLEMAP accepted the token. Active target {amps} A until {} UTC.",
                        until.format("%Y-%m-%d %H:%M")
                    ),
                    None => "Connected: CLEMAP accepted the token. No temporary target is active."
                        .into(),
                },
            },
            Err(e) => {
                tracing::warn!(charger = id, error = %e, "connection test failed");
                ConnectionTest {
                    ok: false,
                    message: format!("{e}."),
                }
            }
        },
    )
}
