//! The server's own Prometheus gauges (`--metrics-listen`), when the
//! binary has them: what it thinks is open, beside what /proc shows.

use std::collections::HashMap;
use std::time::Duration;

/// Live tokio tasks (connection tasks, spawned attempts, background jobs).
pub const TASKS: &str = "evse_tokio_alive_tasks";
/// HTTP connections the dashboard's listener holds open.
pub const CONNECTIONS: &str = "evse_http_connections_open";

/// Every sample of /metrics, labelled series of one name summed. A fresh
/// connection each time, closed after, so scraping adds nothing lasting to
/// what it measures.
pub async fn scrape(port: u16) -> Result<HashMap<String, f64>, String> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("an HTTP client");
    let text = client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| format!("GET /metrics: {e}"))?
        .text()
        .await
        .map_err(|e| format!("GET /metrics: {e}"))?;
    let mut samples = HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut parts = line.split_whitespace();
        let (Some(series), Some(value)) = (parts.next(), parts.next()) else {
            continue;
        };
        let name = series.split('{').next().unwrap_or(series);
        if let Ok(value) = value.parse::<f64>() {
            *samples.entry(name.to_owned()).or_insert(0.0) += value;
        }
    }
    Ok(samples)
}

/// The two gauges the baseline checks read, if the server serves them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gauges {
    pub tasks: f64,
    pub connections: f64,
}

pub async fn gauges(port: Option<u16>) -> Result<Option<Gauges>, String> {
    let Some(port) = port else {
        return Ok(None);
    };
    let samples = scrape(port).await?;
    let get = |name: &str| {
        samples
            .get(name)
            .copied()
            .ok_or_else(|| format!("/metrics has no {name}"))
    };
    Ok(Some(Gauges {
        tasks: get(TASKS)?,
        connections: get(CONNECTIONS)?,
    }))
}
