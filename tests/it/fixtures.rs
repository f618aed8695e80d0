//! What the tests build on: a fresh database, a simulated CLEMAP with a
//! fast client, chargers registered through the real registry.

use std::time::Duration;

use evse_dashboard::audit::{Actor, AuditKey, AuditLog, Who};
use evse_dashboard::clemap::simulator::{self, Fleet, SimulatorHandle, StationSpec, Vehicle};
use evse_dashboard::clemap::{ClemapClient, ClientConfig};
use evse_dashboard::control::Control;
use evse_dashboard::db::{Db, Location, scratch};
use evse_dashboard::registry::Registry;
use evse_dashboard::secret::EvseToken;
use evse_dashboard::types::{ChargerInput, TargetLimits};
use evse_dashboard::vault::{TokenKey, Vault};

/// A migrated database of its own (and a temporary directory: the SQLite
/// file's, or for the test's own files).
pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub db: Db,
    /// Where it is, for a second pool on the same database.
    pub location: Location,
}

/// Whether this run is on PostgreSQL (`EVSE_TEST_BACKEND=postgres`).
pub fn on_postgres() -> bool {
    std::env::var("EVSE_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

pub async fn database() -> TestDb {
    crate::sql_log::record();
    let dir = tempfile::tempdir().unwrap();
    let location = if on_postgres() {
        let admin = std::env::var("EVSE_TEST_POSTGRES_URL")
            .expect("EVSE_TEST_BACKEND=postgres needs EVSE_TEST_POSTGRES_URL (see .ci/postgres)");
        Location::Url(scratch::postgres(&admin).await.unwrap())
    } else {
        Location::DataDir(dir.path().into())
    };
    let db = Db::connect(&location).await.unwrap();
    TestDb { dir, db, location }
}

/// A person acting through the dashboard.
pub fn actor(username: &str) -> Actor {
    Actor {
        who: Who::User {
            id: 1,
            name: username.into(),
        },
        request_id: Some("req-1".into()),
        client_ip: Some("127.0.0.1".into()),
    }
}

pub fn charger_input(name: &str, evse_uuid: &str, min: u32, max: u32) -> ChargerInput {
    ChargerInput {
        name: name.into(),
        site: "Depot".into(),
        edge_device_id: "edge".into(),
        evse_uuid: evse_uuid.into(),
        min_current: Some(min),
        max_current: Some(max),
        notes: None,
    }
}

/// A station on edge device `edge` with a charging vehicle.
pub fn station(uuid: &str, token: &str, rated: u32) -> StationSpec {
    StationSpec::new("edge", uuid, token, rated, Vehicle::Charging)
}

/// A client that gives up quickly, so fault tests stay fast.
pub fn fast_client(sim: &SimulatorHandle, tune: impl FnOnce(&mut ClientConfig)) -> ClemapClient {
    let mut config = ClientConfig::new(sim.base_url());
    config.request_timeout = Duration::from_millis(500);
    config.retry_backoff = Duration::from_millis(5);
    tune(&mut config);
    ClemapClient::new(config).unwrap()
}

/// A database, a simulated CLEMAP and a registry over both.
pub struct World {
    pub db: TestDb,
    pub audit: AuditLog,
    pub sim: SimulatorHandle,
    pub clemap: ClemapClient,
    pub registry: Registry,
}

impl World {
    pub async fn new(stations: Vec<StationSpec>, timeout: Duration) -> Self {
        Self::with_client(stations, |c| c.request_timeout = timeout).await
    }

    pub async fn with_client(
        stations: Vec<StationSpec>,
        tune: impl FnOnce(&mut ClientConfig),
    ) -> Self {
        let db = database().await;
        let sim = simulator::spawn(Fleet { stations }).await.unwrap();
        let clemap = fast_client(&sim, tune);
        let registry = Registry::new(db.db.clone(), Vault::new(TokenKey::generate()));
        Self {
            audit: AuditLog::new(db.db.clone(), AuditKey::generate()),
            db,
            sim,
            clemap,
            registry,
        }
    }

    pub fn db(&self) -> &Db {
        &self.db.db
    }

    /// Registers `spec` as a charger with the given range (site "Depot");
    /// returns its id.
    pub async fn register(&self, spec: &StationSpec, name: &str, min: u32, max: u32) -> i64 {
        self.register_at(spec, name, "Depot", (min, max)).await
    }

    pub async fn register_at(
        &self,
        spec: &StationSpec,
        name: &str,
        site: &str,
        (min, max): (u32, u32),
    ) -> i64 {
        let input = ChargerInput {
            site: site.into(),
            edge_device_id: spec.edge_device_id.clone(),
            ..charger_input(name, &spec.uuid, min, max)
        };
        self.registry
            .add(&input, &EvseToken::new(spec.token.as_str()))
            .await
            .unwrap()
            .id
    }

    pub fn control(&self) -> Control {
        Control::new(
            self.audit.clone(),
            self.registry.clone(),
            self.clemap.clone(),
            TargetLimits::default(),
        )
    }
}
