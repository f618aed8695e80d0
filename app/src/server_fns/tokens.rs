//! API tokens (admin only): list, create, revoke, each change audited by
//! the token store. A new token reaches the admin who made it once: a
//! plain form post is redirected to the admin page with a handoff id, and
//! the page takes the token, sealed in the database until then, once
//! (`api_tokens::handoff`; never in a URL or a log).

use evse_dashboard::types::{ApiToken, Role, SecretText};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{context, guard};
use crate::error::AppError;

#[server(name = ListApiTokens, prefix = "/api", endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<Vec<ApiToken>, AppError> {
    guard::require(Role::Admin).await?;
    Ok(context::services()?.api_tokens.list().await?)
}

/// `expires_in_days` is text so a typo is refused with a sentence.
#[server(name = CreateApiToken, prefix = "/api", endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    role: Role,
    #[server(default)] expires_in_days: Option<String>,
) -> Result<ApiToken, AppError> {
    use evse_dashboard::types::{Field, Invalid, Rule};
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&admin), &admin.username).await;
    let days = match expires_in_days.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match text.parse::<i64>() {
            Ok(days) => Some(days),
            Err(_) => {
                let invalid = Invalid::new(Field::TokenLifetime, Rule::not_a_whole_number(text));
                let tokens = &services.api_tokens;
                return Err(tokens.refuse_creation(&actor, &name, invalid).await.into());
            }
        },
    };
    let made = services
        .api_tokens
        .create(&actor, &name, role, days)
        .await?;
    let handoff = services
        .api_tokens
        .hand_over(admin.id, &made.secret)
        .await?;
    super::plain_form::redirect_plain_form(&format!("/admin?new_token={handoff}#tokens-heading"));
    Ok(made.token)
}

#[server(name = RevokeApiToken, prefix = "/api", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(name: String) -> Result<ApiToken, AppError> {
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&admin), &admin.username).await;
    let token = services.api_tokens.revoke(&actor, &name).await?;
    super::plain_form::redirect_plain_form("/admin#tokens-heading");
    Ok(token)
}

/// The token made a moment ago by this admin, once; `None` when it was
/// already shown (or made by someone else, or more than 10 minutes ago).
/// Any instance can answer it: the handoff waits in the database.
#[server(name = TakeNewApiToken, prefix = "/api", endpoint = "take_new_api_token")]
pub async fn take_new_api_token(handoff: String) -> Result<Option<SecretText>, AppError> {
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let secret = services.api_tokens.take_over(admin.id, &handoff).await?;
    Ok(secret.map(|secret| SecretText::from(secret.expose())))
}
