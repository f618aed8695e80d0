use evse_dashboard::audit::{AuditLog, Event};
use evse_dashboard::registry::{Registry, RegistryError};
use evse_dashboard::secret::EvseToken;
use evse_dashboard::types::{AuditAction, Charger, ChargerInput};

use super::{CommandResult, cli_actor, open_backend, read_secret, said};
use crate::cli::{ChargerAddArgs, ChargerCommand, DataArgs};
use crate::data_dir;

async fn registry(data: &DataArgs) -> Result<(Registry, AuditLog), data_dir::BackendError> {
    let (audit, vault) = open_backend(data).await?;
    Ok((Registry::new(audit.db().clone(), vault), audit))
}

/// Audits a change made from the command line, success or not.
async fn audited<T>(
    audit: &AuditLog,
    action: AuditAction,
    charger: &Charger,
    result: Result<T, RegistryError>,
) -> Result<T, Box<dyn std::error::Error>> {
    let event = Event::of(action, &result.as_ref().map_err(|e| e.problem()))
        .on_charger(Some(charger.id), charger.name.clone());
    audit.record_or_log(&cli_actor(), event).await;
    result.map_err(|e| said(e.problem()))
}

fn read_token() -> std::io::Result<EvseToken> {
    Ok(EvseToken::new(read_secret("evsetoken (input hidden): ")?))
}

pub async fn run(command: ChargerCommand) -> CommandResult {
    match command {
        ChargerCommand::Add(args) => add(args).await,
        ChargerCommand::List(data) => list(&data).await,
        ChargerCommand::Remove { id, data } => {
            let (registry, audit) = registry(&data).await?;
            let charger = registry.get(id).await.map_err(|e| said(e.problem()))?;
            let result = registry.delete(id).await;
            audited(&audit, AuditAction::ChargerDeleted, &charger, result).await?;
            println!(
                "removed charger {id} ({}); its audit history is kept",
                charger.name
            );
            Ok(())
        }
        ChargerCommand::SetToken { id, data } => {
            let (registry, audit) = registry(&data).await?;
            let charger = registry.get(id).await.map_err(|e| said(e.problem()))?;
            let result = registry.set_token(id, &read_token()?).await;
            audited(&audit, AuditAction::ChargerTokenReplaced, &charger, result).await?;
            println!("replaced the evsetoken of charger {id} ({})", charger.name);
            Ok(())
        }
        ChargerCommand::Priority { id, priority, data } => {
            let (audit, _) = open_backend(&data).await?;
            let settings = evse_dashboard::sharing::Settings::new(audit);
            let priority = settings
                .set_priority(&cli_actor(), id, &priority)
                .await
                .map_err(|e| said(e.problem()))?;
            println!("charger {id} now has priority {priority}");
            Ok(())
        }
    }
}

async fn add(args: ChargerAddArgs) -> CommandResult {
    let (registry, audit) = registry(&args.data).await?;
    let input = ChargerInput {
        name: args.name,
        site: args.site,
        edge_device_id: args.edge_device,
        evse_uuid: args.evse,
        min_current: args.min_current,
        max_current: args.max_current,
        notes: args.notes,
    };
    // Validate before asking for the token, so a typo costs no paste.
    evse_dashboard::registry::validate::charger(&input).map_err(|i| said(i.into()))?;
    let token = read_token()?;
    let result = registry.add(&input, &token).await;
    let charger = match &result {
        Ok(charger) => charger.clone(),
        Err(e) => {
            let event = Event::of(AuditAction::ChargerAdded, &Err::<(), _>(e.problem()))
                .on_charger(None, input.name.trim());
            audit.record_or_log(&cli_actor(), event).await;
            return Err(said(e.problem()));
        }
    };
    audited(&audit, AuditAction::ChargerAdded, &charger, result).await?;
    println!(
        "registered charger {} ({}, site {}, {}–{} A)",
        charger.id, charger.name, charger.site_name, charger.min_current, charger.max_current
    );
    Ok(())
}

async fn list(data: &DataArgs) -> CommandResult {
    let chargers = registry(data).await?.0.list().await?;
    if chargers.is_empty() {
        println!("no chargers registered; add one with `evse-dashboard charger add`");
        return Ok(());
    }
    println!(
        "{:>4}  {:<24} {:<24} {:<18} {:<38} {:>7}",
        "id", "name", "site", "edge device", "EVSE uuid", "range"
    );
    for c in chargers {
        println!(
            "{:>4}  {:<24} {:<24} {:<18} {:<38} {:>3}–{:<3}A",
            c.id,
            c.name,
            format!("{} (site {})", c.site_name, c.site_id),
            c.edge_device_id,
            c.evse_uuid,
            c.min_current,
            c.max_current
        );
    }
    Ok(())
}
