//! Options shared by several subcommands: where the data lives, how to
//! log, and how the dashboard serves (address, timeouts, sessions, limits).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

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
    /// Directory holding the SQLite database and, unless EVSE_TOKEN_KEY is
    /// set, the token key file `token.key` (both created if missing).
    #[arg(
        long,
        env = "EVSE_DATA_DIR",
        default_value = "./data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,

    /// The database, when it is not the SQLite file in the data directory:
    /// `postgres://USER@HOST/DB` (PostgreSQL, shared by several instances)
    /// or `sqlite://PATH`. A URL with a password belongs in the environment,
    /// not on the command line (argv is visible to every user). The data
    /// directory still holds the key files.
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<evse_dashboard::db::DatabaseUrl>,
}

impl DataArgs {
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            database_url: None,
        }
    }

    /// Where the database is.
    pub fn location(&self) -> evse_dashboard::db::Location {
        match &self.database_url {
            Some(url) => evse_dashboard::db::Location::Url(url.clone()),
            None => evse_dashboard::db::Location::DataDir(self.data_dir.clone()),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,

    #[command(flatten)]
    pub web: WebArgs,

    /// Base URL of CLEMAP's Direct EVSE Control API.
    #[arg(
        long,
        env = "CLEMAP_API_URL",
        default_value = "https://cloud.clemap.com:3032",
        value_name = "URL"
    )]
    pub clemap_url: String,
}

/// How alert mails leave (#31). The user name and password come from
/// `EVSE_SMTP_USERNAME` and `EVSE_SMTP_PASSWORD` only: never argv.
#[derive(Debug, Clone, Args)]
pub struct MailArgs {
    /// The mail server for alert mails: smtps://HOST[:PORT] (TLS) or
    /// smtp://HOST[:PORT] (STARTTLS required, except on this machine).
    /// Without it, no mail is sent.
    #[arg(long, env = "EVSE_SMTP_URL", value_name = "URL")]
    pub smtp_url: Option<String>,

    /// The sender of alert mails, e.g. "EVSE dashboard <alerts@example.com>".
    #[arg(long, env = "EVSE_MAIL_FROM", value_name = "ADDRESS")]
    pub mail_from: Option<String>,
}

impl MailArgs {
    /// The settings, with the credentials from the environment.
    pub fn settings(&self) -> Option<evse_dashboard::alerts::mail::MailSettings> {
        let env = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        if self.smtp_url.is_none() && self.mail_from.is_some() {
            tracing::warn!("--mail-from is set but --smtp-url is not: no alert mail is sent");
        }
        Some(evse_dashboard::alerts::mail::MailSettings {
            url: self.smtp_url.clone()?,
            from: self.mail_from.clone(),
            username: env("EVSE_SMTP_USERNAME"),
            password: env("EVSE_SMTP_PASSWORD").map(evse_dashboard::secret::SmtpPassword::new),
        })
    }
}

/// Where webhooks may go besides the public internet (#37).
#[derive(Debug, Clone, Default, Args)]
pub struct WebhookArgs {
    /// A private network (e.g. 10.20.0.0/16) or address that webhooks
    /// may reach, for a company's own receivers; repeat or separate with
    /// commas. Without it, webhooks go only to public addresses and to
    /// this machine when the URL names it (localhost, 127.0.0.1, [::1]).
    #[arg(
        long = "webhook-allow",
        env = "EVSE_WEBHOOK_ALLOW",
        value_name = "CIDR",
        value_delimiter = ',',
        value_parser = crate::client_ip::parse_trusted_proxy
    )]
    pub webhook_allow: Vec<ipnet::IpNet>,
}

/// Options of every subcommand that serves the dashboard.
#[derive(Debug, Clone, Args)]
pub struct WebArgs {
    /// Address and port the dashboard listens on. Cookies are sent without
    /// the `Secure` flag only on loopback addresses.
    #[arg(
        long,
        env = "EVSE_LISTEN",
        default_value = "127.0.0.1:3000",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,

    /// Directory with the compiled site (pkg/ with wasm, js and css, plus
    /// the public assets). Default: $LEPTOS_SITE_ROOT when cargo-leptos runs
    /// the server, else `site` beside the executable, else `target/site`.
    #[arg(long, env = "EVSE_SITE_DIR", value_name = "DIR")]
    pub site_dir: Option<PathBuf>,

    /// Seconds a CLEMAP request may take in all before it counts as failed.
    #[arg(
        long,
        env = "CLEMAP_TIMEOUT_SECS",
        default_value_t = 10,
        value_name = "SECS",
        value_parser = clap::value_parser!(u64).range(1..=600)
    )]
    pub clemap_timeout: u64,

    /// Send the session cookie with `Secure` (HTTPS only) even on a
    /// loopback address (elsewhere it always is).
    #[arg(long, env = "EVSE_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Minutes of inactivity after which a login session ends (a session
    /// always ends 7 days after its login).
    #[arg(
        long,
        env = "EVSE_SESSION_IDLE_MINUTES",
        default_value_t = 480,
        value_name = "MIN",
        value_parser = clap::value_parser!(u64).range(1..=7 * 24 * 60)
    )]
    pub session_idle_minutes: u64,

    /// Seconds between two readings of every charger's status (one
    /// instance samples at a time; pages show the latest reading).
    #[arg(long, env = "EVSE_STATUS_INTERVAL", default_value_t = 30, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub status_interval: u64,

    /// Hours the raw status samples are kept (the 15-minute history is
    /// kept with --keep-history).
    #[arg(long, env = "EVSE_KEEP_SAMPLES_HOURS", default_value_t = 48, value_name = "HOURS",
          value_parser = clap::value_parser!(u64).range(1..=24 * 31))]
    pub keep_samples: u64,

    /// Days the 15-minute history is kept.
    #[arg(long, env = "EVSE_KEEP_HISTORY_DAYS", default_value_t = 400, value_name = "DAYS",
          value_parser = clap::value_parser!(u64).range(1..=3660))]
    pub keep_history: u64,

    /// Seconds a target gets to settle before the first reading judges
    /// whether the charger follows it (0: the next reading).
    #[arg(long, env = "EVSE_SETTLE_SECS", default_value_t = 60, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub settle_secs: u64,

    /// Seconds a charger must be unreachable or offline before an alert
    /// says so (CLEMAP itself falls back after 120 s).
    #[arg(long, env = "EVSE_OFFLINE_AFTER", default_value_t = 120, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub offline_after: u64,

    /// Seconds each target the load manager sends holds (#40). It is
    /// renewed before it ends; when every instance stops, each managed
    /// charger's target ends within this time and CLEMAP's own settings
    /// apply again.
    #[arg(long, env = "EVSE_SHARE_HOLD_SECS", default_value_t = 600, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(120..=3600))]
    pub share_hold_secs: u64,

    /// The dashboard's address as people reach it (behind a proxy: the
    /// proxy's), for the links in alerts. Defaults to http://LISTEN.
    #[arg(long, env = "EVSE_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    #[command(flatten)]
    pub mail: MailArgs,

    #[command(flatten)]
    pub webhooks: WebhookArgs,

    /// Longest temporary target a user may set, hours.
    #[arg(
        long,
        env = "EVSE_MAX_TARGET_HOURS",
        default_value_t = 24,
        value_name = "HOURS",
        value_parser = clap::value_parser!(u32).range(1..=7 * 24)
    )]
    pub max_target_hours: u32,

    /// A reverse proxy (address or network, e.g. 10.0.0.0/8) whose
    /// X-Forwarded-For is believed for the client address; repeat or
    /// separate with commas. Without one, the client is the peer.
    #[arg(
        long = "trusted-proxy",
        env = "EVSE_TRUSTED_PROXIES",
        value_name = "CIDR",
        value_delimiter = ',',
        value_parser = crate::client_ip::parse_trusted_proxy
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Allow an `http://` CLEMAP URL to another machine (test setups only:
    /// the evsetokens would cross the network unencrypted).
    #[arg(long, env = "CLEMAP_ALLOW_HTTP")]
    pub clemap_allow_http: bool,

    /// Serve Prometheus metrics at http://ADDR/metrics, on their own port
    /// so they can stay off the public network. Off unless given.
    #[arg(long, env = "EVSE_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,

    /// Changes (sets, resets) one API token may make per minute on this
    /// instance; past it, 429 with Retry-After.
    #[arg(long, env = "EVSE_API_WRITES_PER_MINUTE", value_name = "N",
          default_value_t = crate::write_rate::DEFAULT_WRITES_PER_MINUTE,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub api_writes_per_minute: u32,

    /// Connections open at once; more wait until one closes.
    #[arg(long, env = "EVSE_MAX_CONNECTIONS", default_value_t = 1024, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections: u32,

    /// Connections one client (an address; for IPv6 its /64) may hold at
    /// once; more are closed at once. Trusted proxies are exempt. Raise it
    /// when many users share one address without a proxy in between.
    #[arg(long, env = "EVSE_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 128, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections_per_client: u32,

    /// Seconds a connection may stay open with no request running.
    #[arg(long, env = "EVSE_IDLE_TIMEOUT_SECS", default_value_t = 60, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_timeout_secs: u64,

    /// Seconds a client may take to send a request's headers (also the
    /// first request on a new connection).
    #[arg(long, env = "EVSE_HEADER_READ_TIMEOUT_SECS", default_value_t = 10, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_read_timeout_secs: u64,

    /// Seconds a request may take to produce its response (408 after).
    #[arg(long, env = "EVSE_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub request_timeout_secs: u64,

    /// Page, export and API reads rendered at once; more wait their turn
    /// (16 times as many, for up to 10 s), then are answered 503 with
    /// `Retry-After`. Changes never wait for this (#38).
    #[arg(long, env = "EVSE_RENDERS_AT_ONCE", default_value_t = 64, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub renders_at_once: u32,

    /// Sets and resets one person or API token may make in a minute;
    /// past it they are refused as too fast (429) until the minute ends.
    #[arg(long, env = "EVSE_CHANGES_PER_MINUTE", default_value_t = 600, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub changes_per_minute: u32,

    /// Seconds one CSV export may run before it is cut off.
    #[arg(long, env = "EVSE_EXPORT_TIME_LIMIT_SECS", default_value_t = 600, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub export_time_limit_secs: u64,

    /// Seconds to wait for a connection to CLEMAP.
    #[arg(
        long,
        env = "CLEMAP_CONNECT_TIMEOUT_SECS",
        default_value_t = 3,
        value_name = "SECS",
        value_parser = clap::value_parser!(u64).range(1..=60)
    )]
    pub clemap_connect_timeout: u64,
}
