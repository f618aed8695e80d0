//! The banner after a set or reset, from the typed outcome.

use evse_dashboard::types::{AuditAction, ControlOutcome, Outcome};

use super::format::{clock_time, human_duration};
use super::labels::outcome_label;
use super::problem::problem_sentence;
use crate::i18n::td_string;
use crate::language::Locale;

pub fn outcome_sentence(l: Locale, outcome: &ControlOutcome) -> String {
    let requested = match (outcome.requested_current, outcome.requested_duration) {
        (Some(a), Some(d)) => td_string!(
            l,
            amps_for_duration,
            amps = a,
            duration = human_duration(l, d.into())
        )
        .to_string(),
        _ => td_string!(l, the_change).to_owned(),
    };
    match (outcome.action, outcome.outcome) {
        (AuditAction::SetTarget, Outcome::Received) => {
            td_string!(l, oc_set_received, requested = requested).to_string()
        }
        (AuditAction::SetTarget, Outcome::Rejected) => {
            td_string!(l, oc_set_rejected, requested = requested).to_string()
        }
        (AuditAction::ResetTarget, Outcome::Received) => match outcome
            .previous
            .as_ref()
            .and_then(|p| p.current.zip(p.valid_until))
        {
            Some((a, until)) => td_string!(
                l,
                oc_reset_removed,
                amps = a,
                time = clock_time(until, false)
            )
            .to_string(),
            None => td_string!(l, oc_reset_nothing).to_owned(),
        },
        (_, Outcome::Pending) => td_string!(l, oc_pending).to_owned(),
        (_, ended) => match &outcome.problem {
            Some(problem) => problem_sentence(l, problem),
            None => td_string!(l, oc_ended_as, outcome = outcome_label(l, ended)).to_string(),
        },
    }
}
