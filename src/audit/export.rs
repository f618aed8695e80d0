//! The audit trail as CSV, streamed: rows go from the database cursor
//! through a small bounded channel in ~32 KB chunks, so memory stays flat
//! however many rows match. Column names are stable identifiers (a machine
//! format, the same in every language).

use futures::{Stream, TryStreamExt};
use serde::Serialize;
use sqlx::QueryBuilder;

use crate::db::Db;
use crate::on_db;
use tokio_stream::wrappers::ReceiverStream;

use super::query::{QueryError, push_filters};
use super::read::{ENTRY_COLUMNS, EntryRow};
use crate::csv_safe;
use crate::problem::Problem;
use crate::types::{AuditEntry, AuditFilter};

pub const CSV_COLUMNS: [&str; 16] = [
    "id",
    "at_utc",
    "actor",
    "action",
    "charger_id",
    "charger_name",
    "subject",
    "requested_current_a",
    "requested_duration_s",
    "outcome",
    "upstream_status",
    "upstream_answer",
    "previous_settings",
    "error",
    "request_id",
    "client_ip",
];

const CHUNK_BYTES: usize = 32 * 1024;

/// One CSV line, in [`CSV_COLUMNS`] order.
#[derive(Serialize)]
struct CsvRow {
    id: i64,
    at_utc: String,
    actor: String,
    action: &'static str,
    charger_id: Option<i64>,
    charger_name: Option<String>,
    subject: Option<String>,
    requested_current_a: Option<u32>,
    requested_duration_s: Option<u32>,
    outcome: &'static str,
    upstream_status: Option<u16>,
    upstream_answer: Option<String>,
    previous_settings: Option<String>,
    error: Option<String>,
    request_id: Option<String>,
    client_ip: Option<String>,
}

impl From<AuditEntry> for CsvRow {
    fn from(e: AuditEntry) -> Self {
        let text = |v: Option<String>| v.map(csv_safe::cell);
        Self {
            id: e.id,
            at_utc: e.at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            actor: csv_safe::cell(e.actor),
            action: e.action.into(),
            charger_id: e.charger_id,
            charger_name: text(e.charger_name),
            subject: text(e.subject),
            requested_current_a: e.requested_current,
            requested_duration_s: e.requested_duration,
            outcome: e.outcome.into(),
            upstream_status: e.upstream_status,
            upstream_answer: text(e.upstream_answer),
            previous_settings: text(e.previous_settings),
            error: text(e.problem.map(|p| match p {
                Problem::Legacy(text) => text,
                typed => typed.to_json(),
            })),
            request_id: text(e.request_id),
            client_ip: text(e.client_ip),
        }
    }
}

type Chunk = Result<Vec<u8>, std::io::Error>;

/// The CSV of every event matching `filter`, newest first. Fails up front
/// when the filter is invalid, so a bad date is a clear error, not a
/// truncated file. An export running longer than `limit` is cut off with
/// an error (the download fails rather than ending short but "complete").
/// `hold` is kept until the export ends (the one-per-user guard).
pub fn csv(
    db: Db,
    filter: AuditFilter,
    limit: std::time::Duration,
    hold: impl Send + 'static,
) -> Result<impl Stream<Item = Chunk> + Send + 'static, QueryError> {
    push_filters(&mut QueryBuilder::<sqlx::Sqlite>::new(""), &filter)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(8);
    tokio::spawn(async move {
        let _hold = hold;
        let failure = match tokio::time::timeout(limit, write_rows(&db, &filter, &tx)).await {
            Ok(Ok(())) => return,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "audit export failed");
                "the export failed; see the server log"
            }
            Err(_) => {
                tracing::warn!(?limit, "audit export cut off at its time limit");
                "the export took too long; narrow the filter and try again"
            }
        };
        let _ = tx.send(Err(std::io::Error::other(failure))).await;
    });
    Ok(ReceiverStream::new(rx))
}

#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

async fn write_rows(
    db: &Db,
    filter: &AuditFilter,
    tx: &tokio::sync::mpsc::Sender<Chunk>,
) -> Result<(), ExportError> {
    let mut out = writer();
    out.write_record(CSV_COLUMNS)?;
    on_db!(db, pool => {
        let mut qb = QueryBuilder::new(format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_events WHERE 1 = 1"
        ));
        push_filters(&mut qb, filter)?;
        qb.push(" ORDER BY id DESC");
        let mut rows = qb.build_query_as::<EntryRow>().fetch(pool);
        while let Some(row) = rows.try_next().await? {
            out.serialize(CsvRow::from(AuditEntry::from(row)))?;
            if out.get_ref().len() > CHUNK_BYTES {
                let chunk = std::mem::replace(&mut out, writer())
                    .into_inner()
                    .map_err(|e| e.into_error())?;
                if tx.send(Ok(chunk)).await.is_err() {
                    return Ok(()); // the client went away
                }
            }
        }
    });
    let rest = out.into_inner().map_err(|e| e.into_error())?;
    if !rest.is_empty() {
        let _ = tx.send(Ok(rest)).await;
    }
    Ok(())
}

/// A CSV writer into a fresh chunk (the header written by hand, so an
/// empty export still has one).
fn writer() -> csv::Writer<Vec<u8>> {
    csv_safe::writer_builder()
        .has_headers(false)
        .from_writer(Vec::with_capacity(CHUNK_BYTES * 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::{AuditAction, Outcome};

    fn entry() -> AuditEntry {
        AuditEntry {
            id: 7,
            at: "2026-11-24T10:00:00.5Z".parse().unwrap(),
            actor: "=cmd|' /C calc'!A0".into(),
            action: AuditAction::SetTarget,
            charger_id: Some(3),
            charger_name: Some("Bay, \"north\"".into()),
            subject: None,
            requested_current: Some(10),
            requested_duration: Some(7200),
            outcome: Outcome::Received,
            upstream_status: Some(201),
            upstream_answer: None,
            previous_settings: None,
            problem: None,
            request_id: Some("-1+1".into()),
            client_ip: None,
        }
    }

    #[test]
    fn rows_are_quoted_defused_and_in_column_order() {
        let mut out = writer();
        out.write_record(CSV_COLUMNS).unwrap();
        out.serialize(CsvRow::from(entry())).unwrap();
        let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "7,2026-11-24T10:00:00.500Z,'=cmd|' /C calc'!A0,set_target,3,\"Bay, \"\"north\"\"\",,10,7200,received,201,,,,'-1+1,"
        );
    }
}
