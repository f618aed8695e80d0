//! `evse-dashboard token …`: API tokens for `/api/v1`.

use clap::Subcommand;
use evse_dashboard::types::Role;

use super::{DataArgs, parse_role};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token. It is printed once, alone on the last line of
    /// standard output; only its hash is kept.
    Add {
        /// 1 to 40 of a-z 0-9 . _ - (the audit trail names its calls
        /// `token:NAME`; a name is never given twice).
        name: String,
        /// viewer (reads), operator (also sets and resets) or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Refused after this many days (1 to 3650); never, if left out.
        #[arg(long, value_name = "N",
              value_parser = clap::value_parser!(i64).range(1..=i64::from(evse_dashboard::types::MAX_TOKEN_DAYS)))]
        expires_in_days: Option<i64>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List tokens: name, role, created, expires, last used (never the
    /// token).
    List(DataArgs),
    /// Revoke a token: its next request is refused.
    Revoke {
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
}
