//! Alerts (#31): what the dashboard tells a person about without being
//! asked, through which channel, and how each delivery went. One closed
//! set per idea, as everywhere (`vocabulary`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

/// What went wrong (or right again).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    EnumIter,
    EnumString,
    IntoStaticStr,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "TEXT", rename_all = "snake_case"))]
pub enum AlertEvent {
    /// Unreachable, `offline` or `cloud_offline` for `--offline-after`.
    ChargerOffline,
    /// A plug reports `error`.
    ChargerError,
    /// Recovered from either of the above.
    ChargerBack,
    /// CLEMAP answered a set with `rejected`.
    TargetRejected,
    /// The verdict on a target: not followed.
    TargetNotFollowed,
    /// A schedule's call kept failing after the engine's retries.
    ScheduleFailed,
    /// A site drew more than its supply limit for a minute.
    SiteOverLimit,
    /// A shared site's supply could not give every charging car its
    /// minimum for a minute (#40): the facts name the cars not served.
    SiteOversubscribed,
    /// The periodic `audit verify` failed.
    AuditChainBroken,
}

impl AlertEvent {
    /// Sent even in a subscription's quiet hours: good news a person was
    /// waiting for, and a trail that may be under attack.
    pub fn ignores_quiet_hours(self) -> bool {
        matches!(self, Self::ChargerBack | Self::AuditChainBroken)
    }

    /// The list as `parse_list` reads it back.
    pub fn join_list(events: &[AlertEvent]) -> String {
        events
            .iter()
            .map(|e| <&str>::from(*e))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// `charger_offline,charger_back` (blank: every event).
    pub fn parse_list(text: &str) -> Result<Vec<AlertEvent>, String> {
        let mut events = Vec::new();
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let event = name.parse().map_err(|_| name.to_owned())?;
            if !events.contains(&event) {
                events.push(event);
            }
        }
        events.sort();
        Ok(events)
    }
}

/// How an alert reaches someone.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumIter,
    EnumString,
    IntoStaticStr,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "TEXT", rename_all = "snake_case"))]
pub enum AlertChannel {
    Webhook,
    Email,
}

/// Where a delivery stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumIter,
    EnumString,
    IntoStaticStr,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "TEXT", rename_all = "snake_case"))]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    Delivered,
    /// Given up after 24 h of retries.
    Failed,
}

/// Who gets which alerts. Never the webhook's secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSubscription {
    pub id: i64,
    pub channel: AlertChannel,
    /// The webhook's URL or the e-mail address.
    pub target: String,
    /// Empty: every event.
    pub events: Vec<AlertEvent>,
    /// Empty: every site.
    #[serde(default)]
    pub sites: Vec<i64>,
    /// A user's own subscription (their account page); none for one an
    /// admin added.
    #[serde(default)]
    pub user_id: Option<i64>,
    /// A user's own, whose account is disabled: nothing goes to it.
    #[serde(default)]
    pub owner_disabled: bool,
    /// A mail's language: the user's choice for their own, else the one
    /// chosen when it was added; English when neither.
    #[serde(default)]
    pub language: Option<super::Language>,
    /// Held back then, in the site's time zone.
    #[serde(default)]
    pub quiet: Option<QuietHours>,
    /// A user's own address receives alerts only once the link mailed to
    /// it was followed; every other subscription is confirmed when added.
    #[serde(default)]
    pub confirmed: bool,
    pub created_at: DateTime<Utc>,
    /// The audit actor who added it.
    pub created_by: String,
}

impl AlertSubscription {
    /// Whether this alert is for it: its event, and its site (an alert
    /// about no site, the audit trail's, concerns every site).
    pub fn wants(&self, event: AlertEvent, site: Option<i64>) -> bool {
        (self.events.is_empty() || self.events.contains(&event))
            && (self.sites.is_empty() || site.is_none_or(|s| self.sites.contains(&s)))
    }
}

/// A daily span of local time in which alerts wait (`22:00–07:00`: over
/// midnight when `from` is after `until`). Minutes since midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub from: u16,
    pub until: u16,
}

impl QuietHours {
    /// From two `HH:MM` times; equal times are no span at all.
    pub fn parse(from: &str, until: &str) -> Option<QuietHours> {
        let quiet = QuietHours {
            from: Self::minute(from)?,
            until: Self::minute(until)?,
        };
        (quiet.from != quiet.until).then_some(quiet)
    }

    /// `HH:MM` as minutes since midnight.
    pub fn minute(time: &str) -> Option<u16> {
        let (h, m) = time.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then(|| h * 60 + m)
    }

    /// Whether `minute` (since local midnight) falls in the span.
    pub fn contains(self, minute: u16) -> bool {
        if self.from < self.until {
            (self.from..self.until).contains(&minute)
        } else {
            minute >= self.from || minute < self.until
        }
    }

    /// `22:00–07:00`.
    pub fn shown(self) -> String {
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        format!("{}–{}", hm(self.from), hm(self.until))
    }
}

/// A mail as the web layer words it: a subject, plain text and HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertMail {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Where a mail program posts its one-click unsubscribe (RFC 8058),
    /// sent as `List-Unsubscribe`; none in a confirmation mail.
    pub one_click: Option<String>,
}

/// One alert to one subscription, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDelivery {
    pub id: i64,
    /// Sent with every attempt, so a receiver can drop duplicates.
    pub delivery_id: String,
    pub subscription_id: i64,
    pub event: AlertEvent,
    pub created_at: DateTime<Utc>,
    pub attempts: i64,
    pub status: DeliveryStatus,
    /// The last attempt's failure, without any secret.
    pub last_error: Option<String>,
}

/// A charger as an alert names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertCharger {
    pub id: i64,
    pub name: String,
    pub site: AlertSite,
}

/// A schedule as an alert names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSchedule {
    pub id: i64,
    pub name: String,
}

/// A site as an alert names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSite {
    pub id: i64,
    pub name: String,
}

/// An alert as data: what happened to what, kept in the outbox and worded
/// when it is delivered (in English for a webhook's `detail`, in the
/// recipient's language for a mail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertFacts {
    pub event: AlertEvent,
    pub at: DateTime<Utc>,
    /// The charger it is about, for a charger's event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charger: Option<AlertCharger>,
    /// The site it is about: a site's event, or several of its chargers at
    /// once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<AlertSite>,
    /// The schedule it is about (`schedule_failed`), with its charger or
    /// site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<AlertSchedule>,
    /// Chargers of `site` that went offline in the same round: one alert.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chargers: Vec<AlertCharger>,
    /// Alerts of this event and subject held back since the last one (at
    /// most one per 15 minutes).
    #[serde(default)]
    pub suppressed: u32,
    /// Why: CLEMAP's refusal, a schedule's failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<crate::problem::Problem>,
    /// The audit event it comes from (a set, a verdict).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_id: Option<i64>,
    /// A site's measured sum and its limit, A.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amps: Option<(u32, u32)>,
}

impl AlertFacts {
    pub fn new(event: AlertEvent, at: DateTime<Utc>) -> Self {
        Self {
            event,
            at,
            charger: None,
            site: None,
            schedule: None,
            chargers: Vec::new(),
            suppressed: 0,
            problem: None,
            audit_id: None,
            amps: None,
        }
    }

    /// What it is about, as the dedup and the episodes key it:
    /// `schedule:3`, `charger:7`, `site:2` or `audit`.
    pub fn subject(&self) -> String {
        match (&self.schedule, &self.charger, &self.site) {
            (Some(s), _, _) => format!("schedule:{}", s.id),
            (None, Some(c), _) => format!("charger:{}", c.id),
            (None, None, Some(s)) => format!("site:{}", s.id),
            (None, None, None) => "audit".to_owned(),
        }
    }

    /// The site whose time zone and subscribers it concerns.
    pub fn site_id(&self) -> Option<i64> {
        self.charger
            .as_ref()
            .map(|c| c.site.id)
            .or(self.site.as_ref().map(|s| s.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_span_midnight_or_not() {
        let night = QuietHours::parse("22:00", "07:00").unwrap();
        assert!(night.contains(23 * 60) && night.contains(0) && night.contains(6 * 60 + 59));
        assert!(!night.contains(7 * 60) && !night.contains(12 * 60));
        let lunch = QuietHours::parse("12:00", "13:30").unwrap();
        assert!(lunch.contains(12 * 60 + 10) && !lunch.contains(13 * 60 + 30));
        assert_eq!(QuietHours::parse("7:00", "7:00"), None);
        assert_eq!(QuietHours::parse("24:00", "07:00"), None);
        assert_eq!(QuietHours::parse("9999:00", "07:00"), None, "no overflow");
        assert_eq!(night.shown(), "22:00–07:00");
    }
}

/// What a link mailed to a subscribed address does (#37).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum LinkPurpose {
    /// Confirms a user's own address (double opt-in).
    Confirm,
    /// Ends the subscription.
    Unsubscribe,
}

/// What the page behind a mailed link shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailLinkView {
    pub purpose: LinkPurpose,
    /// The address, as the mailbox that got the link knows it.
    pub receiver: String,
    /// Confirmed already (a confirmation link).
    pub confirmed: bool,
    /// Ended already (an unsubscribe link).
    pub ended: bool,
}
