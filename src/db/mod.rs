//! Opening the SQLite database and keeping its schema current.

mod vocabulary;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqlitePool};

/// The schema, embedded at compile time so a copied binary carries it.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "evse-dashboard.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
}

/// Opens (creating if missing) the database in `data_dir`, in WAL mode with
/// foreign keys enforced. Does not migrate: see [`migrate`].
pub async fn open(data_dir: &Path) -> Result<SqlitePool, DbError> {
    std::fs::create_dir_all(data_dir).map_err(|source| DbError::CreateDataDir {
        path: data_dir.to_owned(),
        source,
    })?;
    let path = data_dir.join(DATABASE_FILE);
    create_private(&path).map_err(|source| DbError::CreateDataDir {
        path: path.clone(),
        source,
    })?;
    open_file(&path).await
}

/// Creates the database file owner-only (0600) before SQLite opens it: it
/// holds sealed tokens and password hashes, and SQLite gives its WAL and
/// shared-memory files the database file's permissions.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Opens one database file. WAL lets the dashboard read while a write is in
/// flight; `busy_timeout` makes concurrent writers wait instead of failing.
pub async fn open_file(path: &Path) -> Result<SqlitePool, DbError> {
    let options = SqliteConnectOptions::from_str("sqlite://")
        .expect("static sqlite url")
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    SqlitePoolOptions::new()
        .max_connections(8)
        // A future dropped between BEGIN and its Transaction (a request
        // abandoned at the wrong moment) can hand back a connection that is
        // still in a transaction: close it rather than lend it out again.
        .after_release(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
        .connect_with(options)
        .await
        .map_err(|source| DbError::Open {
            path: path.to_owned(),
            source,
        })
}

/// Applies every embedded migration that the database does not have yet,
/// then the checks generated from the code's closed sets.
pub async fn migrate(pool: &SqlitePool) -> Result<(), DbError> {
    MIGRATOR.run(pool).await?;
    vocabulary::install(pool).await?;
    Ok(())
}

/// Facts about the live database; doubles as the health check.
#[derive(Debug, Clone)]
pub struct DbHealth {
    pub sqlite_version: String,
    pub migrations_applied: i64,
}

/// Asks the database something real: fails when it is unreachable.
pub async fn health(pool: &SqlitePool) -> Result<DbHealth, DbError> {
    let sqlite_version: String = sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(pool)
        .await?;
    let migrations_applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = 1")
            .fetch_one(pool)
            .await?;
    Ok(DbHealth {
        sqlite_version,
        migrations_applied,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn open_creates_the_database_in_wal_mode_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("nested/data");
        let pool = open(&data_dir).await.unwrap();
        migrate(&pool).await.unwrap();
        assert!(data_dir.join(DATABASE_FILE).exists());

        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(fk, 1);

        let health = health(&pool).await.unwrap();
        assert_eq!(health.migrations_applied, MIGRATOR.iter().count() as i64);
        assert!(health.sqlite_version.starts_with('3'));

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
        let pool = open(dir.path()).await.unwrap();
        migrate(&pool).await.unwrap();
        migrate(&pool).await.unwrap();
        assert_eq!(
            health(&pool).await.unwrap().migrations_applied,
            MIGRATOR.iter().count() as i64
        );
    }
}
