//! `audit verify` and `audit head`.

use evse_dashboard::audit::verify::Anchor;

use super::{CommandResult, open_backend};
use crate::cli::AuditCommand;

pub async fn run(command: AuditCommand) -> CommandResult {
    match command {
        AuditCommand::Verify { data, anchor } => verify(&data, anchor.as_ref()).await,
        AuditCommand::Head(data) => {
            let (audit, _) = open_backend(&data).await?;
            match evse_dashboard::audit::verify::head(audit.db()).await? {
                Some(head) => println!("{head}"),
                None => println!("0:"),
            }
            Ok(())
        }
    }
}

async fn verify(data: &crate::cli::DataArgs, anchor: Option<&Anchor>) -> CommandResult {
    let (audit, _) = open_backend(data).await?;
    let result = audit.verify(anchor).await?;
    let legacy = match result.legacy_rows {
        0 => String::new(),
        n => format!(" ({n} rows from before the chain was keyed)"),
    };
    match result.broken {
        None => {
            println!(
                "audit trail intact: {} rows, chain unbroken{legacy}{}",
                result.rows,
                anchor
                    .map(|a| format!(", holds the saved head {a}"))
                    .unwrap_or_default()
            );
            Ok(())
        }
        Some(broken) => Err(format!(
            "audit trail broken at {}: {} ({} rows checked)",
            broken.id.map_or("its end".into(), |id| format!("row {id}")),
            broken.reason,
            result.rows
        )
        .into()),
    }
}
