//! Reading the audit trail: filtered keyset pages, the count of matches,
//! and a streamed CSV export of exactly the same filter.

use chrono::{Duration, NaiveDate};
use futures::{Stream, TryStreamExt};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::{ENTRY_COLUMNS, EntryRow};
use crate::types::{AuditEntry, AuditFilter, AuditPage};

pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

fn day(text: &str, what: &str) -> Result<NaiveDate, QueryError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        QueryError::Invalid(format!(
            "The {what} date must look like 2026-11-24 (got {text:?})."
        ))
    })
}

/// The default view: the last 7 days, today included.
pub fn with_defaults(mut filter: AuditFilter) -> AuditFilter {
    if filter.from.is_none() && filter.to.is_none() {
        let from = chrono::Utc::now().date_naive() - Duration::days(6);
        filter.from = Some(from.format("%Y-%m-%d").to_string());
    }
    for text in [
        &mut filter.user,
        &mut filter.action,
        &mut filter.outcome,
        &mut filter.from,
        &mut filter.to,
    ] {
        if text.as_deref().is_some_and(|t| t.trim().is_empty()) {
            *text = None;
        }
    }
    filter
}

/// Appends ` AND …` for each filter. Dates become an id range first (ids
/// grow with time: the first row at or after the start, found by one index
/// seek), so the scan touches only that slice of the table; the
/// `+at` keeps SQLite from scanning the `at` index and sorting instead.
fn push_filters(qb: &mut QueryBuilder<'_, Sqlite>, filter: &AuditFilter) -> Result<(), QueryError> {
    if let Some(from) = &filter.from {
        let start = format!("{}T00:00:00.000Z", day(from, "first")?.format("%Y-%m-%d"));
        qb.push(" AND id >= coalesce((SELECT id FROM audit_events WHERE at >= ")
            .push_bind(start.clone())
            .push(" ORDER BY at, id LIMIT 1), 9223372036854775807) AND +at >= ")
            .push_bind(start);
    }
    if let Some(to) = &filter.to {
        let end = day(to, "last")? + Duration::days(1);
        let end = format!("{}T00:00:00.000Z", end.format("%Y-%m-%d"));
        qb.push(" AND id <= coalesce((SELECT id FROM audit_events WHERE at < ")
            .push_bind(end.clone())
            .push(" ORDER BY at DESC, id DESC LIMIT 1), 0) AND +at < ")
            .push_bind(end);
    }
    if let Some(charger) = filter.charger {
        qb.push(" AND charger_id = ").push_bind(charger);
    }
    if let Some(site) = filter.site {
        qb.push(" AND charger_id IN (SELECT id FROM chargers WHERE site_id = ")
            .push_bind(site)
            .push(")");
    }
    if let Some(user) = &filter.user {
        qb.push(" AND actor = ")
            .push_bind(user.trim().to_owned())
            .push(" COLLATE NOCASE");
    }
    if let Some(action) = &filter.action {
        qb.push(" AND action = ").push_bind(action.clone());
    }
    if let Some(outcome) = &filter.outcome {
        qb.push(" AND outcome = ").push_bind(outcome.clone());
    }
    Ok(())
}

/// One page, newest first, older than `before` (an id) when given, with
/// the count of all matches.
pub async fn page(
    pool: &SqlitePool,
    filter: &AuditFilter,
    before: Option<i64>,
) -> Result<AuditPage, QueryError> {
    let (entries, next_before) = page_rows(pool, filter, before).await?;
    Ok(AuditPage {
        entries,
        total: count(pool, filter).await?,
        next_before,
    })
}

/// The rows of one page (keyset: `id < before`, never OFFSET) and the
/// cursor of the next one.
pub async fn page_rows(
    pool: &SqlitePool,
    filter: &AuditFilter,
    before: Option<i64>,
) -> Result<(Vec<AuditEntry>, Option<i64>), QueryError> {
    let mut qb = QueryBuilder::new(format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_events WHERE 1 = 1"
    ));
    push_filters(&mut qb, filter)?;
    if let Some(before) = before {
        qb.push(" AND id < ").push_bind(before);
    }
    qb.push(" ORDER BY id DESC LIMIT ").push_bind(PAGE_SIZE + 1);
    let mut rows: Vec<EntryRow> = qb.build_query_as().fetch_all(pool).await?;
    let next_before = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok((
        rows.into_iter().map(AuditEntry::from).collect(),
        next_before,
    ))
}

pub async fn count(pool: &SqlitePool, filter: &AuditFilter) -> Result<i64, QueryError> {
    let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM audit_events WHERE 1 = 1");
    push_filters(&mut qb, filter)?;
    Ok(qb.build_query_scalar().fetch_one(pool).await?)
}

pub const CSV_HEADER: &str = "id,at_utc,actor,action,charger_id,charger_name,subject,requested_current_a,\
requested_duration_s,outcome,upstream_status,upstream_answer,previous_settings,error,request_id,client_ip\r\n";

/// One CSV field (RFC 4180). A leading `= + - @` is defused so that a
/// spreadsheet never runs an audit value as a formula.
fn field(out: &mut String, value: Option<&str>) {
    let value = value.unwrap_or_default();
    let defuse = value.starts_with(['=', '+', '-', '@']);
    if defuse || value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        if defuse {
            out.push('\'');
        }
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn csv_line(e: &AuditEntry) -> String {
    let mut out = String::with_capacity(256);
    let num = |v: Option<i64>| v.map(|n| n.to_string());
    let fields: [Option<String>; 16] = [
        Some(e.id.to_string()),
        Some(e.at.clone()),
        Some(e.actor.clone()),
        Some(e.action.clone()),
        num(e.charger_id),
        e.charger_name.clone(),
        e.subject.clone(),
        num(e.requested_current.map(i64::from)),
        num(e.requested_duration.map(i64::from)),
        Some(e.outcome.clone()),
        num(e.upstream_status.map(i64::from)),
        e.upstream_answer.clone(),
        e.previous_settings.clone(),
        e.error.clone(),
        e.request_id.clone(),
        e.client_ip.clone(),
    ];
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(&mut out, f.as_deref());
    }
    out.push_str("\r\n");
    out
}

/// The CSV of every event matching `filter`, newest first, streamed in
/// chunks through a small bounded channel: memory stays flat however many
/// rows there are. Fails up front when the filter is invalid.
pub fn csv(
    pool: SqlitePool,
    filter: AuditFilter,
) -> Result<impl Stream<Item = Result<String, std::io::Error>> + Send + 'static, QueryError> {
    // Validate now, so a bad date is a clear error, not a truncated file.
    push_filters(&mut QueryBuilder::new(""), &filter)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(8);
    tokio::spawn(async move {
        let mut qb = QueryBuilder::new(format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_events WHERE 1 = 1"
        ));
        push_filters(&mut qb, &filter).expect("validated above");
        qb.push(" ORDER BY id DESC");
        let mut rows = qb.build_query_as::<EntryRow>().fetch(&pool);
        let mut chunk = String::from(CSV_HEADER);
        loop {
            match rows.try_next().await {
                Ok(Some(row)) => {
                    chunk.push_str(&csv_line(&row.into()));
                    if chunk.len() > 32 * 1024
                        && tx.send(Ok(std::mem::take(&mut chunk))).await.is_err()
                    {
                        return; // the client went away
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::error!(error = %e, "audit export failed");
                    let _ = tx
                        .send(Err(std::io::Error::other(
                            "the export failed; see the server log",
                        )))
                        .await;
                    return;
                }
            }
        }
        if !chunk.is_empty() {
            let _ = tx.send(Ok(chunk)).await;
        }
    });
    Ok(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        let mut out = String::new();
        field(&mut out, Some("plain"));
        out.push('|');
        field(&mut out, Some("a,b \"c\""));
        out.push('|');
        field(&mut out, Some("=HYPERLINK(\"x\")"));
        out.push('|');
        field(&mut out, None);
        assert_eq!(out, "plain|\"a,b \"\"c\"\"\"|\"'=HYPERLINK(\"\"x\"\")\"|");
    }

    #[test]
    fn the_default_is_the_last_seven_days() {
        let f = with_defaults(AuditFilter::default());
        let from = NaiveDate::parse_from_str(f.from.as_deref().unwrap(), "%Y-%m-%d").unwrap();
        assert_eq!((chrono::Utc::now().date_naive() - from).num_days(), 6);
        let explicit = with_defaults(AuditFilter {
            to: Some("2026-01-31".into()),
            ..Default::default()
        });
        assert_eq!(explicit.from, None);
    }

    #[test]
    fn bad_dates_are_named() {
        let mut qb = QueryBuilder::new("");
        let err = push_filters(
            &mut qb,
            &AuditFilter {
                from: Some("24.11.2026".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("first date must look like"),
            "{err}"
        );
    }
}
