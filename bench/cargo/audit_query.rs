//! Audit page queries and the CSV export over 1,000,000 rows.
//! Run: `cargo bench -p evse-dashboard --features ssr --bench audit_query`
//! Goal: page query (rows + count) p50 ≤ 20 ms; export in constant memory.

use evse_dashboard::db::{Db, Location};
use std::time::{Duration, Instant};

use evse_dashboard::audit::query;
use evse_dashboard::types::AuditFilter;
use futures::TryStreamExt;

const ROWS: i64 = 1_000_000;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let i = ((samples.len() - 1) as f64 * p).round() as usize;
    samples[i].as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&Location::DataDir(dir.path().into()))
        .await
        .unwrap();
    // The data is generated with SQLite's recursive CTEs.
    let pool = db.as_sqlite().unwrap().clone();

    let started = Instant::now();
    // 1M events over the last 90 days: 40 chargers on 3 sites, 25 users,
    // mostly sets; about 1 in 50 rejected. The chain is not what is
    // measured here, so the hashes are placeholders.
    sqlx::query("INSERT INTO sites (name) VALUES ('A'), ('B'), ('C')")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) \
         INSERT INTO chargers (name, site_id, edge_device_id, evse_uuid, token_ciphertext, token_nonce, token_key_id) \
         SELECT 'C' || i, 1 + i % 3, 'edge', 'evse-' || i, x'00', x'00', 'k' FROM n",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) \
         INSERT INTO audit_events (at, actor, action, charger_id, charger_name, requested_current, \
           requested_duration, outcome, upstream_status, upstream_answer, completed_at, prev_hash, hash) \
         SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-90 days', '+' || (i * 7776 / 1000) || ' seconds'), \
           'user' || (i % 25), CASE WHEN i % 10 = 0 THEN 'reset_target' ELSE 'set_target' END, \
           1 + i % 40, 'C' || (1 + i % 40), 6 + i % 27, 3600, \
           CASE WHEN i % 50 = 0 THEN 'rejected' ELSE 'received' END, 201, \
           '{{\"state\":\"received\",\"current\":10,\"duration\":3600}}', \
           strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'p', 'h' FROM n"
    ))
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    println!(
        "seeded {ROWS} audit rows in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let days_ago = |d: i64| {
        (chrono::Utc::now().date_naive() - chrono::Duration::days(d))
            .format("%Y-%m-%d")
            .to_string()
    };
    let cases: Vec<(&str, AuditFilter)> = vec![
        ("default (last 7 days)", AuditFilter::default()),
        (
            "charger, last 7 days",
            AuditFilter {
                charger: Some(7),
                ..Default::default()
            },
        ),
        (
            "site, last 7 days",
            AuditFilter {
                site: Some(2),
                ..Default::default()
            },
        ),
        (
            "user + outcome=rejected, 90 days",
            AuditFilter {
                user: Some("user3".into()),
                outcome: Some(evse_dashboard::types::Outcome::Rejected),
                from: Some(days_ago(90)),
                ..Default::default()
            },
        ),
        (
            "action=reset, 30 days",
            AuditFilter {
                action: Some(evse_dashboard::types::AuditAction::ResetTarget),
                from: Some(days_ago(30)),
                ..Default::default()
            },
        ),
        (
            "charger, all time",
            AuditFilter {
                charger: Some(7),
                from: Some("2000-01-01".into()),
                ..Default::default()
            },
        ),
    ];
    println!(
        "{:<36} {:>10} {:>10} {:>10} {:>10}",
        "page query (50 rows + count)", "p50 ms", "p95 ms", "matches", "rows p50"
    );
    for (name, filter) in cases {
        let filter = query::with_defaults(filter);
        let mut whole = Vec::new();
        let mut total = 0;
        for _ in 0..25 {
            let t = Instant::now();
            let page = query::page(&db, &filter, None).await.unwrap();
            whole.push(t.elapsed());
            total = page.total;
        }
        // The rows alone, second page (keyset), to separate them from the count.
        let first = query::page(&db, &filter, None).await.unwrap();
        let mut rows_only = Vec::new();
        for _ in 0..25 {
            let t = Instant::now();
            let _ = query::page_rows(&db, &filter, first.next_before)
                .await
                .unwrap();
            rows_only.push(t.elapsed());
        }
        println!(
            "{:<36} {:>10.2} {:>10.2} {:>10} {:>10.2}",
            name,
            percentile(&mut whole, 0.5),
            percentile(&mut whole, 0.95),
            total,
            percentile(&mut rows_only, 0.5)
        );
    }

    let before = peak_rss_kib();
    let t = Instant::now();
    let all = AuditFilter {
        from: Some("2000-01-01".into()),
        ..Default::default()
    };
    let mut bytes = 0usize;
    let mut lines = 0usize;
    let limit = std::time::Duration::from_secs(3600);
    let mut stream = Box::pin(
        evse_dashboard::audit::csv(
            db.clone(),
            (all, evse_dashboard::audit::privacy::Reader::ALL),
            limit,
            (),
        )
        .unwrap(),
    );
    while let Some(chunk) = stream.try_next().await.unwrap() {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let elapsed = t.elapsed();
    let after = peak_rss_kib();
    println!(
        "CSV export of all {} rows: {:.1} s, {:.1} MB, {:.0} rows/s; peak RSS {} MiB before, {} MiB after (+{} MiB)",
        lines - 1,
        elapsed.as_secs_f64(),
        bytes as f64 / 1e6,
        (lines - 1) as f64 / elapsed.as_secs_f64(),
        before / 1024,
        after / 1024,
        after.saturating_sub(before) / 1024
    );
}
