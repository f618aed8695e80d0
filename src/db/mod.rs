//! The repository layer's handle: one database, SQLite (the embedded
//! default) or PostgreSQL (shared by several instances), opened, migrated
//! and checked.
//!
//! Stores hold a [`Db`] and run each query through [`on_db!`] or
//! [`on_tx!`], which compile the same code once per backend: every query
//! is type-checked against that backend's own types (no `sqlx::Any`). The
//! SQL itself is written once, in the dialect both understand: `$1`
//! placeholders, `lower(…)` for case-insensitive names, `TRUE`/`FALSE`,
//! `RETURNING`, `ON CONFLICT`, text timestamps ([`Stamp`]).

pub mod backup;
pub mod changes;
pub mod copy;
mod location;
mod postgres;
pub mod scratch;
mod sqlite;
mod stamp;
mod vocabulary;

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

pub use location::{DatabaseUrl, Location};
pub use sqlite::{DATABASE_FILE, open_file};
pub use stamp::{Stamp, now_text, stamp};

/// Each backend's schema, embedded at compile time so a copied binary
/// carries it.
pub static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
pub static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDataDir {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the database {place}: {source}")]
    Open {
        /// A file path or a URL with its password hidden.
        place: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// An older binary on a database a newer one migrated (a downgrade):
    /// it would not know the newer tables and columns, so it does not start.
    #[error(
        "this database was migrated by a newer evse-dashboard (schema version {database}); \
         this one ({version}) knows schema versions up to {binary}: start the newer version \
         again, or restore the backup made before the upgrade"
    )]
    NewerSchema {
        database: i64,
        binary: i64,
        version: &'static str,
    },
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
}

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display)]
pub enum Backend {
    #[strum(to_string = "SQLite")]
    Sqlite,
    #[strum(to_string = "PostgreSQL")]
    Postgres,
}

/// A connection pool on one backend; cheap to clone.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database, cheap to clone: the pool pages and reads use, and the
/// writers' own lane (#38). A change never queues behind page reads for a
/// connection: every write, from a set's audit rows to a session record,
/// takes the write lane. On SQLite the lane is one connection, so taking
/// it is this process's write turn and SQLite's busy handler (which
/// sleeps between tries) only meets other processes; on PostgreSQL it is
/// a few connections reserved for writes.
#[derive(Debug, Clone)]
pub struct Db {
    reads: Pool,
    writes: Pool,
    /// What changed, told to this process and the other instances (#41).
    changes: changes::Changes,
}

/// An open transaction on either backend. Dropping it rolls back.
#[derive(Debug)]
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` once per backend, with `$pool` bound to that backend's
/// pool: the body's SQL is written once and its binds and row types are
/// compiled against each backend's own types. The body must produce a
/// value that does not name the backend. `$db` is a [`Db`] (its read
/// pool) or a [`Pool`], e.g. `db.writes()` for a statement that writes.
///
/// ```text
/// let user: Option<UserRow> = on_db!(&self.db, pool => {
///     sqlx::query_as("SELECT id, username FROM users WHERE id = $1")
///         .bind(id)
///         .fetch_optional(pool)
///         .await?
/// });
/// ```
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match ($db).pool() {
            $crate::db::Pool::Sqlite($pool) => $body,
            $crate::db::Pool::Postgres($pool) => $body,
        }
    };
}

/// [`on_db!`] for a transaction: `$conn` is its connection (pass it on
/// as `&mut *conn`).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::db::Tx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

impl Pool {
    /// Itself: what [`on_db!`] runs on.
    pub fn pool(&self) -> &Pool {
        self
    }

    async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

impl Db {
    /// Opens the database at `location` and applies pending migrations.
    pub async fn connect(location: &Location) -> Result<Self, DbError> {
        let (reads, writes) = match location {
            Location::DataDir(dir) => sqlite::open_lanes(&dir.join(DATABASE_FILE)).await?,
            Location::Url(url) => match url.backend() {
                Backend::Sqlite => sqlite::open_lanes(&sqlite::path_of(url)?).await?,
                Backend::Postgres => postgres::open_lanes(url).await?,
            },
        };
        let db = Db::lanes(reads, writes);
        db.migrate().await?;
        Ok(db)
    }

    /// One pool for reads and writes alike (a command's copy, a test's
    /// pool that fails on purpose).
    pub fn single(pool: Pool) -> Self {
        Db::lanes(pool.clone(), pool)
    }

    fn lanes(reads: Pool, writes: Pool) -> Self {
        let postgres = match &writes {
            Pool::Postgres(pool) => Some(pool.clone()),
            Pool::Sqlite(_) => None,
        };
        Db {
            reads,
            writes,
            changes: changes::Changes::new(postgres),
        }
    }

    /// What changed: publish after a commit, subscribe to show it.
    pub fn changes(&self) -> &changes::Changes {
        &self.changes
    }

    pub fn backend(&self) -> Backend {
        match self.reads {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The read pool: what [`on_db!`] runs on.
    pub fn pool(&self) -> &Pool {
        &self.reads
    }

    /// The write lane, for a statement that writes outside a transaction.
    pub fn writes(&self) -> &Pool {
        &self.writes
    }

    /// A handle whose reads take the write lane too: for a writer whose
    /// reads belong to its writes (the sampler's rounds, the session
    /// store), so that none of it waits behind page reads.
    pub fn writer(&self) -> Db {
        Db {
            reads: self.writes.clone(),
            writes: self.writes.clone(),
            changes: self.changes.clone(),
        }
    }

    /// Applies every embedded migration the database does not have yet,
    /// then the checks generated from the code's closed sets. Safe to run
    /// from several instances at once (PostgreSQL: under advisory locks).
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator = match &self.writes {
            Pool::Sqlite(_) => &SQLITE_MIGRATOR,
            Pool::Postgres(_) => &POSTGRES_MIGRATOR,
        };
        let binary = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        if let Some(database) = self.schema_version().await
            && database > binary
        {
            return Err(DbError::NewerSchema {
                database,
                binary,
                version: crate::VERSION,
            });
        }
        match &self.writes {
            Pool::Sqlite(pool) => SQLITE_MIGRATOR.run(pool).await?,
            Pool::Postgres(pool) => POSTGRES_MIGRATOR.run(pool).await?,
        }
        vocabulary::install(self).await?;
        Ok(())
    }

    /// The newest migration applied to the database; `None` for a new one
    /// (no migrations table yet).
    pub async fn schema_version(&self) -> Option<i64> {
        let newest = on_db!(self.writes(), pool => sqlx::query_scalar::<_, Option<i64>>(
            "SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE",
        )
        .fetch_one(pool)
        .await);
        newest.ok().flatten()
    }

    /// A transaction on the write lane.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match &self.writes {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A transaction that holds the database's one write lock from its
    /// first statement to its end: the audit chain's head, a login
    /// throttle row or a schedule claim read in it cannot change before it
    /// commits, in this process or any other. SQLite: `BEGIN IMMEDIATE` on
    /// the write lane; PostgreSQL: a transaction-scoped advisory lock,
    /// released by commit or rollback (also when the connection dies).
    pub async fn begin_serialised(&self) -> Result<Tx, sqlx::Error> {
        Ok(match &self.writes {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                postgres::lock(&mut tx, postgres::WRITE_LOCK).await?;
                Tx::Postgres(tx)
            }
        })
    }

    /// Closes both pools, waiting for their connections to finish (a
    /// command that hands the file on, like `backup`, closes before it
    /// does).
    pub async fn close(&self) {
        self.reads.close().await;
        self.writes.close().await;
    }

    /// The SQLite pool, for what only SQLite has (its file, `PRAGMA`s).
    pub fn as_sqlite(&self) -> Option<&SqlitePool> {
        match &self.reads {
            Pool::Sqlite(pool) => Some(pool),
            Pool::Postgres(_) => None,
        }
    }

    /// Facts about the live database; doubles as the health check.
    pub async fn health(&self) -> Result<DbHealth, DbError> {
        let (version, migrations_applied): (String, i64) = match &self.reads {
            Pool::Sqlite(pool) => {
                sqlx::query_as(
                    "SELECT 'SQLite ' || sqlite_version(), \
                     (SELECT COUNT(*) FROM _sqlx_migrations WHERE success)",
                )
                .fetch_one(pool)
                .await?
            }
            Pool::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT 'PostgreSQL ' || current_setting('server_version'), \
                     (SELECT COUNT(*) FROM _sqlx_migrations WHERE success)",
                )
                .fetch_one(pool)
                .await?
            }
        };
        Ok(DbHealth {
            version,
            migrations_applied,
        })
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// Facts about the live database.
#[derive(Debug, Clone)]
pub struct DbHealth {
    /// The backend and its version, e.g. "SQLite 3.46.0".
    pub version: String,
    pub migrations_applied: i64,
}
