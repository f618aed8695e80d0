//! A verdict in words: its label (fixed in English, translated in German
//! and French), and what it rests on, which ends with a time the page
//! shows in the reader's local time ("since 14:10").

use evse_dashboard::types::{Finding, Verdict};

use super::format::decimal;
use crate::i18n::td_string;
use crate::language::Locale;

pub fn verdict_label(l: Locale, verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Followed => td_string!(l, verdict_followed),
        Verdict::NotFollowed => td_string!(l, verdict_not_followed),
        Verdict::HeldLowerByClemap => td_string!(l, verdict_held_lower),
        Verdict::NoVehicleCharging => td_string!(l, verdict_no_vehicle),
        Verdict::CouldNotBeChecked => td_string!(l, verdict_not_checked),
    }
}

/// What the verdict rests on, up to its time: "9.8 A measured at", "16.0 A
/// measured, 10 A asked, since". The time to follow is [`verdict_time`].
pub fn verdict_detail(l: Locale, f: &Finding) -> String {
    let measured = f
        .measured
        .map_or_else(|| "–".to_owned(), |a| decimal(l, a, 1));
    match f.verdict {
        Verdict::Followed => td_string!(l, vd_measured, amps = measured).to_string(),
        Verdict::NotFollowed => {
            td_string!(l, vd_over, amps = measured, asked = f.asked).to_string()
        }
        Verdict::HeldLowerByClemap => {
            let limit = f.limit.map_or_else(|| "–".to_owned(), |a| decimal(l, a, 0));
            td_string!(l, vd_held, limit = limit, asked = f.asked).to_string()
        }
        Verdict::NoVehicleCharging => td_string!(l, vd_nothing).to_owned(),
        Verdict::CouldNotBeChecked => td_string!(l, vd_unreadable).to_owned(),
    }
}

/// The time a verdict's words end with: the reading for "Followed" and
/// "nothing to check", since when it holds for the others.
pub fn verdict_time(f: &Finding) -> chrono::DateTime<chrono::Utc> {
    match f.verdict {
        Verdict::Followed | Verdict::NoVehicleCharging => f.sampled_at,
        _ => f.holds_since(),
    }
}
