use evse_dashboard::registry::Registry;
use evse_dashboard::secret::EvseToken;
use evse_dashboard::types::ChargerInput;

use super::{CommandResult, read_secret, said};
use crate::backend;
use crate::cli::{ChargerAddArgs, ChargerCommand, DataArgs};

async fn registry(data: &DataArgs) -> Result<Registry, backend::BackendError> {
    let (pool, vault, _) = backend::open(&data.data_dir).await?;
    Ok(Registry::new(pool, vault))
}

fn read_token() -> std::io::Result<EvseToken> {
    Ok(EvseToken::new(read_secret("evsetoken (input hidden): ")?))
}

pub async fn run(command: ChargerCommand) -> CommandResult {
    match command {
        ChargerCommand::Add(args) => add(args).await,
        ChargerCommand::List(data) => list(&data).await,
        ChargerCommand::Remove { id, data } => {
            let registry = registry(&data).await?;
            let charger = registry.get(id).await?;
            registry.delete(id).await?;
            println!(
                "removed charger {id} ({}); its audit history is kept",
                charger.name
            );
            Ok(())
        }
        ChargerCommand::SetToken { id, data } => {
            let registry = registry(&data).await?;
            let charger = registry.get(id).await?;
            registry.set_token(id, &read_token()?).await?;
            println!("replaced the evsetoken of charger {id} ({})", charger.name);
            Ok(())
        }
    }
}

async fn add(args: ChargerAddArgs) -> CommandResult {
    let registry = registry(&args.data).await?;
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
    let charger = registry
        .add(&input, &token)
        .await
        .map_err(|e| said(e.problem()))?;
    println!(
        "registered charger {} ({}, site {}, {}–{} A)",
        charger.id, charger.name, charger.site_name, charger.min_current, charger.max_current
    );
    Ok(())
}

async fn list(data: &DataArgs) -> CommandResult {
    let chargers = registry(data).await?.list().await?;
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
            c.id, c.name, c.site_name, c.edge_device_id, c.evse_uuid, c.min_current, c.max_current
        );
    }
    Ok(())
}
