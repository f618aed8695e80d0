//! What an audit row says: who acted, what they did, and how it ended.

use serde::Serialize;

use crate::problem::Problem;
use crate::vocabulary::{AuditAction, Outcome};

pub use crate::types::Who;

/// Who did it and from where; copied into every row.
#[derive(Debug, Clone)]
pub struct Actor {
    pub who: Who,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

impl Actor {
    /// `who`, acting from nowhere in particular (the engine, the CLI).
    pub fn of(who: Who) -> Self {
        Self {
            who,
            request_id: None,
            client_ip: None,
        }
    }
}

/// What happened, for events that are complete when written.
#[derive(Debug, Clone)]
pub struct Event {
    pub action: AuditAction,
    pub outcome: Outcome,
    /// What the event is about when it is not a charger (e.g. a username).
    pub subject: Option<String>,
    pub charger_id: Option<i64>,
    pub charger_name: Option<String>,
    pub problem: Option<Problem>,
}

impl Event {
    /// A local change that succeeded (`ok`) or failed with `problem`.
    pub fn of<T>(action: AuditAction, result: &Result<T, Problem>) -> Self {
        Self {
            action,
            outcome: if result.is_ok() {
                Outcome::Ok
            } else {
                Outcome::Failed
            },
            subject: None,
            charger_id: None,
            charger_name: None,
            problem: result.as_ref().err().cloned(),
        }
    }

    pub fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    pub fn on_charger(mut self, id: Option<i64>, name: impl Into<String>) -> Self {
        self.charger_id = id;
        self.charger_name = Some(name.into());
        self
    }
}

/// A JSON column value (CLEMAP answers, previous settings).
pub fn json(value: &impl Serialize) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// The intent of an upstream call, written (and committed) before it.
#[derive(Debug, Clone)]
pub struct Intent<'a> {
    pub action: AuditAction,
    pub charger_id: i64,
    pub charger_name: &'a str,
    pub requested_current: Option<u32>,
    pub requested_duration: Option<u32>,
    /// Shared by the rows of one bulk change.
    pub batch_id: Option<String>,
}

/// How the call ended, written onto the intent row.
#[derive(Debug, Clone)]
pub struct Completion {
    pub outcome: Outcome,
    pub upstream_status: Option<u16>,
    pub upstream_answer: Option<String>,
    pub previous_settings: Option<String>,
    pub problem: Option<Problem>,
}

impl Completion {
    /// An attempt that failed for `problem`, with CLEMAP's status and
    /// (scrubbed) answer when it gave one.
    pub fn failed(problem: Problem) -> Self {
        Self {
            outcome: Outcome::Error,
            upstream_status: None,
            upstream_answer: None,
            previous_settings: None,
            problem: Some(problem),
        }
    }

    /// CLEMAP answered with a 2xx: `answer` is its body.
    pub fn answered(outcome: Outcome, status: u16, answer: &impl Serialize) -> Self {
        Self {
            outcome,
            upstream_status: Some(status),
            upstream_answer: json(answer),
            previous_settings: None,
            problem: None,
        }
    }
}
