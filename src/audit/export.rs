//! The audit trail as CSV, streamed: rows go from the database cursor
//! through a small bounded channel in ~32 KB chunks, so memory stays flat
//! however many rows match. Column names are stable identifiers (a machine
//! format, the same in every language).

use futures::{Stream, TryStreamExt};
use sqlx::QueryBuilder;

use crate::db::Db;
use crate::on_db;

use super::privacy::Reader;
use super::query::{QueryError, push_filters};
use super::row::AuditRow;
use crate::csv_safe;
use crate::csv_stream::{self, Chunk, ChunkedCsv};
use crate::types::AuditFilter;

/// The export's header: the CSV names of [`AuditRow`]'s fields (a blank
/// row names them, so an empty export has the header too).
pub fn csv_columns() -> Vec<String> {
    let mut out = csv_safe::writer_builder().from_writer(Vec::new());
    out.serialize(AuditRow::default())
        .expect("a row serialises");
    let text = String::from_utf8(out.into_inner().expect("in memory")).expect("UTF-8");
    let header = text.lines().next().unwrap_or_default();
    header.split(',').map(str::to_owned).collect()
}

/// The CSV of every event matching `filter`, newest first. Fails up front
/// when the filter is invalid, so a bad date is a clear error, not a
/// truncated file. An export running longer than `limit` is cut off with
/// an error (the download fails rather than ending short but "complete").
/// `hold` is kept until the export ends (the one-per-user guard).
/// `reader` sees only what they may (`privacy`).
pub fn csv(
    db: Db,
    (filter, reader): (AuditFilter, Reader),
    limit: std::time::Duration,
    hold: impl Send + 'static,
) -> Result<impl Stream<Item = Chunk> + Send + 'static, QueryError> {
    push_filters(&mut QueryBuilder::<sqlx::Sqlite>::new(""), &filter)?;
    Ok(csv_stream::spawn(
        "audit",
        "the export took too long; narrow the filter and try again",
        limit,
        hold,
        move |tx| async move { write_rows(&db, (&filter, &reader), &tx).await },
    ))
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
    (filter, reader): (&AuditFilter, &Reader),
    tx: &tokio::sync::mpsc::Sender<Chunk>,
) -> Result<(), ExportError> {
    let mut out = ChunkedCsv::new(tx, csv_columns())?;
    on_db!(db, pool => {
        let columns = super::chain::listed_columns();
        let mut qb = QueryBuilder::new(format!("SELECT {columns} FROM audit_events WHERE 1 = 1"));
        push_filters(&mut qb, filter)?;
        qb.push(" ORDER BY id DESC");
        let mut rows = qb.build_query_as::<AuditRow>().fetch(pool);
        while let Some(mut row) = rows.try_next().await? {
            super::privacy::row_shown_to(reader, &mut row);
            if !out.row(row).await? {
                return Ok(()); // the client went away
            }
        }
    });
    Ok(out.finish().await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::{AuditAction, Outcome};

    fn row() -> AuditRow {
        AuditRow {
            id: 7,
            at: "2026-11-24T10:00:00.500Z".into(),
            actor_id: Some(1),
            actor: "=cmd|' /C calc'!A0".into(),
            action: AuditAction::SetTarget,
            charger_id: Some(3),
            charger_name: Some("Bay, \"north\"".into()),
            requested_current: Some(10),
            requested_duration: Some(7200),
            outcome: Outcome::Received,
            upstream_status: Some(201),
            request_id: Some("-1+1".into()),
            hash: "h2:abc".into(),
            ..AuditRow::default()
        }
    }

    /// The download of `rows`, as the export writes it.
    async fn download(rows: Vec<AuditRow>) -> String {
        let (tx, mut rx) = tokio::sync::mpsc::channel(8);
        let mut out = ChunkedCsv::new(&tx, csv_columns()).unwrap();
        for r in rows {
            assert!(out.row(r).await.unwrap());
        }
        out.finish().await.unwrap();
        drop(tx);
        let mut bytes = Vec::new();
        while let Some(chunk) = rx.recv().await {
            bytes.extend(chunk.unwrap());
        }
        String::from_utf8(bytes).unwrap()
    }

    #[tokio::test]
    async fn rows_are_quoted_defused_and_in_column_order() {
        let text = download(vec![row()]).await;
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "id,at_utc,actor,action,charger_id,charger_name,subject,requested_current_a,\
             requested_duration_s,outcome,upstream_status,upstream_answer,previous_settings,\
             error,request_id,client_ip,refers_to,verdict"
        );
        assert_eq!(
            lines[1],
            "7,2026-11-24T10:00:00.500Z,'=cmd|' /C calc'!A0,set_target,3,\"Bay, \"\"north\"\"\",,10,7200,received,201,,,,'-1+1,,,"
        );
    }

    #[tokio::test]
    async fn times_stored_in_an_older_form_are_written_as_the_others() {
        let text = download(vec![AuditRow {
            at: "2026-11-24T10:00:00.5+00:00".into(),
            ..row()
        }])
        .await;
        let second = text.split("\r\n").nth(1).unwrap();
        assert!(second.starts_with("7,2026-11-24T10:00:00.500Z,"), "{text}");
    }

    #[tokio::test]
    async fn a_long_export_is_sent_in_chunks_and_stops_when_nobody_reads() {
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        let mut out = ChunkedCsv::new(&tx, csv_columns()).unwrap();
        for _ in 0..2_000 {
            assert!(out.row(row()).await.unwrap());
        }
        let first = rx.try_recv().unwrap().unwrap();
        assert!(
            (32 * 1024..64 * 1024).contains(&first.len()),
            "{}",
            first.len()
        );
        assert!(rx.try_recv().is_ok(), "more than one chunk");
        drop(rx);
        let mut stopped = false;
        for _ in 0..2_000 {
            if !out.row(row()).await.unwrap() {
                stopped = true;
                break;
            }
        }
        assert!(stopped, "writing stops once the reader is gone");
    }
}
