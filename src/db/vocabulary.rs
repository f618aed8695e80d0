//! The audit table accepts only the actions and outcomes of
//! `crate::vocabulary`. The checks are generated from those enums at every
//! start, so adding a variant needs no migration and a value outside the
//! enums can never be written, not even by hand.

use super::{Db, Pool, postgres};
use crate::vocabulary::{AuditAction, Outcome, sql_list};

/// (Re)creates the vocabulary check in one transaction.
pub async fn install(db: &Db) -> Result<(), sqlx::Error> {
    let actions = sql_list::<AuditAction>();
    let outcomes = sql_list::<Outcome>();
    match db.writes() {
        Pool::Sqlite(pool) => {
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
        // Only the trigger function's body changes: no table lock, and
        // instances starting together take turns.
        Pool::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            postgres::lock(&mut tx, postgres::VOCABULARY_LOCK).await?;
            sqlx::query(&format!(
                "CREATE OR REPLACE FUNCTION audit_events_vocabulary() RETURNS trigger \
                 LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.action NOT IN ({actions}) OR NEW.outcome NOT IN ({outcomes}) THEN \
                 RAISE EXCEPTION 'audit action or outcome outside the vocabulary'; END IF; \
                 RETURN NEW; END $$"
            ))
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }
    }
}
