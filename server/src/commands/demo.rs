//! `evse-dashboard demo`: the dashboard against an in-process CLEMAP
//! simulator, with the simulator's fleet registered through the same
//! registry code an admin uses. The fleet (with its simulator tokens) is
//! kept in the demo data directory so a second run finds the same chargers.

use evse_dashboard::audit::AuditLog;
use evse_dashboard::auth::Users;
use evse_dashboard::clemap::simulator::{self, Fleet, StationSpec};
use evse_dashboard::history;
use evse_dashboard::registry::{Registry, RegistryError};
use evse_dashboard::secret::EvseToken;
use evse_dashboard::secret::Password;
use evse_dashboard::types::ChargerInput;
use evse_dashboard::types::Role;

use super::CommandResult;
use super::simulate::write_fleet;
use crate::cli::DemoArgs;
use crate::{Application, ServeConfig, data_dir};

/// The fleet file's name inside the demo data directory.
pub const FLEET_FILE: &str = "demo-fleet.toml";
/// The demo's admin account.
pub const DEMO_ADMIN: &str = "admin";

pub async fn run(args: DemoArgs) -> CommandResult {
    std::fs::create_dir_all(&args.data_dir)?;
    let fleet_path = args.data_dir.join(FLEET_FILE);
    let fleet = if fleet_path.exists() {
        Fleet::load(&fleet_path)?
    } else {
        let fleet = Fleet::demo();
        write_fleet(&fleet, &fleet_path)?;
        fleet
    };
    let sim = simulator::spawn(fleet.clone()).await?;
    tracing::info!(url = %sim.base_url(), stations = fleet.stations.len(), "CLEMAP simulator started");

    // The demo is the first-run experience: always SQLite in its folder.
    let data = crate::cli::DataArgs::new(args.data_dir.clone());
    let (db, vault, audit_key) = data_dir::open(&data).await?;
    let registry = Registry::new(db.clone(), vault);
    let added = register_fleet(&registry, &fleet.stations).await?;
    tracing::info!(added, "demo fleet registered");
    // Made up before the sampler starts, so its first round does not wait
    // on the backfill's writes.
    let stations = registered(&registry, &fleet.stations).await?;
    let filled = history::backfill::last_day(&db, &stations, chrono::Utc::now()).await?;
    if filled > 0 {
        tracing::info!(
            chargers = filled,
            "a simulated day of history made up for the demo"
        );
    }
    let users = Users::new(db.clone(), AuditLog::new(db, audit_key));
    let login = ensure_admin(&users, args.admin_password).await?;

    let config = ServeConfig::new(data, args.web, sim.base_url());
    let app = Application::build(config.clone()).await?;
    if added > 0 {
        limit_headquarters(app.services(), &stations).await;
    }
    if args.showcase {
        showcase(app.services(), &stations).await;
    }
    println!();
    println!(
        "  EVSE dashboard demo — {} chargers on a simulated CLEMAP",
        fleet.stations.len()
    );
    println!("  open http://{}", app.local_addr());
    println!("  {login}");
    println!();
    super::serve::serve_app(app, &config).await?;
    drop(sim);
    Ok(())
}

/// Each station's charger id.
async fn registered(
    registry: &Registry,
    stations: &[StationSpec],
) -> Result<Vec<(i64, StationSpec)>, RegistryError> {
    let chargers = registry.list().await?;
    Ok(stations
        .iter()
        .filter_map(|s| {
            chargers
                .iter()
                .find(|c| c.edge_device_id == s.edge_device_id && c.evse_uuid == s.uuid)
                .map(|c| (c.id, s.clone()))
        })
        .collect())
}

/// The demo's stations that show each verdict, by name.
const SHOWCASE: [&str; 5] = [
    "Depot bay 1",
    "Depot bay 3",
    "HQ P1-05",
    "Depot bay 4",
    "Depot bay 2",
];

/// The headquarters get a supply limit of 100 A (as an admin would set
/// it), shared among the cars charging there, with P1-01 first in line:
/// the site's chart, bars and Sharing card have something to show.
async fn limit_headquarters(
    services: &evse_dashboard::services::Services,
    stations: &[(i64, StationSpec)],
) {
    let Some((first, _)) = stations
        .iter()
        .find(|(_, s)| s.name.as_deref() == Some("HQ P1-01"))
    else {
        return;
    };
    let actor = super::cli_actor();
    let result = async {
        let site_id = services.registry.get(*first).await?.site_id;
        let sharing = &services.sharing.settings;
        sharing.set_supply(&actor, site_id, "100").await?;
        sharing.set_sharing(&actor, site_id, true, None).await?;
        sharing.set_priority(&actor, *first, "high").await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "the demo's shared supply could not be set");
    }
}

/// Sets 10 A for two hours on the showcase chargers (as the command line),
/// so every verdict shows once the targets have settled.
async fn showcase(services: &evse_dashboard::services::Services, stations: &[(i64, StationSpec)]) {
    let actor = super::cli_actor();
    for (id, spec) in stations {
        if !SHOWCASE.contains(&spec.name.as_deref().unwrap_or_default()) {
            continue;
        }
        if let Err(e) = services.control.set_target(&actor, *id, 10, 7200).await {
            tracing::warn!(charger = id, error = %e, "a showcase target failed");
        }
    }
}

/// Registers every station not yet registered (and refreshes the token of
/// those that are). Returns how many were new.
pub async fn register_fleet(
    registry: &Registry,
    stations: &[StationSpec],
) -> Result<usize, RegistryError> {
    let existing = registry.list().await?;
    let mut added = 0;
    for (i, station) in stations.iter().enumerate() {
        let token = EvseToken::new(station.token.as_str());
        let known = existing
            .iter()
            .find(|c| c.edge_device_id == station.edge_device_id && c.evse_uuid == station.uuid);
        match known {
            Some(charger) => registry.set_token(charger.id, &token).await?,
            None => {
                let input = ChargerInput {
                    name: station
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("Charger {}", i + 1)),
                    site: station.site.clone().unwrap_or_else(|| "Demo site".into()),
                    edge_device_id: station.edge_device_id.clone(),
                    evse_uuid: station.uuid.clone(),
                    min_current: Some(6),
                    max_current: Some(station.rated_current),
                    notes: Some("Registered by the demo.".into()),
                };
                registry.add(&input, &token).await?;
                added += 1;
            }
        }
    }
    Ok(added)
}

/// The demo admin `admin`: created on the first run with the given or a
/// random password (printed once); on later runs its password is set to the
/// given one, or left alone.
async fn ensure_admin(
    users: &Users,
    password: Option<String>,
) -> Result<String, Box<dyn std::error::Error>> {
    match (users.by_name(DEMO_ADMIN).await, password) {
        (Ok(admin), Some(password)) => {
            users
                .set_password(admin.id, &Password::new(password))
                .await?;
            Ok(format!(
                "log in as `{DEMO_ADMIN}` with the password you gave"
            ))
        }
        (Ok(_), None) => Ok(format!(
            "log in as `{DEMO_ADMIN}` with the password printed on the first run \
             (or restart with --admin-password)"
        )),
        (Err(_), given) => {
            let generated = given.is_none();
            let password = given.unwrap_or_else(|| {
                format!("demo-{}", &uuid::Uuid::new_v4().simple().to_string()[..16])
            });
            users
                .create(DEMO_ADMIN, &Password::new(password.clone()), Role::Admin)
                .await?;
            Ok(if generated {
                format!("log in as `{DEMO_ADMIN}` with password {password}   (shown only now)")
            } else {
                format!("log in as `{DEMO_ADMIN}` with the password you gave")
            })
        }
    }
}
