//! The simulator's fleet: edge devices, stations, their tokens and plugs.
//! Read from a small TOML or JSON file (`simulate --fleet FILE`) or built by
//! [`Fleet::demo`] for `evse-dashboard demo`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    #[serde(default, rename = "evse")]
    pub stations: Vec<StationSpec>,
}

/// One charging station (EVSE) behind an edge device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationSpec {
    pub edge_device_id: String,
    pub uuid: String,
    /// The station's `evsetoken`: a simulator credential, never a real one.
    pub token: String,
    /// What the station and its supply can deliver per phase, ampere.
    #[serde(default = "default_rated_current")]
    pub rated_current: u32,
    /// A display name and site, used when `demo` registers the fleet.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub site: Option<String>,
    /// The CLEMAP device cannot reach the cloud: sets are `rejected`.
    #[serde(default)]
    pub disconnected: bool,
    #[serde(default = "default_plugs")]
    pub plugs: Vec<PlugSpec>,
    /// How the station departs from following its targets.
    #[serde(default)]
    pub behaviour: Behaviour,
}

/// How a station departs from following its targets, as real ones do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Behaviour {
    /// Draws its vehicle's demand whatever target CLEMAP received.
    pub ignores_targets: bool,
    /// CLEMAP's own site limit holds it at this many ampere.
    pub site_limit: Option<u32>,
    /// The CLEMAP device cannot reach the charging station: its plugs read
    /// `offline`, although targets are still received.
    pub unreachable: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlugSpec {
    pub label: String,
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub vehicle: Vehicle,
    /// Phases the vehicle charges on (1 or 3).
    #[serde(default = "default_phases")]
    pub phases: u8,
    /// What the vehicle would draw without a limit, ampere per phase.
    #[serde(default)]
    pub demand: Option<u32>,
}

/// What is plugged in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vehicle {
    /// Nothing plugged in.
    #[default]
    None,
    /// A vehicle that is plugged in but does not want energy.
    Connected,
    /// A vehicle that charges whenever the limit allows (≥ 6 A).
    Charging,
    /// Cars that come and go: every three hours one arrives, charges at
    /// its demand, then tapers to 6 A, sits full, and leaves.
    Sessions,
}

impl StationSpec {
    /// A station with one three-phase plug, without name or site: the
    /// shape most tests and benchmarks need.
    pub fn new(
        edge_device_id: impl Into<String>,
        uuid: impl Into<String>,
        token: impl Into<String>,
        rated_current: u32,
        vehicle: Vehicle,
    ) -> Self {
        Self {
            edge_device_id: edge_device_id.into(),
            uuid: uuid.into(),
            token: token.into(),
            rated_current,
            name: None,
            site: None,
            disconnected: false,
            plugs: vec![PlugSpec {
                label: "Plug 1".into(),
                uuid: None,
                vehicle,
                phases: 3,
                demand: None,
            }],
            behaviour: Behaviour::default(),
        }
    }
}

fn default_rated_current() -> u32 {
    32
}
fn default_phases() -> u8 {
    3
}
fn default_plugs() -> Vec<PlugSpec> {
    vec![PlugSpec {
        label: "Plug 1".into(),
        uuid: None,
        vehicle: Vehicle::None,
        phases: 3,
        demand: None,
    }]
}

#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    #[error("cannot read the fleet file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the fleet file {path} is not valid {format}: {reason}")]
    Parse {
        path: PathBuf,
        format: &'static str,
        reason: String,
    },
    #[error("the fleet file {path} is not usable: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

impl Fleet {
    /// Reads a fleet file: JSON when it ends in `.json`, TOML otherwise.
    pub fn load(path: &Path) -> Result<Self, FleetError> {
        let text = std::fs::read_to_string(path).map_err(|source| FleetError::Read {
            path: path.to_owned(),
            source,
        })?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let fleet: Fleet = if is_json {
            serde_json::from_str(&text).map_err(|e| FleetError::Parse {
                path: path.to_owned(),
                format: "JSON",
                reason: e.to_string(),
            })?
        } else {
            toml::from_str(&text).map_err(|e| FleetError::Parse {
                path: path.to_owned(),
                format: "TOML",
                reason: e.to_string(),
            })?
        };
        fleet.validate().map_err(|reason| FleetError::Invalid {
            path: path.to_owned(),
            reason,
        })?;
        Ok(fleet)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a fleet always serialises")
    }

    /// Station ids must be unique and tokens present.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for s in &self.stations {
            if s.token.is_empty() {
                return Err(format!("station {} has an empty token", s.uuid));
            }
            if s.plugs.is_empty() {
                return Err(format!("station {} has no plugs", s.uuid));
            }
            if !seen.insert((&s.edge_device_id, &s.uuid)) {
                return Err(format!(
                    "station {} on edge device {} appears twice",
                    s.uuid, s.edge_device_id
                ));
            }
        }
        Ok(())
    }

    /// A realistic fleet for the demo: 3 sites, 12 stations, some charging,
    /// one whose CLEMAP device is disconnected. Tokens are fresh random
    /// values each time, so none is ever written down.
    pub fn demo() -> Self {
        // (name, rated A, what is plugged in, phases the vehicle uses)
        type Charger = (&'static str, u32, Vehicle, u8);
        let sites: [(&str, &str, &[Charger]); 3] = [
            (
                "Headquarters car park",
                "edge-hq-01",
                &[
                    // Shared (100 A): cars come, taper and go all day.
                    ("HQ P1-01", 32, Vehicle::Sessions, 3),
                    ("HQ P1-02", 32, Vehicle::Sessions, 3),
                    ("HQ P1-03", 32, Vehicle::Charging, 3),
                    ("HQ P1-04", 16, Vehicle::Sessions, 3),
                    ("HQ P1-05", 16, Vehicle::Sessions, 1),
                ],
            ),
            (
                "Depot North",
                "edge-depot-n",
                &[
                    ("Depot bay 1", 32, Vehicle::Charging, 3),
                    ("Depot bay 2", 32, Vehicle::None, 3),
                    ("Depot bay 3", 32, Vehicle::Charging, 3),
                    ("Depot bay 4", 32, Vehicle::None, 3),
                ],
            ),
            (
                "Visitor garage",
                "edge-visitor-g",
                &[
                    ("Visitor V1", 16, Vehicle::None, 3),
                    ("Visitor V2", 16, Vehicle::Sessions, 3),
                    ("Visitor V3", 16, Vehicle::Connected, 3),
                ],
            ),
        ];
        let mut stations = Vec::new();
        for (site, edge, chargers) in sites {
            for (i, (name, rated, vehicle, phases)) in chargers.iter().enumerate() {
                stations.push(StationSpec {
                    edge_device_id: edge.to_owned(),
                    uuid: uuid::Uuid::new_v4().to_string(),
                    token: random_token(),
                    rated_current: *rated,
                    name: Some((*name).to_owned()),
                    site: Some(site.to_owned()),
                    // One station whose CLEMAP device lost its uplink.
                    disconnected: site == "Visitor garage" && i == 2,
                    behaviour: demo_behaviour(name),
                    plugs: vec![PlugSpec {
                        label: "Plug 1".into(),
                        uuid: None,
                        vehicle: *vehicle,
                        phases: *phases,
                        demand: Some(if i % 2 == 0 { *rated } else { rated * 3 / 4 }),
                    }],
                });
            }
        }
        Self { stations }
    }
}

/// The demo's stations that show what a target can come to: two that
/// ignore targets, one CLEMAP holds lower, one whose plug cannot be
/// reached (the others follow their targets).
fn demo_behaviour(name: &str) -> Behaviour {
    match name {
        // One stubborn car where the supply is shared, one where it is not.
        "HQ P1-03" | "Depot bay 3" => Behaviour {
            ignores_targets: true,
            ..Behaviour::default()
        },
        "HQ P1-05" => Behaviour {
            site_limit: Some(8),
            ..Behaviour::default()
        },
        "Depot bay 2" => Behaviour {
            unreachable: true,
            ..Behaviour::default()
        },
        _ => Behaviour::default(),
    }
}

/// 32 random bytes as hex: the shape of a real high-entropy token.
pub fn random_token() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("sim-{a}{b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_fleet_is_valid_and_varied() {
        let fleet = Fleet::demo();
        assert_eq!(fleet.stations.len(), 12);
        fleet.validate().unwrap();
        let sites: std::collections::HashSet<_> =
            fleet.stations.iter().map(|s| s.site.clone()).collect();
        assert_eq!(sites.len(), 3);
        assert!(fleet.stations.iter().any(|s| s.disconnected));
        assert!(
            fleet
                .stations
                .iter()
                .any(|s| s.plugs[0].vehicle == Vehicle::Charging)
        );
    }

    #[test]
    fn toml_and_json_files_load_with_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let toml_path = dir.path().join("fleet.toml");
        std::fs::write(
            &toml_path,
            "[[evse]]\nedge_device_id = \"e1\"\nuuid = \"u1\"\ntoken = \"t1\"\n",
        )
        .unwrap();
        let fleet = Fleet::load(&toml_path).unwrap();
        assert_eq!(fleet.stations[0].rated_current, 32);
        assert_eq!(fleet.stations[0].plugs.len(), 1);

        let json_path = dir.path().join("fleet.json");
        std::fs::write(&json_path, serde_json::to_string(&Fleet::demo()).unwrap()).unwrap();
        assert_eq!(Fleet::load(&json_path).unwrap().stations.len(), 12);

        let round_trip = dir.path().join("again.toml");
        std::fs::write(&round_trip, Fleet::demo().to_toml()).unwrap();
        assert_eq!(Fleet::load(&round_trip).unwrap().stations.len(), 12);
    }

    #[test]
    fn bad_files_name_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fleet.toml");
        std::fs::write(&path, "[[evse]]\nedge_device_id = \"e1\"\n").unwrap();
        let err = Fleet::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("not valid TOML") && err.contains("uuid"),
            "{err}"
        );

        std::fs::write(
            &path,
            "[[evse]]\nedge_device_id = \"e\"\nuuid = \"u\"\ntoken = \"t\"\n\
             [[evse]]\nedge_device_id = \"e\"\nuuid = \"u\"\ntoken = \"t\"\n",
        )
        .unwrap();
        let err = Fleet::load(&path).unwrap_err().to_string();
        assert!(err.contains("appears twice"), "{err}");
    }
}
