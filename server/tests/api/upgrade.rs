//! Upgrades keep every row (#43). Each snapshot in `server/tests/upgrade/`
//! is a small installation as an earlier schema version wrote it
//! (`.ci/snapshot`: users, sites, chargers with sealed tokens, audit rows of
//! real sets, history, a schedule, an API token, alert subscriptions, the
//! key files). This binary migrates each one, on SQLite and on PostgreSQL;
//! then every row is still there, the stores read them all (every token
//! opens), `audit verify` passes, the pages show them, and a set through
//! the migrated data reaches CLEMAP.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use evse_dashboard::clemap::ClientConfig;
use evse_dashboard::clemap::simulator::{self, Fleet};
use evse_dashboard::db::Db;
use evse_dashboard::on_db;
use evse_dashboard::types::Outcome;

use crate::helpers::{spawn_configured, test_config};

const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/upgrade");
const FLEET_FILE: &str = "demo-fleet.toml";
/// The snapshots' admin (`.ci/snapshot` runs the demo with it).
const ADMIN_PASSWORD: &str = "snapshot admin password";

/// Every snapshot's directory, oldest schema first.
fn snapshots() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(SNAPSHOTS)
        .expect("server/tests/upgrade")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no snapshot in {SNAPSHOTS}");
    found
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[tokio::test]
async fn every_sqlite_snapshot_migrates_keeping_every_row() {
    for snapshot in snapshots() {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&snapshot.join("sqlite"), dir.path());
        let file = dir.path().join("evse-dashboard.sqlite3");
        let before = {
            let db = Db::single(evse_dashboard::db::Pool::Sqlite(
                evse_dashboard::db::open_file(&file).await.unwrap(),
            ));
            counts(&db).await
        };
        upgrade(&snapshot, dir, None, before).await;
    }
}

#[tokio::test]
async fn every_postgres_snapshot_migrates_keeping_every_row() {
    let admin = std::env::var("EVSE_TEST_POSTGRES_URL")
        .expect("the upgrade tests need EVSE_TEST_POSTGRES_URL (see .ci/postgres)");
    for snapshot in snapshots() {
        let Ok(dump) = std::fs::read_to_string(snapshot.join("postgres/dump.sql")) else {
            continue; // a schema version before PostgreSQL was supported
        };
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&snapshot.join("postgres"), dir.path());
        let url = evse_dashboard::db::scratch::postgres(&admin).await.unwrap();
        restore(url.expose(), &dump).await;
        let pool = sqlx::PgPool::connect(url.expose()).await.unwrap();
        let before = counts(&Db::single(evse_dashboard::db::Pool::Postgres(pool))).await;
        upgrade(&snapshot, dir, Some(url), before).await;
    }
}

/// Runs a plain dump: the schema it was taken of, and its rows (the binary
/// then migrates them). On a connection of its own, closed after: the dump
/// empties its session's `search_path`. psql's meta-commands (`\restrict`)
/// are psql's, not SQL.
async fn restore(url: &str, dump: &str) {
    use sqlx::Connection;
    let sql: String = dump
        .lines()
        .filter(|line| !line.starts_with('\\'))
        .map(|line| format!("{line}\n"))
        .collect();
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

/// Rows per table, `_sqlx_migrations` aside (migrating adds to it).
async fn counts(db: &Db) -> BTreeMap<String, i64> {
    let tables: Vec<String> = on_db!(db, pool => sqlx::query_scalar(
        if matches!(db.backend(), evse_dashboard::db::Backend::Sqlite) {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'"
        } else {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'"
        },
    )
    .fetch_all(pool)
    .await
    .unwrap());
    let mut counts = BTreeMap::new();
    for table in tables {
        let count: i64 = on_db!(db, pool => sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(pool)
            .await
            .unwrap());
        counts.insert(table, count);
    }
    counts
}

async fn upgrade(
    snapshot: &Path,
    dir: tempfile::TempDir,
    database_url: Option<evse_dashboard::db::DatabaseUrl>,
    before: BTreeMap<String, i64>,
) {
    let name = snapshot.file_name().unwrap().to_string_lossy().into_owned();
    let fleet = Fleet::load(&dir.path().join(FLEET_FILE)).unwrap();
    let sim = simulator::spawn(fleet.clone()).await.unwrap();
    let mut config = test_config(dir.path());
    config.database_url = database_url;
    config.clemap = ClientConfig::new(sim.base_url());
    // `migrate` as postinst runs it, then the rows before anything else
    // (the server's schedule engine may add rows of its own).
    let data = config.data();
    let (db, vault, key) = server::data_dir::open(&data).await.unwrap();
    let after = counts(&db).await;
    for (table, rows) in &before {
        assert_eq!(
            after.get(table),
            Some(rows),
            "{name}: {table} kept every row"
        );
    }
    assert!(
        before["audit_events"] > 5 && before["chargers"] > 5,
        "{name}: {before:?}"
    );
    let verified = evse_dashboard::audit::verify::verify(&db, &key, None)
        .await
        .unwrap();
    assert!(verified.broken.is_none(), "{name}: {:?}", verified.broken);
    assert_eq!(verified.rows as i64, before["audit_events"]);
    drop((db, vault));

    let app = spawn_configured(dir, config).await;
    let services = &app.services;
    let chargers = services.registry.list().await.unwrap();
    assert_eq!(chargers.len() as i64, before["chargers"], "{name}");
    for charger in &chargers {
        services
            .registry
            .credentials(charger.id)
            .await
            .unwrap_or_else(|e| panic!("{name}: charger {}'s token: {e}", charger.id));
    }
    assert_eq!(
        services.users.list().await.unwrap().len() as i64,
        before["users"]
    );
    assert_eq!(
        services.schedules.all().await.unwrap().len() as i64,
        before["schedules"]
    );
    assert_eq!(
        services.api_tokens.list().await.unwrap().len() as i64,
        before["api_tokens"]
    );
    let subscriptions = services.alerts.subscriptions.list().await.unwrap();
    assert_eq!(subscriptions.len() as i64, before["alert_subscriptions"]);
    assert_eq!(
        services.sites.list().await.unwrap().len() as i64,
        before["sites"]
    );

    // The pages read them too, for the snapshot's admin.
    let client = crate::helpers::client();
    let login = app
        .call(
            &client,
            "login",
            &format!(
                "username=admin&password={}&next=/",
                ADMIN_PASSWORD.replace(' ', "+")
            ),
        )
        .await;
    assert!(
        login.status().is_redirection() || login.status().is_success(),
        "{name}"
    );
    let site = chargers[0].site_id;
    for page in [
        "/",
        "/audit",
        "/admin",
        &format!("/chargers/{}", chargers[0].id),
        &format!("/sites/{site}"),
    ] {
        let res = client.get(app.url(page)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{name}: {page}");
    }

    // A set through the migrated data: the sealed token opens and CLEMAP
    // gets it.
    let actor = evse_dashboard::audit::Actor::of(evse_dashboard::audit::Who::Cli {
        os_user: "upgrade-test".into(),
    });
    let set = services
        .control
        .set_target(&actor, chargers[0].id, 10, 600)
        .await
        .unwrap();
    assert_eq!(set.outcome, Outcome::Received, "{name}: {set:?}");
    let verified =
        evse_dashboard::audit::verify::verify(services.audit.db(), services.audit.key(), None)
            .await
            .unwrap();
    assert!(verified.broken.is_none(), "{name}: after the set");
}
