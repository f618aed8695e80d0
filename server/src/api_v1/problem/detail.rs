//! The `detail` sentence of each problem: the UI's own sentence where the
//! UI knows the problem, else one written for the API's reader (English:
//! a machine interface, like the CLI).

use app::language::Locale;
use chrono::{DateTime, Utc};

use super::{ApiError, KeyProblem, MAX_HISTORY_DAYS, Unauthorized, Unreadable};

pub fn sentence(error: &ApiError) -> String {
    let day = |at: &Option<DateTime<Utc>>| {
        at.map(|at| format!(" on {}", at.format("%Y-%m-%d %H:%M UTC")))
            .unwrap_or_default()
    };
    match error {
        ApiError::App(e) | ApiError::Audited { error: e, .. } => {
            app::words::error_sentence(Locale::en, e)
        }
        ApiError::Unauthorized(Unauthorized::Missing) => "This request carries no API token. \
            Send it as `Authorization: Bearer <token>`; an admin makes tokens on the API \
            tokens page or with `evse-dashboard token add`."
            .into(),
        ApiError::Unauthorized(Unauthorized::Unknown) => "This API token is not known. Check \
            that it was copied whole, or ask an admin for a new one."
            .into(),
        ApiError::Unauthorized(Unauthorized::Expired(at)) => format!(
            "This API token expired{}. Ask an admin for a new one.",
            day(at)
        ),
        ApiError::Unauthorized(Unauthorized::Revoked(at)) => format!(
            "This API token was revoked{}. Ask an admin for a new one.",
            day(at)
        ),
        ApiError::RateLimited { retry_after_secs } => format!(
            "This token made more changes than it may per minute. Send the next one in \
             {retry_after_secs} s."
        ),
        ApiError::Unreadable(what) => unreadable(what),
        ApiError::NoSuchOperation => "There is no such operation here; /api/v1/docs lists the \
            ones there are."
            .into(),
        ApiError::MethodNotAllowed => "This path does not take that method; /api/v1/docs \
            lists the operations of each path."
            .into(),
        ApiError::TooLarge => "The request body is larger than this API reads (16 KB); a \
            change is a few dozen bytes of JSON."
            .into(),
        ApiError::TooManyDays { asked } => format!(
            "One answer covers at most {MAX_HISTORY_DAYS} days (this asked for {asked}). Ask \
             for fewer days at a time, or download the CSV export, which takes any range."
        ),
        ApiError::Idempotency(problem) => key(*problem).into(),
    }
}

fn unreadable(what: &Unreadable) -> String {
    match what {
        Unreadable::NotAnObject => {
            r#"The body must be a JSON object such as {"current": 6, "duration": 1800}."#.into()
        }
        Unreadable::UnknownField(name) => format!(
            "The body has a field \"{}\" this API does not know: a target takes only \"current\" and \"duration\".",
            short(name)
        ),
        Unreadable::NotReceived => "The request body did not arrive whole; send it again.".into(),
        Unreadable::Path => "An id in the path must be a whole number, as in \
            /chargers/12; /api/v1/docs lists the paths."
            .into(),
        Unreadable::Query => "A value in the query string is not of its kind (an id or a \
            number must be a whole number); /api/v1/docs lists each parameter."
            .into(),
        Unreadable::UnknownAction(value) => format!(
            "There is no audit action \"{}\"; the reference page lists them (e.g. set_target).",
            short(value)
        ),
        Unreadable::UnknownOutcome(value) => format!(
            "There is no outcome \"{}\"; the reference page lists them (e.g. received).",
            short(value)
        ),
        Unreadable::Cursor => {
            "This cursor is not one this API gave out; pass next_cursor as it came.".into()
        }
    }
}

/// What was sent, as much of it as a sentence needs.
fn short(value: &str) -> String {
    evse_dashboard::problem::echo(value)
}

fn key(problem: KeyProblem) -> &'static str {
    match problem {
        KeyProblem::Malformed => {
            "An Idempotency-Key must be 1 to 255 printable ASCII \
            characters (a UUID is a good choice)."
        }
        KeyProblem::Reused => {
            "This Idempotency-Key was already used for a different \
            request. Use a new key for each new change."
        }
        KeyProblem::Running => {
            "The first request with this Idempotency-Key is still running. \
            Send it again in a moment to get its answer."
        }
        KeyProblem::Unfinished => {
            "The first request with this Idempotency-Key did not finish \
            (the server stopped meanwhile). Check the audit trail for what happened before \
            sending the change again with a new key."
        }
    }
}
