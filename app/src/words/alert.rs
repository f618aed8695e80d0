//! An alert in a sentence (#31): a webhook's `detail` (English) and, in
//! the recipient's language, a mail's text.

use evse_dashboard::types::{AlertChannel, AlertCharger, AlertEvent, AlertFacts, DeliveryStatus};

use super::problem::problem_sentence;
use crate::i18n::td_string;
use crate::language::Locale;

pub fn alert_sentence(l: Locale, facts: &AlertFacts) -> String {
    let unknown = td_string!(l, al_unknown_site);
    let site = facts
        .charger
        .as_ref()
        .map(|c| c.site.name.as_str())
        .or(facts.site.as_ref().map(|s| s.name.as_str()))
        .unwrap_or(unknown);
    let charger = facts.charger.as_ref().map_or("", |c| c.name.as_str());
    let mut sentence = match facts.event {
        AlertEvent::ChargerOffline if !facts.chargers.is_empty() => {
            let names = facts
                .chargers
                .iter()
                .map(|c: &AlertCharger| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let count = facts.chargers.len();
            td_string!(
                l,
                al_offline_many,
                count = count,
                site = site,
                names = names
            )
            .to_string()
        }
        AlertEvent::ChargerOffline => {
            td_string!(l, al_offline, charger = charger, site = site).to_string()
        }
        AlertEvent::ChargerError => {
            td_string!(l, al_error, charger = charger, site = site).to_string()
        }
        AlertEvent::ChargerBack => {
            td_string!(l, al_back, charger = charger, site = site).to_string()
        }
        AlertEvent::TargetRejected => {
            td_string!(l, al_rejected, charger = charger, site = site).to_string()
        }
        AlertEvent::TargetNotFollowed => {
            td_string!(l, al_not_followed, charger = charger, site = site).to_string()
        }
        AlertEvent::ScheduleFailed => {
            let schedule = facts.schedule.as_ref().map_or("", |s| s.name.as_str());
            if facts.charger.is_none() {
                td_string!(l, al_schedule_failed_site, schedule = schedule, site = site).to_string()
            } else {
                td_string!(
                    l,
                    al_schedule_failed,
                    schedule = schedule,
                    charger = charger,
                    site = site
                )
                .to_string()
            }
        }
        AlertEvent::SiteOverLimit => {
            let (amps, limit) = facts.amps.unwrap_or_default();
            td_string!(l, al_over_limit, site = site, amps = amps, limit = limit).to_string()
        }
        AlertEvent::SiteOversubscribed => {
            let names = facts
                .chargers
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let limit = facts.amps.map_or(0, |(_, limit)| limit);
            td_string!(
                l,
                al_oversubscribed,
                site = site,
                limit = limit,
                names = names
            )
            .to_string()
        }
        AlertEvent::AuditChainBroken => td_string!(l, al_chain_broken).to_owned(),
    };
    if let Some(problem) = &facts.problem {
        sentence = format!("{sentence} {}", problem_sentence(l, problem));
    }
    if facts.suppressed > 0 {
        let count = facts.suppressed;
        sentence = format!("{sentence} {}", td_string!(l, al_suppressed, count = count));
    }
    sentence
}

/// An event's name in a list or a checkbox.
pub fn alert_event_label(l: Locale, event: AlertEvent) -> &'static str {
    match event {
        AlertEvent::ChargerOffline => td_string!(l, alert_charger_offline),
        AlertEvent::ChargerError => td_string!(l, alert_charger_error),
        AlertEvent::ChargerBack => td_string!(l, alert_charger_back),
        AlertEvent::TargetRejected => td_string!(l, alert_target_rejected),
        AlertEvent::TargetNotFollowed => td_string!(l, alert_target_not_followed),
        AlertEvent::ScheduleFailed => td_string!(l, alert_schedule_failed),
        AlertEvent::SiteOverLimit => td_string!(l, alert_site_over_limit),
        AlertEvent::SiteOversubscribed => td_string!(l, alert_site_oversubscribed),
        AlertEvent::AuditChainBroken => td_string!(l, alert_audit_chain_broken),
    }
}

pub fn channel_label(l: Locale, channel: AlertChannel) -> &'static str {
    match channel {
        AlertChannel::Webhook => td_string!(l, channel_webhook),
        AlertChannel::Email => td_string!(l, channel_email),
    }
}

pub fn delivery_label(l: Locale, status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => td_string!(l, delivery_pending),
        DeliveryStatus::Delivered => td_string!(l, delivery_delivered),
        DeliveryStatus::Failed => td_string!(l, delivery_failed),
    }
}

/// A mail's words; the server lays them out as text and HTML.
pub struct MailWords {
    pub subject: String,
    pub sentence: String,
    /// The link's text.
    pub look: &'static str,
    /// Why this address gets it, and where to change that.
    pub why: &'static str,
    /// The unsubscribe link's text (none in a confirmation mail).
    pub stop: &'static str,
}

/// An alert mail in `l`: "Charger offline: Garage A1" and its sentence.
pub fn alert_mail_words(l: Locale, facts: &AlertFacts) -> MailWords {
    let label = alert_event_label(l, facts.event);
    let name = facts
        .charger
        .as_ref()
        .map(|c| c.name.as_str())
        .or(facts.site.as_ref().map(|s| s.name.as_str()));
    MailWords {
        subject: match name {
            Some(name) => format!("{label}: {name}"),
            None => label.to_owned(),
        },
        sentence: alert_sentence(l, facts),
        look: td_string!(l, al_mail_look),
        why: td_string!(l, al_mail_why),
        stop: td_string!(l, al_mail_stop),
    }
}

/// The mail `alert test` and "Send a test" send.
pub fn test_mail_words(l: Locale) -> MailWords {
    MailWords {
        subject: td_string!(l, al_test_subject).to_owned(),
        sentence: td_string!(l, al_test_sentence).to_owned(),
        look: td_string!(l, al_mail_look),
        why: td_string!(l, al_mail_why),
        stop: td_string!(l, al_mail_stop),
    }
}

/// The mail that asks an address's holder to confirm it (#37): nothing
/// else goes to a user's own address before.
pub fn confirm_mail_words(l: Locale, username: &str) -> MailWords {
    MailWords {
        subject: td_string!(l, al_confirm_subject).to_owned(),
        sentence: td_string!(l, al_confirm_sentence, user = username).to_string(),
        look: td_string!(l, al_confirm_look),
        why: td_string!(l, al_confirm_why),
        stop: "",
    }
}
