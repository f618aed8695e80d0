//! Reading the audit trail back on either backend: one bulk change's rows,
//! whether the chain is keyed, and the CSV export, which reads every text
//! column of the table and may let no formula through.

use evse_dashboard::audit::{self, AuditKey, AuditLog, Intent, verify};
use evse_dashboard::on_db;
use evse_dashboard::types::{AuditAction, AuditFilter, Outcome};
use futures::TryStreamExt;

use crate::fixtures::{actor, database, on_postgres};

fn intent<'a>(charger_id: i64, name: &'a str, batch: &str) -> Intent<'a> {
    Intent {
        action: AuditAction::SetTarget,
        charger_id,
        charger_name: name,
        requested_current: Some(10),
        requested_duration: Some(600),
        batch_id: Some(batch.to_owned()),
    }
}

#[tokio::test]
async fn one_bulk_change_reads_back_by_charger_name() {
    let db = database().await;
    let log = AuditLog::new(db.db.clone(), AuditKey::generate());
    assert!(!verify::has_keyed_rows(&db.db).await.unwrap());
    for (id, name) in [(2, "Bay 2"), (1, "Bay 1")] {
        log.begin(&actor("olga"), intent(id, name, "batch-a"))
            .await
            .unwrap();
    }
    log.begin(&actor("olga"), intent(3, "Bay 3", "batch-b"))
        .await
        .unwrap();
    let rows = audit::batch(&db.db, "batch-a").await.unwrap();
    let names: Vec<_> = rows
        .iter()
        .map(|r| r.charger_name.clone().unwrap())
        .collect();
    assert_eq!(names, ["Bay 1", "Bay 2"]);
    assert!(rows.iter().all(|r| r.outcome == Outcome::Pending));
    assert!(verify::has_keyed_rows(&db.db).await.unwrap());
}

/// Every text column the table has (read from the schema, so a column
/// added later is covered without touching this test).
async fn text_columns(db: &evse_dashboard::db::Db) -> Vec<String> {
    let sql = if on_postgres() {
        "SELECT column_name FROM information_schema.columns \
         WHERE table_name = 'audit_events' AND data_type = 'text'"
    } else {
        "SELECT name FROM pragma_table_info('audit_events') WHERE type = 'TEXT'"
    };
    on_db!(db, pool => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap())
}

#[tokio::test]
async fn the_export_lets_no_formula_through_whatever_text_column_holds_it() {
    let db = database().await;
    // A row with a formula in every text column, written behind the
    // application's back (inserting is what the table allows).
    let fixed = [
        ("at", "2026-01-01T00:00:00.000Z"),
        ("action", "set_target"),
        ("outcome", "received"),
        // Closed sets: only their words are stored.
        ("verdict", "followed"),
    ];
    let columns = text_columns(&db.db).await;
    assert!(columns.len() > 10, "{columns:?}");
    let values: Vec<String> = columns
        .iter()
        .map(|c| match fixed.iter().find(|(name, _)| name == c) {
            Some((_, value)) => format!("'{value}'"),
            None => "'x;=2+2'".to_owned(),
        })
        .collect();
    let insert = format!(
        "INSERT INTO audit_events ({}) VALUES ({})",
        columns.join(", "),
        values.join(", ")
    );
    on_db!(&db.db, pool => sqlx::query(&insert).execute(pool).await.unwrap().rows_affected());
    let log = AuditLog::new(db.db.clone(), AuditKey::generate());
    log.begin(&actor("=HYPERLINK(\"x\")"), intent(1, "Night;=1+1;", "b"))
        .await
        .unwrap();
    let limit = std::time::Duration::from_secs(30);
    let stream = audit::csv(
        db.db.clone(),
        (AuditFilter::default(), audit::privacy::Reader::ALL),
        limit,
        (),
    )
    .unwrap();
    let chunks: Vec<Vec<u8>> = stream.try_collect().await.unwrap();
    let text = String::from_utf8(chunks.concat()).unwrap();
    assert!(text.contains("x;'=2+2"), "{text}");
    for separator in [b',', b';'] {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .flexible(true)
            .from_reader(text.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@']),
                    "{cell:?} in {text}"
                );
            }
        }
    }
}

/// The page counts its matches only up to `COUNT_CAP` (#29: an unbounded
/// count over 1,000,000 rows was nearly all of the page's 117 ms), and
/// says when there are more.
#[tokio::test]
async fn the_page_counts_up_to_its_cap_and_says_when_there_are_more() {
    let db = database().await;
    let cap = audit::query::COUNT_CAP;
    let fill = |rows: i64| {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
             INSERT INTO audit_events (actor, action, outcome, subject, hash) \
             SELECT 'bench', 'login', 'ok', 'row ' || i, 'h' FROM n"
        )
    };
    on_db!(&db.db, pool => sqlx::query(&fill(cap)).execute(pool).await.unwrap().rows_affected());
    let all = AuditFilter::default();
    let page = audit::query::page(&db.db, &all, None).await.unwrap();
    assert_eq!((page.total, page.more), (cap, false), "exact up to the cap");
    on_db!(&db.db, pool => sqlx::query(&fill(5)).execute(pool).await.unwrap().rows_affected());
    let page = audit::query::page(&db.db, &all, None).await.unwrap();
    assert_eq!((page.total, page.more), (cap, true), "past it: more than");
    assert_eq!(page.entries.len(), 50, "and the page itself is whole");
}
