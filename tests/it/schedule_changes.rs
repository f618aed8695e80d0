//! Saving schedules and sites on either backend: an update, a refusal
//! that names its charger, a site's zone and supply limit, and the rule
//! that nothing can fail after a change has committed.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use evse_dashboard::audit::{AuditKey, AuditLog};
use evse_dashboard::db::{DATABASE_FILE, Db, Location, Pool};
use evse_dashboard::on_db;
use evse_dashboard::schedule::{ScheduleError, Schedules, Target};
use evse_dashboard::types::ScheduleInput;

use crate::fixtures::{TestDb, World, actor, station};

fn input(name: &str, amps: u32) -> ScheduleInput {
    ScheduleInput {
        name: name.into(),
        from: "08:00".into(),
        to: "18:00".into(),
        current: amps.to_string(),
        time_zone: "Europe/Zurich".into(),
        ..Default::default()
    }
    .with_days(0b001_1111)
}

async fn world() -> (World, i64) {
    let spec = station("evse-a", "tok-changes-5f1e2d3c4b5a69788796", 32);
    let world = World::new(vec![spec.clone()], Duration::from_millis(400)).await;
    let bay = world.register(&spec, "Bay 1", 6, 16).await;
    (world, bay)
}

/// (action, outcome, charger_name, subject) of every schedule row.
async fn rows(db: &Db) -> Vec<(String, String, Option<String>, Option<String>)> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT action, outcome, charger_name, subject FROM audit_events \
         WHERE action LIKE 'schedule%' OR action = 'site_updated' ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap())
}

#[tokio::test]
async fn an_update_and_a_refusal_are_audited_with_the_charger_they_concern() {
    let (world, bay) = world().await;
    let schedules = Schedules::new(world.audit.clone());
    let saved = schedules
        .create(&actor("olga"), Target::Charger(bay), &input("Day", 10))
        .await
        .unwrap();
    let id = saved.schedule.id;
    let updated = schedules
        .update(&actor("olga"), id, &input("Day shift", 12))
        .await
        .unwrap();
    assert_eq!(
        (updated.schedule.name.as_str(), updated.schedule.current),
        ("Day shift", 12)
    );
    // Above the charger's 16 A: refused, with the charger named.
    let refused = schedules
        .create(&actor("olga"), Target::Charger(bay), &input("Too much", 20))
        .await;
    assert!(
        matches!(refused, Err(ScheduleError::Invalid(_))),
        "{refused:?}"
    );
    let bay_name = Some("Bay 1".to_owned());
    assert_eq!(
        rows(world.db()).await,
        [
            (
                "schedule_created".into(),
                "ok".into(),
                bay_name.clone(),
                Some("Day".into())
            ),
            // An update is recorded under the name the schedule had.
            (
                "schedule_updated".into(),
                "ok".into(),
                bay_name.clone(),
                Some("Day".into())
            ),
            (
                "schedule_created".into(),
                "failed".into(),
                bay_name,
                Some("Too much".into())
            ),
        ]
    );
}

#[tokio::test]
async fn a_sites_zone_and_supply_limit_are_saved_and_audited() {
    let (world, bay) = world().await;
    let schedules = Schedules::new(world.audit.clone());
    let site_id = world.registry.get(bay).await.unwrap().site_id;
    let site = schedules
        .update_site(&actor("olga"), site_id, "Europe/Berlin", "63")
        .await
        .unwrap();
    assert_eq!(
        (site.time_zone.as_str(), site.supply_limit),
        ("Europe/Berlin", Some(63))
    );
    let sites = evse_dashboard::sites::Sites::new(world.db().clone());
    assert_eq!(sites.site(site_id).await.unwrap(), site);
    let refused = schedules
        .update_site(&actor("olga"), site_id, "Mars/Olympus", "")
        .await;
    assert!(refused.is_err());
    let outcomes: Vec<String> = rows(world.db()).await.into_iter().map(|r| r.1).collect();
    assert_eq!(outcomes, ["ok", "failed"]);
}

/// Pool options that hand out `allowed` more connections, then fail
/// every one (as if the database went away).
fn failing_after<DB: sqlx::Database>(allowed: Arc<AtomicI64>) -> sqlx::pool::PoolOptions<DB> {
    let injected = || sqlx::Error::Protocol("injected: the database went away".into());
    let (before, after) = (allowed.clone(), allowed);
    sqlx::pool::PoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(1))
        .before_acquire(move |_, _| {
            let ok = before.fetch_sub(1, Ordering::SeqCst) > 0;
            Box::pin(async move { if ok { Ok(true) } else { Err(injected()) } })
        })
        .after_connect(move |_, _| {
            let ok = after.load(Ordering::SeqCst) > 0;
            Box::pin(async move { if ok { Ok(()) } else { Err(injected()) } })
        })
}

/// A second pool on the test's database, failing after `allowed`.
async fn failing_pool(test_db: &TestDb, allowed: Arc<AtomicI64>) -> Db {
    match &test_db.location {
        Location::DataDir(dir) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(dir.join(DATABASE_FILE))
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            Db::single(Pool::Sqlite(
                failing_after(allowed).connect_with(options).await.unwrap(),
            ))
        }
        Location::Url(url) => Db::single(Pool::Postgres(
            failing_after(allowed).connect(url.expose()).await.unwrap(),
        )),
    }
}

#[tokio::test]
async fn a_committed_change_is_a_success_with_its_audit_row_even_if_the_database_goes_away_right_after()
 {
    let (world, bay) = world().await;
    let allowed = Arc::new(AtomicI64::new(i64::MAX));
    let db = failing_pool(&world.db, allowed.clone()).await;
    let schedules = Schedules::new(AuditLog::new(db, AuditKey::generate()));
    // The change's own transaction, and not one connection more.
    allowed.store(1, Ordering::SeqCst);
    let changed = schedules
        .create(&actor("olga"), Target::Charger(bay), &input("Night", 8))
        .await
        .expect("a change that committed is reported as made");
    assert!(changed.event.is_some());
    tokio::time::timeout(Duration::from_secs(1), schedules.changes().notified())
        .await
        .expect("the engine was woken");
    allowed.store(i64::MAX, Ordering::SeqCst);
    let made = rows(world.db()).await;
    assert_eq!(
        made,
        [(
            "schedule_created".into(),
            "ok".into(),
            Some("Bay 1".into()),
            Some("Night".into())
        )]
    );
}
