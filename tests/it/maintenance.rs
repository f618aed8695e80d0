//! The database's own upkeep on either backend: the health check, and the
//! backup (SQLite's `VACUUM INTO`; PostgreSQL is backed up with its own
//! tools, and says so).

use evse_dashboard::db::backup::{BackupError, sqlite_into};

use crate::fixtures::{database, on_postgres};

#[tokio::test]
async fn health_names_the_backend_and_counts_every_migration() {
    let db = database().await;
    let health = db.db.health().await.unwrap();
    let (name, migrations) = if on_postgres() {
        (
            "PostgreSQL ",
            evse_dashboard::db::POSTGRES_MIGRATOR.iter().count(),
        )
    } else {
        (
            "SQLite ",
            evse_dashboard::db::SQLITE_MIGRATOR.iter().count(),
        )
    };
    assert!(health.version.starts_with(name), "{}", health.version);
    assert_eq!(health.migrations_applied, migrations as i64);
}

#[tokio::test]
async fn a_backup_is_a_database_on_sqlite_and_refused_with_a_reason_on_postgres() {
    let db = database().await;
    let target = db.dir.path().join("backup.sqlite3");
    let result = sqlite_into(&db.db, &target).await;
    if on_postgres() {
        assert!(matches!(result, Err(BackupError::NotSqlite)), "{result:?}");
        assert!(!target.exists());
    } else {
        result.unwrap();
        let copy = evse_dashboard::db::open_file(&target).await.unwrap();
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&copy)
            .await
            .unwrap();
        assert_eq!(users, 0);
        // A backup never overwrites.
        let again = sqlite_into(&db.db, &target).await;
        assert!(matches!(again, Err(BackupError::Exists(_))), "{again:?}");
    }
}

/// A downgrade (an older binary on a database a newer one migrated) does
/// not start, and says which schema versions meet (#43).
#[tokio::test]
async fn a_database_from_a_newer_version_is_refused_naming_both_versions() {
    let db = database().await;
    let migrator = if on_postgres() {
        &evse_dashboard::db::POSTGRES_MIGRATOR
    } else {
        &evse_dashboard::db::SQLITE_MIGRATOR
    };
    let ours = migrator.iter().map(|m| m.version).max().unwrap();
    assert_eq!(db.db.schema_version().await, Some(ours));
    db.db
        .migrate()
        .await
        .expect("our own schema migrates again");
    let newer = ours + 1;
    evse_dashboard::on_db!(db.db.writes(), pool => sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, 'from a newer version', TRUE, $2, 0)",
    )
    .bind(newer)
    .bind(vec![0u8; 48])
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
    let refused = db.db.migrate().await.unwrap_err();
    let said = refused.to_string();
    assert!(
        matches!(refused, evse_dashboard::db::DbError::NewerSchema { database, binary, .. }
            if database == newer && binary == ours),
        "{said}"
    );
    assert!(
        said.contains(&format!("schema version {newer}"))
            && said.contains(&format!("up to {ours}")),
        "{said}"
    );
}
