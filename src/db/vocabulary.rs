//! The audit table accepts only the actions and outcomes of
//! `crate::vocabulary`. The triggers are generated from those enums at
//! every start, so adding a variant needs no migration and a value outside
//! the enums can never be written, not even by hand.

use sqlx::SqlitePool;

use crate::vocabulary::{AuditAction, Outcome, sql_list};

/// (Re)creates the vocabulary triggers in one transaction.
pub async fn install(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let actions = sql_list::<AuditAction>();
    let outcomes = sql_list::<Outcome>();
    let mut tx = pool.begin().await?;
    for statement in [
        "DROP TRIGGER IF EXISTS audit_events_vocabulary_insert".to_owned(),
        "DROP TRIGGER IF EXISTS audit_events_vocabulary_update".to_owned(),
        format!(
            "CREATE TRIGGER audit_events_vocabulary_insert BEFORE INSERT ON audit_events \
             WHEN NEW.action NOT IN ({actions}) OR NEW.outcome NOT IN ({outcomes}) \
             BEGIN SELECT RAISE(ABORT, 'audit action or outcome outside the vocabulary'); END"
        ),
        format!(
            "CREATE TRIGGER audit_events_vocabulary_update BEFORE UPDATE OF outcome ON audit_events \
             WHEN NEW.outcome NOT IN ({outcomes}) \
             BEGIN SELECT RAISE(ABORT, 'audit outcome outside the vocabulary'); END"
        ),
    ] {
        sqlx::query(&statement).execute(&mut *tx).await?;
    }
    tx.commit().await
}
