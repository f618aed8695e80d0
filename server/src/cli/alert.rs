//! `evse-dashboard alert …`: who gets alerts (#31).

use clap::Subcommand;

use super::{DataArgs, MailArgs, WebhookArgs};

#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Send alerts to a webhook: a signed JSON POST per alert. The signing
    /// secret (16 to 256 characters) is read from a hidden prompt or
    /// standard input, never from the command line.
    AddWebhook {
        /// https://… (http:// only to this machine).
        url: String,
        /// Comma-separated events (all when left out): charger_offline,
        /// charger_error, charger_back, target_rejected,
        /// target_not_followed, schedule_failed, site_over_limit,
        /// audit_chain_broken.
        #[arg(long, value_name = "LIST")]
        events: Option<String>,
        #[command(flatten)]
        webhooks: WebhookArgs,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Send alerts to an e-mail address (the server needs --smtp-url and
    /// --mail-from to deliver them).
    AddEmail {
        address: String,
        /// Comma-separated events, as for add-webhook (all when left out).
        #[arg(long, value_name = "LIST")]
        events: Option<String>,
        /// Comma-separated site ids (all when left out).
        #[arg(long, value_name = "IDS", value_delimiter = ',')]
        sites: Vec<i64>,
        /// Hold alerts back in these local hours of the site, e.g.
        /// 22:00-07:00 (charger_back and audit_chain_broken still go out).
        #[arg(long, value_name = "HH:MM-HH:MM")]
        quiet: Option<String>,
        /// The mails' language: en, de or fr.
        #[arg(long, default_value = "en", value_parser = ["en", "de", "fr"])]
        language: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List the subscriptions and the latest deliveries.
    List(DataArgs),
    /// Stop sending alerts to a subscription.
    Remove {
        /// The subscription's id, as `alert list` shows it.
        id: i64,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Send a test alert to a subscription now and say how it went.
    Test {
        id: i64,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        webhooks: WebhookArgs,
        #[command(flatten)]
        data: DataArgs,
    },
}
