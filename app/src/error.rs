//! The one error type of every server function. It crosses the wire as
//! JSON with its kind intact, so the UI can tell "log in again" (401) from
//! "fix this field" (422) from "CLEMAP is down" (502), and words each in
//! the reader's language (`crate::words`). The HTTP status comes from the
//! kind, set in one place: [`AppError::ser`].

use evse_dashboard::types::{ClemapFailure, Invalid, Missing, Problem, Role};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AppError {
    /// No session, or it expired: log in again.
    #[error("not logged in")]
    NotLoggedIn,
    #[error("role {role} may not do this; it needs {needed}")]
    Forbidden { role: Role, needed: Role },
    #[error("not found: {0:?}")]
    NotFound(Missing),
    /// Fix this field.
    #[error("invalid input: {0:?}")]
    Invalid(Invalid),
    /// Refused for a reason that is not one field (a duplicate, a wrong
    /// password, a token that does not open…).
    #[error("refused: {0:?}")]
    Refused(Problem),
    /// CLEMAP failed or could not be reached.
    #[error("CLEMAP failed: {0:?}")]
    Upstream(ClemapFailure),
    #[error("too many attempts; try again in {seconds} s")]
    TooManyAttempts { seconds: i64 },
    /// The server is saturated; try again shortly.
    #[error("the server is busy")]
    Busy,
    /// The server failed; the details are in its log, never in the answer.
    #[error("internal error")]
    Internal,
    /// The request's arguments could not be read.
    #[error("the request could not be read")]
    Malformed,
    /// (In the browser) the server could not be reached.
    #[error("the server could not be reached")]
    Network,
}

impl AppError {
    /// The HTTP status the response carries.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotLoggedIn => 401,
            Self::Forbidden { .. } => 403,
            Self::NotFound(_) => 404,
            Self::Invalid(_) => 422,
            Self::Refused(problem) => match problem {
                Problem::WrongCredentials => 401,
                Problem::TooFast { .. } => 429,
                Problem::DuplicateUser { .. }
                | Problem::DuplicateCharger { .. }
                | Problem::DuplicateToken { .. }
                | Problem::TokenKeyMismatch
                | Problem::TokenTampered
                | Problem::AlreadyRunning
                | Problem::ScheduleOverlap { .. } => 409,
                _ => 422,
            },
            Self::Upstream(_) => 502,
            Self::TooManyAttempts { .. } => 429,
            Self::Busy | Self::Network => 503,
            Self::Internal => 500,
            Self::Malformed => 400,
        }
    }
}

impl From<Problem> for AppError {
    fn from(problem: Problem) -> Self {
        match problem {
            Problem::Invalid(invalid) => Self::Invalid(invalid),
            Problem::Clemap(failure) => Self::Upstream(failure),
            Problem::NotFound(missing) => Self::NotFound(missing),
            Problem::Throttled { seconds } => Self::TooManyAttempts { seconds },
            Problem::Busy => Self::Busy,
            Problem::Internal => Self::Internal,
            other => Self::Refused(other),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => Self::Network,
            ServerFnErrorErr::Args(detail)
            | ServerFnErrorErr::MissingArg(detail)
            | ServerFnErrorErr::Deserialization(detail) => {
                #[cfg(feature = "ssr")]
                tracing::warn!(%detail, "unreadable server function request or answer");
                let _ = detail;
                Self::Malformed
            }
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function machinery failed");
                let _ = other;
                Self::Internal
            }
        }
    }

    /// Called by the server to write the error into the response: the one
    /// place the status is set from the kind (server_fn has no other hook
    /// that sees the error).
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        crate::request::set_error_status(self.status());
        <JsonEncoding as leptos::server_fn::Encodes<Self>>::encode(self)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(b"\"internal\""))
    }
}

/// The domain errors, mapped once. Database failures are logged here with
/// their detail and reach the browser only as [`AppError::Internal`].
#[cfg(feature = "ssr")]
mod from_domain {
    use evse_dashboard::alerts::AlertError;
    use evse_dashboard::api_tokens::TokenError;
    use evse_dashboard::audit::query::QueryError;
    use evse_dashboard::auth::AuthError;
    use evse_dashboard::control::ControlError;
    use evse_dashboard::history::sessions::ReportError;
    use evse_dashboard::overview::OverviewError;
    use evse_dashboard::registry::RegistryError;
    use evse_dashboard::schedule::ScheduleError;
    use evse_dashboard::sharing::SharingError;
    use evse_dashboard::sites::SiteError;
    use evse_dashboard::types::Problem;

    use super::AppError;

    fn logged(problem: Problem, error: &dyn std::error::Error) -> AppError {
        if problem == Problem::Internal {
            tracing::error!(%error, "server function failed");
        }
        problem.into()
    }

    macro_rules! from_domain_error {
        ($($error:ty),*) => {$(
            impl From<$error> for AppError {
                fn from(e: $error) -> Self {
                    logged(e.problem(), &e)
                }
            }
        )*};
    }

    from_domain_error!(
        ControlError,
        OverviewError,
        RegistryError,
        AuthError,
        QueryError,
        ScheduleError,
        TokenError,
        AlertError,
        SharingError,
        SiteError,
        ReportError
    );

    impl From<sqlx::Error> for AppError {
        fn from(e: sqlx::Error) -> Self {
            logged(Problem::Internal, &e)
        }
    }
}

#[cfg(test)]
mod tests {
    use evse_dashboard::types::{Field, Rule};

    use super::*;

    #[test]
    fn kinds_keep_their_status_and_survive_the_wire() {
        let cases = [
            (AppError::NotLoggedIn, 401),
            (
                AppError::Forbidden {
                    role: Role::Viewer,
                    needed: Role::Operator,
                },
                403,
            ),
            (Invalid::new(Field::Amps, Rule::Required).into(), 422),
            (
                Problem::Clemap(ClemapFailure::Timeout { seconds: 10 }).into(),
                502,
            ),
            (Problem::Throttled { seconds: 3 }.into(), 429),
            (Problem::Busy.into(), 503),
            (
                Problem::DuplicateUser {
                    username: "a".into(),
                }
                .into(),
                409,
            ),
            (Problem::Internal.into(), 500),
        ];
        for (error, status) in cases {
            assert_eq!(error.status(), status, "{error:?}");
            let wire = serde_json::to_string(&error).unwrap();
            assert_eq!(serde_json::from_str::<AppError>(&wire).unwrap(), error);
        }
    }

    #[test]
    fn framework_failures_become_kinds_without_detail() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args("missing field".into()));
        assert_eq!(e, AppError::Malformed);
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Request("offline".into()));
        assert_eq!(e, AppError::Network);
    }
}
