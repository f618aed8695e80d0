//! A charger's CLEMAP address and token, opened for one call: what every
//! set and every sampled reading needs, in one read.

use super::{Registry, RegistryError, SealedRow};
use crate::clemap::EvseAddress;
use crate::on_db;
use crate::secret::EvseToken;
use crate::vault::SealedToken;

impl Registry {
    /// The charger's CLEMAP address and its decrypted token, in memory only.
    /// One read: every set and every sampled charger needs both.
    pub async fn credentials(&self, id: i64) -> Result<(EvseAddress, EvseToken), RegistryError> {
        if let Some((address, sealed)) = self.sealed.get(&id).await {
            return Ok((address, self.vault.open(id, &sealed)?));
        }
        #[derive(sqlx::FromRow)]
        struct Row {
            edge_device_id: String,
            evse_uuid: String,
            #[sqlx(flatten)]
            sealed: SealedRow,
        }
        let row: Option<Row> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, edge_device_id, evse_uuid, token_ciphertext, token_nonce, token_key_id \
             FROM chargers WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?);
        let row = row.ok_or(RegistryError::NotFound(id))?;
        let address = EvseAddress::new(row.edge_device_id, row.evse_uuid);
        let sealed: SealedToken = row.sealed.into();
        let token = self.vault.open(id, &sealed)?;
        self.sealed.insert(id, (address.clone(), sealed)).await;
        Ok((address, token))
    }

    pub async fn token(&self, id: i64) -> Result<EvseToken, RegistryError> {
        let sealed: Option<SealedRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, token_ciphertext, token_nonce, token_key_id FROM chargers \
             WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?);
        let sealed = sealed.ok_or(RegistryError::NotFound(id))?;
        Ok(self.vault.open(id, &sealed.into())?)
    }
}
