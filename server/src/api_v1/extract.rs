//! Axum's path and query extractors, refusing with a problem document
//! instead of axum's plain-text 400.

use axum::extract::FromRequestParts;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};

use super::problem::{ApiError, Unreadable};

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

// Axum's own words name parser internals ("Cannot parse … to a `i64`")
// and echo the input whole (a 10 KB id): the log keeps them, the answer
// says what to send instead.
impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        tracing::debug!(why = %rejection.body_text(), "an unreadable path");
        Self::Unreadable(Unreadable::Path)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        tracing::debug!(why = %rejection.body_text(), "an unreadable query");
        Self::Unreadable(Unreadable::Query)
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Self::TooLarge
        } else {
            Self::Unreadable(Unreadable::NotReceived)
        }
    }
}
