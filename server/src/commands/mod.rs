//! One module per subcommand; `main` only parses and dispatches.

pub mod alert;
pub mod audit;
pub mod backup;
pub mod charger;
pub mod demo;
pub mod move_to_postgres;
pub mod report;
pub mod rotate_key;
pub mod schedule;
pub mod serve;
pub mod simulate;
pub mod site;
pub mod token;
pub mod user;

use std::io::{BufRead, IsTerminal};

/// Errors of a subcommand, shown to the operator as one sentence.
pub type CommandResult = Result<(), Box<dyn std::error::Error>>;

/// Changes made from the command line are audited as the operating-system
/// user who ran them.
pub fn cli_actor() -> evse_dashboard::audit::Actor {
    let who = whoami::username().unwrap_or_else(|_| "unknown".into());
    evse_dashboard::audit::Actor::of(evse_dashboard::audit::Who::Cli { os_user: who })
}

/// The data directory's database with its audit trail (and token vault).
pub async fn open_backend(
    data: &crate::cli::DataArgs,
) -> Result<
    (
        evse_dashboard::audit::AuditLog,
        evse_dashboard::vault::Vault,
    ),
    crate::data_dir::BackendError,
> {
    let (db, vault, key) = crate::data_dir::open(data).await?;
    Ok((evse_dashboard::audit::AuditLog::new(db, key), vault))
}

/// A refusal worded as the dashboard words it (in English: the command
/// line has no language preference to go by).
pub fn said(problem: evse_dashboard::types::Problem) -> Box<dyn std::error::Error> {
    app::words::problem_sentence(app::language::Locale::en, &problem).into()
}

/// Reads one secret line: from a hidden prompt on a terminal, else from
/// standard input (so scripts can pipe it). Never from argv.
pub fn read_secret(prompt: &str) -> std::io::Result<String> {
    let line = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line
    };
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// Reads a new password: twice on a terminal (typos are invisible), once
/// from a pipe.
pub fn read_new_password() -> Result<String, Box<dyn std::error::Error>> {
    let first = read_secret("new password (at least 12 characters): ")?;
    if std::io::stdin().is_terminal() && read_secret("the same password again: ")? != first {
        return Err("the two passwords differ; nothing was changed".into());
    }
    Ok(first)
}
