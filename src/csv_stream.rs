//! A CSV download written while its rows are read: ~32 KB chunks go
//! through a small bounded channel to the response, so memory stays flat
//! however many rows there are, and reading stops when the client goes
//! away. The audit and history exports both write through it.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc::Sender;
use tokio_stream::wrappers::ReceiverStream;

use crate::csv_safe;

/// A piece of the download, or why it ended early.
pub type Chunk = Result<Vec<u8>, std::io::Error>;

/// A chunk is sent once it holds this much.
const CHUNK_BYTES: usize = 32 * 1024;

/// Runs `write` on its own task and streams what it sends. `hold` is kept
/// until it ends (the one-export-per-user guard). A write running longer
/// than `limit` is cut off with `too_long` as the download's error, and a
/// failed one with a pointer to the log: the download fails rather than
/// ending short but "complete".
pub fn spawn<F, Fut, E>(
    what: &'static str,
    too_long: &'static str,
    limit: Duration,
    hold: impl Send + 'static,
    write: F,
) -> ReceiverStream<Chunk>
where
    F: FnOnce(Sender<Chunk>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), E>> + Send,
    E: std::fmt::Display,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(8);
    tokio::spawn(async move {
        let _hold = hold;
        let failure = match tokio::time::timeout(limit, write(tx.clone())).await {
            Ok(Ok(())) => return,
            Ok(Err(e)) => {
                tracing::error!(error = %e, export = what, "export failed");
                "the export failed; see the server log"
            }
            Err(_) => {
                tracing::warn!(?limit, export = what, "export cut off at its time limit");
                too_long
            }
        };
        let _ = tx.send(Err(std::io::Error::other(failure))).await;
    });
    ReceiverStream::new(rx)
}

/// Rows written into the current chunk, sent on as it fills.
pub struct ChunkedCsv<'a> {
    out: csv::Writer<Vec<u8>>,
    tx: &'a Sender<Chunk>,
}

impl<'a> ChunkedCsv<'a> {
    /// Starts the download with its header (written by hand, so an empty
    /// download still has one).
    pub fn new<H: AsRef<[u8]>>(
        tx: &'a Sender<Chunk>,
        header: impl IntoIterator<Item = H>,
    ) -> Result<Self, csv::Error> {
        let mut out = writer();
        out.write_record(header)?;
        Ok(Self { out, tx })
    }

    /// Writes one row. `false`: the client went away, stop reading.
    pub async fn row(&mut self, row: impl Serialize) -> Result<bool, csv::Error> {
        self.out.serialize(row)?;
        if self.out.get_ref().len() <= CHUNK_BYTES {
            return Ok(true);
        }
        let chunk = std::mem::replace(&mut self.out, writer())
            .into_inner()
            .map_err(|e| e.into_error())?;
        Ok(self.tx.send(Ok(chunk)).await.is_ok())
    }

    /// Sends what is left.
    pub async fn finish(self) -> Result<(), csv::Error> {
        let rest = self.out.into_inner().map_err(|e| e.into_error())?;
        if !rest.is_empty() {
            let _ = self.tx.send(Ok(rest)).await;
        }
        Ok(())
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv_safe::writer_builder()
        .has_headers(false)
        .from_writer(Vec::with_capacity(CHUNK_BYTES * 2))
}
