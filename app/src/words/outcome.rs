//! The banner after a set or reset, from the typed outcome.

use evse_dashboard::types::{AuditAction, ControlOutcome, Outcome};

use super::format::human_duration;
use super::problem::problem_sentence;

pub fn outcome_sentence(outcome: &ControlOutcome) -> String {
    let requested = match (outcome.requested_current, outcome.requested_duration) {
        (Some(a), Some(d)) => format!(
            "{a} A for {}",
            human_duration(crate::language::locale(), d.into())
        ),
        _ => "the change".into(),
    };
    match (outcome.action, outcome.outcome) {
        (AuditAction::SetTarget, Outcome::Received) => format!(
            "Requested {requested} — CLEMAP received it (it may be held lower by the site limit)."
        ),
        (AuditAction::SetTarget, Outcome::Rejected) => format!(
            "CLEMAP rejected {requested}: the CLEMAP device is probably disconnected. Nothing was changed."
        ),
        (AuditAction::ResetTarget, Outcome::Received) => match outcome
            .previous
            .as_ref()
            .and_then(|p| p.current.zip(p.valid_until))
        {
            Some((a, until)) => format!(
                "Target reset — CLEMAP removed {a} A, which was valid until {}.",
                super::format::clock_time(until, false)
            ),
            None => "Target reset — there was no active target.".into(),
        },
        (_, Outcome::Pending) => "Waiting for CLEMAP's answer…".into(),
        (_, ended) => match &outcome.problem {
            Some(problem) => problem_sentence(problem),
            None => format!("The attempt ended as {ended}."),
        },
    }
}
