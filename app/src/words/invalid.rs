//! The sentence for input a form refused: which field, which rule.

use evse_dashboard::types::{Field, Invalid, Rule};

use super::format::human_duration;
use crate::i18n::td_string;
use crate::language::Locale;

/// The field as the start of a sentence ("The current", "Der Strom").
fn field_name(l: Locale, field: Field) -> &'static str {
    match field {
        Field::Amps => td_string!(l, f_amps),
        Field::Duration => td_string!(l, f_duration),
        Field::CustomMinutes => td_string!(l, f_custom_minutes),
        Field::Chargers => td_string!(l, f_chargers),
        Field::Name => td_string!(l, f_name),
        Field::Site => td_string!(l, f_site),
        Field::EdgeDeviceId => td_string!(l, f_edge_device_id),
        Field::EvseUuid => td_string!(l, f_evse_uuid),
        Field::MinCurrent => td_string!(l, f_min_current),
        Field::MaxCurrent => td_string!(l, f_max_current),
        Field::Notes => td_string!(l, f_notes),
        Field::Token => td_string!(l, f_token),
        Field::Username => td_string!(l, f_username),
        Field::Password => td_string!(l, f_password),
        Field::PasswordConfirmation => td_string!(l, f_password_confirmation),
        Field::FirstDay => td_string!(l, f_first_day),
        Field::LastDay => td_string!(l, f_last_day),
        Field::PlannedCurrent => td_string!(l, f_planned_current),
        Field::Days => td_string!(l, f_days),
        Field::StartTime => td_string!(l, f_start_time),
        Field::EndTime => td_string!(l, f_end_time),
        Field::TimeZone => td_string!(l, f_time_zone),
        Field::ValidFrom => td_string!(l, f_valid_from),
        Field::ValidTo => td_string!(l, f_valid_to),
        Field::SupplyLimit => td_string!(l, f_supply_limit),
        Field::TokenName => td_string!(l, f_token_name),
        Field::TokenLifetime => td_string!(l, f_token_lifetime),
        Field::WebhookUrl => td_string!(l, f_webhook_url),
        Field::WebhookSecret => td_string!(l, f_webhook_secret),
        Field::EmailAddress => td_string!(l, f_email_address),
        Field::AlertEvents => td_string!(l, f_alert_events),
        Field::QuietHours => td_string!(l, f_quiet_hours),
        Field::AlertSites => td_string!(l, f_alert_sites),
        Field::ShareMinimum => td_string!(l, f_share_minimum),
        Field::Priority => td_string!(l, f_priority),
        Field::Month => td_string!(l, f_month),
    }
}

/// Fields of a set or reset: their refusals also say that nothing left.
fn is_target_field(field: Field) -> bool {
    matches!(
        field,
        Field::Amps | Field::Duration | Field::CustomMinutes | Field::Chargers
    )
}

pub fn invalid_sentence(l: Locale, invalid: &Invalid) -> String {
    let Invalid { field, rule } = invalid;
    let what = field_name(l, *field);
    let sentence = match (field, rule) {
        (Field::Amps, Rule::Required) => td_string!(l, v_amps_required).to_owned(),
        (Field::Duration, Rule::Required | Rule::NotAWholeNumber { .. }) => {
            td_string!(l, v_duration_required).to_owned()
        }
        (Field::CustomMinutes, Rule::Required) => td_string!(l, v_minutes_required).to_owned(),
        (Field::Chargers, Rule::Required) => td_string!(l, v_chargers_required).to_owned(),
        (Field::Days, Rule::Required) => td_string!(l, v_days_required).to_owned(),
        (Field::Amps, Rule::NotAWholeNumber { text }) => {
            td_string!(l, v_amps_not_whole, text = text).to_string()
        }
        (Field::CustomMinutes, Rule::NotAWholeNumber { text }) => {
            td_string!(l, v_minutes_not_whole, text = text).to_string()
        }
        (_, Rule::NotAWholeNumber { text }) => {
            td_string!(l, v_not_whole, what = what, text = text).to_string()
        }
        (Field::Amps, Rule::OutOfRange { got, min, max }) => {
            td_string!(l, v_amps_out_of_range, got = got, min = min, max = max).to_string()
        }
        (Field::Duration | Field::CustomMinutes, Rule::OutOfRange { got, min, max }) => td_string!(
            l,
            v_duration_out_of_range,
            got = seconds(l, *got),
            min = seconds(l, *min),
            max = seconds(l, *max)
        )
        .to_string(),
        (Field::TokenLifetime, Rule::OutOfRange { got, min, max }) => {
            td_string!(l, v_token_days, got = got, min = min, max = max).to_string()
        }
        (_, Rule::OutOfRange { got, min, max }) => td_string!(
            l,
            v_out_of_range,
            what = what,
            got = got,
            min = min,
            max = max
        )
        .to_string(),
        (_, Rule::Required) => td_string!(l, v_required, what = what).to_string(),
        (_, Rule::ControlCharacters) => {
            td_string!(l, v_control_characters, what = what).to_string()
        }
        (_, Rule::Whitespace) => td_string!(l, v_whitespace, what = what).to_string(),
        (_, Rule::DotSegment) => td_string!(l, v_dot_segment, what = what).to_string(),
        (_, Rule::EndsBeforeStart) => td_string!(l, v_ends_before_start).to_string(),
        (_, Rule::TooLong { max }) => td_string!(l, v_too_long, what = what, max = max).to_string(),
        (_, Rule::TooShort { min }) => {
            td_string!(l, v_too_short, what = what, min = min).to_string()
        }
        (_, Rule::MinAboveMax { min, max }) => {
            td_string!(l, v_min_above_max, min = min, max = max).to_string()
        }
        (_, Rule::NotHeaderSafe) => td_string!(l, v_not_header_safe, what = what).to_string(),
        (_, Rule::NotADate { text }) => {
            td_string!(l, v_not_a_date, what = what, text = text).to_string()
        }
        (_, Rule::YearOutOfRange { text, first, last }) => td_string!(
            l,
            v_year_out_of_range,
            what = what,
            text = text,
            first = first,
            last = last
        )
        .to_string(),
        (_, Rule::SameAsUsername) => td_string!(l, v_same_as_username).to_owned(),
        (_, Rule::UsernameCharacters) => td_string!(l, v_username_characters).to_owned(),
        (_, Rule::Mismatch) => td_string!(l, v_mismatch).to_owned(),
        (_, Rule::NotATime { text }) => {
            td_string!(l, v_not_a_time, what = what, text = text).to_string()
        }
        (_, Rule::UnknownTimeZone { text }) => {
            td_string!(l, v_unknown_time_zone, text = text).to_string()
        }
        (_, Rule::BeforeFirstDay) => td_string!(l, v_before_first_day).to_owned(),
        (_, Rule::TokenNameCharacters) => td_string!(l, v_token_name_characters).to_owned(),
        (_, Rule::NotAUrl) => td_string!(l, v_not_a_url, what = what).to_string(),
        (_, Rule::HttpsRequired) => td_string!(l, v_https_required, what = what).to_string(),
        (_, Rule::PrivateAddress) => td_string!(l, v_private_address, what = what).to_string(),
        (_, Rule::CredentialsInUrl) => td_string!(l, v_credentials_in_url, what = what).to_string(),
        (_, Rule::NotAnAddress) => td_string!(l, v_not_an_address, what = what).to_string(),
        (_, Rule::UnknownEvent { text }) => td_string!(l, v_unknown_event, text = text).to_string(),
        (_, Rule::NoSpan) => td_string!(l, v_no_span).to_owned(),
        (_, Rule::TooMany { max }) => td_string!(l, v_too_many, max = max).to_string(),
        (_, Rule::ZeroOrRange { got, min, max }) => td_string!(
            l,
            v_zero_or_range,
            what = what,
            got = got,
            min = min,
            max = max
        )
        .to_string(),
        (_, Rule::BelowReserves { limit, reserves }) => {
            td_string!(l, v_below_reserves, limit = limit, reserves = reserves).to_string()
        }
        (_, Rule::NoSupplyLimit) => td_string!(l, v_no_supply_limit).to_owned(),
        (_, Rule::UnknownPriority { text }) => {
            td_string!(l, v_unknown_priority, text = text).to_string()
        }
        (_, Rule::NotAMonth { text }) => td_string!(l, v_not_a_month, text = text).to_string(),
        (_, Rule::MonthInFuture) => td_string!(l, v_month_in_future).to_owned(),
        (_, Rule::BeforeHistory { first }) => {
            td_string!(l, v_before_history, first = first).to_string()
        }
        (_, Rule::SpanTooLong { max_days }) => {
            td_string!(l, v_span_too_long, max = max_days).to_string()
        }
    };
    if is_target_field(*field) {
        format!("{sentence} {}", td_string!(l, nothing_sent))
    } else {
        sentence
    }
}

/// A duration in the form's words, or the raw number when negative.
fn seconds(l: Locale, value: i64) -> String {
    u64::try_from(value).map_or_else(|_| format!("{value} s"), |s| human_duration(l, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(l: Locale, field: Field, rule: Rule) -> String {
        invalid_sentence(l, &Invalid::new(field, rule))
    }

    #[test]
    fn target_refusals_say_nothing_was_sent() {
        let out_of_range = Rule::OutOfRange {
            got: 40,
            min: 6,
            max: 16,
        };
        assert_eq!(
            sentence(Locale::en, Field::Amps, out_of_range.clone()),
            "40 A is outside this charger's range of 6–16 A. Nothing was sent to CLEMAP."
        );
        assert!(
            sentence(Locale::de, Field::Amps, out_of_range)
                .ends_with("Es wurde nichts an CLEMAP gesendet.")
        );
        let duration = Rule::OutOfRange {
            got: 30,
            min: 60,
            max: 86400,
        };
        assert_eq!(
            sentence(Locale::en, Field::Duration, duration.clone()),
            "A duration of 30 s is outside 1 min–24 h. Nothing was sent to CLEMAP."
        );
        assert!(sentence(Locale::de, Field::Duration, duration).contains("1 Min.–24 Std."));
    }

    #[test]
    fn admin_refusals_name_the_field_in_the_reader_s_language() {
        assert_eq!(
            sentence(Locale::en, Field::Name, Rule::Required),
            "Name must not be empty."
        );
        assert_eq!(
            sentence(Locale::fr, Field::Name, Rule::Required),
            "Le nom ne doit pas être vide."
        );
    }
}
