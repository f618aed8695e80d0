//! Tamper evidence for the audit trail. Each row's `hash` is an
//! HMAC-SHA256, under the audit key (kept outside the database), of the
//! previous row's hash and the row's content as inserted; completing a
//! pending row adds `outcome_hash` over the row's hash and the completion.
//! Editing, deleting or reordering a row behind the application's back
//! breaks the chain at that row, which [`verify`] reports; cutting rows off
//! the end is caught by checking against a saved [`Anchor`].
//!
//! Keyed hashes carry the prefix `h2:`. Rows written before the chain was
//! keyed hold plain SHA-256 (no prefix); they still verify, are counted as
//! legacy, and may only come before the first keyed row.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::key::{AuditKey, hex};

/// What the first row's `prev_hash` is compared against.
pub const GENESIS: &str = "evse-dashboard audit chain v1";
/// Marks a keyed (HMAC) hash.
pub const KEYED: &str = "h2:";

/// The columns fixed at insert, in hashing order.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct Inserted {
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub charger_id: Option<i64>,
    pub charger_name: Option<String>,
    pub subject: Option<String>,
    pub requested_current: Option<i64>,
    pub requested_duration: Option<i64>,
    pub outcome: String,
    pub upstream_status: Option<i64>,
    pub upstream_answer: Option<String>,
    pub previous_settings: Option<String>,
    pub error: Option<String>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    pub completed_at: Option<String>,
    pub batch_id: Option<String>,
}

/// The columns a completion sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completed {
    pub outcome: String,
    pub upstream_status: Option<i64>,
    pub upstream_answer: Option<String>,
    pub previous_settings: Option<String>,
    pub error: Option<String>,
    pub completed_at: Option<String>,
}

/// Canonical JSON (a fixed-order array) keeps the hash independent of
/// how any one tool prints a row.
fn canonical_row(row: &Inserted) -> String {
    json!([
        row.at,
        row.actor_id,
        row.actor,
        row.action,
        row.charger_id,
        row.charger_name,
        row.subject,
        row.requested_current,
        row.requested_duration,
        row.outcome,
        row.upstream_status,
        row.upstream_answer,
        row.previous_settings,
        row.error,
        row.request_id,
        row.client_ip,
        row.completed_at,
        row.batch_id,
    ])
    .to_string()
}

fn canonical_completion(done: &Completed) -> String {
    json!([
        done.outcome,
        done.upstream_status,
        done.upstream_answer,
        done.previous_settings,
        done.error,
        done.completed_at,
    ])
    .to_string()
}

/// The keyed hash of a row appended after `prev_hash`.
pub fn row_hash(key: &AuditKey, prev_hash: &str, row: &Inserted) -> String {
    let mac = key.mac(&[prev_hash.as_bytes(), &[0], canonical_row(row).as_bytes()]);
    format!("{KEYED}{mac}")
}

/// The keyed hash of a pending row's completion.
pub fn outcome_hash(key: &AuditKey, row_hash: &str, done: &Completed) -> String {
    let mac = key.mac(&[
        row_hash.as_bytes(),
        &[1],
        canonical_completion(done).as_bytes(),
    ]);
    format!("{KEYED}{mac}")
}

/// Plain SHA-256, as rows were hashed before the chain was keyed.
fn legacy_hash(tag: u8, prev: &str, canonical: &str) -> String {
    hex(Sha256::new()
        .chain_update(prev.as_bytes())
        .chain_update([tag])
        .chain_update(canonical.as_bytes())
        .finalize())
}

/// What a stored row's hash should be, in the scheme that stored hash uses.
pub(super) fn expected_row_hash(
    key: &AuditKey,
    stored: &str,
    prev: &str,
    row: &Inserted,
) -> String {
    if stored.starts_with(KEYED) {
        row_hash(key, prev, row)
    } else {
        legacy_hash(0, prev, &canonical_row(row))
    }
}

pub(super) fn expected_outcome_hash(
    key: &AuditKey,
    stored: &str,
    row_hash: &str,
    done: &Completed,
) -> String {
    if stored.starts_with(KEYED) {
        outcome_hash(key, row_hash, done)
    } else {
        legacy_hash(1, row_hash, &canonical_completion(done))
    }
}
