//! The audit writer (#29): concurrent writes share transactions and still
//! form one chain.

use evse_dashboard::audit::{AuditKey, AuditLog, Completion, Intent};
use evse_dashboard::on_db;
use evse_dashboard::types::{AuditAction, Outcome};

use crate::fixtures::{actor, database};

/// Many sets at once (#29): their intents and completions go through the
/// writer, several to a transaction, and still form one chain in which
/// every attempt is completed exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_attempts_share_transactions_and_keep_one_chain() {
    let db = database().await;
    let log = AuditLog::new(db.db.clone(), AuditKey::generate());
    let attempts = (0..48).map(|i| {
        let log = log.clone();
        async move {
            let id = log
                .begin(
                    &actor(&format!("u{i}")),
                    Intent {
                        action: AuditAction::SetTarget,
                        charger_id: i,
                        charger_name: "Bay",
                        requested_current: Some(10),
                        requested_duration: Some(600),
                        batch_id: None,
                    },
                )
                .await
                .unwrap();
            let done = Completion::answered(Outcome::Received, 201, &"{}");
            assert!(log.complete(id, &done).await.unwrap(), "completed once");
            assert!(!log.complete(id, &done).await.unwrap(), "and never again");
            id
        }
    });
    let mut ids = futures::future::join_all(attempts).await;
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 48, "each intent has a row of its own");
    let v = log.verify(None).await.unwrap();
    assert_eq!((v.rows, v.broken), (48, None));
    let db = log.db();
    let pending: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE outcome = 'pending'",
    )
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(pending, 0);
}
