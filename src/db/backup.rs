//! A consistent copy of the live SQLite database, taken while the server
//! keeps serving.

use std::path::{Path, PathBuf};

use super::Db;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists: a backup never overwrites a file, choose a new path")]
    Exists(PathBuf),
    #[error(
        "this database is PostgreSQL: back it up with its own tools (pg_dump, or your \
         provider's snapshots) and keep the key files beside it"
    )]
    NotSqlite,
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the copy failed: {0}")]
    Copy(#[from] sqlx::Error),
}

/// Writes the database to `target` with `VACUUM INTO`. The copy is made
/// inside one read transaction, so it is one moment of the database (every
/// audit row with the chain head it ends in) while writers carry on in the
/// WAL; it is also compacted. The file is created owner-only first, as it
/// holds sealed tokens and password hashes (SQLite accepts an empty file).
pub async fn sqlite_into(db: &Db, target: &Path) -> Result<(), BackupError> {
    let pool = db.as_sqlite().ok_or(BackupError::NotSqlite)?;
    super::sqlite::create_owner_only(target).map_err(|source| match source.kind() {
        std::io::ErrorKind::AlreadyExists => BackupError::Exists(target.to_owned()),
        _ => BackupError::Create {
            path: target.to_owned(),
            source,
        },
    })?;
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(target.to_string_lossy().into_owned())
        .execute(pool)
        .await;
    if let Err(e) = copied {
        // Leave no half-written file that could pass for a backup.
        let _ = std::fs::remove_file(target);
        return Err(e.into());
    }
    Ok(())
}
