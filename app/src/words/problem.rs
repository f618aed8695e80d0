//! A sentence for every problem: what happened and what to do.

use evse_dashboard::types::{ClemapFailure, Field, Invalid, Missing, Problem, Rule};

use super::format::human_duration;
use super::labels::role_label;
use crate::error::AppError;

/// The sentence for a server function's error.
pub fn error_sentence(error: &AppError) -> String {
    match error {
        AppError::NotLoggedIn => {
            "You are not logged in (or your session expired). Log in and try again.".into()
        }
        AppError::Forbidden { role, needed } => format!(
            "Your role ({}) may not do this; it needs {}. Ask an admin if you should.",
            role_label(crate::language::locale(), *role),
            role_label(crate::language::locale(), *needed)
        ),
        AppError::NotFound(missing) => missing_sentence(missing),
        AppError::Invalid(invalid) => invalid_sentence(invalid),
        AppError::Refused(problem) => problem_sentence(problem),
        AppError::Upstream(failure) => clemap_sentence(failure),
        AppError::TooManyAttempts { seconds } => throttled(*seconds),
        AppError::Busy => busy(),
        AppError::Internal => internal(),
        AppError::Malformed => {
            "The form was incomplete or could not be read; fill in every field and send it again."
                .into()
        }
        AppError::Network => {
            "The server could not be reached; check your connection and try again.".into()
        }
    }
}

pub fn problem_sentence(problem: &Problem) -> String {
    match problem {
        Problem::Invalid(invalid) => invalid_sentence(invalid),
        Problem::Clemap(failure) => clemap_sentence(failure),
        Problem::TokenKeyMismatch => "This charger's token was stored under another key than \
             the server's: start the server with the right token key. Nothing was sent to CLEMAP."
            .into(),
        Problem::TokenTampered => "This charger's stored token does not decrypt (it was altered \
             or copied): ask an admin to set the token again. Nothing was sent to CLEMAP."
            .into(),
        Problem::WrongCredentials => "Wrong username or password.".into(),
        Problem::Throttled { seconds } => throttled(*seconds),
        Problem::LoginsThrottled { attempts } => format!(
            "{attempts} login attempts were refused while logins from that address were slowed down."
        ),
        Problem::Busy => busy(),
        Problem::AlreadyRunning => {
            "Your earlier request of this kind is still running; wait for it to finish.".into()
        }
        Problem::WrongCurrentPassword => "The current password is not correct.".into(),
        Problem::DuplicateUser { username } => format!("A user named {username} already exists."),
        Problem::DuplicateCharger { existing } => format!(
            "A charger with this edge device and EVSE uuid is already registered (\u{201c}{existing}\u{201d})."
        ),
        Problem::NotFound(missing) => missing_sentence(missing),
        Problem::OwnRole => "You cannot lower your own role; another admin has to.".into(),
        Problem::OwnAccount => "You cannot disable your own account.".into(),
        Problem::Interrupted => {
            "The server stopped before CLEMAP answered; check the charger's current target.".into()
        }
        Problem::NotReadYet => "Not read from CLEMAP yet; it will be on the next refresh.".into(),
        Problem::Internal => internal(),
        Problem::Legacy(text) => text.clone(),
    }
}

fn internal() -> String {
    "Something went wrong on the server; try again, and tell an admin if it persists.".into()
}

fn throttled(seconds: i64) -> String {
    let wait = u64::try_from(seconds.max(1)).unwrap_or(1);
    let wait = if wait >= 120 {
        wait.div_ceil(60) * 60
    } else {
        wait
    };
    format!(
        "Too many failed logins from here. Try again in {}.",
        human_duration(crate::language::locale(), wait)
    )
}

fn busy() -> String {
    "The server is busy; try again in a moment.".into()
}

fn missing_sentence(missing: &Missing) -> String {
    match missing {
        Missing::Charger(id) => format!("Charger {id} does not exist (it may have been deleted)."),
        Missing::User(name) => format!("There is no user {name}."),
        Missing::AuditEvent(id) => format!("There is no audit event {id}."),
    }
}

fn clemap_sentence(failure: &ClemapFailure) -> String {
    match failure {
        ClemapFailure::TokenRejected { .. } => {
            "CLEMAP rejected this charger's token: ask an admin to update this charger's token."
                .into()
        }
        ClemapFailure::UnknownStation { .. } => "CLEMAP does not know this charger: ask an admin \
             to check its edge device id and EVSE uuid."
            .into(),
        ClemapFailure::InvalidRequest { status, excerpt } => format!(
            "CLEMAP refused the request as invalid (HTTP {status}: {excerpt}). Nothing was changed."
        ),
        ClemapFailure::Timeout { seconds } => format!(
            "CLEMAP did not answer within {seconds} s; nothing was changed as far as we know. \
             Check the active target, then try again."
        ),
        ClemapFailure::Unreachable => {
            "CLEMAP could not be reached; nothing was changed; try again.".into()
        }
        ClemapFailure::UpstreamError { status } | ClemapFailure::UnexpectedStatus { status } => {
            format!("CLEMAP had a problem (HTTP {status}); nothing was changed; try again.")
        }
        ClemapFailure::Unreadable { .. } => "CLEMAP's answer could not be read; the request may \
             have arrived. Check the active target before trying again."
            .into(),
    }
}

/// The field as the start of a sentence.
fn field_name(field: Field) -> &'static str {
    match field {
        Field::Amps => "The current",
        Field::Duration => "The duration",
        Field::CustomMinutes => "The custom duration",
        Field::Chargers => "The selection",
        Field::Name => "Name",
        Field::Site => "Site",
        Field::EdgeDeviceId => "Edge device id",
        Field::EvseUuid => "EVSE uuid",
        Field::MinCurrent => "Minimum current",
        Field::MaxCurrent => "Maximum current",
        Field::Notes => "Notes",
        Field::Token => "The evsetoken",
        Field::Username => "The username",
        Field::Password => "The password",
        Field::PasswordConfirmation => "The confirmation",
        Field::FirstDay => "The first date",
        Field::LastDay => "The last date",
    }
}

/// Fields of a set or reset: their refusals also say that nothing left.
fn is_target_field(field: Field) -> bool {
    matches!(
        field,
        Field::Amps | Field::Duration | Field::CustomMinutes | Field::Chargers
    )
}

fn invalid_sentence(invalid: &Invalid) -> String {
    let Invalid { field, rule } = invalid;
    let what = field_name(*field);
    let sentence = match (field, rule) {
        (Field::Amps, Rule::Required) => "Enter a current in amperes.".into(),
        (Field::Duration, Rule::Required | Rule::NotAWholeNumber { .. }) => {
            "Choose a duration.".into()
        }
        (Field::CustomMinutes, Rule::Required) => "Enter the custom duration in minutes.".into(),
        (Field::Chargers, Rule::Required) => "Select at least one charger.".into(),
        (Field::Amps, Rule::NotAWholeNumber { text }) => {
            format!("\u{201c}{text}\u{201d} is not a whole number of amperes.")
        }
        (Field::CustomMinutes, Rule::NotAWholeNumber { text }) => {
            format!("Enter the custom duration as whole minutes (got \u{201c}{text}\u{201d}).")
        }
        (_, Rule::NotAWholeNumber { text }) => {
            format!("{what} must be a whole number (got \u{201c}{text}\u{201d}).")
        }
        (Field::Amps, Rule::OutOfRange { got, min, max }) => {
            format!("{got} A is outside this charger's range of {min}–{max} A.")
        }
        (Field::Duration | Field::CustomMinutes, Rule::OutOfRange { got, min, max }) => format!(
            "A duration of {} is outside {}–{}.",
            seconds(*got),
            seconds(*min),
            seconds(*max)
        ),
        (_, Rule::OutOfRange { got, min, max }) => {
            format!("{what} must be between {min} and {max} A (got {got} A).")
        }
        (_, Rule::Required) => format!("{what} must not be empty."),
        (_, Rule::ControlCharacters) => format!("{what} must not contain control characters."),
        (_, Rule::Whitespace) => format!(
            "{what} must not contain spaces or control characters (check for a stray space when pasting)."
        ),
        (_, Rule::TooLong { max }) => format!("{what} must be at most {max} characters."),
        (_, Rule::TooShort { min }) => format!("{what} must be at least {min} characters long."),
        (_, Rule::MinAboveMax { min, max }) => {
            format!("Minimum current ({min} A) must not be above the maximum ({max} A).")
        }
        (_, Rule::NotHeaderSafe) => {
            format!("{what} may only contain visible ASCII characters, without spaces.")
        }
        (_, Rule::NotADate { text }) => {
            format!("{what} must look like 2026-11-24 (got \u{201c}{text}\u{201d}).")
        }
        (_, Rule::SameAsUsername) => "The password must not be the username.".into(),
        (_, Rule::UsernameCharacters) => {
            "A username may contain only letters, digits and . _ - @".into()
        }
        (_, Rule::Mismatch) => {
            "The new password and its confirmation differ; type them again.".into()
        }
    };
    if is_target_field(*field) {
        format!("{sentence} Nothing was sent to CLEMAP.")
    } else {
        sentence
    }
}

/// A duration in the form's words, or the raw number when negative.
fn seconds(value: i64) -> String {
    u64::try_from(value).map_or_else(
        |_| format!("{value} s"),
        |s| human_duration(crate::language::locale(), s),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_refusals_say_nothing_was_sent() {
        let s = problem_sentence(&Problem::Invalid(Invalid::new(
            Field::Amps,
            Rule::OutOfRange {
                got: 40,
                min: 6,
                max: 16,
            },
        )));
        assert_eq!(
            s,
            "40 A is outside this charger's range of 6–16 A. Nothing was sent to CLEMAP."
        );
        let s = problem_sentence(&Problem::Invalid(Invalid::new(
            Field::Duration,
            Rule::OutOfRange {
                got: 30,
                min: 60,
                max: 86400,
            },
        )));
        assert_eq!(
            s,
            "A duration of 30 s is outside 1 min–24 h. Nothing was sent to CLEMAP."
        );
    }

    #[test]
    fn admin_refusals_name_the_field() {
        let s = problem_sentence(&Problem::Invalid(Invalid::new(Field::Name, Rule::Required)));
        assert_eq!(s, "Name must not be empty.");
    }
}
