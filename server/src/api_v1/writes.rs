//! What every write of `/api/v1` goes through after its role check: the
//! token's rate, then its `Idempotency-Key`, then the change itself, whose
//! answer is kept for the key.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use evse_dashboard::api_tokens::idempotency::{self, Answer, Claim, MAX_KEY_CHARS};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::caller::Caller;
use super::problem::{ApiError, KeyProblem, json_answer};
use crate::state::AppState;

/// The default of `--api-writes-per-minute`.
pub const DEFAULT_WRITES_PER_MINUTE: u32 = 60;

/// Writes per minute and token, on this instance (several instances each
/// allow this many: the limit protects CLEMAP and the trail from a
/// runaway script, not from a determined client).
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

    fn check(&self, token_id: i64) -> Result<(), ApiError> {
        self.0.check_key(&token_id).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::RateLimited {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}

impl Default for WriteRate {
    fn default() -> Self {
        Self::per_minute(NonZeroU32::new(DEFAULT_WRITES_PER_MINUTE).unwrap_or(NonZeroU32::MIN))
    }
}

/// One write request as it arrived: enough to tell a repeat from a new one.
pub struct WriteRequest<'a> {
    pub method: Method,
    pub path: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

impl<'a> WriteRequest<'a> {
    pub fn new(method: Method, uri: &'a Uri, headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        Self {
            method,
            path: uri.path(),
            headers,
            body,
        }
    }
}

/// A write's answer: its status and JSON body (a problem from 400 up).
pub type Answered = (u16, String);

/// Runs `change` at most once per `Idempotency-Key`, within the token's
/// rate. Without a key it simply runs.
pub async fn run<F>(
    state: &AppState,
    caller: &Caller,
    request: WriteRequest<'_>,
    change: F,
) -> Response
where
    F: Future<Output = Result<Answered, ApiError>>,
{
    if let Err(e) = state.write_rate.check(caller.token.id) {
        return e.into_response();
    }
    let key = match key(request.headers) {
        Ok(key) => key,
        Err(e) => return e.into_response(),
    };
    let Some(key) = key else {
        return answer(change.await);
    };
    let db = &state.services.db;
    let token = caller.token.id;
    let fingerprint = idempotency::fingerprint(request.method.as_str(), request.path, request.body);
    let claim = idempotency::claim(db, token, key, &fingerprint, chrono::Utc::now()).await;
    match claim {
        Ok(Claim::Fresh) => {}
        Ok(Claim::Replay(first)) => {
            let mut response = json_answer(first.status, first.body);
            response.headers_mut().insert(
                "idempotent-replayed",
                axum::http::HeaderValue::from_static("true"),
            );
            return response;
        }
        Ok(Claim::Mismatch) => return ApiError::Idempotency(KeyProblem::Reused).into_response(),
        Ok(Claim::Running) => return ApiError::Idempotency(KeyProblem::Running).into_response(),
        Ok(Claim::Unfinished) => {
            return ApiError::Idempotency(KeyProblem::Unfinished).into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "could not claim an idempotency key");
            return ApiError::App(app::error::AppError::Internal).into_response();
        }
    }
    let (status, body) = settle(change.await);
    let kept = Answer { status, body };
    if let Err(e) = idempotency::finish(db, token, key, &kept).await {
        // The change happened and is audited; only a repeat of this key
        // will be told to look at the trail instead of getting this answer.
        tracing::error!(error = %e, "could not keep an idempotent answer");
    }
    json_answer(kept.status, kept.body)
}

/// The `Idempotency-Key` header, if sent: 1 to 255 printable ASCII.
fn key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|k| (1..=MAX_KEY_CHARS).contains(&k.len()))
        .filter(|k| k.bytes().all(|b| b.is_ascii_graphic()))
        .map(Some)
        .ok_or(ApiError::Idempotency(KeyProblem::Malformed))
}

fn settle(result: Result<Answered, ApiError>) -> Answered {
    result.unwrap_or_else(|e| {
        let body = serde_json::to_string(&e.details()).unwrap_or_default();
        (e.status(), body)
    })
}

fn answer(result: Result<Answered, ApiError>) -> Response {
    match result {
        Ok((status, body)) => json_answer(status, body),
        Err(e) => e.into_response(),
    }
}
