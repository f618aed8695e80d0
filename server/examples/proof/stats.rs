//! Latencies and failures per route, and the table they print as. Samples
//! are kept whole (a few hundred thousand u32s at most) so percentiles are
//! exact, not estimated from buckets.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::client::{Answer, Transport};

#[derive(Debug, Default, Clone)]
pub struct Route {
    /// Microseconds of every answered request.
    pub micros: Vec<u32>,
    pub server_errors: u64,
    /// Answered, but neither 2xx nor 5xx (e.g. a redirect to /login).
    pub unexpected: u64,
    pub transport: u64,
    /// The first few problems, to say what went wrong.
    pub examples: Vec<String>,
}

impl Route {
    pub fn count(&self) -> usize {
        self.micros.len() + self.transport as usize
    }

    /// Nearest-rank percentile, milliseconds.
    pub fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.micros.clone();
        sorted.sort_unstable();
        percentile_of(&sorted, p)
    }

    fn note(&mut self, example: String) {
        if self.examples.len() < 3 {
            self.examples.push(example);
        }
    }
}

pub fn percentile_of(sorted_micros: &[u32], p: f64) -> f64 {
    if sorted_micros.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted_micros.len() as f64).ceil() as usize;
    f64::from(sorted_micros[rank.clamp(1, sorted_micros.len()) - 1]) / 1000.0
}

/// Shared by every session of a run.
#[derive(Default)]
pub struct Recorder(Mutex<BTreeMap<String, Route>>);

impl Recorder {
    pub fn record(&self, route: &str, result: &Result<Answer, Transport>) {
        let mut routes = self.0.lock().expect("recorder poisoned");
        let entry = routes.entry(route.to_owned()).or_default();
        match result {
            Ok(answer) => {
                entry.micros.push(micros(answer.elapsed));
                match answer.status {
                    200..=299 => {}
                    500..=599 => {
                        entry.server_errors += 1;
                        entry.note(format!("HTTP {}: {:.120}", answer.status, answer.text()));
                    }
                    status => {
                        entry.unexpected += 1;
                        entry.note(format!("HTTP {status}: {:.120}", answer.text()));
                    }
                }
            }
            Err(e) => {
                entry.transport += 1;
                entry.note(format!("transport: {e}"));
            }
        }
    }

    pub fn routes(&self) -> BTreeMap<String, Route> {
        self.0.lock().expect("recorder poisoned").clone()
    }
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

/// Prints one row per route; returns the totals of 5xx, unexpected
/// statuses and transport errors.
pub fn print_table(routes: &BTreeMap<String, Route>, seconds: f64) -> (u64, u64, u64) {
    println!(
        "{:<28} {:>8} {:>8} {:>9} {:>9} {:>9} {:>5} {:>6} {:>9}",
        "route", "count", "req/s", "p50 ms", "p99 ms", "max ms", "5xx", "other", "transport"
    );
    let (mut s5, mut other, mut transport) = (0, 0, 0);
    for (name, route) in routes {
        println!(
            "{:<28} {:>8} {:>8.0} {:>9.1} {:>9.1} {:>9.1} {:>5} {:>6} {:>9}",
            name,
            route.count(),
            route.count() as f64 / seconds.max(0.001),
            route.percentile(50.0),
            route.percentile(99.0),
            route.percentile(100.0),
            route.server_errors,
            route.unexpected,
            route.transport
        );
        s5 += route.server_errors;
        other += route.unexpected;
        transport += route.transport;
        for example in &route.examples {
            println!("    e.g. {example}");
        }
    }
    (s5, other, transport)
}
