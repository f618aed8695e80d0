//! Bounded reads (#38). Under overload the server renders at most
//! `--renders-at-once` pages, exports and API reads at once; the others
//! wait their turn in order, up to 16 times as many and for at most
//! [`LONGEST_WAIT`]; past either bound a read is answered `503` with
//! `Retry-After` at once, instead of holding memory and a connection.
//!
//! Changes never wait here: anything but `GET`/`HEAD` (a set, a reset, a
//! login, every server function) goes straight through, and so do
//! `/livez`, `/healthz` and the static files, so a probe and a manager
//! clicking "Set" get their answer whatever the page traffic.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

/// Reads rendered at once by default (`--renders-at-once`): well above
/// what the database's read pool serves at once, so the bound only shapes
/// real overload.
pub const RENDERS_AT_ONCE: usize = 64;
/// Reads waiting for their turn, per read rendered at once, before new
/// ones are turned away.
pub const WAITING_PER_TURN: usize = 16;
/// The longest a read waits for its turn.
pub const LONGEST_WAIT: Duration = Duration::from_secs(10);
/// What a turned-away read is told: try again in a second.
const RETRY_AFTER_S: &str = "1";

#[derive(Clone, Debug)]
pub struct ReadBound {
    turns: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    at_most_waiting: usize,
    longest_wait: Duration,
}

impl Default for ReadBound {
    fn default() -> Self {
        Self::with_turns(RENDERS_AT_ONCE)
    }
}

impl ReadBound {
    /// `at_once` reads rendered at once, 16 times as many waiting.
    pub fn with_turns(at_once: usize) -> Self {
        let at_once = at_once.max(1);
        Self::new(at_once, at_once * WAITING_PER_TURN, LONGEST_WAIT)
    }

    pub fn new(at_once: usize, waiting: usize, longest_wait: Duration) -> Self {
        Self {
            turns: Arc::new(Semaphore::new(at_once)),
            waiting: Arc::default(),
            at_most_waiting: waiting,
            longest_wait,
        }
    }
}

/// Whether `request` is a read that takes a turn.
fn is_bounded(request: &Request) -> bool {
    let path = request.uri().path();
    matches!(*request.method(), Method::GET | Method::HEAD)
        && !matches!(path, "/livez" | "/healthz" | "/favicon.svg")
        && !path.starts_with("/pkg/")
}

/// Counts a read as waiting while it lives.
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

pub async fn limit(State(bound): State<ReadBound>, request: Request, next: Next) -> Response {
    if !is_bounded(&request) {
        return next.run(request).await;
    }
    let turn = match bound.turns.clone().try_acquire_owned() {
        Ok(turn) => turn,
        Err(_) => {
            if bound.waiting.fetch_add(1, Ordering::Relaxed) >= bound.at_most_waiting {
                bound.waiting.fetch_sub(1, Ordering::Relaxed);
                return busy();
            }
            let waiting = Waiting(bound.waiting.clone());
            let turn =
                tokio::time::timeout(bound.longest_wait, bound.turns.clone().acquire_owned()).await;
            drop(waiting);
            match turn {
                Ok(Ok(turn)) => turn,
                _ => return busy(),
            }
        }
    };
    let response = next.run(request).await;
    drop(turn);
    response
}

fn busy() -> Response {
    metrics::counter!(evse_dashboard::metrics::READS_TURNED_AWAY).increment(1);
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_S))],
        "The dashboard is busy. Try again in a moment.",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    /// A router whose `/slow` page holds its turn until `release` fires.
    fn app(bound: ReadBound, release: Arc<tokio::sync::Notify>) -> Router {
        Router::new()
            .route(
                "/slow",
                get(move || {
                    let release = release.clone();
                    async move {
                        release.notified().await;
                        "page"
                    }
                })
                .post(|| async { "changed" }),
            )
            .route("/livez", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(bound, limit))
    }

    fn request(method: Method, path: &str) -> Request {
        Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .unwrap()
    }

    #[tokio::test]
    async fn past_the_bound_a_read_is_turned_away_but_changes_and_livez_go_through() {
        let release = Arc::new(tokio::sync::Notify::new());
        let bound = ReadBound::new(1, 1, Duration::from_secs(30));
        let app = app(bound.clone(), release.clone());
        // One rendering, one waiting: the bound is full.
        let rendering = tokio::spawn(app.clone().oneshot(request(Method::GET, "/slow")));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let waiting = tokio::spawn(app.clone().oneshot(request(Method::GET, "/slow")));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(bound.waiting.load(Ordering::Relaxed), 1);

        let turned_away = app
            .clone()
            .oneshot(request(Method::GET, "/slow"))
            .await
            .unwrap();
        assert_eq!(turned_away.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(turned_away.headers()[header::RETRY_AFTER], "1");

        for (method, path) in [(Method::POST, "/slow"), (Method::GET, "/livez")] {
            let through = tokio::time::timeout(
                Duration::from_secs(1),
                app.clone().oneshot(request(method, path)),
            )
            .await
            .expect("not held by the bound")
            .unwrap();
            assert_eq!(through.status(), StatusCode::OK, "{path}");
        }

        // Once released, both held reads are answered, in turn.
        release.notify_waiters();
        assert_eq!(rendering.await.unwrap().unwrap().status(), StatusCode::OK);
        release.notify_one();
        assert_eq!(waiting.await.unwrap().unwrap().status(), StatusCode::OK);
        assert_eq!(bound.waiting.load(Ordering::Relaxed), 0);
    }

    #[tokio::test]
    async fn a_read_that_waits_too_long_is_turned_away() {
        let release = Arc::new(tokio::sync::Notify::new());
        let bound = ReadBound::new(1, 10, Duration::from_millis(100));
        let app = app(bound.clone(), release.clone());
        let rendering = tokio::spawn(app.clone().oneshot(request(Method::GET, "/slow")));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let late = app
            .clone()
            .oneshot(request(Method::GET, "/slow"))
            .await
            .unwrap();
        assert_eq!(late.status(), StatusCode::SERVICE_UNAVAILABLE);
        release.notify_waiters();
        assert_eq!(rendering.await.unwrap().unwrap().status(), StatusCode::OK);
    }
}
