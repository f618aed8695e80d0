//! `rotate-key`: every secret sealed under the token key (chargers'
//! evsetokens, webhook secrets) re-sealed under a new one in one
//! transaction. It sits above the stores that hold sealed secrets, which
//! know nothing of each other.

use crate::db::Db;
use crate::registry::{self, RegistryError};
use crate::vault::Vault;

/// Re-seals every live token and webhook secret under `new`; returns how
/// many tokens. Changes nothing if any token does not open under `old`.
pub async fn rotate_key(db: &Db, old: &Vault, new: &Vault) -> Result<usize, RegistryError> {
    let mut tx = db.begin_serialised().await?;
    let tokens = registry::reseal_tokens(&mut tx, old, new).await?;
    crate::alerts::reseal_secrets(&mut tx, old, new).await?;
    tx.commit().await?;
    Ok(tokens)
}
