//! The simulator's memory: stations with their targets, faults, the clock
//! and the log of requests.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::fleet::{Fleet, StationSpec, Vehicle};
use crate::clemap::model::{CurrentSettings, PlugState, PlugStatus};

/// Mains voltage per phase used to compute power.
pub const VOLTS: f64 = 230.0;
/// Below this a vehicle cannot charge (IEC 61851).
pub const MIN_CHARGING_AMPS: u32 = 6;

/// Misbehaviour to inject.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added before every answer.
    pub latency: Duration,
    /// Share of requests (0.0–1.0) answered with an error status.
    pub error_rate: f64,
    /// The status of those errors: 503 when unset. Lets a test tell a
    /// plain 500 (a server bug upstream) from an overloaded 503.
    pub error_status: Option<u16>,
    /// Never answer (the client must time out).
    pub hang: bool,
    /// Answer 200 with a body that is not JSON.
    pub malformed: bool,
    /// Answer 301 pointing here (a client must not follow it with the token).
    pub redirect_to: Option<String>,
    /// Answer 200 with a body of this many bytes (a client must cap it).
    pub oversized: Option<usize>,
    /// Answer 200 with JSON of the wrong shape that quotes this text.
    pub wrong_shape: Option<String>,
}

/// What the simulator saw. It records whether a token came and whether it
/// was right, never the token itself.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub edge_device_id: String,
    pub evse_uuid: String,
    pub resource: String,
    pub token_presented: bool,
    pub token_valid: bool,
    pub body: Option<String>,
    pub at: DateTime<Utc>,
}

pub(super) struct Station {
    pub spec: StationSpec,
    pub target: Option<(u32, DateTime<Utc>)>,
}

impl Station {
    pub fn active_target(&self, now: DateTime<Utc>) -> Option<(u32, DateTime<Utc>)> {
        self.target.filter(|(_, until)| *until > now)
    }

    pub fn settings(&self, now: DateTime<Utc>) -> CurrentSettings {
        match self.active_target(now) {
            Some((amps, until)) => CurrentSettings {
                current: Some(amps),
                valid_until: Some(until),
            },
            None => CurrentSettings::default(),
        }
    }

    /// Per-plug readings that follow the target: a charging vehicle draws
    /// its demand, held to the target, CLEMAP's site limit and the rating,
    /// and pauses below 6 A (unless the station ignores targets).
    pub fn status(&self, now: DateTime<Utc>) -> Vec<PlugStatus> {
        let rated = self.spec.rated_current;
        let behaviour = self.spec.behaviour;
        let clemap_limit = self
            .active_target(now)
            .map_or(rated, |(amps, _)| amps.min(rated))
            .min(behaviour.site_limit.unwrap_or(u32::MAX));
        let drawn_limit = if behaviour.ignores_targets {
            rated
        } else {
            clemap_limit
        };
        let seed = self
            .spec
            .uuid
            .bytes()
            .fold(0_i64, |h, b| h.wrapping_mul(31) + i64::from(b));
        self.spec
            .plugs
            .iter()
            .enumerate()
            .map(|(i, plug)| {
                let plug_uuid = plug
                    .uuid
                    .clone()
                    .unwrap_or_else(|| format!("{}-plug-{}", self.spec.uuid, i + 1));
                let demand = plug.demand.unwrap_or(rated);
                let (state, amps) = if self.spec.disconnected {
                    (PlugState::CloudOffline, None)
                } else if behaviour.unreachable {
                    (PlugState::Offline, None)
                } else {
                    match plug.vehicle {
                        Vehicle::None => (PlugState::Idle, Some(0)),
                        Vehicle::Connected => (PlugState::Connected, Some(0)),
                        Vehicle::Charging => charging(demand, drawn_limit),
                        Vehicle::Sessions => match session(now, seed + i as i64, demand) {
                            Session::Away => (PlugState::Idle, Some(0)),
                            Session::Full => (PlugState::Connected, Some(0)),
                            Session::Wants(wanted) => charging(wanted, drawn_limit),
                        },
                    }
                };
                let phase = |n: u8| amps.map(|a| if n <= plug.phases { f64::from(a) } else { 0.0 });
                PlugStatus {
                    plug_uuid: Some(plug_uuid),
                    plug_label: Some(plug.label.clone()),
                    evse_uuid: Some(self.spec.uuid.clone()),
                    current_l1: phase(1),
                    current_l2: phase(2),
                    current_l3: phase(3),
                    dyn_current_limit: (!self.spec.disconnected && !behaviour.unreachable)
                        .then_some(f64::from(clemap_limit)),
                    power: amps.map(|a| VOLTS * f64::from(a) * f64::from(plug.phases)),
                    status: state,
                }
            })
            .collect()
    }
}

/// A charging vehicle wanting `wanted` ampere under `limit`: it pauses
/// (connected, 0 A) when the limit is below what a car can charge with.
fn charging(wanted: u32, limit: u32) -> (PlugState, Option<u32>) {
    if limit < MIN_CHARGING_AMPS {
        (PlugState::Connected, Some(0))
    } else {
        (PlugState::Charging, Some(wanted.min(limit)))
    }
}

/// Where a station with coming and going cars is in its three-hour cycle.
enum Session {
    Away,
    Wants(u32),
    Full,
}

/// The cycle: a car arrives, charges at its demand for 75 min, tapers to
/// 6 A over the next hour, sits full for half an hour, and leaves for
/// fifteen minutes. Each station starts at its own point (`seed`).
fn session(now: DateTime<Utc>, seed: i64, demand: u32) -> Session {
    const CYCLE: i64 = 3 * 3600;
    let t = (now.timestamp() + seed).rem_euclid(CYCLE);
    let min = MIN_CHARGING_AMPS.min(demand);
    match t {
        t if t < 75 * 60 => Session::Wants(demand),
        t if t < 135 * 60 => {
            let share = (t - 75 * 60) as f64 / 3600.0;
            let wanted = f64::from(demand) - share * f64::from(demand - min);
            Session::Wants(wanted.round() as u32)
        }
        t if t < 165 * 60 => Session::Full,
        _ => Session::Away,
    }
}

pub(super) struct SimState {
    stations: HashMap<(String, String), Station>,
    pub faults: Faults,
    pub station_faults: HashMap<String, Faults>,
    pub requests: Vec<RecordedRequest>,
    pub clock_offset: chrono::Duration,
    pub rng: fastrand::Rng,
}

impl SimState {
    pub fn new(fleet: Fleet) -> Self {
        let mut state = Self {
            stations: HashMap::new(),
            faults: Faults::default(),
            station_faults: HashMap::new(),
            requests: Vec::new(),
            clock_offset: chrono::Duration::zero(),
            // Seeded: a given error rate fails the same requests every run.
            rng: fastrand::Rng::with_seed(0x00C1_E3A9),
        };
        for spec in fleet.stations {
            state.add_station(spec);
        }
        state
    }

    pub fn add_station(&mut self, spec: StationSpec) {
        let key = (spec.edge_device_id.clone(), spec.uuid.clone());
        self.stations.insert(key, Station { spec, target: None });
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
    }

    pub fn lookup_mut(&mut self, edge: &str, uuid: &str) -> Option<&mut Station> {
        self.stations.get_mut(&(edge.to_owned(), uuid.to_owned()))
    }

    pub fn station(&self, uuid: &str) -> Option<&Station> {
        self.stations.values().find(|s| s.spec.uuid == uuid)
    }

    pub fn station_mut(&mut self, uuid: &str) -> Option<&mut Station> {
        self.stations.values_mut().find(|s| s.spec.uuid == uuid)
    }

    pub fn faults_for(&self, uuid: &str) -> Faults {
        self.station_faults
            .get(uuid)
            .unwrap_or(&self.faults)
            .clone()
    }
}
