//! What can go wrong talking to CLEMAP. Every variant carries what an
//! operator needs to diagnose (HTTP status, a short excerpt of the body)
//! and nothing secret: bodies are scrubbed of the token before they are
//! kept, and transport errors are stripped of their URL.

use std::time::Duration;

use crate::problem::ClemapFailure;

/// How much of an upstream body an error keeps.
pub(crate) const EXCERPT_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClemapError {
    #[error("CLEMAP rejected this charger's token (HTTP {status})")]
    Unauthorized { status: u16, excerpt: String },
    #[error("CLEMAP does not know this edge device or charger (HTTP {status})")]
    NotFound { status: u16, excerpt: String },
    #[error("CLEMAP refused the request as invalid (HTTP {status}): {excerpt}")]
    BadRequest { status: u16, excerpt: String },
    #[error("CLEMAP had a problem of its own (HTTP {status})")]
    Upstream { status: u16, excerpt: String },
    #[error("CLEMAP answered with an unexpected HTTP {status}")]
    UnexpectedStatus { status: u16, excerpt: String },
    #[error("CLEMAP did not answer within {} s", timeout.as_secs_f32())]
    Timeout { timeout: Duration },
    #[error("could not reach CLEMAP: {reason}")]
    Transport { reason: String },
    #[error("CLEMAP's answer was larger than {limit} bytes (HTTP {status})")]
    TooLarge { status: u16, limit: usize },
    #[error("CLEMAP's answer could not be read (HTTP {status}): {reason}")]
    Undecodable {
        status: u16,
        reason: String,
        excerpt: String,
    },
}

impl ClemapError {
    /// The upstream HTTP status, when CLEMAP answered at all.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { status, .. }
            | Self::NotFound { status, .. }
            | Self::BadRequest { status, .. }
            | Self::Upstream { status, .. }
            | Self::UnexpectedStatus { status, .. }
            | Self::Undecodable { status, .. }
            | Self::TooLarge { status, .. } => Some(*status),
            Self::Timeout { .. } | Self::Transport { .. } => None,
        }
    }

    /// The (scrubbed, shortened) upstream body, when there was one.
    pub fn excerpt(&self) -> Option<&str> {
        match self {
            Self::Unauthorized { excerpt, .. }
            | Self::NotFound { excerpt, .. }
            | Self::BadRequest { excerpt, .. }
            | Self::Upstream { excerpt, .. }
            | Self::UnexpectedStatus { excerpt, .. }
            | Self::Undecodable { excerpt, .. } => Some(excerpt),
            Self::Timeout { .. } | Self::Transport { .. } | Self::TooLarge { .. } => None,
        }
    }

    /// Worth another try for a read: the request may not have arrived, or
    /// CLEMAP had a passing problem.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Transport { .. } => true,
            Self::Upstream { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// What the UI and the audit trail keep of this failure: the kind,
    /// the status, and (for an invalid request) the scrubbed excerpt.
    pub fn failure(&self) -> ClemapFailure {
        match self {
            Self::Unauthorized { status, .. } => ClemapFailure::TokenRejected { status: *status },
            Self::NotFound { status, .. } => ClemapFailure::UnknownStation { status: *status },
            Self::BadRequest { status, excerpt } => ClemapFailure::InvalidRequest {
                status: *status,
                excerpt: excerpt.clone(),
            },
            Self::Upstream { status, .. } => ClemapFailure::UpstreamError { status: *status },
            Self::UnexpectedStatus { status, .. } => {
                ClemapFailure::UnexpectedStatus { status: *status }
            }
            Self::Timeout { timeout } => ClemapFailure::Timeout {
                seconds: u32::try_from(timeout.as_secs()).unwrap_or(u32::MAX).max(1),
            },
            Self::Transport { .. } => ClemapFailure::Unreachable,
            Self::Undecodable { status, .. } | Self::TooLarge { status, .. } => {
                ClemapFailure::Unreadable { status: *status }
            }
        }
    }

    /// Classifies a non-success answer.
    pub(crate) fn from_status(status: u16, excerpt: String) -> Self {
        match status {
            401 | 403 => Self::Unauthorized { status, excerpt },
            404 => Self::NotFound { status, excerpt },
            400 | 422 => Self::BadRequest { status, excerpt },
            500..=599 => Self::Upstream { status, excerpt },
            _ => Self::UnexpectedStatus { status, excerpt },
        }
    }
}

/// The first [`EXCERPT_CHARS`] characters of `body`, with the token removed
/// and whitespace collapsed so it fits on one log line.
pub(crate) fn excerpt(body: &str, token: &str) -> String {
    let scrubbed = crate::secret::scrub(body, token);
    let mut out: String = scrubbed
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(EXCERPT_CHARS)
        .collect();
    if scrubbed.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified() {
        let e = |s| ClemapError::from_status(s, String::new());
        assert!(matches!(e(401), ClemapError::Unauthorized { .. }));
        assert!(matches!(e(403), ClemapError::Unauthorized { .. }));
        assert!(matches!(e(404), ClemapError::NotFound { .. }));
        assert!(matches!(e(400), ClemapError::BadRequest { .. }));
        assert!(matches!(e(422), ClemapError::BadRequest { .. }));
        assert!(matches!(e(503), ClemapError::Upstream { .. }));
        assert!(matches!(e(302), ClemapError::UnexpectedStatus { .. }));
        assert!(e(503).is_transient());
        assert!(!e(501).is_transient());
        assert!(!e(401).is_transient());
        assert_eq!(e(404).http_status(), Some(404));
    }

    #[test]
    fn excerpts_are_short_scrubbed_and_single_line() {
        let body = format!("bad token SECRET123\n\n{}", "x".repeat(500));
        let ex = excerpt(&body, "SECRET123");
        assert!(!ex.contains("SECRET123"));
        assert!(ex.starts_with("bad token [redacted] x"));
        assert!(!ex.contains('\n'));
        assert_eq!(ex.chars().count(), EXCERPT_CHARS + 1);
    }
}
