//! Why something was refused or failed, as data rather than sentences.
//! The domain returns these, audit rows store them (as JSON in the `error`
//! column), and the UI words them in the reader's language: one row reads
//! correctly in each.

use serde::{Deserialize, Serialize};

/// Everything the dashboard can report as the reason for a refusal or a
/// failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Input that breaks a rule; nothing was done.
    Invalid(Invalid),
    /// CLEMAP failed or refused.
    Clemap(ClemapFailure),
    /// The charger's token was sealed under another key than the server's.
    TokenKeyMismatch,
    /// The charger's stored token does not decrypt (altered or copied).
    TokenTampered,
    /// A login with an unknown user, a wrong password or a disabled account
    /// (deliberately one answer).
    WrongCredentials,
    /// Too many failed logins from here; try again in this many seconds.
    Throttled {
        seconds: i64,
    },
    /// Attempts refused while a username and address were throttled,
    /// reported as one event.
    LoginsThrottled {
        attempts: i64,
    },
    /// The server is saturated (every password hashing slot is taken).
    Busy,
    /// More changes of one kind in a minute than a person makes; the next
    /// may come in this many seconds.
    TooFast {
        seconds: i64,
    },
    /// Refusals of one kind by one person within a minute, past the
    /// first few, written as this one row (`audit::repeats`).
    Repeated {
        attempts: i64,
    },
    /// An earlier operation of the same kind by the same user still runs
    /// (a bulk change, an export).
    AlreadyRunning,
    WrongCurrentPassword,
    DuplicateUser {
        username: String,
    },
    /// Another live charger has the same edge device and EVSE uuid.
    DuplicateCharger {
        existing: String,
    },
    /// API token names are never reused (the trail names calls by them).
    DuplicateToken {
        name: String,
    },
    NotFound(Missing),
    /// An admin may not lower their own role.
    OwnRole,
    /// An admin may not disable their own account.
    OwnAccount,
    /// The server stopped between the request to CLEMAP and its answer.
    Interrupted,
    /// A charger registered since the overview last read CLEMAP.
    NotReadYet,
    /// A schedule would be in force together with another on a charger:
    /// the other's name, and where they meet (weekday bits, Monday = 1;
    /// local `HH:MM`).
    ScheduleOverlap {
        other: String,
        days: u8,
        from: String,
        to: String,
    },
    /// The server failed; the details are in its log.
    Internal,
    /// Free text from before problems were typed (older audit rows).
    Legacy(String),
    /// A test alert did not arrive: why, as the delivery log says it.
    AlertNotDelivered {
        why: String,
    },
}

impl Problem {
    /// The JSON kept in an audit row.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "\"internal\"".into())
    }

    /// Reads an audit row's `error` column; text that is not a typed
    /// problem (rows written before they were typed) is kept as it is.
    pub fn from_stored(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_else(|_| Self::Legacy(text.to_owned()))
    }
}

/// A field that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invalid {
    pub field: Field,
    pub rule: Rule,
}

impl Invalid {
    pub fn new(field: Field, rule: Rule) -> Self {
        Self { field, rule }
    }
}

impl From<Invalid> for Problem {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

/// The input fields a person fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// A target current, ampere.
    Amps,
    /// A target duration, seconds.
    Duration,
    /// A custom target duration, minutes.
    CustomMinutes,
    /// The chargers of a bulk change.
    Chargers,
    Name,
    Site,
    EdgeDeviceId,
    EvseUuid,
    MinCurrent,
    MaxCurrent,
    Notes,
    Token,
    Username,
    Password,
    PasswordConfirmation,
    /// The audit filter's first day.
    FirstDay,
    /// The audit filter's last day.
    LastDay,
    /// A schedule's current, ampere (planned: nothing is sent yet).
    PlannedCurrent,
    /// A schedule's weekdays.
    Days,
    /// A schedule's local start time.
    StartTime,
    /// A schedule's local end time.
    EndTime,
    TimeZone,
    /// The first day a schedule applies.
    ValidFrom,
    /// The last day a schedule applies.
    ValidTo,
    /// A site's supply limit, ampere.
    SupplyLimit,
    TokenName,
    /// An API token's lifetime in days.
    TokenLifetime,
    WebhookUrl,
    WebhookSecret,
    EmailAddress,
    AlertEvents,
    /// An alert subscription's quiet hours.
    QuietHours,
    /// An alert subscription's sites.
    AlertSites,
    /// The least each charging car gets when a site's supply is shared.
    ShareMinimum,
    /// A charger's priority when a site's supply is shared.
    Priority,
    /// A report's month, `YYYY-MM`.
    Month,
}

/// The rule a field breaks. Values the person typed are kept short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Empty, or nothing chosen.
    Required,
    NotAWholeNumber {
        text: String,
    },
    /// In the field's unit (ampere, seconds, …).
    OutOfRange {
        got: i64,
        min: i64,
        max: i64,
    },
    ControlCharacters,
    /// Spaces or control characters where an identifier is expected.
    Whitespace,
    /// A range whose last day comes before its first.
    EndsBeforeStart,
    /// `.` or `..`: an identifier that is one path segment of a URL, and
    /// such a segment would move up or stay put instead of naming anything.
    DotSegment,
    TooLong {
        max: u32,
    },
    TooShort {
        min: u32,
    },
    MinAboveMax {
        min: u32,
        max: u32,
    },
    /// Not visible ASCII: an HTTP header cannot carry it.
    NotHeaderSafe,
    NotADate {
        text: String,
    },
    /// A date outside the years the dashboard takes (`calendar`).
    YearOutOfRange {
        text: String,
        first: i32,
        last: i32,
    },
    SameAsUsername,
    /// Letters, digits and `. _ - @` only.
    UsernameCharacters,
    /// A confirmation that differs from the original.
    Mismatch,
    /// Not a time of day (`HH:MM`).
    NotATime {
        text: String,
    },
    /// Not an IANA time zone name such as `Europe/Zurich`.
    UnknownTimeZone {
        text: String,
    },
    /// A last day before the first.
    BeforeFirstDay,
    /// An API token name: `a-z 0-9 . _ -` only.
    TokenNameCharacters,
    /// Not an `http(s)://host/…` URL.
    NotAUrl,
    /// `http://` to another machine: the secret and the alert would
    /// travel in the clear.
    HttpsRequired,
    /// A user name or password inside a URL.
    CredentialsInUrl,
    /// A host on a private, shared, link-local or other non-public
    /// network, which webhooks may not reach unless `--webhook-allow`
    /// names it.
    PrivateAddress,
    NotAnAddress,
    /// None of the alert events.
    UnknownEvent {
        text: String,
    },
    /// A span of time that starts where it ends.
    NoSpan,
    /// One more than a person may keep of these.
    TooMany {
        max: u32,
    },
    /// Neither 0 nor within `min`–`max` (a sharing minimum).
    ZeroOrRange {
        got: i64,
        min: u32,
        max: u32,
    },
    /// A shared supply below what the chargers with no car hold.
    BelowReserves {
        limit: u32,
        reserves: u32,
    },
    /// Sharing needs a supply limit first.
    NoSupplyLimit,
    /// Not `high`, `normal` or `low`.
    UnknownPriority {
        text: String,
    },
    /// Not a month as `YYYY-MM`.
    NotAMonth {
        text: String,
    },
    /// A month that has not begun.
    MonthInFuture,
    /// A month over before the history kept starts (`first`, `YYYY-MM`).
    BeforeHistory {
        first: String,
    },
    /// A date range longer than this many days.
    SpanTooLong {
        max_days: u32,
    },
}

impl Rule {
    /// How much of what a person typed a rule keeps (for the sentence and
    /// the audit row; a pasted essay is not worth storing).
    pub const ECHO_CHARS: usize = 40;

    pub fn not_a_whole_number(text: &str) -> Self {
        Self::NotAWholeNumber { text: echo(text) }
    }

    pub fn not_a_date(text: &str) -> Self {
        Self::NotADate { text: echo(text) }
    }

    /// A year outside `first..=last` (the calendar's bounds, which it
    /// passes: this vocabulary knows no parser).
    pub fn year_out_of_range(text: &str, first: i32, last: i32) -> Self {
        Self::YearOutOfRange {
            text: echo(text),
            first,
            last,
        }
    }

    pub fn not_a_time(text: &str) -> Self {
        Self::NotATime { text: echo(text) }
    }

    pub fn unknown_time_zone(text: &str) -> Self {
        Self::UnknownTimeZone { text: echo(text) }
    }
}

/// What a person typed, as much of it as a sentence or an audit row
/// keeps: [`Rule::ECHO_CHARS`] printable characters, `…` when cut.
pub fn echo(text: &str) -> String {
    let text = text.trim();
    let mut out: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(Rule::ECHO_CHARS)
        .collect();
    if text.chars().count() > Rule::ECHO_CHARS {
        out.push('…');
    }
    out
}

/// Something that was asked for and does not exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    Charger(i64),
    User(String),
    AuditEvent(i64),
    Schedule(i64),
    Site(i64),
    /// An active API token of this name.
    ApiToken(String),
    /// An alert subscription of this id.
    AlertSubscription(i64),
    /// A charging session of this id.
    Session(i64),
}

/// How CLEMAP failed, without anything secret: statuses and a short,
/// scrubbed excerpt of its answer at most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ClemapFailure {
    /// 401 or 403: the evsetoken was not accepted.
    TokenRejected {
        status: u16,
    },
    /// 404: CLEMAP does not know the edge device or EVSE.
    UnknownStation {
        status: u16,
    },
    /// 400 or 422: CLEMAP refused the request as invalid.
    InvalidRequest {
        status: u16,
        excerpt: String,
    },
    /// 5xx.
    UpstreamError {
        status: u16,
    },
    UnexpectedStatus {
        status: u16,
    },
    Timeout {
        seconds: u32,
    },
    Unreachable,
    /// A 2xx answer whose body could not be read.
    Unreadable {
        status: u16,
    },
}

impl From<ClemapFailure> for Problem {
    fn from(failure: ClemapFailure) -> Self {
        Self::Clemap(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_round_trip_through_the_audit_column() {
        let problems = [
            Problem::Invalid(Invalid::new(
                Field::Amps,
                Rule::OutOfRange {
                    got: 40,
                    min: 6,
                    max: 32,
                },
            )),
            Problem::Clemap(ClemapFailure::TokenRejected { status: 401 }),
            Problem::Throttled { seconds: 3 },
            Problem::Interrupted,
        ];
        for p in problems {
            assert_eq!(Problem::from_stored(&p.to_json()), p);
        }
    }

    #[test]
    fn untyped_text_stays_readable() {
        assert_eq!(
            Problem::from_stored("CLEMAP had a problem"),
            Problem::Legacy("CLEMAP had a problem".into())
        );
    }

    #[test]
    fn echoed_input_is_short_and_printable() {
        let Rule::NotAWholeNumber { text } = Rule::not_a_whole_number(&"9\u{7}".repeat(100)) else {
            unreachable!()
        };
        assert_eq!(text.chars().count(), Rule::ECHO_CHARS + 1);
        assert!(!text.contains('\u{7}'));
    }
}
