//! Opening the data directory: the database (migrated), the token key and
//! the audit key, with the rules that keep the keys safe: a key file is
//! created only when nothing depends on an earlier one, and a token key
//! that does not match the stored tokens stops the start with a sentence
//! saying which file holds the right one.

use std::fs::File;
use std::path::{Path, PathBuf};

use evse_dashboard::audit::key::{self as audit_key, AuditKey};
use evse_dashboard::audit::verify::has_keyed_rows;
use evse_dashboard::db::{Db, DbError};
use evse_dashboard::keys::{Creation, KeyError, KeySource};
use evse_dashboard::vault::{self, Vault, VaultError};

use crate::cli::DataArgs;
use evse_dashboard::registry::token_key_ids;

/// The environment variable that may hold the token key (base64, 32 bytes).
/// Deliberately not a flag: argv is visible to every user through `ps`.
pub const TOKEN_KEY_ENV: &str = "EVSE_TOKEN_KEY";
/// The file a key rotation writes the new key to before it commits.
pub const STAGED_KEY_FILE: &str = "token.key.new";
/// Held by a running server (and `rotate-key`) for the data directory.
pub const LOCK_FILE: &str = "evse-dashboard.lock";

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("audit key: {0}")]
    AuditKey(#[from] KeyError),
    #[error(
        "the token key (id {current}) is not the one the stored evsetokens were sealed with \
         (id {stored}). {advice}"
    )]
    KeyMismatch {
        current: String,
        stored: String,
        advice: String,
    },
    #[error(
        "another evse-dashboard process (a running server or a key rotation) holds the data \
         directory {0}; stop it first"
    )]
    Locked(PathBuf),
    #[error("cannot lock the data directory {path}: {source}")]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// An exclusive hold on a data directory, released when dropped.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    pub fn acquire(data_dir: &Path) -> Result<Self, BackendError> {
        let path = data_dir.join(LOCK_FILE);
        let io = |source| BackendError::Lock {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(data_dir).map_err(io)?;
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(BackendError::Locked(data_dir.into())),
            Err(std::fs::TryLockError::Error(source)) => Err(io(source)),
        }
    }
}

/// The database (SQLite in the data directory, or `--database-url`),
/// migrated.
pub async fn open_database(data: &DataArgs) -> Result<Db, DbError> {
    Db::connect(&data.location()).await
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The vault over the token key from the environment or the key file. A
/// new key file is made only while no token is sealed; a key that does not
/// open the stored tokens is refused.
pub async fn open_vault(data_dir: &Path, db: &Db) -> Result<(Vault, KeySource), BackendError> {
    let stored = token_key_ids(db).await.map_err(DbError::Query)?;
    let creation = if stored.is_empty() {
        Creation::Allowed
    } else {
        Creation::Forbidden
    };
    let key_file = data_dir.join(vault::KEY_FILE);
    let (key, source) = vault::load_key(env(TOKEN_KEY_ENV).as_deref(), &key_file, creation)?;
    if let Some(other) = stored.iter().find(|id| *id != key.id()) {
        let staged = data_dir.join(STAGED_KEY_FILE);
        let advice = if staged.exists() {
            format!(
                "{} exists: an interrupted rotate-key committed with it. Move it over {} \
                 (mv {} {}) and start again.",
                staged.display(),
                key_file.display(),
                staged.display(),
                key_file.display()
            )
        } else {
            format!(
                "Start with the right {TOKEN_KEY_ENV} or restore {} from your backup.",
                key_file.display()
            )
        };
        return Err(BackendError::KeyMismatch {
            current: key.id().to_owned(),
            stored: other.clone(),
            advice,
        });
    }
    match &source {
        KeySource::CreatedFile(path) => tracing::warn!(
            path = %path.display(),
            key_id = key.id(),
            "created a new token key file; back it up: without it the stored evsetokens cannot be read"
        ),
        KeySource::File(path) => {
            tracing::info!(path = %path.display(), key_id = key.id(), "token key loaded")
        }
        KeySource::Environment => {
            tracing::info!(key_id = key.id(), "token key loaded from {TOKEN_KEY_ENV}")
        }
    }
    Ok((Vault::new(key), source))
}

/// The audit chain's key: from the environment or the key file, created
/// only while no row is keyed with an earlier one.
pub async fn open_audit_key(data_dir: &Path, db: &Db) -> Result<AuditKey, BackendError> {
    let creation = if has_keyed_rows(db).await.map_err(DbError::Query)? {
        Creation::Forbidden
    } else {
        Creation::Allowed
    };
    let path = data_dir.join(audit_key::KEY_FILE);
    let (key, source) = audit_key::load_key(env(audit_key::KEY_ENV).as_deref(), &path, creation)?;
    if let KeySource::CreatedFile(path) = &source {
        tracing::warn!(
            path = %path.display(),
            key_id = key.id(),
            "created a new audit key file; back it up: without it the audit trail cannot be verified"
        );
    }
    Ok(key)
}

/// The database and both keys.
pub async fn open(data: &DataArgs) -> Result<(Db, Vault, AuditKey), BackendError> {
    let db = open_database(data).await?;
    let (vault, _) = open_vault(&data.data_dir, &db).await?;
    let audit = open_audit_key(&data.data_dir, &db).await?;
    Ok((db, vault, audit))
}
