//! LM1–LM3 (#40): a shared site of ten chargers under a 100 A limit, run
//! through the real sampler, load manager, audit trail and CLEMAP client
//! against the simulator, while cars arrive and leave (one high-priority
//! charger, one single-phase car, one car that ignores its target).
//!
//! Prints, after the first two rounds (the stubborn car is judged from the
//! second reading on):
//! `LM1 <rounds until every charger has its new allocation, worst> <worst
//! measured excess over the limit on any phase, A>`,
//! `LM2 <largest difference between equal cars taking all they are given, A>`,
//! `LM3 <smallest allocated share of the limit while cars want more, %>`.
//! Run: `cargo bench -p evse-dashboard --features ssr --bench sharing_fleet`

use std::time::Duration;

use chrono::Utc;
use evse_dashboard::audit::{Actor, AuditKey, AuditLog, Who};
use evse_dashboard::clemap::simulator::{self, Behaviour, Fleet, StationSpec, Vehicle};
use evse_dashboard::clemap::{ClemapClient, ClientConfig};
use evse_dashboard::control::Control;
use evse_dashboard::db::{Db, Location};
use evse_dashboard::history::{HistoryConfig, Sampler};
use evse_dashboard::registry::Registry;
use evse_dashboard::secret::EvseToken;
use evse_dashboard::sharing::Sharing;
use evse_dashboard::sharing::allocate::{Allocation, Why};
use evse_dashboard::types::{ChargerInput, TargetLimits};
use evse_dashboard::vault::{TokenKey, Vault};
use evse_dashboard::vocabulary::Priority;

const CHARGERS: usize = 10;
const LIMIT: u32 = 100;
const ROUNDS: usize = 80;
/// The car that ignores its target, and the single-phase one.
const STUBBORN: usize = 8;
const SINGLE_PHASE: usize = 7;

fn uuid(i: usize) -> String {
    format!("evse-lm-{i}")
}

fn stations() -> Vec<StationSpec> {
    (0..CHARGERS)
        .map(|i| {
            let mut s = StationSpec::new(
                "edge-lm",
                uuid(i),
                format!("tok-lm-{i}-1a2b3c4d5e6f"),
                32,
                // Half the bays start with a car.
                if i % 2 == 0 || i == STUBBORN {
                    Vehicle::Charging
                } else {
                    Vehicle::None
                },
            );
            s.plugs[0].phases = if i == SINGLE_PHASE { 1 } else { 3 };
            s.behaviour = Behaviour {
                ignores_targets: i == STUBBORN,
                ..Behaviour::default()
            };
            s
        })
        .collect()
}

/// Arrivals and departures: (round, bay, car charging after it).
fn events() -> Vec<(usize, usize, bool)> {
    vec![
        (6, 1, true),
        (10, 3, true),
        (14, 7, true),
        (18, 5, true),
        (22, 9, true),
        (28, 2, false),
        (32, 4, false),
        (38, 1, false),
        (44, 2, true),
        (50, 6, false),
        (56, 3, false),
        (62, 4, true),
        (68, 9, false),
        (74, 6, true),
    ]
}

struct Figures {
    worst_rounds: usize,
    worst_excess: f64,
    worst_spread: u32,
    least_share: f64,
}

/// Per phase, what the site's charging plugs drew at this round's readings.
fn measured(round: &evse_dashboard::history::sampler::Round) -> [f64; 3] {
    let mut sum = [0.0; 3];
    for plugs in round.readings.iter().filter_map(|r| r.plugs()) {
        for p in plugs {
            for (s, a) in sum
                .iter_mut()
                .zip([p.current_l1, p.current_l2, p.current_l3])
            {
                *s += a.unwrap_or(0.0);
            }
        }
    }
    sum
}

/// Whether CLEMAP holds every target the allocation sends.
fn all_sent(sim: &simulator::SimulatorHandle, ids: &[i64], a: &Allocation) -> bool {
    a.shares.iter().all(|s| {
        let Some(amps) = s.amps.filter(|_| s.why != Why::NotFollowing) else {
            return true;
        };
        let bay = ids.iter().position(|id| *id == s.charger_id).unwrap();
        sim.active_target(&uuid(bay)).map(|(t, _)| t) == Some(amps)
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&Location::DataDir(dir.path().into()))
        .await
        .unwrap();
    let sim = simulator::spawn(Fleet {
        stations: stations(),
    })
    .await
    .unwrap();
    let mut client = ClientConfig::new(sim.base_url());
    client.request_timeout = Duration::from_millis(800);
    let clemap = ClemapClient::new(client).unwrap();
    let registry = Registry::new(db.clone(), Vault::new(TokenKey::generate()));
    let audit = AuditLog::new(db.clone(), AuditKey::generate());
    let mut ids = Vec::new();
    for (i, s) in stations().iter().enumerate() {
        let input = ChargerInput {
            name: format!("Bay {i}"),
            site: "Shared".into(),
            edge_device_id: s.edge_device_id.clone(),
            evse_uuid: s.uuid.clone(),
            min_current: Some(6),
            max_current: Some(32),
            notes: None,
        };
        let token = EvseToken::new(s.token.as_str());
        ids.push(registry.add(&input, &token).await.unwrap().id);
    }
    let config = HistoryConfig {
        settle: Duration::ZERO,
        deadline: Duration::from_millis(800),
        ..HistoryConfig::default()
    };
    let sampler = Sampler::new(
        audit.clone(),
        registry.clone(),
        clemap.clone(),
        config,
        Duration::from_secs(24 * 3600),
    );
    let control = Control::new(
        audit.clone(),
        registry.clone(),
        clemap,
        TargetLimits::default(),
    );
    let sharing = Sharing::new(audit.clone(), control);
    let admin = Actor {
        who: Who::Cli {
            os_user: "bench".into(),
        },
        request_id: None,
        client_ip: None,
    };
    let site_id = registry.get(ids[0]).await.unwrap().site_id;
    let settings = &sharing.settings;
    settings.set_supply(&admin, site_id, "100").await.unwrap();
    settings
        .set_sharing(&admin, site_id, true, None)
        .await
        .unwrap();
    settings.set_priority(&admin, ids[0], "high").await.unwrap();

    let mut figures = Figures {
        worst_rounds: 0,
        worst_excess: f64::NEG_INFINITY,
        worst_spread: 0,
        least_share: f64::INFINITY,
    };
    let mut charging: Vec<bool> = stations()
        .iter()
        .map(|s| s.plugs[0].vehicle == Vehicle::Charging)
        .collect();
    // Rounds since the last arrival or departure until every charger held
    // its allocation (`None`: done).
    let mut pending: Option<usize> = None;
    for n in 0..ROUNDS {
        for (_, bay, car) in events().into_iter().filter(|e| e.0 == n) {
            let vehicle = if car {
                Vehicle::Charging
            } else {
                Vehicle::None
            };
            sim.set_vehicle(&uuid(bay), vehicle);
            charging[bay] = car;
            pending = Some(0);
        }
        assert!(sampler.tick(Utc::now()).await.unwrap());
        let round = sampler.rounds().borrow().clone().unwrap();
        let mut done = sharing.after_round(&round).await.unwrap();
        let allocation = done.remove(0).1;
        if let Some(rounds) = pending.as_mut() {
            *rounds += 1;
            if all_sent(&sim, &ids, &allocation) {
                figures.worst_rounds = figures.worst_rounds.max(*rounds);
                pending = None;
            }
        }
        if n < 2 {
            continue;
        }
        let draw = measured(&round);
        let excess = draw
            .iter()
            .map(|a| a - f64::from(LIMIT))
            .fold(f64::MIN, f64::max);
        figures.worst_excess = figures.worst_excess.max(excess);
        // LM2: equal cars sharing a phase, each taking all it is given.
        for priority in [Priority::High, Priority::Normal, Priority::Low] {
            let given: Vec<u32> = allocation
                .shares
                .iter()
                .filter(|s| matches!(s.why, Why::Shared { .. }))
                .filter(|s| {
                    let bay = ids.iter().position(|id| *id == s.charger_id).unwrap();
                    let p = if bay == 0 {
                        Priority::High
                    } else {
                        Priority::Normal
                    };
                    p == priority && bay != SINGLE_PHASE
                })
                .filter_map(|s| s.amps)
                .collect();
            if let (Some(hi), Some(lo)) = (given.iter().max(), given.iter().min()) {
                figures.worst_spread = figures.worst_spread.max(hi - lo);
            }
        }
        // LM3: the cars want 32 A each, more than the limit, as soon as
        // four charge.
        if charging.iter().filter(|c| **c).count() * 32 > LIMIT as usize {
            let highest = allocation.counted.iter().copied().max().unwrap_or(0);
            figures.least_share = figures
                .least_share
                .min(f64::from(highest) / f64::from(LIMIT) * 100.0);
        }
    }
    assert!(
        pending.is_none(),
        "the last change never reached every charger"
    );
    assert_eq!(audit.verify(None).await.unwrap().broken, None);
    println!(
        "LM1 {} {:.1}",
        figures.worst_rounds,
        figures.worst_excess.max(0.0)
    );
    println!("LM2 {}", figures.worst_spread);
    println!("LM3 {:.1}", figures.least_share);
}
