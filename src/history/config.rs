//! How often the sampler reads, what it keeps, and how long a target gets
//! to settle before it is judged.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryConfig {
    /// Every charger is read this often.
    pub interval: Duration,
    /// Raw samples are kept this long.
    pub keep_samples: Duration,
    /// 15-minute roll-ups are kept this long.
    pub keep_history: Duration,
    /// A target is first judged from a sample taken at least this long
    /// after CLEMAP received it.
    pub settle: Duration,
    /// Chargers read at once.
    pub concurrency: usize,
    /// How long one charger's reading may take (a hanging station is
    /// recorded as unreachable, the others are not held up).
    pub deadline: Duration,
    /// A charger unreadable this long ends its charging sessions
    /// (`--offline-after`, as alerts call it offline).
    pub offline_after: Duration,
    /// How long after the start the first round runs (tests that count
    /// CLEMAP's requests keep the sampler out of their way).
    pub start_after: Duration,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(30),
            keep_samples: Duration::from_secs(48 * 3600),
            keep_history: Duration::from_secs(400 * 24 * 3600),
            settle: Duration::from_secs(60),
            concurrency: 64,
            deadline: Duration::from_secs(10),
            offline_after: Duration::from_secs(120),
            start_after: Duration::ZERO,
        }
    }
}

impl HistoryConfig {
    /// A charger's deadline: never longer than the interval, so a round
    /// ends before the next one is due.
    pub fn charger_deadline(&self) -> Duration {
        self.deadline
            .min(self.interval)
            .max(Duration::from_millis(100))
    }

    /// The widest gap between two samples that is still integrated (a
    /// longer one, the sampler was down: its energy is unknown, not 0).
    pub fn max_gap_ms(&self) -> i64 {
        i64::try_from(self.interval.as_millis() * 3).unwrap_or(i64::MAX)
    }
}
