//! Opening the SQLite database: one file, WAL, foreign keys, owner-only.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqlitePool};

use super::{DatabaseUrl, DbError, Pool};

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "evse-dashboard.sqlite3";

/// The file a `sqlite://PATH` URL names, its directory created.
pub(super) fn path_of(url: &DatabaseUrl) -> Result<std::path::PathBuf, DbError> {
    let path = std::path::PathBuf::from(url.sqlite_path().unwrap_or_default());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    Ok(path)
}

/// Pages read in parallel (WAL lets them while a write is in flight).
const READERS: u32 = 8;

/// The read pool and the write lane on one file (see [`super::Db`]): the
/// lane is a single connection, so a writer waits for the writers before
/// it in order, never for readers and never in SQLite's busy handler.
pub(super) async fn open_lanes(path: &Path) -> Result<(Pool, Pool), DbError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    let writes = open_with(path, 1).await?;
    let reads = open_with(path, READERS).await?;
    Ok((Pool::Sqlite(reads), Pool::Sqlite(writes)))
}

fn create_dir(dir: &Path) -> Result<(), DbError> {
    std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDataDir {
        path: dir.to_owned(),
        source,
    })
}

/// Creates a new, empty database file owner-only (0600); fails when it
/// exists. Database files hold sealed tokens and password hashes.
pub(super) fn create_owner_only(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

/// Creates the database file owner-only before SQLite opens it, unless it
/// exists: SQLite gives its WAL and shared-memory files the database
/// file's permissions.
fn create_private(path: &Path) -> std::io::Result<()> {
    match create_owner_only(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Opens one database file. WAL lets the dashboard read while a write is in
/// flight; `busy_timeout` makes concurrent writers wait instead of failing.
pub async fn open_file(path: &Path) -> Result<SqlitePool, DbError> {
    open_with(path, READERS).await
}

async fn open_with(path: &Path, connections: u32) -> Result<SqlitePool, DbError> {
    create_private(path).map_err(|source| DbError::CreateDataDir {
        path: path.to_owned(),
        source,
    })?;
    let options = SqliteConnectOptions::from_str("sqlite://")
        .expect("static sqlite url")
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    SqlitePoolOptions::new()
        .max_connections(connections)
        // A local file cannot drop the connection the way a server can;
        // the ping sqlx sends before lending one out was a round trip to
        // the connection's thread on every query (5-7 % of a page, #29).
        .test_before_acquire(false)
        // A future dropped between BEGIN and its Transaction (a request
        // abandoned at the wrong moment) can hand back a connection that is
        // still in a transaction: close it rather than lend it out again.
        .after_release(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
        .connect_with(options)
        .await
        .map_err(|source| DbError::Open {
            place: path.display().to_string(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::super::{Db, Location, SQLITE_MIGRATOR};
    use super::*;

    #[tokio::test]
    async fn open_creates_the_database_in_wal_mode_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("nested/data");
        let db = Db::connect(&Location::DataDir(data_dir.clone()))
            .await
            .unwrap();
        assert!(data_dir.join(DATABASE_FILE).exists());
        let pool = db.as_sqlite().unwrap();

        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(fk, 1);

        let health = db.health().await.unwrap();
        assert_eq!(
            health.migrations_applied,
            SQLITE_MIGRATOR.iter().count() as i64
        );
        assert!(health.version.starts_with("SQLite 3"), "{}", health.version);

        #[cfg(unix)]
        for file in [DATABASE_FILE.to_owned(), format!("{DATABASE_FILE}-wal")] {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(data_dir.join(&file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }

    #[tokio::test]
    async fn migrating_twice_is_harmless() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&Location::DataDir(dir.path().into()))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        assert_eq!(
            db.health().await.unwrap().migrations_applied,
            SQLITE_MIGRATOR.iter().count() as i64
        );
    }

    #[tokio::test]
    async fn a_sqlite_url_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("elsewhere/dash.db");
        let url: DatabaseUrl = format!("sqlite://{}", file.display()).parse().unwrap();
        let db = Db::connect(&Location::Url(url)).await.unwrap();
        assert_eq!(db.backend(), super::super::Backend::Sqlite);
        assert!(file.exists());
    }
}
