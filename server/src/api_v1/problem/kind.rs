//! The kinds of problem, each with its `type` slug and title: one table,
//! which the answers, the OpenAPI document and the reference page read.

use strum::{EnumIter, IntoStaticStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Kind {
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Invalid,
    Conflict,
    Upstream,
    TooManyRequests,
    IdempotencyKey,
    Malformed,
    TooLarge,
    Unavailable,
    Internal,
}

impl Kind {
    /// `not-found`: the fragment of its `type` on the reference page.
    pub fn slug(self) -> &'static str {
        self.into()
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Unauthorized => "Missing or invalid API token",
            Self::Forbidden => "The token's role may not do this",
            Self::NotFound => "No such resource",
            Self::MethodNotAllowed => "Method not allowed here",
            Self::Invalid => "Invalid input",
            Self::Conflict => "Refused in the current state",
            Self::Upstream => "CLEMAP failed",
            Self::TooManyRequests => "Too many requests",
            Self::IdempotencyKey => "Idempotency-Key cannot be used",
            Self::Malformed => "Malformed request",
            Self::TooLarge => "Request body too large",
            Self::Unavailable => "Temporarily unavailable",
            Self::Internal => "Internal error",
        }
    }

    /// The kind an HTTP status stands for.
    pub fn of_status(status: u16) -> Self {
        match status {
            400 => Self::Malformed,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            409 => Self::Conflict,
            413 => Self::TooLarge,
            422 => Self::Invalid,
            429 => Self::TooManyRequests,
            502 => Self::Upstream,
            503 => Self::Unavailable,
            _ => Self::Internal,
        }
    }
}
