//! A fresh data directory provisioned the way an operator does it: chargers
//! and users through the binary's own `charger add` / `user add`, secrets
//! on standard input (never argv, where `ps` would show them).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use evse_dashboard::clemap::simulator::{
    self, Fleet, SimulatorHandle, StationSpec, Vehicle, random_token,
};

use crate::client::PASSWORD;

/// `n` stations with a charging vehicle each, every one with its own
/// random token (so a leaked token names the station it came from).
fn fleet(n: usize) -> Vec<StationSpec> {
    (1..=n)
        .map(|i| {
            StationSpec::new(
                format!("edge-{}", (i - 1) / 10),
                format!("evse-{i}"),
                random_token(),
                32,
                Vehicle::Charging,
            )
        })
        .collect()
}

/// Runs `bin args…` with `secret` on stdin; its stdout on success.
fn run_with_stdin(bin: &Path, args: &[&str], secret: &str) -> Result<String, String> {
    let mut child = Command::new(bin)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(format!("{secret}\n").as_bytes())
        .map_err(|e| format!("cannot write to {}: {e}", bin.display()))?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "{} {} failed: {}",
            bin.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Registers every station (name "Bay i", site per edge device) and
/// returns the charger ids, in the order of `fleet`.
fn register(bin: &Path, data_dir: &Path, fleet: &[StationSpec]) -> Result<Vec<i64>, String> {
    let dir = data_dir.to_string_lossy();
    fleet
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let name = format!("Bay {}", i + 1);
            let site = format!("Site {}", spec.edge_device_id);
            let args = [
                "charger",
                "add",
                "--data-dir",
                &dir,
                "--name",
                &name,
                "--site",
                &site,
                "--edge-device",
                &spec.edge_device_id,
                "--evse",
                &spec.uuid,
            ];
            let out = run_with_stdin(bin, &args, &spec.token)?;
            // "registered charger 7 (Bay 7, site …)"
            out.split_whitespace()
                .nth(2)
                .and_then(|id| id.parse().ok())
                .ok_or_else(|| format!("cannot read the charger id from {out:?}"))
        })
        .collect()
}

/// Creates `name` with `role` (operator or viewer) and [`PASSWORD`].
fn add_user(bin: &Path, data_dir: &Path, name: &str, role: &str) -> Result<(), String> {
    let dir = data_dir.to_string_lossy();
    let args = ["user", "add", name, "--role", role, "--data-dir", &dir];
    run_with_stdin(bin, &args, PASSWORD).map(drop)
}

/// A provisioned installation, as every command starts from it.
pub struct Stage {
    /// Holds the data directory (and the server's log) for the run.
    pub dir: tempfile::TempDir,
    pub data: PathBuf,
    pub fleet: Vec<StationSpec>,
    pub sim: SimulatorHandle,
    /// The charger ids, in the order of `fleet`.
    pub ids: Vec<i64>,
}

/// `chargers` stations served by the simulator and registered in a fresh
/// data directory, and `accounts` (name, operator?) created there.
pub async fn stage(
    bin: &Path,
    chargers: usize,
    accounts: &[(String, bool)],
) -> Result<Stage, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = dir.path().join("data");
    let fleet = fleet(chargers);
    let sim = simulator::spawn(Fleet {
        stations: fleet.clone(),
    })
    .await
    .map_err(|e| e.to_string())?;
    let ids = register(bin, &data, &fleet)?;
    for (name, operator) in accounts {
        let role = if *operator { "operator" } else { "viewer" };
        add_user(bin, &data, name, role)?;
    }
    Ok(Stage {
        dir,
        data,
        fleet,
        sim,
        ids,
    })
}
