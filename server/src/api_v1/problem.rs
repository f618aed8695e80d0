//! Every error of `/api/v1` as `application/problem+json` (RFC 9457):
//! `type`, `title`, `status`, `detail`. The detail of a refusal the UI
//! also knows is the UI's own English sentence (`app::words`), so an
//! integration and a person read the same thing.

use app::error::AppError;
use app::language::Locale;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::openapi::{self, RefOr};
use utoipa::{IntoResponses, ToSchema};

/// Why a request was refused or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// What a server function would answer: the same status and sentence.
    App(AppError),
    /// No usable token (RFC 6750 `WWW-Authenticate: Bearer`).
    Unauthorized(Unauthorized),
    /// Past the token's writes per minute.
    RateLimited { retry_after_secs: u64 },
    /// The JSON body is not what the operation takes.
    Body(String),
    /// An `Idempotency-Key` that cannot be honoured.
    Idempotency(KeyProblem),
    /// A refused or failed write that was audited: its event.
    Audited { error: AppError, audit_id: i64 },
    /// A history asked for more days than one answer carries.
    TooManyDays { asked: i64 },
    /// A path or method the API does not have.
    NoSuchOperation,
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

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

/// The most days one history answer covers.
pub const MAX_HISTORY_DAYS: i64 = 31;

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
}

/// The problem kinds: `(slug, title)`; the reference page lists them.
pub const KINDS: &[(&str, &str)] = &[
    ("unauthorized", "Missing or invalid API token"),
    ("forbidden", "The token's role may not do this"),
    ("not-found", "No such resource"),
    ("invalid", "Invalid input"),
    ("conflict", "Refused in the current state"),
    ("upstream", "CLEMAP failed"),
    ("too-many-requests", "Too many requests"),
    ("idempotency-key", "Idempotency-Key cannot be used"),
    ("malformed", "Malformed request"),
    ("unavailable", "Temporarily unavailable"),
    ("internal", "Internal error"),
];

fn slug(status: u16) -> &'static str {
    match status {
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        409 => "conflict",
        413 => "malformed",
        422 => "invalid",
        429 => "too-many-requests",
        502 => "upstream",
        503 => "unavailable",
        400 => "malformed",
        _ => "internal",
    }
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            Self::App(e) | Self::Audited { error: e, .. } => e.status(),
            Self::Unauthorized(_) => 401,
            Self::RateLimited { .. } => 429,
            Self::Body(_) => 400,
            Self::TooManyDays { .. } => 422,
            Self::NoSuchOperation => 404,
            Self::TooLarge => 413,
            Self::Idempotency(KeyProblem::Malformed) => 400,
            Self::Idempotency(KeyProblem::Reused) => 422,
            Self::Idempotency(KeyProblem::Running | KeyProblem::Unfinished) => 409,
        }
    }

    fn detail(&self) -> String {
        let day = |at: &Option<DateTime<Utc>>| {
            at.map(|at| format!(" on {}", at.format("%Y-%m-%d %H:%M UTC")))
                .unwrap_or_default()
        };
        match self {
            Self::App(e) | Self::Audited { error: e, .. } => {
                app::words::error_sentence(Locale::en, e)
            }
            Self::Unauthorized(Unauthorized::Missing) => "This request carries no API token. \
                Send it as `Authorization: Bearer <token>`; an admin makes tokens on the \
                API tokens page or with `evse-dashboard token add`."
                .into(),
            Self::Unauthorized(Unauthorized::Unknown) => "This API token is not known. Check \
                that it was copied whole, or ask an admin for a new one."
                .into(),
            Self::Unauthorized(Unauthorized::Expired(at)) => format!(
                "This API token expired{}. Ask an admin for a new one.",
                day(at)
            ),
            Self::Unauthorized(Unauthorized::Revoked(at)) => format!(
                "This API token was revoked{}. Ask an admin for a new one.",
                day(at)
            ),
            Self::RateLimited { retry_after_secs } => format!(
                "This token sent more changes than it may per minute. Send the next one in \
                 {retry_after_secs} s."
            ),
            Self::Body(why) => format!("The request could not be read: {why}."),
            Self::NoSuchOperation => "There is no such operation here; /api/v1/docs lists \
                the ones there are."
                .into(),
            Self::TooLarge => "The request body is larger than this API reads (16 KB); a \
                change is a few dozen bytes of JSON."
                .into(),
            Self::TooManyDays { asked } => format!(
                "One answer covers at most {MAX_HISTORY_DAYS} days (this asked for {asked}). \
                 Ask for fewer days at a time, or download the CSV export, which takes any range."
            ),
            Self::Idempotency(KeyProblem::Malformed) => "An Idempotency-Key must be 1 to 255 \
                printable ASCII characters (a UUID is a good choice)."
                .into(),
            Self::Idempotency(KeyProblem::Reused) => "This Idempotency-Key was already used \
                for a different request. Use a new key for each new change."
                .into(),
            Self::Idempotency(KeyProblem::Running) => "The first request with this \
                Idempotency-Key is still running. Send it again in a moment to get its answer."
                .into(),
            Self::Idempotency(KeyProblem::Unfinished) => "The first request with this \
                Idempotency-Key did not finish (the server stopped meanwhile). Check the audit \
                trail for what happened before sending the change again with a new key."
                .into(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Idempotency(_) => "idempotency-key",
            Self::Body(_) | Self::TooLarge => "malformed",
            other => slug(other.status()),
        }
    }

    /// The problem document and its status.
    pub fn details(&self) -> ProblemDetails {
        let kind = self.kind();
        let title = KINDS
            .iter()
            .find(|(slug, _)| *slug == kind)
            .map_or("Error", |(_, title)| title);
        ProblemDetails {
            kind: format!("/api/v1/docs#problem-{kind}"),
            title: title.to_owned(),
            status: self.status(),
            detail: self.detail(),
            audit_id: match self {
                Self::Audited { audit_id, .. } => Some(*audit_id),
                _ => None,
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

/// The problem answers an operation documents, each a [`ProblemDetails`]
/// as `application/problem+json` described by its kind's title: written
/// once here, named by each operation (`responses(…, ReadProblems)`).
fn documented(statuses: &[u16]) -> BTreeMap<String, RefOr<openapi::Response>> {
    let mut responses = openapi::ResponsesBuilder::new();
    for &status in statuses {
        let kind = slug(status);
        let title = KINDS
            .iter()
            .find(|(s, _)| *s == kind)
            .map_or("Error", |(_, t)| t);
        let content = openapi::ContentBuilder::new()
            .schema(Some(openapi::Ref::from_schema_name("ProblemDetails")))
            .build();
        let response = openapi::ResponseBuilder::new()
            .description(title)
            .content(PROBLEM_JSON, content);
        responses = responses.response(status.to_string(), response);
    }
    responses.build().into()
}

/// What a read may answer besides its data (502: a read of CLEMAP).
pub struct ReadProblems;

impl IntoResponses for ReadProblems {
    fn responses() -> BTreeMap<String, RefOr<openapi::Response>> {
        documented(&[400, 401, 404, 422, 502])
    }
}

/// What a set or reset may answer besides CLEMAP's answer: refused before
/// anything was sent (400, 401, 403, 404, 413, 422, 429), the key in use
/// (409), CLEMAP failed (502, audited).
pub struct WriteProblems;

impl IntoResponses for WriteProblems {
    fn responses() -> BTreeMap<String, RefOr<openapi::Response>> {
        documented(&[400, 401, 403, 404, 409, 413, 422, 429, 502])
    }
}
