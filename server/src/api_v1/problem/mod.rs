//! Every error of `/api/v1` as `application/problem+json` (RFC 9457):
//! `type`, `title`, `status`, `detail`. The detail of a refusal the UI
//! also knows is the UI's own English sentence (`app::words`), so an
//! integration and a person read the same thing.

mod detail;
mod documented;
mod kind;

use app::error::AppError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub use documented::{ReadProblems, WriteProblems};
pub use kind::Kind;

/// The most days one history answer covers.
pub const MAX_HISTORY_DAYS: i64 = 31;

/// Why a request was refused or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// What a server function would answer: the same status and sentence.
    App(AppError),
    /// No usable token (RFC 6750 `WWW-Authenticate: Bearer`).
    Unauthorized(Unauthorized),
    /// Past the token's changes per minute.
    RateLimited { retry_after_secs: u64 },
    /// The request is not what the operation reads.
    Unreadable(Unreadable),
    /// An `Idempotency-Key` that cannot be honoured.
    Idempotency(KeyProblem),
    /// A refused or failed write that was audited: its events.
    Audited {
        error: AppError,
        audit_ids: Vec<i64>,
    },
    /// A history asked for more days than one answer carries.
    TooManyDays { asked: i64 },
    /// A path the API does not have.
    NoSuchOperation,
    /// A method the path does not take.
    MethodNotAllowed,
    /// A body over the API's limit.
    TooLarge,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unauthorized {
    Missing,
    Unknown,
    Expired(Option<DateTime<Utc>>),
    Revoked(Option<DateTime<Utc>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProblem {
    /// Not 1 to 255 printable ASCII characters.
    Malformed,
    /// Sent before with another request.
    Reused,
    /// The first request with it still runs.
    Running,
    /// The first request with it never finished.
    Unfinished,
}

/// What could not be read, and the value where it helps to say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// A change's body is not a JSON object.
    NotAnObject,
    /// A change's body has a field the API does not know (a misspelt
    /// `curent` would otherwise be ignored).
    UnknownField(String),
    /// The body did not arrive whole.
    NotReceived,
    /// A path segment that is not the whole number an id is.
    Path,
    /// A query parameter of the wrong kind (a number that is not one).
    Query,
    /// An audit filter value that is none of ours.
    UnknownAction(String),
    UnknownOutcome(String),
    /// A cursor this API did not give out.
    Cursor,
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDetails {
    /// A URI reference naming the kind of problem; the reference page
    /// (`/api/v1/docs`) explains each.
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind in a few words (the same for every instance of it).
    pub title: String,
    pub status: u16,
    /// What happened and what to do, in one or two sentences.
    pub detail: String,
    /// The audit event that records the refused or failed attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_id: Option<i64>,
    /// A site-wide change refused for every charger: each one's event.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub audit_ids: Vec<i64>,
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            Self::App(e) | Self::Audited { error: e, .. } => e.status(),
            Self::Unauthorized(_) => 401,
            Self::RateLimited { .. } => 429,
            Self::Unreadable(_) => 400,
            Self::TooManyDays { .. } => 422,
            Self::NoSuchOperation => 404,
            Self::MethodNotAllowed => 405,
            Self::TooLarge => 413,
            Self::Idempotency(KeyProblem::Malformed) => 400,
            Self::Idempotency(KeyProblem::Reused) => 422,
            Self::Idempotency(KeyProblem::Running | KeyProblem::Unfinished) => 409,
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Self::Idempotency(_) => Kind::IdempotencyKey,
            other => Kind::of_status(other.status()),
        }
    }

    /// The problem document.
    pub fn details(&self) -> ProblemDetails {
        let kind = self.kind();
        let audit_ids = match self {
            Self::Audited { audit_ids, .. } => audit_ids.clone(),
            _ => Vec::new(),
        };
        ProblemDetails {
            kind: format!("/api/v1/docs#problem-{}", kind.slug()),
            title: kind.title().to_owned(),
            status: self.status(),
            detail: detail::sentence(self),
            // One attempt: its event; a site's: the list.
            audit_id: (audit_ids.len() == 1).then(|| audit_ids[0]),
            audit_ids: if audit_ids.len() > 1 {
                audit_ids
            } else {
                Vec::new()
            },
        }
    }
}

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An answer with a JSON body: `application/problem+json` from 400 up.
pub fn json_answer(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let kind = if status.as_u16() >= 400 {
        PROBLEM_JSON
    } else {
        "application/json"
    };
    (status, [(header::CONTENT_TYPE, kind)], body).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_string(&self.details()).unwrap_or_default();
        let mut response = json_answer(self.status(), body);
        let headers = response.headers_mut();
        match &self {
            Self::Unauthorized(why) => {
                let value = match why {
                    Unauthorized::Missing => r#"Bearer realm="evse-dashboard""#,
                    _ => r#"Bearer realm="evse-dashboard", error="invalid_token""#,
                };
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
            }
            Self::RateLimited { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            Self::Idempotency(KeyProblem::Running) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(1));
            }
            _ => {}
        }
        response
    }
}
