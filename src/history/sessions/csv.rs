//! Sessions and a monthly report as CSV, under the audit export's rules:
//! every text cell through `csv_safe`, streamed in chunks on its own
//! task, cut off at the export time limit. Energy in kWh with three
//! decimals (watt-hours), the same numbers the pages round to two.

use futures::Stream;
use serde::Serialize;

use super::store::{Selection, Sessions};
use crate::csv_safe;
use crate::csv_stream::{self, Chunk, ChunkedCsv};
use crate::types::{ChargingSession, SiteReport, kwh};

/// Sessions read per query while exporting.
const EXPORT_PAGE: i64 = 500;

/// A session's CSV line, in [`SESSION_COLUMNS`] order.
#[derive(Serialize)]
struct SessionLine {
    id: i64,
    #[serde(serialize_with = "csv_safe::text")]
    site: String,
    #[serde(serialize_with = "csv_safe::text")]
    charger: String,
    plug: u32,
    started_utc: String,
    ended_utc: Option<String>,
    end: Option<&'static str>,
    duration_min: i64,
    energy_kwh: f64,
    peak_a: Option<f64>,
    average_a: Option<f64>,
    under_limit: bool,
    simulated: bool,
}

fn utc(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl From<ChargingSession> for SessionLine {
    fn from(s: ChargingSession) -> Self {
        Self {
            id: s.id,
            duration_min: s.duration().num_minutes(),
            energy_kwh: kwh(s.energy_wh),
            site: s.site_name,
            charger: s.charger_name,
            plug: s.plug + 1,
            started_utc: utc(s.started),
            ended_utc: s.ended.map(utc),
            end: s.end.map(|e| e.as_str()),
            peak_a: s.peak_a,
            average_a: s.average_a.map(|a| (a * 10.0).round() / 10.0),
            under_limit: s.limited,
            simulated: s.simulated,
        }
    }
}

pub const SESSION_COLUMNS: [&str; 13] = [
    "id",
    "site",
    "charger",
    "plug",
    "started_utc",
    "ended_utc",
    "end",
    "duration_min",
    "energy_kwh",
    "peak_a",
    "average_a",
    "under_limit",
    "simulated",
];

/// The sessions `selection` matches, newest first, streamed.
pub fn sessions(
    store: Sessions,
    selection: Selection,
    limit: std::time::Duration,
    hold: impl Send + 'static,
) -> impl Stream<Item = Chunk> + Send + 'static {
    csv_stream::spawn(
        "sessions",
        "the export took too long; choose fewer days and try again",
        limit,
        hold,
        move |tx| async move {
            let mut out = ChunkedCsv::new(&tx, SESSION_COLUMNS)?;
            let mut at = Selection {
                limit: EXPORT_PAGE,
                ..selection
            };
            loop {
                let page = store.page(at).await?;
                let last = page.last().map(|s| crate::types::SessionCursor {
                    started_ms: s.started.timestamp_millis(),
                    id: s.id,
                });
                let full = page.len() as i64 == EXPORT_PAGE;
                for session in page {
                    if !out.row(SessionLine::from(session)).await? {
                        return Ok(()); // the client went away
                    }
                }
                match last {
                    Some(cursor) if full => at.before = Some(cursor),
                    _ => break,
                }
            }
            out.finish().await.map_err(ExportError::from)
        },
    )
}

#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Csv(#[from] csv::Error),
}

/// A report's CSV line, in [`REPORT_COLUMNS`] order: one per charger,
/// then the site's, which alone has the peak and the time at the limit.
#[derive(Serialize)]
struct ReportLine {
    line: &'static str,
    month: String,
    #[serde(serialize_with = "csv_safe::text")]
    site: String,
    #[serde(serialize_with = "csv_safe::optional_text")]
    charger: Option<String>,
    energy_kwh: f64,
    under_limit_kwh: f64,
    sessions: u32,
    quarters_read: Option<u32>,
    peak_kw: Option<f64>,
    peak_start: Option<String>,
    hours_at_supply_limit: Option<f64>,
}

pub const REPORT_COLUMNS: [&str; 11] = [
    "line",
    "month",
    "site",
    "charger",
    "energy_kwh",
    "under_limit_kwh",
    "sessions",
    "quarters_read",
    "peak_kw",
    "peak_start",
    "hours_at_supply_limit",
];

/// The report's lines (the pages show the same numbers).
fn report_lines(r: &SiteReport) -> Vec<ReportLine> {
    let month = r.month.to_string();
    let mut lines: Vec<ReportLine> = r
        .chargers
        .iter()
        .map(|c| ReportLine {
            line: "charger",
            month: month.clone(),
            site: r.site_name.clone(),
            charger: Some(c.name.clone()),
            energy_kwh: kwh(c.energy_wh),
            under_limit_kwh: kwh(c.limited_wh),
            sessions: c.sessions,
            quarters_read: Some(c.quarters_read),
            peak_kw: None,
            peak_start: None,
            hours_at_supply_limit: None,
        })
        .collect();
    lines.push(ReportLine {
        line: "site",
        month,
        site: r.site_name.clone(),
        charger: None,
        energy_kwh: kwh(r.energy_wh),
        under_limit_kwh: kwh(r.limited_wh),
        sessions: r.sessions,
        quarters_read: None,
        peak_kw: r.peak.as_ref().map(|p| p.kw()),
        peak_start: r.peak.as_ref().map(|p| p.local.to_rfc3339()),
        hours_at_supply_limit: r.hours_at_limit,
    });
    lines
}

/// `report` as CSV, streamed like every export.
pub fn report(
    report: SiteReport,
    limit: std::time::Duration,
    hold: impl Send + 'static,
) -> impl Stream<Item = Chunk> + Send + 'static {
    csv_stream::spawn(
        "report",
        "the export took too long; try again",
        limit,
        hold,
        move |tx| async move {
            let mut out = ChunkedCsv::new(&tx, REPORT_COLUMNS)?;
            for line in report_lines(&report) {
                if !out.row(line).await? {
                    return Ok::<(), csv::Error>(());
                }
            }
            out.finish().await
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Month, ReportCharger};

    #[test]
    fn a_name_that_looks_like_a_formula_stays_text() {
        let at: chrono::DateTime<chrono::Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let report = SiteReport {
            site_id: 1,
            site_name: "=HYPERLINK(\"x\")".into(),
            time_zone: "Europe/Zurich".into(),
            month: Month {
                year: 2026,
                month: 11,
            },
            from: at,
            to: at,
            local_from: at.naive_utc(),
            local_to: at.naive_utc(),
            complete: true,
            chargers: vec![ReportCharger {
                charger_id: 1,
                name: "Bay;+1".into(),
                energy_wh: 12_345,
                limited_wh: 0,
                sessions: 3,
                quarters_read: 96,
            }],
            energy_wh: 12_345,
            limited_wh: 0,
            sessions: 3,
            peak: None,
            supply_limit: None,
            hours_at_limit: None,
        };
        let mut out = csv_safe::writer_builder().from_writer(Vec::new());
        for line in report_lines(&report) {
            out.serialize(line).unwrap();
        }
        let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
        assert!(text.contains("'=HYPERLINK"), "{text}");
        assert!(text.contains("Bay;'+1"), "{text}");
        assert!(text.contains(",12.345,"), "kWh to the watt-hour: {text}");
    }
}
