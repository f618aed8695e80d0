//! Charging sessions and a site's monthly report (#42), as the pages, the
//! CSV, the CLI and `/api/v1` give them. Energy is kept in watt-hours and
//! given in kWh; the UI words the rest.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr};

use super::AuditEntry;

/// Why a session ended.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, EnumString, IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SessionEnd {
    /// The plug said it was free again.
    Unplugged,
    /// The charger could not be read for longer than `--offline-after`:
    /// the session ends at the last reading that saw the car.
    Unreadable,
}

impl SessionEnd {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One car on one plug, from the samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargingSession {
    pub id: i64,
    pub charger_id: i64,
    pub charger_name: String,
    pub site_id: i64,
    pub site_name: String,
    /// The plug's position in CLEMAP's answer, from 0 (shown from 1).
    pub plug: u32,
    pub started: DateTime<Utc>,
    /// `None`: in progress.
    pub ended: Option<DateTime<Utc>>,
    pub end: Option<SessionEnd>,
    /// The newest reading that saw the car.
    pub last_seen: DateTime<Utc>,
    /// Integrated as the 15-minute roll-ups do, watt-hours.
    pub energy_wh: i64,
    /// The highest phase current of any reading, ampere (`None`: none said).
    pub peak_a: Option<f64>,
    /// The highest phase's average over the readings that were charging.
    pub average_a: Option<f64>,
    /// A target was in force at some reading of it.
    pub limited: bool,
    /// Made up for the demo's past.
    pub simulated: bool,
}

impl ChargingSession {
    pub fn in_progress(&self) -> bool {
        self.ended.is_none()
    }

    /// From start to end, or to the newest reading while in progress.
    pub fn duration(&self) -> chrono::TimeDelta {
        self.ended.unwrap_or(self.last_seen) - self.started
    }

    pub fn kwh(&self) -> f64 {
        kwh(self.energy_wh)
    }
}

/// Watt-hours as kWh (what every page, CSV and answer gives).
pub fn kwh(wh: i64) -> f64 {
    wh as f64 / 1000.0
}

/// Which sessions a list shows (also its URL query). Dates are days on
/// the site's clock for a site or a charger, else the default zone's;
/// `from`–`to` (or today) is at most [`SessionFilter::MAX_DAYS`] days.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct SessionFilter {
    pub site: Option<i64>,
    pub charger: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only sessions a target was in force during.
    #[serde(default)]
    pub limited: bool,
}

impl SessionFilter {
    /// The longest date range a list or export takes.
    pub const MAX_DAYS: u32 = 400;

    /// Reads the page's URL query (`get` gives a parameter's text). Ids
    /// that are not numbers and blank days mean no filter, so a hand-edited
    /// URL shows more rather than an error; a malformed day is kept, to be
    /// refused with a sentence.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let id = |key| get(key).and_then(|t| t.trim().parse().ok());
        let day = |key| get(key).filter(|t| !t.trim().is_empty());
        Self {
            site: id("site"),
            charger: id("charger"),
            from: day("from"),
            to: day("to"),
            limited: get("limited").is_some_and(|v| !v.is_empty()),
        }
    }

    /// The filter as a URL query (for links to the next page).
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(site) = self.site {
            parts.push(format!("site={site}"));
        }
        if let Some(charger) = self.charger {
            parts.push(format!("charger={charger}"));
        }
        for (key, value) in [("from", &self.from), ("to", &self.to)] {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{key}={}", urlencoding_day(v)));
            }
        }
        if self.limited {
            parts.push("limited=on".to_owned());
        }
        parts.join("&")
    }
}

/// A day as typed, kept to the characters a day has (the query string is
/// built by hand; anything else was refused before it got here).
fn urlencoding_day(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect()
}

/// Where the next page of a list starts: the last row's start and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SessionCursor {
    pub started_ms: i64,
    pub id: i64,
}

impl SessionCursor {
    /// As a URL parameter: `STARTED_MS.ID`.
    pub fn to_param(self) -> String {
        format!("{}.{}", self.started_ms, self.id)
    }

    /// `None` for anything that is not two whole numbers.
    pub fn from_param(text: &str) -> Option<Self> {
        let (started, id) = text.trim().split_once('.')?;
        Some(Self {
            started_ms: started.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// One page of sessions, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionPage {
    pub sessions: Vec<ChargingSession>,
    /// Where the next (older) page starts, if there is one.
    pub next: Option<SessionCursor>,
}

/// A session with what happened around it: its chart, the targets in
/// force, and the audit rows about its charger while it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionDetail {
    pub session: ChargingSession,
    pub time_zone: String,
    pub chart: super::ChargerChart,
    /// The sets and resets CLEMAP received that were in force during it
    /// (each with its latest verdict), oldest first.
    pub targets: Vec<AuditEntry>,
    pub audit: Vec<AuditEntry>,
    /// More audit rows than shown.
    pub more_audit: bool,
}

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        if self.month >= 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn of(day: NaiveDate) -> Self {
        use chrono::Datelike;
        Self {
            year: day.year(),
            month: day.month(),
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The month's highest 15-minute average power at a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peak {
    /// The quarter hour's start.
    pub at: DateTime<Utc>,
    /// Its start on the site's clock, with the offset (an hour repeated
    /// when the clocks go back happens twice).
    pub local: DateTime<FixedOffset>,
    /// The average power over it, watt (its energy × 4).
    pub watts: i64,
}

impl Peak {
    pub fn kw(&self) -> f64 {
        self.watts as f64 / 1000.0
    }
}

/// One charger's line of a monthly report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportCharger {
    pub charger_id: i64,
    pub name: String,
    pub energy_wh: i64,
    /// Of it, delivered while a target was in force.
    pub limited_wh: i64,
    /// Sessions that started in the month.
    pub sessions: u32,
    /// Quarter hours of the month with a reading: 0 means nothing is
    /// known (the charger was never read), not that it used nothing.
    pub quarters_read: u32,
}

/// A site's month: what each charger used, the sessions, the peak, the
/// time at the supply limit and the share of energy under a limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteReport {
    pub site_id: i64,
    pub site_name: String,
    pub time_zone: String,
    pub month: Month,
    /// The month's first instant, on the site's clock.
    pub from: DateTime<Utc>,
    /// Its end, or now while the month runs.
    pub to: DateTime<Utc>,
    /// `from` and `to` on the site's clock.
    pub local_from: NaiveDateTime,
    pub local_to: NaiveDateTime,
    /// The month is over: its numbers no longer change.
    pub complete: bool,
    pub chargers: Vec<ReportCharger>,
    pub energy_wh: i64,
    pub limited_wh: i64,
    pub sessions: u32,
    pub peak: Option<Peak>,
    /// Ampere per phase, when one is set.
    pub supply_limit: Option<u32>,
    /// Quarter hours whose average draw on some phase reached
    /// [`SiteReport::AT_LIMIT`] of the supply limit, in hours (`None`
    /// without a limit).
    pub hours_at_limit: Option<f64>,
}

impl SiteReport {
    /// How close to the supply limit counts as at it.
    pub const AT_LIMIT: f64 = 0.95;

    /// The share of the energy delivered under a limit, 0–1 (`None`
    /// when nothing was delivered).
    pub fn limited_share(&self) -> Option<f64> {
        (self.energy_wh > 0).then(|| self.limited_wh as f64 / self.energy_wh as f64)
    }
}
