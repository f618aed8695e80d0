//! A sentence for every problem: what happened and what to do.

use evse_dashboard::types::{ClemapFailure, Missing, Problem};

use super::days::days_label;
use super::format::human_duration;
use super::invalid::invalid_sentence;
use super::labels::role_label;
use crate::error::AppError;
use crate::i18n::td_string;
use crate::language::Locale;

/// The sentence for a server function's error.
pub fn error_sentence(l: Locale, error: &AppError) -> String {
    match error {
        AppError::NotLoggedIn => td_string!(l, e_not_logged_in).into(),
        AppError::Forbidden { role, needed } => td_string!(
            l,
            e_forbidden,
            role = role_label(l, *role),
            needed = role_label(l, *needed)
        )
        .to_string(),
        AppError::NotFound(missing) => missing_sentence(l, missing),
        AppError::Invalid(invalid) => invalid_sentence(l, invalid),
        AppError::Refused(problem) => problem_sentence(l, problem),
        AppError::Upstream(failure) => clemap_sentence(l, failure),
        AppError::TooManyAttempts { seconds } => throttled(l, *seconds),
        AppError::Busy => td_string!(l, e_busy).into(),
        AppError::Internal => td_string!(l, e_internal).into(),
        AppError::Malformed => td_string!(l, e_malformed).into(),
        AppError::Network => td_string!(l, e_network).into(),
    }
}

pub fn problem_sentence(l: Locale, problem: &Problem) -> String {
    match problem {
        Problem::Invalid(invalid) => invalid_sentence(l, invalid),
        Problem::Clemap(failure) => clemap_sentence(l, failure),
        Problem::TokenKeyMismatch => td_string!(l, e_token_key_mismatch).into(),
        Problem::TokenTampered => td_string!(l, e_token_tampered).into(),
        Problem::WrongCredentials => td_string!(l, e_wrong_credentials).into(),
        Problem::Throttled { seconds } => throttled(l, *seconds),
        Problem::LoginsThrottled { attempts } => {
            td_string!(l, e_logins_throttled, attempts = attempts).to_string()
        }
        Problem::Busy => td_string!(l, e_busy).into(),
        Problem::TooFast { seconds } => td_string!(
            l,
            e_too_fast,
            wait = human_duration(l, u64::try_from(*seconds).unwrap_or(1).max(1))
        )
        .to_string(),
        Problem::Repeated { attempts } => {
            td_string!(l, e_repeated, attempts = attempts).to_string()
        }
        Problem::AlreadyRunning => td_string!(l, e_already_running).into(),
        Problem::WrongCurrentPassword => td_string!(l, e_wrong_current_password).into(),
        Problem::DuplicateUser { username } => {
            td_string!(l, e_duplicate_user, username = username).to_string()
        }
        Problem::DuplicateCharger { existing } => {
            td_string!(l, e_duplicate_charger, existing = existing).to_string()
        }
        Problem::DuplicateToken { name } => {
            td_string!(l, e_duplicate_token, name = name).to_string()
        }
        Problem::NotFound(missing) => missing_sentence(l, missing),
        Problem::OwnRole => td_string!(l, e_own_role).into(),
        Problem::OwnAccount => td_string!(l, e_own_account).into(),
        Problem::Interrupted => td_string!(l, e_interrupted).into(),
        Problem::NotReadYet => td_string!(l, e_not_read_yet).into(),
        Problem::AlertNotDelivered { why } => {
            td_string!(l, e_alert_not_delivered, why = why).to_string()
        }
        Problem::ScheduleOverlap {
            other,
            days,
            from,
            to,
        } => td_string!(
            l,
            e_schedule_overlap,
            other = other,
            days = days_label(l, *days),
            from = from,
            to = to
        )
        .to_string(),
        Problem::Internal => td_string!(l, e_internal).into(),
        // Written by an earlier version, in English; kept as it was.
        Problem::Legacy(text) => text.clone(),
    }
}

fn throttled(l: Locale, seconds: i64) -> String {
    let wait = u64::try_from(seconds.max(1)).unwrap_or(1);
    // Above two minutes, whole minutes: seconds would be false precision.
    let wait = if wait >= 120 {
        wait.div_ceil(60) * 60
    } else {
        wait
    };
    td_string!(l, e_throttled, wait = human_duration(l, wait)).to_string()
}

fn missing_sentence(l: Locale, missing: &Missing) -> String {
    match missing {
        Missing::Charger(id) => td_string!(l, e_missing_charger, id = id).to_string(),
        Missing::User(name) => td_string!(l, e_missing_user, name = name).to_string(),
        Missing::AuditEvent(id) => td_string!(l, e_missing_event, id = id).to_string(),
        Missing::Schedule(id) => td_string!(l, e_missing_schedule, id = id).to_string(),
        Missing::Site(id) => td_string!(l, e_missing_site, id = id).to_string(),
        Missing::ApiToken(name) => td_string!(l, e_missing_token, name = name).to_string(),
        Missing::AlertSubscription(id) => td_string!(l, e_missing_alert, id = id).to_string(),
        Missing::Session(id) => td_string!(l, e_missing_session, id = id).to_string(),
    }
}

fn clemap_sentence(l: Locale, failure: &ClemapFailure) -> String {
    match failure {
        ClemapFailure::TokenRejected { .. } => td_string!(l, e_clemap_token_rejected).into(),
        ClemapFailure::UnknownStation { .. } => td_string!(l, e_clemap_unknown_station).into(),
        ClemapFailure::InvalidRequest { status, excerpt } => td_string!(
            l,
            e_clemap_invalid_request,
            status = status,
            excerpt = excerpt
        )
        .to_string(),
        ClemapFailure::Timeout { seconds } => {
            td_string!(l, e_clemap_timeout, seconds = seconds).to_string()
        }
        ClemapFailure::Unreachable => td_string!(l, e_clemap_unreachable).into(),
        ClemapFailure::UpstreamError { status } | ClemapFailure::UnexpectedStatus { status } => {
            td_string!(l, e_clemap_error, status = status).to_string()
        }
        ClemapFailure::Unreadable { .. } => td_string!(l, e_clemap_unreadable).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_says_what_to_do_about_a_rejected_token() {
        let problem = Problem::Clemap(ClemapFailure::TokenRejected { status: 401 });
        assert!(problem_sentence(Locale::en, &problem).contains("ask an admin"));
        assert!(problem_sentence(Locale::de, &problem).contains("Admin"));
        assert!(problem_sentence(Locale::fr, &problem).contains("administrateur"));
    }

    #[test]
    fn an_overlap_names_the_other_schedule_its_days_and_times() {
        let overlap = Problem::ScheduleOverlap {
            other: "Office hours".into(),
            days: 0b001_0001,
            from: "17:00".into(),
            to: "18:00".into(),
        };
        assert!(problem_sentence(Locale::en, &overlap).starts_with(
            "This would overlap the schedule “Office hours” on Mon, Fri, 17:00–18:00."
        ));
        assert!(
            problem_sentence(Locale::de, &overlap)
                .contains("„Office hours“ am Mo, Fr, 17:00–18:00")
        );
        assert!(problem_sentence(Locale::fr, &overlap).contains("le lun., ven., 17:00–18:00"));
    }

    #[test]
    fn a_long_lockout_is_rounded_to_minutes_in_the_reader_s_units() {
        let s = problem_sentence(Locale::de, &Problem::Throttled { seconds: 7170 });
        assert!(s.ends_with("in 2 Std. erneut."), "{s}");
        let s = problem_sentence(Locale::en, &Problem::Throttled { seconds: 61 });
        assert!(s.ends_with("Try again in 1 min 1 s."), "{s}");
    }
}
