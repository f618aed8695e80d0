//! What a charger did with a target CLEMAP received: one verdict per
//! check, from a status sample taken after the target had time to settle.
//! The rule is pure (a unit test per case); the English words are fixed
//! (scripts read them) and translated in the UI.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

use crate::clemap::model::{PlugState, PlugStatus};

/// How far above the target the highest phase may be and still count as
/// followed (meters and cars are not exact).
pub const TOLERANCE_A: f64 = 1.0;

/// The verdict on one target. Where several apply, the first in this
/// order wins.
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
pub enum Verdict {
    /// The charger is unreachable, offline or `cloud_offline`, or did not
    /// say what it draws: nothing is known (never 0 A).
    CouldNotBeChecked,
    /// No vehicle is charging: nothing to check.
    NoVehicleCharging,
    /// The highest phase is more than 1 A over the target.
    NotFollowed,
    /// CLEMAP's own dynamic limit is below the target.
    HeldLowerByClemap,
    /// The highest phase is at most 1 A over the target (a car may draw
    /// less than a limit; that is still followed).
    Followed,
}

impl Verdict {
    /// The fixed English words, as scripts read them.
    pub fn english(self) -> &'static str {
        match self {
            Self::CouldNotBeChecked => "Could not be checked",
            Self::NoVehicleCharging => "No vehicle charging",
            Self::NotFollowed => "Not followed",
            Self::HeldLowerByClemap => "Held lower by CLEMAP",
            Self::Followed => "Followed",
        }
    }

    /// A verdict a person should look at.
    pub fn is_problem(self) -> bool {
        matches!(self, Self::NotFollowed | Self::CouldNotBeChecked)
    }
}

/// A verdict with what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub verdict: Verdict,
    /// The target asked, ampere.
    pub asked: u32,
    /// The highest phase current measured, when known.
    pub measured: Option<f64>,
    /// CLEMAP's dynamic limit, when known (the lowest over the plugs).
    pub limit: Option<f64>,
    /// When the sample was taken.
    pub sampled_at: DateTime<Utc>,
    /// Since when this verdict holds (the first sample that gave it).
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
}

impl Finding {
    /// Since when this verdict holds.
    pub fn holds_since(&self) -> DateTime<Utc> {
        self.since.unwrap_or(self.sampled_at)
    }
}

/// The verdict on a target of `asked` ampere from one reading of the
/// charger's plugs (`None`: the charger could not be read).
pub fn judge(asked: u32, plugs: Option<&[PlugStatus]>, sampled_at: DateTime<Utc>) -> Finding {
    let finding = |verdict, measured, limit| Finding {
        verdict,
        asked,
        measured,
        limit,
        sampled_at,
        since: None,
    };
    let Some(plugs) = plugs.filter(|p| !p.is_empty()) else {
        return finding(Verdict::CouldNotBeChecked, None, None);
    };
    let unreachable = plugs
        .iter()
        .any(|p| matches!(p.status, PlugState::Offline | PlugState::CloudOffline));
    if unreachable {
        return finding(Verdict::CouldNotBeChecked, None, None);
    }
    let charging: Vec<&PlugStatus> = plugs.iter().filter(|p| p.status.is_charging()).collect();
    let limit = plugs
        .iter()
        .filter_map(|p| p.dyn_current_limit)
        .reduce(f64::min);
    if charging.is_empty() {
        return finding(Verdict::NoVehicleCharging, None, limit);
    }
    // A charging plug that does not say what it draws: unknown, not 0 A.
    let Some(measured) = charging
        .iter()
        .map(|p| p.max_phase_current())
        .collect::<Option<Vec<f64>>>()
        .and_then(|all| all.into_iter().reduce(f64::max))
    else {
        return finding(Verdict::CouldNotBeChecked, None, limit);
    };
    let target = f64::from(asked);
    let verdict = if measured > target + TOLERANCE_A {
        Verdict::NotFollowed
    } else if limit.is_some_and(|l| l < target) {
        Verdict::HeldLowerByClemap
    } else {
        Verdict::Followed
    };
    finding(verdict, Some(measured), limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plug(status: PlugState, amps: Option<f64>, limit: Option<f64>) -> PlugStatus {
        PlugStatus {
            plug_uuid: None,
            plug_label: None,
            evse_uuid: None,
            current_l1: amps,
            current_l2: amps.map(|a| a - 0.3),
            current_l3: amps,
            dyn_current_limit: limit,
            power: amps.map(|a| a * 690.0),
            status,
        }
    }

    fn verdict(plugs: Option<&[PlugStatus]>) -> Verdict {
        judge(10, plugs, Utc::now()).verdict
    }

    use PlugState::*;

    #[test]
    fn the_verdict_table() {
        // (plugs, verdict): every rule, and the order when several apply.
        let cases: Vec<(Option<Vec<PlugStatus>>, Verdict)> = vec![
            (None, Verdict::CouldNotBeChecked),
            (Some(vec![]), Verdict::CouldNotBeChecked),
            (
                Some(vec![plug(Offline, None, None)]),
                Verdict::CouldNotBeChecked,
            ),
            (
                Some(vec![plug(CloudOffline, None, None)]),
                Verdict::CouldNotBeChecked,
            ),
            // Offline beats a charging plug beside it.
            (
                Some(vec![
                    plug(Charging, Some(16.0), None),
                    plug(Offline, None, None),
                ]),
                Verdict::CouldNotBeChecked,
            ),
            // Charging without a reading: unknown, never 0 A.
            (
                Some(vec![plug(Charging, None, Some(10.0))]),
                Verdict::CouldNotBeChecked,
            ),
            (
                Some(vec![plug(Idle, Some(0.0), Some(32.0))]),
                Verdict::NoVehicleCharging,
            ),
            (
                Some(vec![plug(Connected, Some(0.0), Some(32.0))]),
                Verdict::NoVehicleCharging,
            ),
            (
                Some(vec![plug(Charging, Some(16.0), Some(32.0))]),
                Verdict::NotFollowed,
            ),
            // Not followed beats held lower.
            (
                Some(vec![plug(Charging, Some(16.0), Some(8.0))]),
                Verdict::NotFollowed,
            ),
            (
                Some(vec![plug(Charging, Some(8.0), Some(8.0))]),
                Verdict::HeldLowerByClemap,
            ),
            (
                Some(vec![plug(Charging, Some(9.8), Some(32.0))]),
                Verdict::Followed,
            ),
            (
                Some(vec![plug(RecentlyStartedCharging, Some(11.0), Some(10.0))]),
                Verdict::Followed,
            ),
            // A car may draw less than the limit: still followed.
            (
                Some(vec![plug(Charging, Some(4.0), None)]),
                Verdict::Followed,
            ),
            // The highest charging plug decides.
            (
                Some(vec![
                    plug(Charging, Some(6.0), None),
                    plug(Charging, Some(12.0), None),
                ]),
                Verdict::NotFollowed,
            ),
        ];
        for (plugs, expected) in cases {
            assert_eq!(verdict(plugs.as_deref()), expected, "{plugs:?}");
        }
    }

    #[test]
    fn the_edge_of_the_tolerance_is_followed() {
        let at_edge = [plug(Charging, Some(11.0), None)];
        assert_eq!(verdict(Some(&at_edge)), Verdict::Followed);
        let over = [plug(Charging, Some(11.1), None)];
        assert_eq!(verdict(Some(&over)), Verdict::NotFollowed);
    }

    #[test]
    fn a_finding_keeps_what_it_rests_on() {
        let at = Utc::now();
        let f = judge(10, Some(&[plug(Charging, Some(8.0), Some(8.0))]), at);
        assert_eq!(
            (f.verdict, f.asked, f.measured, f.limit, f.sampled_at),
            (Verdict::HeldLowerByClemap, 10, Some(8.0), Some(8.0), at)
        );
    }

    #[test]
    fn the_english_words_are_fixed() {
        let words: Vec<&str> = <Verdict as strum::IntoEnumIterator>::iter()
            .map(Verdict::english)
            .collect();
        assert_eq!(
            words,
            [
                "Could not be checked",
                "No vehicle charging",
                "Not followed",
                "Held lower by CLEMAP",
                "Followed"
            ]
        );
    }
}
