//! Axum's path and query extractors, refusing with a problem document
//! instead of axum's plain-text 400.

use axum::extract::FromRequestParts;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};

use super::problem::ApiError;

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::Body(format!(
            "the path is not one this API has ({})",
            rejection.body_text()
        ))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::Body(format!(
            "the query string could not be read ({})",
            rejection.body_text()
        ))
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Self::TooLarge
        } else {
            Self::Body("the body could not be received".into())
        }
    }
}
