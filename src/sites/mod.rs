//! The `sites` table's one owner: every statement on it is here. The
//! services that change a site (its planning settings, its sharing)
//! check and audit; this store only reads and writes. Queries of other
//! tables that join a site for its name or zone stay with those tables.

mod rules;

pub use rules::{reserves_cover, supply};

use crate::db::{Db, Tx};
use crate::problem::{Missing, Problem};
use crate::types::Site;
use crate::{on_db, on_tx};

const SITE_COLUMNS: &str = "id, name, time_zone, supply_limit, sharing, share_minimum";

/// Why a site cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("there is no site {0}")]
    Missing(i64),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl SiteError {
    /// What the UI says about it.
    pub fn problem(&self) -> Problem {
        match self {
            Self::Missing(id) => Problem::NotFound(Missing::Site(*id)),
            Self::Db(_) => Problem::Internal,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SiteRow {
    id: i64,
    name: String,
    time_zone: String,
    supply_limit: Option<i64>,
    sharing: bool,
    share_minimum: i64,
}

impl From<SiteRow> for Site {
    fn from(r: SiteRow) -> Self {
        Site {
            id: r.id,
            name: r.name,
            time_zone: r.time_zone,
            supply_limit: r.supply_limit.and_then(|a| u32::try_from(a).ok()),
            sharing: r.sharing,
            share_minimum: u32::try_from(r.share_minimum).unwrap_or_default(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Sites {
    db: Db,
}

impl Sites {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Every site, by name (in any case).
    pub async fn list(&self) -> Result<Vec<Site>, sqlx::Error> {
        let rows: Vec<SiteRow> = on_db!(&self.db, pool => sqlx::query_as(
            &format!("SELECT {SITE_COLUMNS} FROM sites ORDER BY lower(name), id"),
        )
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().map(Site::from).collect())
    }

    pub async fn site(&self, id: i64) -> Result<Site, SiteError> {
        self.find(id).await?.ok_or(SiteError::Missing(id))
    }

    pub async fn find(&self, id: i64) -> Result<Option<Site>, sqlx::Error> {
        let row: Option<SiteRow> = on_db!(&self.db, pool => sqlx::query_as(
            &format!("SELECT {SITE_COLUMNS} FROM sites WHERE id = $1"),
        )
        .bind(id)
        .fetch_optional(pool)
        .await?);
        Ok(row.map(Site::from))
    }

    /// The site's time zone as stored (an IANA name).
    pub async fn time_zone(&self, id: i64) -> Result<Option<String>, sqlx::Error> {
        on_db!(&self.db, pool => sqlx::query_scalar("SELECT time_zone FROM sites WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await)
    }

    /// Sets the planning settings: zone and supply limit (`None`: none).
    pub async fn set_planning(
        &self,
        id: i64,
        zone: &str,
        supply_limit: Option<i64>,
    ) -> Result<Site, SiteError> {
        let row: Option<SiteRow> = on_db!(self.db.writes(), pool => sqlx::query_as(
            &format!(
                "UPDATE sites SET time_zone = $1, supply_limit = $2 WHERE id = $3 \
                 RETURNING {SITE_COLUMNS}"
            ),
        )
        .bind(zone)
        .bind(supply_limit)
        .bind(id)
        .fetch_optional(pool)
        .await?);
        row.map(Site::from).ok_or(SiteError::Missing(id))
    }

    pub async fn set_supply_limit(
        &self,
        id: i64,
        supply_limit: Option<i64>,
    ) -> Result<Site, SiteError> {
        let row: Option<SiteRow> = on_db!(self.db.writes(), pool => sqlx::query_as(
            &format!("UPDATE sites SET supply_limit = $1 WHERE id = $2 RETURNING {SITE_COLUMNS}"),
        )
        .bind(supply_limit)
        .bind(id)
        .fetch_optional(pool)
        .await?);
        row.map(Site::from).ok_or(SiteError::Missing(id))
    }

    /// Sharing on or off, and the least each charging car gets.
    pub async fn set_sharing(&self, id: i64, on: bool, minimum: u32) -> Result<Site, SiteError> {
        let row: Option<SiteRow> = on_db!(self.db.writes(), pool => sqlx::query_as(
            &format!(
                "UPDATE sites SET sharing = $1, share_minimum = $2 WHERE id = $3 \
                 RETURNING {SITE_COLUMNS}"
            ),
        )
        .bind(on)
        .bind(i64::from(minimum))
        .bind(id)
        .fetch_optional(pool)
        .await?);
        row.map(Site::from).ok_or(SiteError::Missing(id))
    }

    /// The site named `name` (in any case), created if new, inside the
    /// registry's transaction that adds or moves a charger.
    pub(crate) async fn named_in(tx: &mut Tx, name: &str) -> Result<i64, sqlx::Error> {
        on_tx!(tx, conn => {
            sqlx::query("INSERT INTO sites (name) VALUES ($1) ON CONFLICT DO NOTHING")
                .bind(name)
                .execute(&mut *conn)
                .await?;
            sqlx::query_scalar("SELECT id FROM sites WHERE lower(name) = lower($1)")
                .bind(name)
                .fetch_one(&mut *conn)
                .await
        })
    }

    /// The site's time zone inside a schedule's checking transaction.
    pub(crate) async fn time_zone_in(tx: &mut Tx, id: i64) -> Result<Option<String>, sqlx::Error> {
        on_tx!(tx, conn => sqlx::query_scalar("SELECT time_zone FROM sites WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await)
    }
}
