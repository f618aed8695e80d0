//! Opening the data directory: database (migrated) and token key.

use std::path::Path;

use evse_dashboard::db::{self, DbError};
use evse_dashboard::vault::{self, KeySource, Vault, VaultError};
use sqlx::SqlitePool;

/// The environment variable that may hold the token key (base64, 32 bytes).
/// Deliberately not a flag: argv is visible to every user through `ps`.
pub const TOKEN_KEY_ENV: &str = "EVSE_TOKEN_KEY";

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Vault(#[from] VaultError),
}

pub async fn open_database(data_dir: &Path) -> Result<SqlitePool, DbError> {
    let pool = db::open(data_dir).await?;
    db::migrate(&pool).await?;
    Ok(pool)
}

/// The vault over the key from the environment or the data directory's
/// key file (created on first use, and the log says where).
pub fn open_vault(data_dir: &Path) -> Result<(Vault, KeySource), VaultError> {
    let env_key = std::env::var(TOKEN_KEY_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty());
    let key_file = data_dir.join(vault::KEY_FILE);
    let (key, source) = vault::load_or_create_key(env_key.as_deref(), &key_file)?;
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

pub async fn open(data_dir: &Path) -> Result<(SqlitePool, Vault, KeySource), BackendError> {
    let pool = open_database(data_dir).await?;
    let (vault, source) = open_vault(data_dir)?;
    Ok((pool, vault, source))
}
