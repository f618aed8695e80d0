//! The charger registry: sites and chargers in SQLite, each evsetoken
//! sealed by the [`Vault`] before it touches the database.

mod credentials;
pub mod validate;

use validate::ValidCharger;

use crate::db::{Db, Stamp, Tx, now_text};
use crate::{on_db, on_tx};

use crate::problem::{Invalid, Missing, Problem};
use crate::secret::EvseToken;
use crate::types::{Charger, ChargerInput};
use crate::vault::{SealedToken, Vault, VaultError};

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("invalid {:?}: {:?}", .0.field, .0.rule)]
    Invalid(Invalid),
    #[error(
        "a charger for edge device {edge_device_id} and EVSE {evse_uuid} is already registered \
         ({existing})"
    )]
    Duplicate {
        edge_device_id: String,
        evse_uuid: String,
        existing: String,
    },
    #[error("charger {0} does not exist (it may have been deleted)")]
    NotFound(i64),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<Invalid> for RegistryError {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

impl RegistryError {
    /// What the UI and the audit trail say about it.
    pub fn problem(&self) -> Problem {
        match self {
            Self::Invalid(invalid) => Problem::Invalid(invalid.clone()),
            Self::Duplicate { existing, .. } => Problem::DuplicateCharger {
                existing: existing.clone(),
            },
            Self::NotFound(id) => Problem::NotFound(Missing::Charger(*id)),
            Self::Vault(e) => e.problem(),
            Self::Db(_) => Problem::Internal,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ChargerRow {
    id: i64,
    name: String,
    site_id: i64,
    site_name: String,
    edge_device_id: String,
    evse_uuid: String,
    min_current: i64,
    max_current: i64,
    notes: Option<String>,
    token_set: bool,
    created_at: Stamp,
    updated_at: Stamp,
}

impl From<ChargerRow> for Charger {
    fn from(r: ChargerRow) -> Self {
        // The table's CHECKs keep both within 0..=80.
        Charger {
            id: r.id,
            name: r.name,
            site_id: r.site_id,
            site_name: r.site_name,
            edge_device_id: r.edge_device_id,
            evse_uuid: r.evse_uuid,
            min_current: u32::try_from(r.min_current).unwrap_or(0),
            max_current: u32::try_from(r.max_current).unwrap_or(0),
            notes: r.notes,
            token_set: r.token_set,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SealedRow {
    id: i64,
    token_ciphertext: Vec<u8>,
    token_nonce: Vec<u8>,
    token_key_id: String,
}

impl From<SealedRow> for SealedToken {
    fn from(r: SealedRow) -> Self {
        SealedToken {
            ciphertext: r.token_ciphertext,
            nonce: r.token_nonce,
            key_id: r.token_key_id,
        }
    }
}

/// A valid charger as its columns store it (all but the token).
struct Columns {
    name: String,
    site_id: i64,
    edge_device_id: String,
    evse_uuid: String,
    min_current: i64,
    max_current: i64,
    notes: Option<String>,
}

impl Columns {
    /// Refuses a second charger for the same EVSE (`except`: the one being
    /// edited) and finds or creates the site.
    async fn of(
        tx: &mut Tx,
        valid: ValidCharger,
        except: Option<i64>,
    ) -> Result<Self, RegistryError> {
        ensure_unique(tx, &valid.edge_device_id, &valid.evse_uuid, except).await?;
        Ok(Columns {
            site_id: crate::sites::Sites::named_in(tx, &valid.site).await?,
            name: valid.name,
            edge_device_id: valid.edge_device_id,
            evse_uuid: valid.evse_uuid,
            min_current: i64::from(valid.min_current),
            max_current: i64::from(valid.max_current),
            notes: valid.notes,
        })
    }
}

/// How long a charger read from the database is trusted without reading
/// it again (#38): a set takes no database read for the charger or its
/// sealed token. A change through this process is seen at once; one
/// through another instance sharing PostgreSQL within this bound, the
/// same as a user's role (`auth::USER_STALENESS`).
pub const CHARGER_STALENESS: std::time::Duration = crate::auth::USER_STALENESS;

/// Chargers in use at once that stay cached.
const CACHED: u64 = 100_000;

#[derive(Clone, Debug)]
pub struct Registry {
    db: Db,
    vault: Vault,
    /// Chargers by id, as `get` returns them.
    chargers: moka::future::Cache<i64, Charger>,
    /// Each charger's address and sealed token (opened per call).
    sealed: moka::future::Cache<i64, (crate::clemap::EvseAddress, SealedToken)>,
}

fn cache<V: Clone + Send + Sync + 'static>() -> moka::future::Cache<i64, V> {
    moka::future::Cache::builder()
        .max_capacity(CACHED)
        .time_to_live(CHARGER_STALENESS)
        .build()
}

impl Registry {
    pub fn new(db: Db, vault: Vault) -> Self {
        Self {
            db,
            vault,
            chargers: cache(),
            sealed: cache(),
        }
    }

    /// Forgets what is cached of charger `id` after a change to it.
    async fn forget(&self, id: i64) {
        self.chargers.invalidate(&id).await;
        self.sealed.invalidate(&id).await;
    }

    pub async fn list(&self) -> Result<Vec<Charger>, RegistryError> {
        let rows = self.select(None).await?;
        Ok(rows.into_iter().map(Charger::from).collect())
    }

    pub async fn get(&self, id: i64) -> Result<Charger, RegistryError> {
        if let Some(charger) = self.chargers.get(&id).await {
            return Ok(charger);
        }
        let row = self.select(Some(id)).await?.pop();
        let charger = row.map(Charger::from).ok_or(RegistryError::NotFound(id))?;
        self.chargers.insert(id, charger.clone()).await;
        Ok(charger)
    }

    /// Every live charger, or the one with `id`.
    async fn select(&self, id: Option<i64>) -> Result<Vec<ChargerRow>, sqlx::Error> {
        Ok(on_db!(&self.db, pool => sqlx::query_as(SELECT_CHARGERS)
            .bind(id)
            .fetch_all(pool)
            .await?))
    }

    /// Registers a charger. The token is sealed with the row's id as
    /// associated data, inside the same transaction as the insert.
    pub async fn add(
        &self,
        input: &ChargerInput,
        token: &EvseToken,
    ) -> Result<Charger, RegistryError> {
        let valid = validate::charger(input)?;
        validate::token(token.expose())?;
        let mut tx = self.db.begin_serialised().await?;
        let c = Columns::of(&mut tx, valid, None).await?;
        // Placeholder blobs satisfy the table's CHECK until the real seal,
        // which needs the id, replaces them below.
        let no_seal_yet: Vec<u8> = Vec::new();
        let id: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
            "INSERT INTO chargers (name, site_id, edge_device_id, evse_uuid, min_current, \
             max_current, notes, token_ciphertext, token_nonce, token_key_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, '') RETURNING id",
        )
        .bind(&c.name)
        .bind(c.site_id)
        .bind(&c.edge_device_id)
        .bind(&c.evse_uuid)
        .bind(c.min_current)
        .bind(c.max_current)
        .bind(&c.notes)
        .bind(&no_seal_yet)
        .fetch_one(&mut *conn)
        .await?);
        store_sealed(&mut tx, id, &self.vault.seal(id, token)).await?;
        let added = get_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Changes everything but the token.
    pub async fn update(&self, id: i64, input: &ChargerInput) -> Result<Charger, RegistryError> {
        let valid = validate::charger(input)?;
        let mut tx = self.db.begin_serialised().await?;
        let c = Columns::of(&mut tx, valid, Some(id)).await?;
        let now = now_text();
        let changed = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE chargers SET name = $1, site_id = $2, edge_device_id = $3, evse_uuid = $4, \
             min_current = $5, max_current = $6, notes = $7, updated_at = $8 \
             WHERE id = $9 AND deleted_at IS NULL",
        )
        .bind(&c.name)
        .bind(c.site_id)
        .bind(&c.edge_device_id)
        .bind(&c.evse_uuid)
        .bind(c.min_current)
        .bind(c.max_current)
        .bind(&c.notes)
        .bind(&now)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected());
        if changed == 0 {
            return Err(RegistryError::NotFound(id));
        }
        let updated = get_in(&mut tx, id).await?;
        tx.commit().await?;
        self.forget(id).await;
        Ok(updated)
    }

    pub async fn set_token(&self, id: i64, token: &EvseToken) -> Result<(), RegistryError> {
        validate::token(token.expose())?;
        let mut tx = self.db.begin_serialised().await?;
        if !store_sealed(&mut tx, id, &self.vault.seal(id, token)).await? {
            return Err(RegistryError::NotFound(id));
        }
        tx.commit().await?;
        self.forget(id).await;
        Ok(())
    }

    /// Soft delete: the row stays so history can name it; the sealed token
    /// is wiped.
    pub async fn delete(&self, id: i64) -> Result<(), RegistryError> {
        let now = now_text();
        let changed = on_db!(self.db.writes(), pool => sqlx::query(
            "UPDATE chargers SET deleted_at = $1, updated_at = $1, \
             token_ciphertext = NULL, token_nonce = NULL, token_key_id = NULL \
             WHERE id = $2 AND deleted_at IS NULL",
        )
        .bind(&now)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        self.forget(id).await;
        if changed == 0 {
            return Err(RegistryError::NotFound(id));
        }
        Ok(())
    }
}

/// Every live charger, or the one with `$1`: read on the pool by
/// `Registry::select`, and in a change's own transaction by `select_in`.
const SELECT_CHARGERS: &str = "SELECT c.id, c.name, c.site_id, s.name AS site_name, \
     c.edge_device_id, c.evse_uuid, c.min_current, c.max_current, c.notes, \
     c.token_ciphertext IS NOT NULL AS token_set, c.created_at, c.updated_at \
     FROM chargers c JOIN sites s ON s.id = c.site_id \
     WHERE c.deleted_at IS NULL AND ($1 IS NULL OR c.id = $1) \
     ORDER BY lower(s.name), lower(c.name), c.id";

/// [`SELECT_CHARGERS`] in `tx` (a change reads back what it wrote before it
/// commits: nothing can fail after).
async fn select_in(tx: &mut Tx, id: Option<i64>) -> Result<Vec<ChargerRow>, sqlx::Error> {
    Ok(on_tx!(tx, conn => sqlx::query_as(SELECT_CHARGERS)
        .bind(id)
        .fetch_all(&mut *conn)
        .await?))
}

/// The live charger `id`, read in `tx`.
async fn get_in(tx: &mut Tx, id: i64) -> Result<Charger, RegistryError> {
    let row = select_in(tx, Some(id)).await?.pop();
    row.map(Charger::from).ok_or(RegistryError::NotFound(id))
}

/// The key ids the live chargers' tokens are sealed with.
pub async fn token_key_ids(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT DISTINCT token_key_id FROM chargers WHERE deleted_at IS NULL AND token_key_id <> ''",
    )
    .fetch_all(pool)
    .await)
}

/// Re-seals every live token under `new`, inside `rotate-key`'s
/// transaction (`key_rotation`). Fails if any token does not open under
/// `old`, so the caller rolls everything back.
pub(crate) async fn reseal_tokens(
    tx: &mut Tx,
    old: &Vault,
    new: &Vault,
) -> Result<usize, RegistryError> {
    let rows: Vec<SealedRow> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT id, token_ciphertext, token_nonce, token_key_id FROM chargers \
         WHERE deleted_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?);
    let count = rows.len();
    for row in rows {
        let id = row.id;
        let token = old.open(id, &row.into())?;
        store_sealed(tx, id, &new.seal(id, &token)).await?;
    }
    Ok(count)
}

async fn store_sealed(tx: &mut Tx, id: i64, sealed: &SealedToken) -> Result<bool, sqlx::Error> {
    let now = now_text();
    let changed = on_tx!(tx, conn => sqlx::query(
        "UPDATE chargers SET token_ciphertext = $1, token_nonce = $2, token_key_id = $3, \
         updated_at = $4 WHERE id = $5 AND deleted_at IS NULL",
    )
    .bind(&sealed.ciphertext)
    .bind(&sealed.nonce)
    .bind(&sealed.key_id)
    .bind(&now)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected());
    Ok(changed == 1)
}

async fn ensure_unique(
    tx: &mut Tx,
    edge_device_id: &str,
    evse_uuid: &str,
    except: Option<i64>,
) -> Result<(), RegistryError> {
    let existing: Option<String> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT name FROM chargers WHERE edge_device_id = $1 AND evse_uuid = $2 \
         AND deleted_at IS NULL AND id IS DISTINCT FROM $3",
    )
    .bind(edge_device_id)
    .bind(evse_uuid)
    .bind(except)
    .fetch_optional(&mut *conn)
    .await?);
    match existing {
        Some(existing) => Err(RegistryError::Duplicate {
            edge_device_id: edge_device_id.to_owned(),
            evse_uuid: evse_uuid.to_owned(),
            existing,
        }),
        None => Ok(()),
    }
}
