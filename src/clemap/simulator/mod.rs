//! A CLEMAP simulator: an HTTP server that behaves like the documented
//! Direct EVSE Control API, strict where the docs are clear (token per
//! station, 404 for unknown ids, integer-only bodies, 201 on set, expiry,
//! DELETE returning the previous settings) and plausible where they are
//! silent (see `docs/ARCHITECTURE.md`). Tests drive it in-process through
//! [`SimulatorHandle`]: inspect the recorded requests, inject faults, move
//! the clock.

mod fleet;
mod server;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use fleet::{Behaviour, Fleet, FleetError, PlugSpec, StationSpec, Vehicle, random_token};
pub use state::{Faults, RecordedRequest};

use state::SimState;

/// What `spec` reads at `at` with no target in force: the demo's past.
pub fn status_at(spec: &StationSpec, at: DateTime<Utc>) -> Vec<crate::clemap::model::PlugStatus> {
    state::Station {
        spec: spec.clone(),
        target: None,
    }
    .status(at)
}

/// A running simulator. Dropping the handle stops it.
pub struct SimulatorHandle {
    addr: SocketAddr,
    state: Arc<Mutex<SimState>>,
    _stop: oneshot::Sender<()>,
}

/// Starts a simulator for `fleet` on a free loopback port.
pub async fn spawn(fleet: Fleet) -> std::io::Result<SimulatorHandle> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    Ok(spawn_on(listener, fleet))
}

/// Starts a simulator on a listener the caller bound.
pub fn spawn_on(listener: TcpListener, fleet: Fleet) -> SimulatorHandle {
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let state = Arc::new(Mutex::new(SimState::new(fleet)));
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server::serve(listener, state.clone(), async {
        let _ = stopped.await;
    }));
    SimulatorHandle {
        addr,
        state,
        _stop: stop,
    }
}

/// Serves until `shutdown` completes (for `evse-dashboard simulate`), with
/// `faults` for every station (e.g. a fixed latency for benchmarks).
pub async fn serve(
    listener: TcpListener,
    fleet: Fleet,
    faults: Faults,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut state = SimState::new(fleet);
    state.faults = faults;
    server::serve(listener, Arc::new(Mutex::new(state)), shutdown).await
}

impl SimulatorHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give the client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn with<R>(&self, f: impl FnOnce(&mut SimState) -> R) -> R {
        f(&mut self.state.lock().expect("simulator state poisoned"))
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.with(|s| s.requests.clone())
    }

    pub fn clear_requests(&self) {
        self.with(|s| s.requests.clear());
    }

    /// Faults for every station without faults of its own.
    pub fn set_faults(&self, faults: Faults) {
        self.with(|s| s.faults = faults);
    }

    /// Faults for one station, overriding the fleet-wide ones.
    pub fn set_station_faults(&self, evse_uuid: &str, faults: Faults) {
        self.with(|s| {
            s.station_faults.insert(evse_uuid.to_owned(), faults);
        });
    }

    pub fn clear_faults(&self) {
        self.with(|s| {
            s.faults = Faults::default();
            s.station_faults.clear();
        });
    }

    /// Marks a station's CLEMAP device as (dis)connected.
    pub fn set_disconnected(&self, evse_uuid: &str, disconnected: bool) {
        self.with(|s| {
            if let Some(station) = s.station_mut(evse_uuid) {
                station.spec.disconnected = disconnected;
            }
        });
    }

    /// Puts `vehicle` on every plug of a station (a car arrives or leaves).
    pub fn set_vehicle(&self, evse_uuid: &str, vehicle: fleet::Vehicle) {
        self.with(|s| {
            if let Some(station) = s.station_mut(evse_uuid) {
                for plug in &mut station.spec.plugs {
                    plug.vehicle = vehicle;
                }
            }
        });
    }

    /// Moves the simulator's clock forward, e.g. past a target's expiry.
    pub fn advance_clock(&self, by: Duration) {
        self.with(|s| s.clock_offset += chrono::Duration::from_std(by).expect("small duration"));
    }

    /// The simulator's idea of now.
    pub fn now(&self) -> DateTime<Utc> {
        self.with(|s| s.now())
    }

    /// The station's active target, as the simulator holds it.
    pub fn active_target(&self, evse_uuid: &str) -> Option<(u32, DateTime<Utc>)> {
        self.with(|s| {
            let now = s.now();
            s.station(evse_uuid).and_then(|st| st.active_target(now))
        })
    }

    /// Adds a station at run time.
    pub fn add_station(&self, spec: StationSpec) {
        self.with(|s| s.add_station(spec));
    }
}
