//! One row of `audit_events`: the one definition of its columns. Every read
//! of the trail goes into [`AuditRow`] (`verify` and single rows with
//! `SELECT *`; the page and the CSV with `chain::listed_columns`, which
//! leaves the hashes out); every write goes through the chain's field list
//! (`chain::inserted`), which also names the columns to insert.
//!
//! Adding a column: the migration, a field here, and (when it is fixed at
//! insert) its place in `chain::inserted`. The CSV gains it as a column
//! (serde: skip it there, or mark its text `csv_safe`).

use serde::Serialize;

use crate::csv_safe;
use crate::vocabulary::{AuditAction, Outcome};

/// An audit row with every column as stored. Its field order is the CSV's
/// column order; the CSV's names are the serde names.
#[derive(Debug, Clone, PartialEq, Default, sqlx::FromRow, Serialize)]
pub struct AuditRow {
    pub id: i64,
    /// Stored text (what the chain hashes), ISO 8601 UTC.
    #[serde(rename = "at_utc", serialize_with = "csv_safe::utc")]
    pub at: String,
    #[serde(skip)]
    pub actor_id: Option<i64>,
    #[serde(serialize_with = "csv_safe::text")]
    pub actor: String,
    pub action: AuditAction,
    pub charger_id: Option<i64>,
    #[serde(serialize_with = "csv_safe::optional_text")]
    pub charger_name: Option<String>,
    #[serde(serialize_with = "csv_safe::optional_text")]
    pub subject: Option<String>,
    #[serde(rename = "requested_current_a")]
    pub requested_current: Option<i64>,
    #[serde(rename = "requested_duration_s")]
    pub requested_duration: Option<i64>,
    pub outcome: Outcome,
    pub upstream_status: Option<i64>,
    #[serde(serialize_with = "csv_safe::optional_text")]
    pub upstream_answer: Option<String>,
    #[serde(serialize_with = "csv_safe::optional_text")]
    pub previous_settings: Option<String>,
    /// A typed `Problem` as JSON (older rows: plain text).
    #[serde(serialize_with = "csv_safe::optional_text")]
    pub error: Option<String>,
    #[serde(serialize_with = "csv_safe::optional_text")]
    pub request_id: Option<String>,
    #[serde(serialize_with = "csv_safe::optional_text")]
    pub client_ip: Option<String>,
    #[serde(skip)]
    pub completed_at: Option<String>,
    #[serde(skip)]
    pub batch_id: Option<String>,
    // The chain: read where it is checked (`verify`, `SELECT *`); the page
    // and the CSV read the listed columns without it (`listed_columns`).
    #[serde(skip)]
    #[sqlx(default)]
    pub prev_hash: Option<String>,
    #[serde(skip)]
    #[sqlx(default)]
    pub hash: String,
    #[serde(skip)]
    #[sqlx(default)]
    pub outcome_hash: Option<String>,
    /// A verdict row's set (its audit id).
    pub refers_to: Option<i64>,
    /// A verdict row's verdict (`types::Verdict`), in the CSV in its fixed
    /// English words.
    #[serde(serialize_with = "csv_safe::verdict")]
    pub verdict: Option<crate::types::Verdict>,
}
