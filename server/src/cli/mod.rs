//! The command line. Every option can also come from an environment
//! variable (named in `--help`) or from a `.env` file in the working
//! directory; flags win over the environment, the environment over `.env`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod alert;
mod options;
mod schedule;
mod token;

pub use alert::AlertCommand;
pub use options::{DataArgs, LogArgs, LogFormat, MailArgs, ServeArgs, WebArgs, WebhookArgs};
pub use schedule::{ScheduleAddArgs, ScheduleCommand};
pub use token::TokenCommand;

#[derive(Debug, Parser)]
#[command(
    name = "evse-dashboard",
    version,
    about = "Web dashboard for EV chargers controlled through CLEMAP's Direct EVSE Control API",
    long_about = "Web dashboard for EV chargers controlled through CLEMAP's Direct EVSE Control API.\n\n\
                  Without a subcommand it runs `serve`. Options may also be set through the \
                  environment variables shown below or a `.env` file in the working directory.",
    args_conflicts_with_subcommands = true,
    after_long_help = "Secrets never come from the command line: the token key from EVSE_TOKEN_KEY \
                       (base64, 32 bytes) or the key file in the data directory; evsetokens and \
                       passwords from standard input or a hidden prompt."
)]
pub struct Cli {
    #[command(flatten)]
    pub log: LogArgs,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// Options of `serve`, which runs when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// The subcommand to run; `serve` when none was named.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboard (the default).
    Serve(ServeArgs),
    /// Serve the dashboard against a built-in CLEMAP simulator with a seeded
    /// demo fleet. Nothing reaches the real CLEMAP cloud.
    Demo(DemoArgs),
    /// Run only the CLEMAP simulator, with the stations of a fleet file.
    Simulate(SimulateArgs),
    /// Create the database if needed, apply pending migrations, and exit.
    Migrate(DataArgs),
    /// Register, list and remove chargers.
    #[command(subcommand)]
    Charger(ChargerCommand),
    /// List sites; set a site's supply limit; share its supply among the
    /// cars charging (load management).
    #[command(subcommand)]
    Site(SiteCommand),
    /// Re-encrypt every stored evsetoken under a new key, in one transaction.
    RotateKey(RotateKeyArgs),
    /// Create users, set passwords, disable accounts, list users.
    #[command(subcommand)]
    User(UserCommand),
    /// Make, list and revoke API tokens for /api/v1.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Who gets alerts: webhooks (signed), listed with their deliveries.
    #[command(subcommand)]
    Alert(AlertCommand),
    /// Print the OpenAPI 3.1 document of /api/v1 (as the server serves it
    /// at /api/v1/openapi.json).
    Openapi,
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Print a site's monthly report: energy per charger and in total,
    /// sessions, the peak quarter hour, the time at the supply limit, the
    /// energy under a limit (the numbers its page shows).
    Report(ReportArgs),
    /// Add, list, disable and remove recurring current limits.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Copy the data directory's SQLite database into an empty PostgreSQL
    /// database (DATABASE_URL), then verify the audit chain and the tokens
    /// there. Stop the dashboard first.
    ExportSqliteToPostgres(DataArgs),
    /// Copy the database and the key files into a new directory while the
    /// dashboard runs, and check the copy's audit chain. The directory
    /// works as a data directory: restoring is starting from it.
    Backup(BackupArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The site's id (`evse-dashboard site list`).
    #[arg(long, value_name = "ID")]
    pub site: i64,
    /// The month, `YYYY-MM`, on the site's clock; the month so far when
    /// left out.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// Print CSV (the page's CSV download) instead of a table.
    #[arg(long)]
    pub csv: bool,
    /// Days the 15-minute history is kept (as the server is told): an
    /// older month is refused.
    #[arg(long, env = "EVSE_KEEP_HISTORY_DAYS", default_value_t = 400, value_name = "DAYS",
          value_parser = clap::value_parser!(u64).range(1..=3660))]
    pub keep_history: u64,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// A directory that does not exist yet (or is empty).
    #[arg(value_name = "PATH")]
    pub target: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and report the first row that was changed,
    /// removed or reordered behind the application's back (exit code 1).
    Verify {
        #[command(flatten)]
        data: DataArgs,
        /// A head saved earlier with `audit head` (ROWS:HASH): also fails
        /// when rows were cut off the end since.
        #[arg(long, value_name = "ROWS:HASH")]
        anchor: Option<evse_dashboard::audit::verify::Anchor>,
    },
    /// Print the chain's head (ROWS:HASH) to keep outside the server, for
    /// `audit verify --anchor` later.
    Head(DataArgs),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from a hidden prompt (asked
    /// twice) or standard input, never from the command line.
    Add {
        username: String,
        /// admin, operator or viewer.
        #[arg(long, value_parser = parse_role)]
        role: evse_dashboard::types::Role,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Set a user's password (prompt or standard input).
    Passwd {
        username: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Disable an account: its sessions end at their next request.
    Disable {
        username: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Re-enable a disabled account.
    Enable {
        username: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List users with role, status and last login.
    List(DataArgs),
}

pub(crate) fn parse_role(s: &str) -> Result<evse_dashboard::types::Role, String> {
    use strum::IntoEnumIterator;
    evse_dashboard::types::Role::parse(s).ok_or_else(|| {
        let roles: Vec<&str> = evse_dashboard::types::Role::iter()
            .map(|r| r.as_str())
            .collect();
        format!("unknown role {s:?}: use one of {}", roles.join(", "))
    })
}

#[derive(Debug, Subcommand)]
pub enum ChargerCommand {
    /// Register a charger. The evsetoken is read from standard input (or a
    /// hidden prompt), never from the command line where `ps` would show it.
    Add(ChargerAddArgs),
    /// List the registered chargers (never their tokens).
    List(DataArgs),
    /// Delete a charger; its audit history stays readable.
    Remove {
        /// The charger's id, as shown by `charger list`.
        id: i64,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Replace a charger's evsetoken, read from standard input.
    SetToken {
        /// The charger's id, as shown by `charger list`.
        id: i64,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Set who is served first when the site's supply is shared.
    Priority {
        /// The charger's id, as shown by `charger list`.
        id: i64,
        /// high, normal or low.
        #[arg(value_name = "high|normal|low")]
        priority: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// List the sites with their supply limit and sharing.
    List(DataArgs),
    /// Set a site's supply limit, amperes per phase.
    Set {
        /// The site's id, as shown by `site list`.
        id: i64,
        /// Amperes per phase the site's supply carries.
        #[arg(long, value_name = "A")]
        supply_limit: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Share the site's supply among the cars charging now (on), or stop
    /// (off: the targets sent end by themselves within the hold time).
    Share {
        /// The site's id, as shown by `site list`.
        id: i64,
        #[arg(value_name = "on|off", value_parser = ["on", "off"])]
        state: String,
        /// The least each charging car gets: 0, or 6 to 32 A.
        #[arg(long, value_name = "A", allow_negative_numbers = true)]
        minimum: Option<i64>,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ChargerAddArgs {
    /// Display name, e.g. "Depot bay 3".
    #[arg(long)]
    pub name: String,
    /// Site (car park, building) the charger belongs to; created if new.
    #[arg(long)]
    pub site: String,
    /// CLEMAP edge device id the charger hangs off.
    #[arg(long, value_name = "ID")]
    pub edge_device: String,
    /// The charger's EVSE uuid in CLEMAP.
    #[arg(long, value_name = "UUID")]
    pub evse: String,
    /// Lowest current the dashboard may request, ampere [default: 6].
    #[arg(long, value_name = "A", value_parser = clap::value_parser!(u32).range(0..=80))]
    pub min_current: Option<u32>,
    /// Highest current the dashboard may request, ampere [default: 32].
    #[arg(long, value_name = "A", value_parser = clap::value_parser!(u32).range(0..=80))]
    pub max_current: Option<u32>,
    /// Free-text notes.
    #[arg(long)]
    pub notes: Option<String>,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Clone, Args)]
pub struct RotateKeyArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Where to write the new key when the current one comes from
    /// EVSE_TOKEN_KEY (with a key file, the file is replaced).
    #[arg(long, value_name = "FILE")]
    pub new_key_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// Address and port the simulator listens on.
    #[arg(
        long,
        env = "EVSE_SIMULATOR_LISTEN",
        default_value = "127.0.0.1:3032",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,
    /// Fleet file (TOML, or JSON when it ends in .json): edge devices, EVSE
    /// uuids, tokens, plugs, rated current. See the README.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "write_demo_fleet"
    )]
    pub fleet: Option<PathBuf>,
    /// Write a demo fleet with fresh random tokens to FILE (mode 0600) and
    /// exit: a starting point for --fleet.
    #[arg(long, value_name = "FILE", conflicts_with = "fleet")]
    pub write_demo_fleet: Option<PathBuf>,
    /// Answer every request this many milliseconds late, as a distant
    /// CLEMAP cloud would (for benchmarks and trials).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Directory for the demo's database, key and fleet, apart from real
    /// data; delete it to start over.
    #[arg(
        long,
        env = "EVSE_DATA_DIR",
        default_value = "./demo-data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,

    #[command(flatten)]
    pub web: WebArgs,

    /// Password for the demo admin `admin` (default: a random one, printed
    /// once). Set it for scripted runs.
    #[arg(
        long,
        env = "EVSE_DEMO_ADMIN_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    pub admin_password: Option<String>,

    /// At the start, set a 10 A target on the chargers that show each
    /// verdict: one that follows, one that ignores targets, one CLEMAP
    /// holds lower, one with no vehicle, one that cannot be reached.
    #[arg(long)]
    pub showcase: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        <Cli as CommandFactory>::command().debug_assert();
    }

    #[test]
    fn no_subcommand_means_serve_with_defaults() {
        let cli = Cli::try_parse_from(["evse-dashboard"]).unwrap();
        match cli.into_command() {
            Command::Serve(args) => {
                assert_eq!(args.web.listen.to_string(), "127.0.0.1:3000");
                assert_eq!(args.data.data_dir, PathBuf::from("./data"));
                assert_eq!(args.clemap_url, "https://cloud.clemap.com:3032");
            }
            other => panic!("expected serve, got {other:?}"),
        }
    }

    #[test]
    fn migrate_takes_the_data_dir() {
        let cli =
            Cli::try_parse_from(["evse-dashboard", "migrate", "--data-dir", "/tmp/x"]).unwrap();
        match cli.into_command() {
            Command::Migrate(args) => assert_eq!(args.data_dir, PathBuf::from("/tmp/x")),
            other => panic!("expected migrate, got {other:?}"),
        }
    }

    #[test]
    fn a_bad_listen_address_is_refused_with_the_option_named() {
        let err =
            Cli::try_parse_from(["evse-dashboard", "serve", "--listen", "nowhere"]).unwrap_err();
        assert!(err.to_string().contains("--listen"), "{err}");
    }

    #[test]
    fn out_of_range_values_are_refused_not_clamped() {
        for args in [
            ["serve", "--max-target-hours", "0"],
            ["serve", "--max-target-hours", "169"],
            ["serve", "--clemap-timeout", "0"],
            ["serve", "--session-idle-minutes", "0"],
        ] {
            let err =
                Cli::try_parse_from(std::iter::once("evse-dashboard").chain(args)).unwrap_err();
            assert!(err.to_string().contains(args[1]), "{args:?}: {err}");
        }
        assert!(
            Cli::try_parse_from(["evse-dashboard", "serve", "--max-target-hours", "168"]).is_ok()
        );
    }

    #[test]
    fn help_names_every_environment_variable() {
        let mut cli = <Cli as CommandFactory>::command();
        // Building propagates the global options into the subcommands.
        cli.build();
        let help = cli
            .find_subcommand_mut("serve")
            .unwrap()
            .render_long_help()
            .to_string();
        for var in [
            "EVSE_DATA_DIR",
            "EVSE_LISTEN",
            "CLEMAP_API_URL",
            "EVSE_SITE_DIR",
            "EVSE_LOG_FORMAT",
        ] {
            assert!(help.contains(var), "--help does not mention {var}");
        }
    }
}
