//! The command line. Every option can also come from an environment
//! variable (named in `--help`) or from a `.env` file in the working
//! directory; flags win over the environment, the environment over `.env`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "evse-dashboard",
    version,
    about = "Web dashboard for EV chargers controlled through CLEMAP's Direct EVSE Control API",
    long_about = "Web dashboard for EV chargers controlled through CLEMAP's Direct EVSE Control API.\n\n\
                  Without a subcommand it runs `serve`. Options may also be set through the \
                  environment variables shown below or a `.env` file in the working directory.",
    args_conflicts_with_subcommands = true
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
    /// Create the database if needed, apply pending migrations, and exit.
    Migrate(DataArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Readable lines for a terminal.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Log format. The level is set with RUST_LOG (default: info).
    #[arg(long, env = "EVSE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Directory holding the SQLite database (created if missing).
    #[arg(
        long,
        env = "EVSE_DATA_DIR",
        default_value = "./data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,

    /// Address and port the dashboard listens on. Cookies are sent without
    /// the `Secure` flag only on loopback addresses.
    #[arg(
        long,
        env = "EVSE_LISTEN",
        default_value = "127.0.0.1:3000",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,

    /// Base URL of CLEMAP's Direct EVSE Control API.
    #[arg(
        long,
        env = "CLEMAP_API_URL",
        default_value = "https://cloud.clemap.com:3032",
        value_name = "URL"
    )]
    pub clemap_url: String,

    /// Directory with the compiled site (pkg/ with wasm, js and css, plus
    /// the public assets). Default: $LEPTOS_SITE_ROOT when cargo-leptos runs
    /// the server, else `site` beside the executable, else `target/site`.
    #[arg(long, env = "EVSE_SITE_DIR", value_name = "DIR")]
    pub site_dir: Option<PathBuf>,
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
                assert_eq!(args.listen.to_string(), "127.0.0.1:3000");
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
