//! How long each step of a change took (#38). A change that took longer
//! than [`SLOW`] is logged with its steps, so that "a set waited" always
//! comes with where it waited: the charger's row, the intent's audit row,
//! the token, CLEMAP, the completion, or reading the outcome back.

use std::time::{Duration, Instant};

/// A change slower than this is logged with its steps.
pub const SLOW: Duration = Duration::from_millis(500);

/// The steps of one change, in order.
#[derive(Debug)]
pub struct Steps {
    started: Instant,
    last: Instant,
    took: Vec<(&'static str, Duration)>,
}

impl Default for Steps {
    fn default() -> Self {
        let now = Instant::now();
        Self {
            started: now,
            last: now,
            took: Vec::with_capacity(6),
        }
    }
}

impl Steps {
    /// Ends the step called `name`: it took the time since the last one.
    pub fn done(&mut self, name: &'static str) {
        let now = Instant::now();
        self.took.push((name, now - self.last));
        self.last = now;
    }

    pub fn total(&self) -> Duration {
        self.last - self.started
    }

    /// "charger 0 ms, intent 812 ms, …".
    pub fn describe(&self) -> String {
        self.took
            .iter()
            .map(|(name, took)| format!("{name} {} ms", took.as_millis()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Logs the change's steps when it was slow.
    pub fn log_if_slow(&self, what: &str, charger_id: i64) {
        let total = self.total();
        if total >= SLOW {
            tracing::warn!(
                charger = charger_id,
                total_ms = total.as_millis() as u64,
                steps = %self.describe(),
                "{what} was slow"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_takes_the_time_since_the_one_before() {
        let mut steps = Steps::default();
        std::thread::sleep(Duration::from_millis(5));
        steps.done("first");
        steps.done("second");
        let text = steps.describe();
        assert!(text.starts_with("first "), "{text}");
        assert!(text.contains(", second 0 ms"), "{text}");
        assert!(steps.total() >= Duration::from_millis(5));
    }
}
