//! The closed sets have one definition: every action and outcome the code
//! knows can be written and filtered, and nothing else can be written.

use evse_dashboard::audit::{AuditKey, AuditLog, Event, query};
use evse_dashboard::types::{AuditAction, AuditFilter, Outcome};
use strum::IntoEnumIterator;

use crate::fixtures::{actor, database};

#[tokio::test]
async fn every_action_and_outcome_is_written_and_found_by_its_filter() {
    let db = database().await;
    let log = AuditLog::new(db.db.clone(), AuditKey::generate());
    for action in AuditAction::iter() {
        for outcome in [Outcome::Ok, Outcome::Failed] {
            let event = Event {
                outcome,
                ..Event::of(action, &Ok(()))
            };
            log.record(&actor("olga"), event).await.unwrap();
        }
    }
    for action in AuditAction::iter() {
        let filter = AuditFilter {
            action: Some(action),
            ..Default::default()
        };
        let page = query::page(&db.db, &query::with_defaults(filter), None)
            .await
            .unwrap();
        assert_eq!(page.total, 2, "{action}");
        assert!(page.entries.iter().all(|e| e.action == action));
    }
    let failed = AuditFilter {
        outcome: Some(Outcome::Failed),
        ..Default::default()
    };
    let page = query::page(&db.db, &query::with_defaults(failed), None)
        .await
        .unwrap();
    assert_eq!(page.total, AuditAction::iter().count() as i64);
}

#[tokio::test]
async fn the_database_refuses_values_outside_the_vocabulary() {
    let db = database().await;
    let insert = async |action: &str, outcome: &str| {
        evse_dashboard::on_db!(&db.db, pool => sqlx::query(
            "INSERT INTO audit_events (actor, action, outcome, hash) VALUES ('x', $1, $2, 'h')",
        )
        .bind(action.to_owned())
        .bind(outcome.to_owned())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    };
    let err = insert("drop_table", "ok").await.unwrap_err();
    assert!(err.to_string().contains("outside the vocabulary"), "{err}");
    let err = insert("login", "maybe").await.unwrap_err();
    assert!(err.to_string().contains("outside the vocabulary"), "{err}");
    insert("audit_exported", "ok").await.unwrap();
}
