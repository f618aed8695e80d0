//! Two dashboard instances on one PostgreSQL database, behind nothing but
//! different ports: a session made on one is good on the other, their
//! writes form one audit chain, a schedule window is applied once, and
//! killing one loses nothing it acknowledged.
//!
//! Needs `EVSE_TEST_POSTGRES_URL` (an admin URL; `.ci/test` starts a
//! throwaway cluster with `.ci/postgres`).

use std::time::Duration;

use app::server_fns::control::SetTarget;
use evse_dashboard::audit::{Actor, Who, verify::Verified};
use evse_dashboard::clemap::ClientConfig;
use evse_dashboard::clemap::simulator::{self, Fleet, SimulatorHandle, StationSpec, Vehicle};
use evse_dashboard::db::{DatabaseUrl, scratch};
use evse_dashboard::on_db;
use evse_dashboard::schedule::Target;
use evse_dashboard::types::{ControlOutcome, Outcome, Role, ScheduleInput};
use server::commands::backup::copy_keys;

use crate::helpers::{TestApp, ok, spawn_configured, test_config};

fn admin_url() -> String {
    std::env::var("EVSE_TEST_POSTGRES_URL").expect(
        "the two-instance tests need PostgreSQL: run .ci/test, or set EVSE_TEST_POSTGRES_URL \
         to an admin URL (e.g. from `.ci/postgres start`)",
    )
}

/// Two instances on one fresh database with one simulated CLEMAP. B gets
/// A's key files, as every instance of one installation must.
pub(crate) async fn two_instances(
    stations: Vec<StationSpec>,
) -> (TestApp, TestApp, SimulatorHandle) {
    let url: DatabaseUrl = scratch::postgres(&admin_url()).await.unwrap();
    let sim = simulator::spawn(Fleet { stations }).await.unwrap();
    let start = async |keys_from: Option<&std::path::Path>| {
        let dir = tempfile::tempdir().unwrap();
        if let Some(from) = keys_from {
            assert_eq!(copy_keys(from, dir.path()).unwrap().len(), 2);
        }
        let mut config = test_config(dir.path());
        config.database_url = Some(url.clone());
        config.clemap = ClientConfig::new(sim.base_url());
        spawn_configured(dir, config).await
    };
    let a = start(None).await;
    let b = start(Some(a.data_dir.path())).await;
    (a, b, sim)
}

pub(crate) fn station(uuid: &str) -> StationSpec {
    let token = format!("tok-{uuid}-{}", uuid::Uuid::new_v4().simple());
    StationSpec::new("edge", uuid, &token, 32, Vehicle::Charging)
}

pub(crate) fn set(charger_id: i64, amps: u32) -> SetTarget {
    SetTarget {
        charger_id,
        amps: amps.to_string(),
        duration: "3600".into(),
        custom_minutes: None,
        confirmed: None,
    }
}

async fn verified(app: &TestApp) -> Verified {
    app.services.audit.verify(None).await.unwrap()
}

#[tokio::test]
async fn a_session_made_on_one_instance_works_on_the_other() {
    let (a, b, _sim) = two_instances(vec![]).await;
    b.create_user("olga", Role::Operator).await;
    let olga = a.login("olga").await;
    // The same cookie (the client keeps it for 127.0.0.1, any port).
    let res = olga.get(b.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200, "B knows the session A made");
    let anonymous = crate::helpers::client();
    let res = anonymous.get(b.url("/")).send().await.unwrap();
    assert!(
        res.status().is_redirection(),
        "and B still refuses strangers"
    );
}

#[tokio::test]
async fn sets_through_both_instances_form_one_chain_in_order() {
    let specs: Vec<StationSpec> = (0..4).map(|i| station(&format!("evse-{i}"))).collect();
    let (a, b, sim) = two_instances(specs.clone()).await;
    let mut ids = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        ids.push(a.register(spec, &format!("Bay {i}"), 32).await);
    }
    a.create_user("olga", Role::Operator).await;
    let olga = a.login("olga").await;

    // Concurrent: every charger gets sets through A and B at once.
    let calls = ids.iter().flat_map(|&id| {
        [(&a, id, 10), (&b, id, 12)].map(|(app, id, amps)| {
            let olga = olga.clone();
            async move {
                let outcome: ControlOutcome = ok(app.call_fn(&olga, set(id, amps)).await).await;
                outcome
            }
        })
    });
    let outcomes = futures::future::join_all(calls).await;
    assert!(outcomes.iter().all(|o| o.outcome == Outcome::Received));

    // Sequential on one charger, alternating instances: the trail keeps
    // the order the calls were acknowledged in, and CLEMAP has the last.
    let amps: Vec<u32> = (6..=16).collect();
    for (i, &amp) in amps.iter().enumerate() {
        let app = if i % 2 == 0 { &a } else { &b };
        let outcome: ControlOutcome = ok(app.call_fn(&olga, set(ids[0], amp)).await).await;
        assert_eq!(outcome.outcome, Outcome::Received);
    }
    let trail: Vec<i64> = on_db!(&a.services.audit.db(), pool => sqlx::query_scalar(
        "SELECT requested_current FROM audit_events \
         WHERE charger_id = $1 AND action = 'set_target' ORDER BY id",
    )
    .bind(ids[0])
    .fetch_all(pool)
    .await
    .unwrap());
    let sequential: Vec<i64> = trail[2..].to_vec();
    assert_eq!(
        sequential,
        amps.iter().map(|&a| i64::from(a)).collect::<Vec<_>>()
    );
    assert_eq!(sim.active_target("evse-0").map(|t| t.0), Some(16));

    for app in [&a, &b] {
        let v = verified(app).await;
        assert_eq!(v.broken, None);
        assert_eq!(v.rows, verified(&a).await.rows);
    }
    assert!(verified(&b).await.rows >= (8 + 11) as u64);
}

#[tokio::test]
async fn a_schedule_window_is_applied_once_by_two_engines() {
    let spec = station("evse-s");
    let (a, b, sim) = two_instances(vec![spec.clone()]).await;
    let id = a.register(&spec, "Bay S", 32).await;
    // Every day, from an hour ago to an hour from now, on UTC.
    let now = chrono::Utc::now();
    let hhmm = |t: chrono::DateTime<chrono::Utc>| t.format("%H:%M").to_string();
    let input = ScheduleInput {
        name: "Both engines".into(),
        from: hhmm(now - chrono::TimeDelta::hours(1)),
        to: hhmm(now + chrono::TimeDelta::hours(1)),
        current: "11".into(),
        time_zone: "UTC".into(),
        ..Default::default()
    }
    .with_days(0b111_1111);
    let created = a
        .services
        .schedules
        .create(
            &Actor::of(Who::Unknown {
                name: String::new(),
            }),
            Target::Charger(id),
            &input,
        )
        .await
        .unwrap();
    // A's engine is woken by the change; B's and A's ticks race it.
    let ticks = [&a, &b, &a, &b].map(|app| app.services.engine.tick(chrono::Utc::now()));
    for tick in futures::future::join_all(ticks).await {
        tick.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let posts = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.resource == "currentsettings")
        .count();
    assert_eq!(posts, 1, "one POST for the window, not one per engine");
    assert_eq!(sim.active_target("evse-s").map(|t| t.0), Some(11));
    let actor = format!("schedule:{} (%", created.schedule.id);
    let sends: i64 = on_db!(&b.services.audit.db(), pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE actor LIKE $1 AND action = 'set_target'",
    )
    .bind(&actor)
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(sends, 1);
}

#[tokio::test]
async fn killing_one_instance_loses_nothing_it_acknowledged() {
    let specs: Vec<StationSpec> = (0..3).map(|i| station(&format!("evse-k{i}"))).collect();
    let (a, b, _sim) = two_instances(specs.clone()).await;
    let mut ids = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        ids.push(a.register(spec, &format!("Bay K{i}"), 32).await);
    }
    a.create_user("olga", Role::Operator).await;
    let olga = a.login("olga").await;

    // A stream of sets through A; A is killed while some are in flight.
    let (acked_tx, mut acked_rx) = tokio::sync::mpsc::unbounded_channel::<ControlOutcome>();
    let load = {
        let (olga, url, ids) = (olga.clone(), a.url(""), ids.clone());
        tokio::spawn(async move {
            for round in 0u32.. {
                for &id in &ids {
                    let body = serde_qs::to_string(&set(id, 6 + round % 10)).unwrap();
                    let sent = olga
                        .post(format!(
                            "{url}{}",
                            <SetTarget as leptos::server_fn::ServerFn>::PATH
                        ))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("accept", "application/json")
                        .body(body)
                        .send()
                        .await;
                    let Ok(res) = sent else { return };
                    let Ok(outcome) = res.json::<ControlOutcome>().await else {
                        return;
                    };
                    let _ = acked_tx.send(outcome);
                }
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    a.server.abort();
    let _ = load.await;
    let mut acked = Vec::new();
    while let Ok(outcome) = acked_rx.try_recv() {
        acked.push(outcome);
    }
    assert!(
        acked.len() >= 3,
        "some sets were acknowledged before the kill"
    );

    // B (the survivor) has every acknowledged attempt with its outcome.
    for outcome in &acked {
        let entry = b.services.control.outcome(outcome.audit_id).await.unwrap();
        assert_eq!(
            entry.outcome, outcome.outcome,
            "audit row {}",
            outcome.audit_id
        );
    }
    let v = verified(&b).await;
    assert_eq!(v.broken, None);
    // And B keeps serving.
    let outcome: ControlOutcome = ok(b.call_fn(&olga, set(ids[0], 9)).await).await;
    assert_eq!(outcome.outcome, Outcome::Received);
}

#[tokio::test]
async fn a_sqlite_installation_moves_to_postgres_with_its_chain_and_tokens() {
    let spec = station("evse-m");
    let sim = simulator::spawn(Fleet {
        stations: vec![spec.clone()],
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_owned();
    let mut config = test_config(&data_dir);
    config.clemap = ClientConfig::new(sim.base_url());
    let old = spawn_configured(dir, config.clone()).await;
    let id = old.register(&spec, "Bay M", 32).await;
    old.create_user("olga", Role::Operator).await;
    let olga = old.login("olga").await;
    let before: ControlOutcome = ok(old.call_fn(&olga, set(id, 14)).await).await;
    let head = verified(&old).await.head.unwrap();
    let TestApp {
        data_dir: dir,
        server,
        ..
    } = old;
    server.abort();

    let url: DatabaseUrl = scratch::postgres(&admin_url()).await.unwrap();
    let data = server::cli::DataArgs {
        data_dir: data_dir.clone(),
        database_url: Some(url.clone()),
    };
    server::commands::move_to_postgres::run(data.clone())
        .await
        .unwrap();
    // A second copy into the same database is refused: nothing is mixed.
    let again = server::commands::move_to_postgres::run(data)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("already holds"), "{again}");

    config.database_url = Some(url);
    let new = spawn_configured(dir, config).await;
    let v = verified(&new).await;
    assert_eq!((v.broken, v.head), (None, Some(head)));
    let olga = new.login("olga").await;
    let entry = new.services.control.outcome(before.audit_id).await.unwrap();
    assert_eq!(entry.outcome, Outcome::Received);
    // The token still opens: a new call reaches the charger.
    let after: ControlOutcome = ok(new.call_fn(&olga, set(id, 9)).await).await;
    assert_eq!(after.outcome, Outcome::Received);
    assert!(
        after.audit_id > before.audit_id,
        "ids continue after the copied ones"
    );
    assert_eq!(sim.active_target("evse-m").map(|t| t.0), Some(9));
}

/// Instances started together on a fresh database take turns migrating
/// (schema, vocabulary, session store) and both come up.
#[tokio::test]
async fn instances_started_together_on_a_fresh_database_both_come_up() {
    let url: DatabaseUrl = scratch::postgres(&admin_url()).await.unwrap();
    // The key files, made once, as an installation has them.
    let keys = tempfile::tempdir().unwrap();
    drop(
        server::Application::build(test_config(keys.path()))
            .await
            .unwrap(),
    );
    let config = |dir: &tempfile::TempDir| {
        assert_eq!(copy_keys(keys.path(), dir.path()).unwrap().len(), 2);
        let mut config = test_config(dir.path());
        config.database_url = Some(url.clone());
        config
    };
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let starts = dirs
        .iter()
        .map(|dir| server::Application::build(config(dir)));
    for started in futures::future::join_all(starts).await {
        let app = started.expect("every instance starts");
        assert!(
            app.services()
                .database_health()
                .await
                .unwrap()
                .version
                .starts_with("PostgreSQL")
        );
    }
}
