//! The 15-minute history as CSV, streamed like the audit export: one row
//! per bucket and charger (the bucket in progress included), for whole
//! days in the site's time zone. The cells go through `csv_safe`.

use chrono::NaiveDate;
use futures::{Stream, TryStreamExt};
use serde::Serialize;

use crate::csv_safe;
use crate::csv_stream::{self, Chunk, ChunkedCsv};
use crate::db::Db;
use crate::on_db;
use crate::problem::{Field, Invalid, Rule};

/// Whose history: one charger, or every charger of a site.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Charger(i64),
    Site(i64),
}

/// The days asked for, `from` to `to` inclusive, as bucket starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub from_s: i64,
    pub to_s: i64,
}

/// Reads `?from=YYYY-MM-DD&to=YYYY-MM-DD` in the site's zone (each
/// defaults to today there; a zone that no longer reads is the default).
pub fn days(
    from: Option<&str>,
    to: Option<&str>,
    zone: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Days, Invalid> {
    let zone = super::zone_of(zone);
    let today = now.with_timezone(&zone).date_naive();
    let day = |text: Option<&str>, field| match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(today),
        Some(t) => crate::calendar::day(t, field),
    };
    let (first, last) = (day(from, Field::FirstDay)?, day(to, Field::LastDay)?);
    if last < first {
        return Err(Invalid::new(Field::LastDay, Rule::EndsBeforeStart));
    }
    // A midnight skipped by DST starts the day when the clock jumps.
    let midnight = |d: NaiveDate| super::sessions::month::day_start(zone, d).timestamp();
    Ok(Days {
        from_s: midnight(first),
        to_s: midnight(crate::calendar::next(last)),
    })
}

/// A bucket as the export reads it.
#[derive(sqlx::FromRow)]
struct Row {
    start_s: i64,
    charger: String,
    avg_l1_da: Option<i64>,
    avg_l2_da: Option<i64>,
    avg_l3_da: Option<i64>,
    max_l1_da: Option<i64>,
    max_l2_da: Option<i64>,
    max_l3_da: Option<i64>,
    energy_wh: i64,
    target_a: Option<i64>,
    limit_da: Option<i64>,
    simulated: i64,
}

/// One CSV line, in [`COLUMNS`] order: ampere and kWh, UTC.
#[derive(Serialize)]
struct Line {
    start_utc: String,
    #[serde(serialize_with = "csv_safe::text")]
    charger: String,
    avg_l1_a: Option<f64>,
    avg_l2_a: Option<f64>,
    avg_l3_a: Option<f64>,
    max_l1_a: Option<f64>,
    max_l2_a: Option<f64>,
    max_l3_a: Option<f64>,
    energy_kwh: f64,
    target_a: Option<i64>,
    clemap_limit_a: Option<f64>,
    simulated: bool,
}

impl From<Row> for Line {
    fn from(r: Row) -> Self {
        let a = |d: Option<i64>| d.map(|d| d as f64 / 10.0);
        Line {
            start_utc: chrono::DateTime::from_timestamp(r.start_s, 0)
                .unwrap_or_default()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
            charger: r.charger,
            avg_l1_a: a(r.avg_l1_da),
            avg_l2_a: a(r.avg_l2_da),
            avg_l3_a: a(r.avg_l3_da),
            max_l1_a: a(r.max_l1_da),
            max_l2_a: a(r.max_l2_da),
            max_l3_a: a(r.max_l3_da),
            energy_kwh: r.energy_wh as f64 / 1000.0,
            target_a: r.target_a,
            clemap_limit_a: a(r.limit_da),
            simulated: r.simulated != 0,
        }
    }
}

/// The header line's names.
pub const COLUMNS: [&str; 12] = [
    "start_utc",
    "charger",
    "avg_l1_a",
    "avg_l2_a",
    "avg_l3_a",
    "max_l1_a",
    "max_l2_a",
    "max_l3_a",
    "energy_kwh",
    "target_a",
    "clemap_limit_a",
    "simulated",
];

/// The CSV of `scope` over `days`, streamed; `hold` is kept until it ends
/// (the one-export-per-user guard), and it stops at `limit`.
pub fn csv(
    db: Db,
    scope: Scope,
    days: Days,
    limit: std::time::Duration,
    hold: impl Send + 'static,
) -> impl Stream<Item = Chunk> + Send + 'static {
    csv_stream::spawn(
        "history",
        "the export took too long; ask for fewer days and try again",
        limit,
        hold,
        move |tx| async move { write(&db, scope, days, &tx).await },
    )
}

#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

async fn write(
    db: &Db,
    scope: Scope,
    days: Days,
    tx: &tokio::sync::mpsc::Sender<Chunk>,
) -> Result<(), ExportError> {
    let mut out = ChunkedCsv::new(tx, COLUMNS)?;
    // One query per scope, so each finds its rows by the primary key (an
    // optional filter, `$3 IS NULL OR …`, made SQLite read every charger's
    // buckets of those days).
    on_db!(db, pool => {
        let mut rows = match scope {
            Scope::Charger(_) => sqlx::query_as::<_, Row>(
                "SELECT b.start_s, c.name AS charger, b.avg_l1_da, b.avg_l2_da, b.avg_l3_da, \
                 b.max_l1_da, b.max_l2_da, b.max_l3_da, b.energy_wh, b.target_a, b.limit_da, \
                 b.simulated FROM chargers c JOIN history_buckets b ON b.charger_id = c.id \
                 AND b.start_s >= $1 AND b.start_s < $2 WHERE c.id = $3 ORDER BY b.start_s",
            ),
            Scope::Site(_) => sqlx::query_as::<_, Row>(
                "SELECT b.start_s, c.name AS charger, b.avg_l1_da, b.avg_l2_da, b.avg_l3_da, \
                 b.max_l1_da, b.max_l2_da, b.max_l3_da, b.energy_wh, b.target_a, b.limit_da, \
                 b.simulated FROM chargers c JOIN history_buckets b ON b.charger_id = c.id \
                 AND b.start_s >= $1 AND b.start_s < $2 WHERE c.site_id = $3 \
                 ORDER BY b.start_s, lower(c.name), b.charger_id",
            ),
        }
        .bind(days.from_s)
        .bind(days.to_s)
        .bind(match scope {
            Scope::Charger(id) | Scope::Site(id) => id,
        })
        .fetch(pool);
        while let Some(line) = rows.try_next().await? {
            if !out.row(Line::from(line)).await? {
                return Ok(()); // the client went away
            }
        }
    });
    Ok(out.finish().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_whole_local_days_and_checked() {
        let zone = "Europe/Zurich";
        let now = "2026-07-10T12:00:00Z".parse().unwrap();
        let d = days(Some("2026-07-01"), Some("2026-07-02"), zone, now).unwrap();
        // Midnight in Zurich in summer is 22:00 UTC the day before.
        assert_eq!(
            d.from_s,
            "2026-06-30T22:00:00Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
                .timestamp()
        );
        assert_eq!(d.to_s - d.from_s, 2 * 86_400);
        let today = days(None, None, zone, now).unwrap();
        assert_eq!(today.to_s - today.from_s, 86_400);
        let bad = days(Some("1.7.2026"), None, zone, now).unwrap_err();
        assert_eq!(bad.field, Field::FirstDay);
        let backwards = days(Some("2026-07-02"), Some("2026-07-01"), zone, now).unwrap_err();
        assert_eq!(backwards.rule, Rule::EndsBeforeStart);
    }
}
