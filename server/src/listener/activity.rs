//! What a connection is doing, so an idle one can be closed: a client
//! that never completes a request (no bytes, part of the HTTP/2 preface, a
//! trickled header) or stops sending them would otherwise keep its
//! connection, and with enough of them every slot of the server.
//!
//! A request counts as active from its complete head until its response
//! body has been handed to the socket (a streamed CSV export stays active
//! while it streams).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use tokio::time::Instant;

/// One connection's activity, shared by its requests and its watchdog.
pub struct Activity {
    opened: Instant,
    /// Milliseconds after `opened` of the last change (a request began or
    /// finished).
    last_change_ms: AtomicU64,
    in_flight: AtomicUsize,
    served_any: AtomicBool,
}

impl Activity {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            opened: Instant::now(),
            last_change_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            served_any: AtomicBool::new(false),
        })
    }

    /// A request's head arrived; active until the guard is dropped.
    pub fn begin(self: &Arc<Self>) -> Busy {
        self.served_any.store(true, Ordering::Relaxed);
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.touch();
        Busy(Arc::clone(self))
    }

    fn touch(&self) {
        let ms = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_change_ms.store(ms, Ordering::Relaxed);
    }

    /// Completes once the connection has been idle too long: no complete
    /// request within `first` of opening, or none running for `idle`
    /// after the last one finished.
    pub async fn idle_for_too_long(&self, first: Duration, idle: Duration) {
        loop {
            let busy = self.in_flight.load(Ordering::Acquire) > 0;
            let limit = if self.served_any.load(Ordering::Relaxed) {
                idle
            } else {
                first
            };
            let since = self.opened.elapsed().saturating_sub(Duration::from_millis(
                self.last_change_ms.load(Ordering::Relaxed),
            ));
            if !busy && since >= limit {
                return;
            }
            // Busy: look again a full period later; idle: when it is due.
            let wait = if busy { limit } else { limit - since };
            tokio::time::sleep(wait.max(Duration::from_millis(10))).await;
        }
    }
}

/// A request in progress; finishing it is activity too.
pub struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.touch();
    }
}

/// A response body that keeps its request counted as active until the
/// body is done (or dropped, when the client goes away).
pub struct Tracked {
    body: Body,
    _busy: Busy,
}

impl Tracked {
    pub fn wrap(response: axum::response::Response, busy: Busy) -> axum::response::Response {
        response.map(|body| Body::new(Tracked { body, _busy: busy }))
    }
}

impl HttpBody for Tracked {
    type Data = <Body as HttpBody>::Data;
    type Error = <Body as HttpBody>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_connection_without_a_request_is_idle_after_the_first_deadline() {
        let activity = Activity::new();
        let started = Instant::now();
        activity
            .idle_for_too_long(Duration::from_secs(10), Duration::from_secs(60))
            .await;
        let waited = started.elapsed();
        assert!(waited >= Duration::from_secs(10) && waited < Duration::from_secs(11));
    }

    #[tokio::test(start_paused = true)]
    async fn a_running_request_keeps_it_open_and_idleness_counts_from_its_end() {
        let activity = Activity::new();
        let busy = activity.begin();
        let watchdog = {
            let activity = Arc::clone(&activity);
            tokio::spawn(async move {
                let started = Instant::now();
                activity
                    .idle_for_too_long(Duration::from_secs(10), Duration::from_secs(60))
                    .await;
                started.elapsed()
            })
        };
        tokio::time::sleep(Duration::from_secs(100)).await;
        assert!(!watchdog.is_finished(), "a running request is not idle");
        drop(busy);
        let waited = watchdog.await.unwrap();
        assert!(
            waited >= Duration::from_secs(160) && waited < Duration::from_secs(221),
            "{waited:?}"
        );
    }
}
