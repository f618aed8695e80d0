//! The real executable, as an operator runs it: CLI commands, and `serve`
//! with every log line at TRACE captured to a file.

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_evse-dashboard");

/// The SMTP password the server and the CLI get from the environment (a
/// mail server that is not there: it must leak all the same).
pub fn smtp_password() -> &'static str {
    static PASSWORD: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PASSWORD.get_or_init(super::forms::fresh_token)
}

/// Mail set up as an operator would, the password only in the environment.
fn with_mail(command: &mut Command) -> &mut Command {
    command
        .env("EVSE_SMTP_URL", format!("smtp://{}", free_port()))
        .env("EVSE_MAIL_FROM", "EVSE crawl <crawl@example.com>")
        .env("EVSE_SMTP_USERNAME", "crawl")
        .env("EVSE_SMTP_PASSWORD", smtp_password())
}

/// Runs a CLI command with `stdin` piped in (tokens and passwords come
/// that way, never in argv); returns what it printed.
pub fn cli(args: &[&str], stdin: &str) -> String {
    let mut child = with_mail(&mut Command::new(BIN))
        .args(args)
        .env("RUST_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the executable starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{stdin}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{args:?} failed: {text}");
    text
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

pub struct Serving {
    child: Child,
    pub base: String,
    pub metrics: String,
    pub log: PathBuf,
}

impl Serving {
    pub async fn start(data: &Path, clemap: &str, site: &Path, log: PathBuf) -> Self {
        let (listen, metrics) = (free_port(), free_port());
        let file = std::fs::File::create(&log).unwrap();
        let mut child = with_mail(&mut Command::new(BIN))
            .arg("serve")
            .arg("--data-dir")
            .arg(data)
            .arg("--site-dir")
            .arg(site)
            .args(["--listen", &listen.to_string()])
            .args(["--metrics-listen", &metrics.to_string()])
            .args(["--clemap-url", clemap])
            .env("RUST_LOG", "trace")
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("the server starts");
        let base = format!("http://{listen}");
        for _ in 0..300 {
            if reqwest::get(format!("{base}/livez")).await.is_ok() {
                return Self {
                    child,
                    base,
                    metrics: format!("http://{metrics}/metrics"),
                    log,
                };
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "the server did not come up: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// SIGKILL: whatever sits in the WAL stays there to be searched.
    pub fn kill(mut self) -> PathBuf {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log.clone()
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
