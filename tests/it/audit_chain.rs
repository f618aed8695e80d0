//! The audit table's guarantees: append-only at the database level, and a
//! hash chain that `verify` walks to find the first tampered row.

use evse_dashboard::audit::{AuditKey, AuditLog, Completion, Event, Intent};
use evse_dashboard::types::{AuditAction, Outcome};

use evse_dashboard::db::{Db, Pool};
use evse_dashboard::on_db;

use crate::fixtures::{actor, database};

/// A fresh trail: its directory, database and writer.
async fn pool() -> (tempfile::TempDir, Db, AuditLog) {
    let db = database().await;
    let log = AuditLog::new(db.db.clone(), AuditKey::generate());
    (db.dir, db.db, log)
}

/// A value bound to a statement run behind the app's back.
enum Arg<'a> {
    Int(i64),
    Text(&'a str),
}
use Arg::{Int, Text};

/// Runs `sql` directly on the database, binding `args` in order.
async fn exec(db: &Db, sql: &str, args: &[Arg<'_>]) -> Result<u64, sqlx::Error> {
    on_db!(db, pool => {
        let mut query = sqlx::query(sql);
        for arg in args {
            query = match arg {
                Int(i) => query.bind(*i),
                Text(t) => query.bind(t.to_string()),
            };
        }
        query.execute(pool).await.map(|r| r.rows_affected())
    })
}

async fn seed(log: &AuditLog) -> (i64, i64, i64) {
    let a = log
        .record(&actor("olga"), Event::of(AuditAction::Login, &Ok(())))
        .await
        .unwrap();
    let b = log
        .begin(
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
    log.complete(b, &Completion::answered(Outcome::Received, 201, &"{}"))
        .await
        .unwrap();
    let c = log
        .record(&actor("olga"), Event::of(AuditAction::Logout, &Ok(())))
        .await
        .unwrap();
    (a, b, c)
}

#[tokio::test]
async fn an_untouched_chain_verifies() {
    let (_d, _pool, log) = pool().await;
    seed(&log).await;
    let v = log.verify(None).await.unwrap();
    assert_eq!((v.rows, v.legacy_rows, v.broken), (3, 0, None));
}

#[tokio::test]
async fn deletes_and_edits_are_refused_by_the_database() {
    let (_d, pool, log) = pool().await;
    let (a, b, _) = seed(&log).await;
    assert_append_only(&pool, "DELETE FROM audit_events WHERE id = $1", a).await;
    assert_append_only(
        &pool,
        "UPDATE audit_events SET actor = 'mallory' WHERE id = $1",
        a,
    )
    .await;
    // A completed row cannot be completed again.
    assert_append_only(
        &pool,
        "UPDATE audit_events SET outcome = 'rejected', outcome_hash = 'x' WHERE id = $1",
        b,
    )
    .await;
    // Completing a pending row without its outcome hash is refused too.
    let p = log
        .begin(
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
    assert_append_only(
        &pool,
        "UPDATE audit_events SET outcome = 'received' WHERE id = $1",
        p,
    )
    .await;
    assert_eq!(log.verify(None).await.unwrap().broken, None);
}

/// `sql` on row `id` must be refused by the append-only guards.
async fn assert_append_only(db: &Db, sql: &str, id: i64) {
    let err = exec(db, sql, &[Int(id)]).await.unwrap_err();
    assert!(err.to_string().contains("append-only"), "{sql}: {err}");
}

/// Removes the append-only guards, as someone with the database's
/// owner rights could.
async fn drop_guards(db: &Db) {
    let statements: &[&str] = match db.pool() {
        Pool::Sqlite(_) => &[
            "DROP TRIGGER audit_events_no_delete",
            "DROP TRIGGER audit_events_complete_once",
        ],
        Pool::Postgres(_) => &[
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_delete",
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_complete_once",
        ],
    };
    for sql in statements {
        exec(db, sql, &[]).await.unwrap();
    }
}

/// Edits the trail's first row behind the app's back (for the alert on a
/// broken chain).
pub async fn tamper_first_row(db: &Db) {
    drop_guards(db).await;
    let edited = exec(
        db,
        "UPDATE audit_events SET actor = 'mallory' WHERE id = (SELECT MIN(id) FROM audit_events)",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(edited, 1);
}

#[tokio::test]
async fn verify_finds_an_edit_made_behind_the_apps_back() {
    let (_d, pool, log) = pool().await;
    let (a, _, _) = seed(&log).await;
    drop_guards(&pool).await;
    exec(
        &pool,
        "UPDATE audit_events SET actor = 'mallory' WHERE id = $1",
        &[Int(a)],
    )
    .await
    .unwrap();
    let broken = log.verify(None).await.unwrap().broken.unwrap();
    assert_eq!(broken.id, Some(a));
    assert!(broken.reason.contains("edited"), "{}", broken.reason);
}

#[tokio::test]
async fn verify_finds_an_edited_outcome() {
    let (_d, pool, log) = pool().await;
    let (_, b, _) = seed(&log).await;
    drop_guards(&pool).await;
    exec(
        &pool,
        "UPDATE audit_events SET outcome = 'rejected' WHERE id = $1",
        &[Int(b)],
    )
    .await
    .unwrap();
    let broken = log.verify(None).await.unwrap().broken.unwrap();
    assert_eq!(broken.id, Some(b));
    assert!(broken.reason.contains("outcome"), "{}", broken.reason);
}

#[tokio::test]
async fn verify_finds_a_deleted_row() {
    let (_d, pool, log) = pool().await;
    let (_, b, c) = seed(&log).await;
    drop_guards(&pool).await;
    exec(&pool, "DELETE FROM audit_events WHERE id = $1", &[Int(b)])
        .await
        .unwrap();
    let broken = log.verify(None).await.unwrap().broken.unwrap();
    assert_eq!(broken.id, Some(c), "the row after the gap no longer links");
}

#[tokio::test]
async fn concurrent_writers_keep_one_chain() {
    let (_d, _pool, log) = pool().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            let a = actor(&format!("u{i}"));
            log.record(&a, Event::of(AuditAction::Login, &Ok(())))
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let v = log.verify(None).await.unwrap();
    assert_eq!((v.rows, v.broken), (40, None));
}

/// A request abandoned halfway through an audit write (the client went
/// away) must not leave a pooled connection holding the write lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_write_never_wedges_the_others() {
    let (_d, _pool, log) = pool().await;
    let gone = actor("gone");
    for micros in (0..600).step_by(3) {
        let write = log.record(&gone, Event::of(AuditAction::Login, &Ok(())));
        let _ = tokio::time::timeout(std::time::Duration::from_micros(micros), write).await;
    }
    let writes = (0..16).map(|i| {
        let log = log.clone();
        async move {
            let a = actor(&format!("after{i}"));
            log.record(&a, Event::of(AuditAction::Login, &Ok(()))).await
        }
    });
    let results = tokio::time::timeout(
        std::time::Duration::from_secs(4),
        futures::future::join_all(writes),
    )
    .await
    .expect("writes after abandoned ones must not wait for a lock that is never released");
    for r in results {
        r.expect("a write after an abandoned one failed");
    }
    assert_eq!(log.verify(None).await.unwrap().broken, None);
}

/// Rows are stamped inside the lock, so `at` never goes backwards as ids
/// grow (the date filter relies on it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timestamps_grow_with_ids_under_concurrency() {
    let (_d, pool, log) = pool().await;
    let writes = (0..64).map(|i| {
        let log = log.clone();
        tokio::spawn(async move {
            let a = actor(&format!("u{i}"));
            log.record(&a, Event::of(AuditAction::Login, &Ok(()))).await
        })
    });
    for w in futures::future::join_all(writes).await {
        w.unwrap().unwrap();
    }
    let ats: Vec<String> = on_db!(&pool, pool => {
        sqlx::query_scalar("SELECT at FROM audit_events ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert!(ats.windows(2).all(|w| w[0] <= w[1]), "{ats:?}");
}

/// Someone with write access to the database but not the audit key edits
/// a row and recomputes the chain as it used to be hashed (plain SHA-256):
/// the keyed chain does not accept it.
#[tokio::test]
async fn a_chain_recomputed_without_the_key_is_caught() {
    use sha2::{Digest, Sha256};
    let (_d, pool, log) = pool().await;
    let (a, _, _) = seed(&log).await;
    drop_guards(&pool).await;
    exec(
        &pool,
        "UPDATE audit_events SET actor = 'mallory' WHERE id = $1",
        &[Int(a)],
    )
    .await
    .unwrap();
    // Re-link every row with SHA-256 over the previous hash and the row.
    let rows: Vec<(i64, String, String)> = on_db!(&pool, pool => {
        sqlx::query_as("SELECT id, actor, action FROM audit_events ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    let mut prev = evse_dashboard::audit::chain::GENESIS.to_owned();
    for (id, actor, action) in rows {
        let hash: String = Sha256::new()
            .chain_update(prev.as_bytes())
            .chain_update(actor.as_bytes())
            .chain_update(action.as_bytes())
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        exec(
            &pool,
            "UPDATE audit_events SET prev_hash = $1, hash = $2, outcome_hash = NULL WHERE id = $3",
            &[Text(&prev), Text(&hash), Int(id)],
        )
        .await
        .unwrap();
        prev = hash;
    }
    assert!(log.verify(None).await.unwrap().broken.is_some());
}

#[tokio::test]
async fn another_key_does_not_verify_the_chain() {
    let (_d, pool, log) = pool().await;
    seed(&log).await;
    let stranger = AuditLog::new(pool, AuditKey::generate());
    let broken = stranger.verify(None).await.unwrap().broken.unwrap();
    assert!(broken.reason.contains("edited"), "{}", broken.reason);
}

/// Rows cut off the end leave a chain that verifies on its own; a head
/// saved before (`audit head`) exposes the cut.
#[tokio::test]
async fn a_saved_head_catches_rows_cut_off_the_end() {
    use evse_dashboard::audit::verify::{Anchor, head};
    let (_d, pool, log) = pool().await;
    let (_, _, c) = seed(&log).await;
    let saved: Anchor = head(&pool).await.unwrap().unwrap();
    assert_eq!(saved.rows, 3);
    let v = log.verify(Some(&saved)).await.unwrap();
    assert_eq!((v.broken, v.head), (None, Some(saved.clone())));
    assert_eq!(saved.to_string().parse::<Anchor>().unwrap(), saved);

    drop_guards(&pool).await;
    exec(&pool, "DELETE FROM audit_events WHERE id = $1", &[Int(c)])
        .await
        .unwrap();
    assert_eq!(
        log.verify(None).await.unwrap().broken,
        None,
        "alone, the cut is invisible"
    );
    let broken = log.verify(Some(&saved)).await.unwrap().broken.unwrap();
    assert_eq!(broken.id, None);
    assert!(
        broken.reason.contains("cut off the end"),
        "{}",
        broken.reason
    );
}

/// Rows hashed before the chain was keyed still verify, are counted, and
/// may not follow keyed ones.
#[tokio::test]
async fn legacy_rows_verify_before_keyed_rows_only() {
    use sha2::{Digest, Sha256};
    let (_d, pool, log) = pool().await;
    let legacy_hash = |prev: &str, canonical: &str| -> String {
        Sha256::new()
            .chain_update(prev.as_bytes())
            .chain_update([0])
            .chain_update(canonical.as_bytes())
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let at = "2026-01-01T00:00:00.000Z";
    let canonical = serde_json::json!([
        at, null, "cli:old", "login", null, null, null, null, null, "ok", null, null, null, null,
        null, null, at, null
    ])
    .to_string();
    let genesis = evse_dashboard::audit::chain::GENESIS;
    let hash = legacy_hash(genesis, &canonical);
    exec(
        &pool,
        "INSERT INTO audit_events (at, actor, action, outcome, completed_at, prev_hash, hash) \
         VALUES ($1, 'cli:old', 'login', 'ok', $2, $3, $4)",
        &[Text(at), Text(at), Text(genesis), Text(&hash)],
    )
    .await
    .unwrap();
    seed(&log).await;
    let v = log.verify(None).await.unwrap();
    assert_eq!((v.rows, v.legacy_rows, v.broken), (4, 1, None));
}
