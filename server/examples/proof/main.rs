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

/// Which proof to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Proof {
    Load,
    Faults,
    Crash,
}

/// What every command needs from the command line.
#[derive(Debug, Clone, clap::Parser)]
#[command(about = "Proof under load, faults and crashes (see .ci/proof)")]
pub struct Args {
    #[arg(value_enum)]
    pub proof: Proof,
    /// The release binary; build it first (`cargo leptos build --release`).
    #[arg(long, default_value = "target/release/evse-dashboard")]
    pub bin: PathBuf,
    /// The compiled site, for pages to render as deployed.
    #[arg(long, default_value = "target/site")]
    pub site_dir: PathBuf,
    /// `load`: how long the 200 sessions browse; `faults`: each phase.
    #[arg(long)]
    pub seconds: Option<u64>,
    /// `crash`: how many kill -9 rounds.
    #[arg(long, default_value_t = 20)]
    pub rounds: u32,
    /// `crash`: seed of the kill moments (printed, so a run can be repeated).
    #[arg(long)]
    pub seed: Option<u64>,
}

fn main() -> ExitCode {
    let args = <Args as clap::Parser>::parse();
    if !args.bin.is_file() {
        eprintln!(
            "{} is not a file: build the release first",
            args.bin.display()
        );
        return ExitCode::from(2);
    }
    // Several worker threads: the harness drives hundreds of sessions and
    // serves the simulator at the same time.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let result = runtime.block_on(async {
        match args.proof {
            Proof::Load => load::run(&args).await,
            Proof::Faults => faults::run(&args).await,
            Proof::Crash => crash::run(&args).await,
        }
    });
    let command = format!("{:?}", args.proof).to_lowercase();
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
