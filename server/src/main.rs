use std::process::ExitCode;

use clap::Parser;
use server::cli::{Cli, Command};
use server::commands::{self, CommandResult};
use server::{ServeConfig, telemetry};

fn main() -> ExitCode {
    server::memory::tune_allocator();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(async_main()),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn async_main() -> ExitCode {
    // A missing .env is normal; variables already set win over it.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    telemetry::init(cli.log.log_format);

    match run(cli.into_command()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::debug!("{e:?}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> CommandResult {
    match command {
        Command::Serve(args) => {
            commands::serve::run(ServeConfig::new(args.data, args.web, args.clemap_url)).await
        }
        Command::Demo(args) => commands::demo::run(args).await,
        Command::Simulate(args) => commands::simulate::run(args).await,
        Command::Migrate(args) => commands::serve::migrate(&args).await,
        Command::Charger(command) => commands::charger::run(command).await,
        Command::Site(command) => commands::site::run(command).await,
        Command::Schedule(command) => commands::schedule::run(command).await,
        Command::RotateKey(args) => commands::rotate_key::run(args).await,
        Command::User(command) => commands::user::run(command).await,
        Command::Token(command) => commands::token::run(command).await,
        Command::Alert(command) => commands::alert::run(command).await,
        Command::Openapi => {
            let doc = server::api_v1::openapi().to_pretty_json()?;
            println!("{doc}");
            Ok(())
        }
        Command::Audit(command) => commands::audit::run(command).await,
        Command::Report(args) => commands::report::run(args).await,
        Command::ExportSqliteToPostgres(args) => commands::move_to_postgres::run(args).await,
        Command::Backup(args) => commands::backup::run(args).await.map(|_| ()),
    }
}
