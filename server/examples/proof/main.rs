//! Proof under load, faults and crashes (issue #14): each command drives
//! the release binary as a subprocess, with the CLEMAP simulator running
//! in this process, prints its figures and exits 1 when a check fails.
//!
//! ```sh
//! .ci/proof load    # 200 logged-in sessions for 60 s: latencies, RSS, return to baseline
//! .ci/proof faults  # a third of the chargers misbehave: isolation, audit, no token leaks
//! .ci/proof crash   # 20 × kill -9 under set/reset load: nothing acknowledged is lost
//! ```
//!
//! or directly, after `cargo leptos build --release --precompress`:
//! `cargo run --release -p server --example proof -- load --bin target/release/evse-dashboard`.
//!
//! The dashboard runs as its own process (as in production: its RSS, file
//! descriptors and a `kill -9` are its own); the simulator runs here, so a
//! command can switch faults per charger while the dashboard talks to it.

mod auditdb;
mod client;
mod crash;
mod faults;
mod leaks;
mod load;
mod metrics;
mod procfs;
mod server;
mod setup;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;

/// What every command needs from the command line.
#[derive(Debug, Clone)]
pub struct Args {
    /// The release binary (`target/release/evse-dashboard`).
    pub bin: PathBuf,
    /// The compiled site (`target/site`), for pages to render as deployed.
    pub site_dir: PathBuf,
    /// `load`: how long the 200 sessions browse; `faults`: each phase.
    pub seconds: Option<u64>,
    /// `crash`: how many kill -9 rounds.
    pub rounds: u32,
    /// `crash`: seed of the kill moments (printed, so a run can be repeated).
    pub seed: Option<u64>,
}

const USAGE: &str = "usage: proof load|faults|crash --bin PATH [--site-dir DIR] [--seconds N] \
                     [--rounds N] [--seed N]";

fn parse(mut argv: impl Iterator<Item = String>) -> Result<(String, Args), String> {
    let command = argv.next().ok_or(USAGE)?;
    let mut args = Args {
        bin: PathBuf::from("target/release/evse-dashboard"),
        site_dir: PathBuf::from("target/site"),
        seconds: None,
        rounds: 20,
        seed: None,
    };
    while let Some(flag) = argv.next() {
        let mut value = || argv.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        let number = |v: String| v.parse::<u64>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--bin" => args.bin = value()?.into(),
            "--site-dir" => args.site_dir = value()?.into(),
            "--seconds" => args.seconds = Some(number(value()?)?),
            "--rounds" => {
                args.rounds = u32::try_from(number(value()?)?).map_err(|e| e.to_string())?
            }
            "--seed" => args.seed = Some(number(value()?)?),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if !args.bin.is_file() {
        return Err(format!(
            "{} is not a file: build the release first",
            args.bin.display()
        ));
    }
    Ok((command, args))
}

fn main() -> ExitCode {
    let (command, args) = match parse(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // Several worker threads: the harness drives hundreds of sessions and
    // serves the simulator at the same time.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let result = runtime.block_on(async {
        match command.as_str() {
            "load" => load::run(&args).await,
            "faults" => faults::run(&args).await,
            "crash" => crash::run(&args).await,
            other => Err(format!("unknown command {other}\n{USAGE}")),
        }
    });
    // Don't wait for sessions that may still hang on a stopped server.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => {
            println!("\n{command}: PASS");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("\n{command}: FAIL\n{e}");
            ExitCode::FAILURE
        }
    }
}

/// Collects failed checks, so one run reports all of them, not the first.
#[derive(Debug, Default)]
pub struct Verdict(Vec<String>);

impl Verdict {
    /// Records `what` as failed unless `ok`.
    pub fn check(&mut self, ok: bool, what: impl Into<String>) {
        if !ok {
            self.0.push(what.into());
        }
    }

    pub fn into_result(self) -> Result<(), String> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self
                .0
                .iter()
                .map(|f| format!("  - {f}"))
                .collect::<Vec<_>>()
                .join("\n"))
        }
    }
}
