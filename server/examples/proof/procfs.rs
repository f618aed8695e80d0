//! What the kernel knows about the server process: memory from
//! /proc/PID/status, and its file descriptors from /proc/PID/fd, each
//! socket matched to its TCP connection in /proc/PID/net/tcp so that a
//! browser's connection, a pooled connection to CLEMAP and a database file
//! are counted apart.

use std::collections::HashMap;
use std::fmt;

/// A `kB` field of /proc/PID/status (VmRSS, VmHWM), in MiB.
pub fn status_mib(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
}

/// The server's file descriptors, by what they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fds {
    pub total: usize,
    /// TCP connections accepted on the dashboard's port (browsers).
    pub inbound: usize,
    /// TCP connections to the CLEMAP simulator (the client's pool).
    pub upstream: usize,
    /// Every other socket: listeners, the metrics port, anything else.
    pub other_sockets: usize,
    /// The SQLite database, its WAL and shared memory (per pooled connection).
    pub database: usize,
}

impl fmt::Display for Fds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} fds ({} browser connections, {} to CLEMAP, {} other sockets, {} database files, {} other)",
            self.total,
            self.inbound,
            self.upstream,
            self.other_sockets,
            self.database,
            self.total - self.inbound - self.upstream - self.other_sockets - self.database
        )
    }
}

/// One TCP socket: local port, remote port, state (hex, "0A" = LISTEN).
struct Tcp {
    local: u16,
    remote: u16,
    state: String,
}

/// Socket inode → connection, from the process's network namespace.
fn tcp_table(pid: u32) -> HashMap<u64, Tcp> {
    let mut table = HashMap::new();
    for file in ["tcp", "tcp6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{file}")) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let port = |col: &str| {
                col.rsplit(':')
                    .next()
                    .and_then(|p| u16::from_str_radix(p, 16).ok())
            };
            if let (Some(local), Some(remote), Some(state), Some(inode)) = (
                cols.get(1).and_then(|c| port(c)),
                cols.get(2).and_then(|c| port(c)),
                cols.get(3),
                cols.get(9).and_then(|i| i.parse::<u64>().ok()),
            ) {
                let state = (*state).to_owned();
                table.insert(
                    inode,
                    Tcp {
                        local,
                        remote,
                        state,
                    },
                );
            }
        }
    }
    table
}

/// Counts the fds of `pid`: `port` is the dashboard's, `upstream_port`
/// the simulator's.
pub fn fds(pid: u32, port: u16, upstream_port: u16) -> std::io::Result<Fds> {
    let tcp = tcp_table(pid);
    let mut fds = Fds::default();
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd"))? {
        // An fd can close between the listing and the readlink.
        let Ok(target) = std::fs::read_link(entry?.path()) else {
            continue;
        };
        fds.total += 1;
        let target = target.to_string_lossy();
        if let Some(inode) = target
            .strip_prefix("socket:[")
            .and_then(|s| s.strip_suffix(']'))
            .and_then(|s| s.parse::<u64>().ok())
        {
            match tcp.get(&inode) {
                Some(c) if c.local == port && c.state != "0A" => fds.inbound += 1,
                Some(c) if c.remote == upstream_port => fds.upstream += 1,
                _ => fds.other_sockets += 1,
            }
        } else if target.contains("evse-dashboard.sqlite3") {
            fds.database += 1;
        }
    }
    Ok(fds)
}
