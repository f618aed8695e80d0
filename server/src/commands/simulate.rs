use std::io::Write;

use evse_dashboard::clemap::simulator::{self, Faults, Fleet};

use super::CommandResult;
use crate::cli::SimulateArgs;
use crate::shutdown_signal;

pub async fn run(args: SimulateArgs) -> CommandResult {
    if let Some(path) = &args.write_demo_fleet {
        write_fleet(&Fleet::demo(), path)?;
        println!("wrote a demo fleet of 12 stations to {}", path.display());
        return Ok(());
    }
    let path = args
        .fleet
        .expect("clap requires --fleet without --write-demo-fleet");
    let fleet = Fleet::load(&path)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| {
            format!(
                "cannot listen on {}: {e} (choose another port with --listen)",
                args.listen
            )
        })?;
    let addr = listener.local_addr()?;
    println!(
        "CLEMAP simulator with {} stations listening on http://{addr} (use it as --clemap-url)",
        fleet.stations.len()
    );
    let faults = Faults {
        latency: std::time::Duration::from_millis(args.latency_ms),
        ..Faults::default()
    };
    simulator::serve(listener, fleet, faults, shutdown_signal()).await?;
    Ok(())
}

/// Fleet files hold (simulator) tokens: owner-only, never overwritten.
pub fn write_fleet(fleet: &Fleet, path: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(fleet.to_toml().as_bytes())?;
    file.sync_all()
}
