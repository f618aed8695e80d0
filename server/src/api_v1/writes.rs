//! What every write of `/api/v1` goes through after its role check: an
//! earlier answer to its `Idempotency-Key`, then the token's rate, then
//! the key's claim and the change itself, whose
//! answer is kept for the key. All of it on a task of its own, so a client
//! that goes away (or the request timeout) never leaves a key claimed but
//! unanswered.

use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use axum::response::{IntoResponse, Response};
use evse_dashboard::api_tokens::idempotency::{self, Answer, Claim, MAX_KEY_CHARS};

use super::caller::Caller;
use super::problem::{ApiError, KeyProblem, json_answer};
use crate::state::AppState;

/// The header every change takes, as the OpenAPI document describes it.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct KeyHeader {
    /// The same key from the same token within 24 h answers the first
    /// answer again, with no second call to CLEMAP and no second audit
    /// event (a UUID per change; reuse it only to retry that change).
    #[serde(rename = "Idempotency-Key")]
    #[param(min_length = 1, max_length = 255, pattern = r"^[!-~]+$")]
    #[allow(dead_code)] // read from the headers by `key`, documented here
    idempotency_key: Option<String>,
}

/// A write request as far as idempotency cares: its key, and what makes
/// two requests "the same" (method, path, body).
pub struct WriteRequest {
    key: Result<Option<String>, ApiError>,
    fingerprint: String,
}

impl WriteRequest {
    pub fn new(method: Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Self {
        Self {
            key: key(headers),
            fingerprint: idempotency::fingerprint(method.as_str(), uri.path(), body),
        }
    }
}

/// A write's answer: its status and JSON body (a problem from 400 up).
pub type Answered = (u16, String);

/// Runs `change` at most once per `Idempotency-Key`, within the token's
/// rate. Without a key it simply runs.
pub async fn run<F>(state: &AppState, caller: &Caller, request: WriteRequest, change: F) -> Response
where
    F: Future<Output = Result<Answered, ApiError>> + Send + 'static,
{
    let key = match request.key {
        Ok(key) => key,
        Err(e) => return e.into_response(),
    };
    let (state, token) = (state.clone(), caller.token.id);
    let work = tokio::spawn(async move {
        match key {
            Some(key) => once(&state, token, &key, &request.fingerprint, change).await,
            None => match state.write_rate.check(token) {
                Ok(()) => answer(change.await),
                Err(retry_after_secs) => ApiError::RateLimited { retry_after_secs }.into_response(),
            },
        }
    });
    work.await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "an API write's task ended abnormally");
        ApiError::App(app::error::AppError::Internal).into_response()
    })
}

async fn once<F>(state: &AppState, token: i64, key: &str, fingerprint: &str, change: F) -> Response
where
    F: Future<Output = Result<Answered, ApiError>>,
{
    let keys = state.services.api_tokens.idempotency_keys();
    let now = chrono::Utc::now();
    // A repeat is answered before the rate is checked (it costs none), and
    // the rate before the key is claimed: a token over its rate writes
    // nothing at all.
    let claimed = match keys.earlier(token, key, fingerprint, now).await {
        Ok(Some(earlier)) => Ok(earlier),
        Ok(None) => match state.write_rate.check(token) {
            Ok(()) => keys.claim(token, key, fingerprint, now).await,
            Err(retry_after_secs) => {
                return ApiError::RateLimited { retry_after_secs }.into_response();
            }
        },
        Err(e) => Err(e),
    };
    match claimed {
        Ok(Claim::Fresh) => {}
        Ok(Claim::Replay(first)) => {
            let mut response = json_answer(first.status, first.body);
            let replayed = HeaderValue::from_static("true");
            response
                .headers_mut()
                .insert("idempotent-replayed", replayed);
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
    let result = change.await;
    if !worth_keeping(&result) {
        give_up(state, token, key).await;
        return answer(result);
    }
    let (status, body) = result.unwrap_or_else(|e| {
        let body = serde_json::to_string(&e.details()).unwrap_or_default();
        (e.status(), body)
    });
    let kept = Answer { status, body };
    if let Err(e) = keys.finish(token, key, &kept).await {
        // The change happened and is audited; only a repeat of this key
        // will be told to look at the trail instead of getting this answer.
        tracing::error!(error = %e, "could not keep an idempotent answer");
    }
    json_answer(kept.status, kept.body)
}

/// Whether a repeat of the key should get this answer again: CLEMAP's
/// answers, audited refusals and failures, and refusals the same request
/// would always get. Not a failure of the server before anything was
/// audited, nor "another change of this token still runs" (409): a retry
/// with the same key may get past those.
fn worth_keeping(result: &Result<Answered, ApiError>) -> bool {
    match result {
        Ok(_) | Err(ApiError::Audited { .. }) => true,
        Err(e) => (400..500).contains(&e.status()) && e.status() != 409,
    }
}

async fn give_up(state: &AppState, token: i64, key: &str) {
    if let Err(e) = state
        .services
        .api_tokens
        .idempotency_keys()
        .release(token, key)
        .await
    {
        tracing::error!(error = %e, "could not release an idempotency key");
    }
}

/// The `Idempotency-Key` header, if sent: 1 to 255 printable ASCII.
fn key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|k| (1..=MAX_KEY_CHARS).contains(&k.len()))
        .filter(|k| k.bytes().all(|b| b.is_ascii_graphic()))
        .map(|k| Some(k.to_owned()))
        .ok_or(ApiError::Idempotency(KeyProblem::Malformed))
}

fn answer(result: Result<Answered, ApiError>) -> Response {
    match result {
        Ok((status, body)) => json_answer(status, body),
        Err(e) => e.into_response(),
    }
}
