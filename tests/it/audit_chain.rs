//! The audit table's guarantees: append-only at the database level, and a
//! hash chain that `verify` walks to find the first tampered row.

use evse_dashboard::audit::{self, Completion, Event, Intent, chain};
use evse_dashboard::types::{AuditAction, Outcome};

use crate::fixtures::{actor, database};

async fn pool() -> (tempfile::TempDir, sqlx::SqlitePool) {
    let db = database().await;
    (db.dir, db.pool)
}

async fn seed(pool: &sqlx::SqlitePool) -> (i64, i64, i64) {
    let a = audit::record(pool, &actor("olga"), Event::of(AuditAction::Login, &Ok(())))
        .await
        .unwrap();
    let b = audit::begin(
        pool,
        &actor("olga"),
        Intent {
            action: AuditAction::SetTarget,
            charger_id: 3,
            charger_name: "Bay 3",
            requested_current: Some(10),
            requested_duration: Some(600),
            batch_id: None,
        },
    )
    .await
    .unwrap();
    audit::complete(
        pool,
        b,
        &Completion::answered(Outcome::Received, 201, &"{}"),
    )
    .await
    .unwrap();
    let c = audit::record(
        pool,
        &actor("olga"),
        Event::of(AuditAction::Logout, &Ok(())),
    )
    .await
    .unwrap();
    (a, b, c)
}

#[tokio::test]
async fn an_untouched_chain_verifies() {
    let (_d, pool) = pool().await;
    seed(&pool).await;
    let v = chain::verify(&pool).await.unwrap();
    assert_eq!(
        v,
        chain::Verified {
            rows: 3,
            broken: None
        }
    );
}

#[tokio::test]
async fn deletes_and_edits_are_refused_by_the_database() {
    let (_d, pool) = pool().await;
    let (a, b, _) = seed(&pool).await;
    let err = sqlx::query("DELETE FROM audit_events WHERE id = ?")
        .bind(a)
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = sqlx::query("UPDATE audit_events SET actor = 'mallory' WHERE id = ?")
        .bind(a)
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    // A completed row cannot be completed again.
    let err = sqlx::query(
        "UPDATE audit_events SET outcome = 'rejected', outcome_hash = 'x' WHERE id = ?",
    )
    .bind(b)
    .execute(&pool)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    // Completing a pending row without its outcome hash is refused too.
    let p = audit::begin(
        &pool,
        &actor("olga"),
        Intent {
            action: AuditAction::ResetTarget,
            charger_id: 3,
            charger_name: "Bay 3",
            requested_current: None,
            requested_duration: None,
            batch_id: None,
        },
    )
    .await
    .unwrap();
    let err = sqlx::query("UPDATE audit_events SET outcome = 'received' WHERE id = ?")
        .bind(p)
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert_eq!(chain::verify(&pool).await.unwrap().broken, None);
}

async fn drop_guards(pool: &sqlx::SqlitePool) {
    sqlx::query("DROP TRIGGER audit_events_no_delete")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DROP TRIGGER audit_events_complete_once")
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn verify_finds_an_edit_made_behind_the_apps_back() {
    let (_d, pool) = pool().await;
    let (a, _, _) = seed(&pool).await;
    drop_guards(&pool).await;
    sqlx::query("UPDATE audit_events SET actor = 'mallory' WHERE id = ?")
        .bind(a)
        .execute(&pool)
        .await
        .unwrap();
    let broken = chain::verify(&pool).await.unwrap().broken.unwrap();
    assert_eq!(broken.id, a);
    assert!(broken.reason.contains("edited"), "{}", broken.reason);
}

#[tokio::test]
async fn verify_finds_an_edited_outcome() {
    let (_d, pool) = pool().await;
    let (_, b, _) = seed(&pool).await;
    drop_guards(&pool).await;
    sqlx::query("UPDATE audit_events SET outcome = 'rejected' WHERE id = ?")
        .bind(b)
        .execute(&pool)
        .await
        .unwrap();
    let broken = chain::verify(&pool).await.unwrap().broken.unwrap();
    assert_eq!(broken.id, b);
    assert!(broken.reason.contains("outcome"), "{}", broken.reason);
}

#[tokio::test]
async fn verify_finds_a_deleted_row() {
    let (_d, pool) = pool().await;
    let (_, b, c) = seed(&pool).await;
    drop_guards(&pool).await;
    sqlx::query("DELETE FROM audit_events WHERE id = ?")
        .bind(b)
        .execute(&pool)
        .await
        .unwrap();
    let broken = chain::verify(&pool).await.unwrap().broken.unwrap();
    assert_eq!(broken.id, c, "the row after the gap no longer links");
}

#[tokio::test]
async fn concurrent_writers_keep_one_chain() {
    let (_d, pool) = pool().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let a = actor(&format!("u{i}"));
            audit::record(&pool, &a, Event::of(AuditAction::Login, &Ok(())))
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        chain::verify(&pool).await.unwrap(),
        chain::Verified {
            rows: 40,
            broken: None
        }
    );
}
