use std::process::ExitCode;

use clap::Parser;
use server::cli::{Cli, Command};
use server::{Application, ServeConfig, shutdown_signal, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    // A missing .env is normal; variables already set win over it.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    telemetry::init(cli.log.log_format);

    let result = match cli.into_command() {
        Command::Serve(args) => serve(ServeConfig::from_args(args)).await,
        Command::Migrate(args) => migrate(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: ServeConfig) -> Result<(), Box<dyn std::error::Error>> {
    let site_dir = config.site_dir.clone();
    let app = Application::build(config).await?;
    if !site_dir.join("pkg").is_dir() {
        tracing::warn!(
            site_dir = %site_dir.display(),
            "no compiled site here: pages render but will not hydrate (set --site-dir)"
        );
    }
    let addr = app.local_addr();
    tracing::info!(%addr, site_dir = %site_dir.display(), "serving");
    println!("evse-dashboard is listening on http://{addr}");
    app.run_until(shutdown_signal()).await?;
    Ok(())
}

async fn migrate(args: server::cli::DataArgs) -> Result<(), Box<dyn std::error::Error>> {
    let pool = evse_dashboard::db::open(&args.data_dir).await?;
    evse_dashboard::db::migrate(&pool).await?;
    let health = evse_dashboard::db::health(&pool).await?;
    println!(
        "database {} is at schema version {} ({} migrations applied)",
        args.data_dir
            .join(evse_dashboard::db::DATABASE_FILE)
            .display(),
        evse_dashboard::db::MIGRATOR
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0),
        health.migrations_applied
    );
    Ok(())
}
