//! History as the pages draw it: a charger's currents over a day, a week
//! or a month, and a site's sum against its supply limit with its energy
//! per day. Plain values; the UI draws them (server-rendered SVG).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};

/// How far back a chart looks.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumIter,
    EnumString,
    IntoStaticStr,
)]
pub enum ChartRange {
    #[default]
    #[strum(serialize = "24h")]
    #[serde(rename = "24h")]
    Day,
    #[strum(serialize = "7d")]
    #[serde(rename = "7d")]
    Week,
    #[strum(serialize = "30d")]
    #[serde(rename = "30d")]
    Month,
}

impl ChartRange {
    /// How far back, seconds.
    pub fn span_s(self) -> i64 {
        match self {
            Self::Day => 24 * 3600,
            Self::Week => 7 * 24 * 3600,
            Self::Month => 30 * 24 * 3600,
        }
    }

    /// One point per this many seconds (a phone's width shows no more).
    pub fn step_s(self) -> i64 {
        match self {
            Self::Day => 15 * 60,
            Self::Week => 30 * 60,
            Self::Month => 2 * 3600,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One step of a charger's chart: its average currents in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentPoint {
    pub at: DateTime<Utc>,
    /// Per phase, ampere; `None` where nothing is known (never 0 A).
    pub phases: [Option<f64>; 3],
    /// The target in force at the step's end.
    pub target: Option<u32>,
    /// CLEMAP's dynamic limit at the step's end.
    pub limit: Option<f64>,
    /// Made up for the demo's past.
    pub simulated: bool,
}

/// A mark on a time axis: the instant, and the wall clock of the site
/// there (the UI words it per language).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartTick {
    pub at: DateTime<Utc>,
    pub local: NaiveDateTime,
}

/// A charger's currents over a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargerChart {
    pub range: ChartRange,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub points: Vec<CurrentPoint>,
    /// The charger's highest allowed current (the scale's top at least).
    pub max_current: u32,
    pub ticks: Vec<ChartTick>,
}

/// One charger's part of a site's sum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteShare {
    pub charger_id: i64,
    pub name: String,
    /// Per step of [`SiteChart::steps`]: the highest phase's average,
    /// ampere (`None`: not known).
    pub amps: Vec<Option<f64>>,
}

/// One day's energy at a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteDay {
    /// In the site's time zone.
    pub day: NaiveDate,
    pub kwh: f64,
    pub simulated: bool,
}

/// A site's last 24 h of current per charger against its supply limit,
/// and its energy per day for 30 days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteChart {
    pub steps: Vec<DateTime<Utc>>,
    pub ticks: Vec<ChartTick>,
    pub chargers: Vec<SiteShare>,
    /// Ampere per phase, when one is set.
    pub supply_limit: Option<u32>,
    pub days: Vec<SiteDay>,
    pub simulated: bool,
}

impl SiteChart {
    /// The site's sum per step (a charger not known adds nothing).
    pub fn sums(&self) -> Vec<f64> {
        (0..self.steps.len())
            .map(|i| {
                self.chargers
                    .iter()
                    .filter_map(|c| c.amps.get(i).copied().flatten())
                    .sum()
            })
            .collect()
    }
}

/// A shared site's last 24 h per phase (15-minute steps): what it drew on
/// each phase, the sum of the targets in force (the load manager's
/// allocations), and the limit they are shared under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SitePhases {
    pub steps: Vec<DateTime<Utc>>,
    pub ticks: Vec<ChartTick>,
    /// Per step: ampere on L1, L2, L3 (`None`: no charger known).
    pub phases: Vec<[Option<f64>; 3]>,
    /// Per step: the sum of the targets in force, ampere.
    pub allocated: Vec<Option<f64>>,
    /// Ampere per phase, when one is set.
    pub supply_limit: Option<u32>,
}

impl SitePhases {
    /// The highest step on each phase, and of the allocations.
    pub fn peaks(&self) -> ([f64; 3], f64) {
        let mut phases = [0.0_f64; 3];
        for step in &self.phases {
            for (peak, a) in phases.iter_mut().zip(step) {
                *peak = peak.max(a.unwrap_or(0.0));
            }
        }
        let allocated = self.allocated.iter().flatten().copied().fold(0.0, f64::max);
        (phases, allocated)
    }
}
