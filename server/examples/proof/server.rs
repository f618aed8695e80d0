//! The dashboard as a subprocess: `evse-dashboard serve` on a free port,
//! its stdout and stderr appended to one log file (which `faults` searches
//! for tokens), stopped with SIGTERM or killed with SIGKILL.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a start may take before it counts as failed (migrations and
/// the pending-row sweep run before the port answers).
const READY_WITHIN: Duration = Duration::from_secs(30);

/// What a start needs.
pub struct Launch<'a> {
    pub bin: &'a Path,
    pub data_dir: &'a Path,
    pub site_dir: &'a Path,
    pub clemap_url: &'a str,
    /// `RUST_LOG` for the server.
    pub rust_log: &'a str,
    /// Where stdout and stderr go (appended: restarts share one file).
    pub log: &'a Path,
    /// Pass `--metrics-listen` (only when the binary knows the flag).
    pub metrics: bool,
}

pub struct Server {
    child: Option<Child>,
    pub port: u16,
    pub metrics_port: Option<u16>,
    /// From spawn until `/livez` answered.
    pub ready_after: Duration,
    pub log: PathBuf,
}

/// A port nobody listens on right now. The OS picks it; between closing
/// it here and the server binding it another process could take it, which
/// on a test machine does not happen in practice (and would fail loudly).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Whether this binary's `serve` offers `--metrics-listen` (added by a
/// parallel change; without it the checks use /proc alone).
pub fn supports_metrics(bin: &Path) -> bool {
    Command::new(bin)
        .args(["serve", "--help"])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains("--metrics-listen"))
        .unwrap_or(false)
}

impl Server {
    pub async fn start(launch: &Launch<'_>) -> Result<Server, String> {
        let port = free_port();
        let metrics_port = launch.metrics.then(free_port);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(launch.log)
            .map_err(|e| format!("cannot open {}: {e}", launch.log.display()))?;
        let mut command = Command::new(launch.bin);
        command
            .arg("serve")
            .arg("--data-dir")
            .arg(launch.data_dir)
            .arg("--site-dir")
            .arg(launch.site_dir)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--clemap-url")
            .arg(launch.clemap_url)
            // The load comes from one address: past the per-client
            // connection cap its 200 sessions would be refused.
            .arg("--max-connections-per-client")
            .arg("1024")
            .env("RUST_LOG", launch.rust_log)
            .env("EVSE_LOG_FORMAT", "human")
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log);
        if let Some(metrics) = metrics_port {
            command
                .arg("--metrics-listen")
                .arg(format!("127.0.0.1:{metrics}"));
        }
        let started = Instant::now();
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", launch.bin.display()))?;
        let mut server = Server {
            child: Some(child),
            port,
            metrics_port,
            ready_after: Duration::ZERO,
            log: launch.log.to_owned(),
        };
        server.wait_ready(started).await?;
        Ok(server)
    }

    async fn wait_ready(&mut self, started: Instant) -> Result<(), String> {
        let probe = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .pool_max_idle_per_host(0)
            .build()
            .expect("a client");
        let url = format!("{}/livez", self.base());
        while started.elapsed() < READY_WITHIN {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(format!(
                    "the server exited at start ({status}); see {}",
                    self.log.display()
                ));
            }
            if probe
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                self.ready_after = started.elapsed();
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Err(format!(
            "no answer from {url} within {READY_WITHIN:?}; see {}",
            self.log.display()
        ))
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// `kill -9`: no drain, no destructor, no WAL checkpoint.
    pub fn kill9(mut self) -> Result<(), String> {
        let mut child = self.child.take().expect("a running server");
        let killed = child.kill(); // SIGKILL on Unix
        let waited = child.wait();
        killed.map_err(|e| format!("kill -9: {e}"))?;
        waited.map(drop).map_err(|e| e.to_string())
    }

    /// SIGTERM, as a service manager stops it; SIGKILL after 15 s.
    pub fn stop(mut self) -> Result<(), String> {
        let mut child = self.child.take().expect("a running server");
        let pid = libc::pid_t::try_from(child.id()).expect("a pid fits pid_t");
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return if status.success() {
                    Ok(())
                } else {
                    Err(format!("the server stopped with {status}"))
                };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        Err("the server did not stop within 15 s of SIGTERM".into())
    }
}

impl Drop for Server {
    /// A failed command must not leave a server running.
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
