//! CLEMAP's Direct EVSE Control API data, as the dashboard understands it.
//! Decoding is tolerant where CLEMAP's docs are silent: unknown fields are
//! ignored, `null`s are allowed, and an unknown plug status becomes
//! [`PlugState::Unknown`] instead of an error. These types compile to wasm
//! too, because the UI shows them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumIter, IntoStaticStr};

/// The temporary current target in force (GET and DELETE `currentsettings`).
/// Both fields are `None` when no target is active.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CurrentSettings {
    #[serde(default)]
    pub current: Option<u32>,
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
}

impl CurrentSettings {
    /// The target and its expiry, when both are present and not yet expired.
    pub fn active_at(&self, now: DateTime<Utc>) -> Option<(u32, DateTime<Utc>)> {
        match (self.current, self.valid_until) {
            (Some(amps), Some(until)) if until > now => Some((amps, until)),
            _ => None,
        }
    }
}

/// The body of a set request: both fields are required integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRequest {
    /// Ampere, applied on all phases.
    pub current: u32,
    /// Seconds the target stays valid.
    pub duration: u32,
}

/// CLEMAP's answer to a set request (HTTP 201).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetAnswer {
    pub state: TargetState,
    #[serde(default)]
    pub current: Option<u32>,
    #[serde(default)]
    pub duration: Option<u32>,
}

/// Whether CLEMAP took the request. `Received` means requested, not
/// applied: a site limit or the supplier can still hold the charger lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    Received,
    Rejected,
    #[serde(other)]
    Unknown,
}

impl TargetState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Rejected => "rejected",
            Self::Unknown => "unknown",
        }
    }
}

/// One plug of a charging station (the status endpoint returns one per plug).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlugStatus {
    #[serde(default)]
    pub plug_uuid: Option<String>,
    #[serde(default)]
    pub plug_label: Option<String>,
    #[serde(default)]
    pub evse_uuid: Option<String>,
    #[serde(default)]
    pub current_l1: Option<f64>,
    #[serde(default)]
    pub current_l2: Option<f64>,
    #[serde(default)]
    pub current_l3: Option<f64>,
    #[serde(default)]
    pub dyn_current_limit: Option<f64>,
    /// Watts.
    #[serde(default)]
    pub power: Option<f64>,
    #[serde(default)]
    pub status: PlugState,
}

impl PlugStatus {
    /// The highest measured phase current, ampere.
    pub fn max_phase_current(&self) -> Option<f64> {
        [self.current_l1, self.current_l2, self.current_l3]
            .into_iter()
            .flatten()
            .reduce(f64::max)
    }
}

/// The highest phase current over all plugs, ampere; `None` when no plug
/// reports one (offline plugs report nothing, which is unknown, not 0 A).
pub fn highest_phase_current(plugs: &[PlugStatus]) -> Option<f64> {
    plugs
        .iter()
        .filter_map(PlugStatus::max_phase_current)
        .reduce(f64::max)
}

/// The plug states CLEMAP documents; anything else is `Unknown`.
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
    IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PlugState {
    Charging,
    RecentlyStartedCharging,
    Idle,
    Connected,
    Discharging,
    Error,
    Offline,
    CloudOffline,
    Init,
    Stopped,
    Starting,
    Producing,
    #[default]
    #[serde(other)]
    Unknown,
}

impl PlugState {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn is_charging(self) -> bool {
        matches!(self, Self::Charging | Self::RecentlyStartedCharging)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_settings_decode_with_microseconds_and_offset() {
        let s: CurrentSettings = serde_json::from_str(
            r#"{"current": 10, "valid_until": "2024-05-30T09:14:47.244362+00:00", "extra": true}"#,
        )
        .unwrap();
        assert_eq!(s.current, Some(10));
        let until = s.valid_until.unwrap();
        assert_eq!(until.to_rfc3339(), "2024-05-30T09:14:47.244362+00:00");
    }

    #[test]
    fn a_non_utc_offset_is_converted_to_utc() {
        let s: CurrentSettings =
            serde_json::from_str(r#"{"current": 8, "valid_until": "2024-05-30T11:14:47.5+02:00"}"#)
                .unwrap();
        assert_eq!(
            s.valid_until.unwrap().to_rfc3339(),
            "2024-05-30T09:14:47.500+00:00"
        );
    }

    #[test]
    fn null_settings_mean_no_target() {
        let s: CurrentSettings =
            serde_json::from_str(r#"{"current": null, "valid_until": null}"#).unwrap();
        assert_eq!(s, CurrentSettings::default());
        assert_eq!(s.active_at(Utc::now()), None);
    }

    #[test]
    fn an_expired_target_is_not_active() {
        let now = Utc::now();
        let s = CurrentSettings {
            current: Some(10),
            valid_until: Some(now - chrono::Duration::seconds(1)),
        };
        assert_eq!(s.active_at(now), None);
        let s = CurrentSettings {
            valid_until: Some(now + chrono::Duration::seconds(60)),
            ..s
        };
        assert_eq!(s.active_at(now).map(|(a, _)| a), Some(10));
    }

    #[test]
    fn unknown_status_strings_become_unknown() {
        let plugs: Vec<PlugStatus> = serde_json::from_str(
            r#"[{"plug_uuid":"p1","status":"levitating","power":null,"new_field":[1,2]},
                {"plug_uuid":"p2","status":"cloud_offline","current_l1":6.5}]"#,
        )
        .unwrap();
        assert_eq!(plugs[0].status, PlugState::Unknown);
        assert_eq!(plugs[0].power, None);
        assert_eq!(plugs[1].status, PlugState::CloudOffline);
        assert_eq!(plugs[1].max_phase_current(), Some(6.5));
    }

    #[test]
    fn a_missing_status_is_unknown() {
        let plug: PlugStatus = serde_json::from_str(r#"{"plug_uuid":"p"}"#).unwrap();
        assert_eq!(plug.status, PlugState::Unknown);
    }

    #[test]
    fn every_state_round_trips_through_its_wire_name() {
        use strum::IntoEnumIterator;
        for state in PlugState::iter() {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
            assert_eq!(serde_json::from_str::<PlugState>(&json).unwrap(), state);
        }
    }

    #[test]
    fn target_answers_tolerate_unknown_states() {
        let a: TargetAnswer =
            serde_json::from_str(r#"{"state":"queued","current":10,"duration":60}"#).unwrap();
        assert_eq!(a.state, TargetState::Unknown);
    }
}
