//! `/api/v1` writes per minute and token (`--api-writes-per-minute`). Its
//! own module: the application state holds it and the REST API's writes
//! check it, and neither imports the other for it.

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// The default of `--api-writes-per-minute`.
pub const DEFAULT_WRITES_PER_MINUTE: u32 = 60;

/// Changes per minute and token, on this instance (several instances each
/// allow this many: the limit protects CLEMAP and the trail from a
/// runaway script, not from a determined client). A replayed answer or a
/// "still running" costs nothing.
#[derive(Clone)]
pub struct WriteRate(Arc<DefaultKeyedRateLimiter<i64>>);

impl std::fmt::Debug for WriteRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteRate")
    }
}

impl WriteRate {
    pub fn per_minute(writes: NonZeroU32) -> Self {
        Self(Arc::new(governor::RateLimiter::keyed(Quota::per_minute(
            writes,
        ))))
    }

    /// `Err`: the token is over its rate; the whole seconds to wait.
    pub fn check(&self, token_id: i64) -> Result<(), u64> {
        self.0.check_key(&token_id).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}
