//! `site list|set|share`: a site's supply limit and whether the dashboard
//! shares it among the cars charging (#40). A running server applies a
//! change in its next sampling round.

use evse_dashboard::sharing::Settings;
use evse_dashboard::types::Site;

use super::{CommandResult, cli_actor, open_backend, said};
use crate::cli::{DataArgs, SiteCommand};

async fn settings(data: &DataArgs) -> Result<Settings, crate::data_dir::BackendError> {
    let (audit, _) = open_backend(data).await?;
    Ok(Settings::new(audit))
}

pub async fn run(command: SiteCommand) -> CommandResult {
    match command {
        SiteCommand::List(data) => {
            let sites = settings(&data)
                .await?
                .sites()
                .await
                .map_err(|e| said(e.problem()))?;
            println!(
                "{:>4}  {:<28} {:>12}  {:<8} {:>8}",
                "id", "name", "supply (A)", "sharing", "minimum"
            );
            for site in sites {
                println!("{}", line(&site));
            }
            Ok(())
        }
        SiteCommand::Set {
            id,
            supply_limit,
            data,
        } => {
            let site = settings(&data)
                .await?
                .set_supply(&cli_actor(), id, &supply_limit)
                .await
                .map_err(|e| said(e.problem()))?;
            println!("{}", line(&site));
            Ok(())
        }
        SiteCommand::Share {
            id,
            state,
            minimum,
            data,
        } => {
            let site = settings(&data)
                .await?
                .set_sharing(&cli_actor(), id, state == "on", minimum)
                .await
                .map_err(|e| said(e.problem()))?;
            println!("{}", line(&site));
            Ok(())
        }
    }
}

fn line(site: &Site) -> String {
    let supply = site
        .supply_limit
        .map_or_else(|| "none".to_owned(), |a| a.to_string());
    let sharing = if site.sharing { "on" } else { "off" };
    format!(
        "{:>4}  {:<28} {:>12}  {:<8} {:>6} A",
        site.id, site.name, supply, sharing, site.share_minimum
    )
}
