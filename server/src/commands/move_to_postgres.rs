//! `export-sqlite-to-postgres`: copies the data directory's SQLite
//! database into an empty PostgreSQL database, then proves the copy: the
//! audit chain verifies there with the same audit key and ends in the same
//! head, and every live charger's token opens with the same token key.

use evse_dashboard::audit::AuditLog;
use evse_dashboard::db::{Backend, Db, Location, Pool, copy};
use evse_dashboard::registry::Registry;

use super::CommandResult;
use crate::cli::DataArgs;
use crate::data_dir::{self, DataDirLock};

pub async fn run(data: DataArgs) -> CommandResult {
    let Some(target) = data.database_url.clone() else {
        return Err(
            "say where to copy to: set DATABASE_URL (or --database-url) to the new \
                    PostgreSQL database, e.g. postgres://evse@db.example/evse"
                .into(),
        );
    };
    if target.backend() != Backend::Postgres {
        return Err(format!("{target} is not a PostgreSQL URL (postgres://…)").into());
    }
    // Nothing may write to the SQLite file while it is copied.
    let _lock = DataDirLock::acquire(&data.data_dir)?;
    let source = DataArgs::new(data.data_dir.clone());
    let (from, vault, audit_key) = data_dir::open(&source).await?;
    let from_audit = AuditLog::new(from.clone(), audit_key.clone());
    let before = from_audit.verify(None).await?;
    if let Some(broken) = before.broken {
        return Err(format!(
            "the SQLite audit trail does not verify (row {:?}: {}); fix that before moving it",
            broken.id, broken.reason
        )
        .into());
    }

    let to = Db::connect(&Location::Url(target.clone())).await?;
    let (Pool::Sqlite(from_pool), Pool::Postgres(to_pool)) = (from.writes(), to.writes()) else {
        unreachable!("the source is the data directory's SQLite, the target PostgreSQL");
    };
    let copied = copy::sqlite_to_postgres(from_pool, to_pool).await?;
    for (table, rows) in &copied {
        println!("  {table}: {rows} rows");
    }

    let after = AuditLog::new(to.clone(), audit_key).verify(None).await?;
    if after.broken.is_some() || after.head != before.head {
        return Err(format!(
            "the copied audit trail does not match the original (head {:?}, expected {:?}); \
             the PostgreSQL database is not ready for use",
            after.head, before.head
        )
        .into());
    }
    let registry = Registry::new(to, vault);
    let chargers = registry.list().await?;
    for charger in &chargers {
        registry.token(charger.id).await?;
    }
    println!(
        "copied into {target}: the audit trail verifies ({} rows, head {}), and the {} chargers' \
         tokens open with the same key. Start the dashboard with DATABASE_URL set to it; the \
         key files stay in {}.",
        after.rows,
        after
            .head
            .map(|h| h.to_string())
            .unwrap_or_else(|| "empty".into()),
        chargers.len(),
        data.data_dir.display()
    );
    Ok(())
}
