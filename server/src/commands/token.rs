//! `evse-dashboard token add|list|revoke`, audited as the operating-system
//! user who ran it.

use evse_dashboard::api_tokens::ApiTokens;
use evse_dashboard::types::ApiToken;

use super::{CommandResult, cli_actor, open_backend, said};
use crate::cli::TokenCommand;

pub async fn run(command: TokenCommand) -> CommandResult {
    match command {
        TokenCommand::Add {
            name,
            role,
            expires_in_days,
            data,
        } => {
            let (audit, vault) = open_backend(&data).await?;
            let tokens = ApiTokens::new(audit, vault);
            let made = tokens
                .create(&cli_actor(), &name, role, expires_in_days)
                .await
                .map_err(|e| said(e.problem()))?;
            let t = &made.token;
            println!(
                "created API token {} with role {}{}; it is shown once, below:",
                t.name,
                t.role,
                t.expires_at
                    .map(|at| format!(", expiring {}", at.format("%Y-%m-%d %H:%M UTC")))
                    .unwrap_or_default()
            );
            println!("{}", made.secret.expose());
        }
        TokenCommand::List(data) => {
            let (audit, vault) = open_backend(&data).await?;
            let list = ApiTokens::new(audit, vault).list().await?;
            if list.is_empty() {
                println!(
                    "no API tokens; make one with `evse-dashboard token add NAME --role operator`"
                );
            }
            for t in list {
                println!("{}", line(&t));
            }
        }
        TokenCommand::Revoke { name, data } => {
            let (audit, vault) = open_backend(&data).await?;
            let token = ApiTokens::new(audit, vault)
                .revoke(&cli_actor(), &name)
                .await
                .map_err(|e| said(e.problem()))?;
            println!(
                "revoked API token {}: its next request is refused",
                token.name
            );
        }
    }
    Ok(())
}

fn line(t: &ApiToken) -> String {
    let at = |at: Option<chrono::DateTime<chrono::Utc>>, none: &str| {
        at.map_or_else(
            || none.to_owned(),
            |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
        )
    };
    let state: &str = t.state(chrono::Utc::now()).into();
    format!(
        "{:<24} {:<9} {:<8} created {} by {}, expires {}, last used {}",
        t.name,
        t.role.as_str(),
        state,
        at(Some(t.created_at), ""),
        t.created_by,
        at(t.expires_at, "never"),
        at(t.last_used_at, "never"),
    )
}
