use crate::{Application, ServeConfig, shutdown_signal};

use super::CommandResult;

pub async fn run(config: ServeConfig) -> CommandResult {
    let app = Application::build(config.clone()).await?;
    serve_app(app, &config).await
}

/// Logs where things are, prints the URL, serves until Ctrl-C / SIGTERM.
pub async fn serve_app(app: Application, config: &ServeConfig) -> CommandResult {
    if !config.site_dir.join("pkg").is_dir() {
        tracing::warn!(
            site_dir = %config.site_dir.display(),
            "no compiled site here: pages render but will not hydrate (set --site-dir)"
        );
    }
    if app.services().users.count().await? == 0 {
        println!(
            "No users yet. Create the first admin with:\n  evse-dashboard user add admin --role admin --data-dir {}",
            config.data_dir.display()
        );
    }
    let addr = app.local_addr();
    tracing::info!(
        %addr,
        site_dir = %config.site_dir.display(),
        data_dir = %config.data_dir.display(),
        clemap = %config.clemap.base_url,
        "serving"
    );
    println!("evse-dashboard is listening on http://{addr}");
    let sampler = app.services().sampler.clone();
    app.run_until(shutdown_signal()).await?;
    // Another instance need not wait for the lease to run out.
    if let Err(e) = sampler.release().await {
        tracing::warn!(error = %e, "could not give the sampling lease up");
    }
    Ok(())
}

pub async fn migrate(data: &crate::cli::DataArgs) -> CommandResult {
    let db = crate::data_dir::open_database(data).await?;
    let health = db.health().await?;
    let place = match &data.database_url {
        Some(url) => url.to_string(),
        None => data
            .data_dir
            .join(evse_dashboard::db::DATABASE_FILE)
            .display()
            .to_string(),
    };
    println!(
        "database {place} ({}) is up to date ({} migrations applied)",
        health.version, health.migrations_applied
    );
    Ok(())
}
