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

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::key::{AuditKey, hex};
use super::row::AuditRow;

/// What the first row's `prev_hash` is compared against.
pub const GENESIS: &str = "evse-dashboard audit chain v1";
/// Marks a keyed (HMAC) hash.
pub const KEYED: &str = "h2:";

/// One stored value, as the hash and the INSERT take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Cell<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
}

/// The columns fixed at insert, in hashing order: the chain hashes these
/// values and `AuditLog::append` inserts exactly these columns, so the
/// two cannot drift apart. The order is part of the hash format: append
/// a new column at the end, never in between.
pub fn inserted(row: &AuditRow) -> [(&'static str, Cell<'_>); 18] {
    use Cell::{Int, Text};
    [
        ("at", Text(Some(&row.at))),
        ("actor_id", Int(row.actor_id)),
        ("actor", Text(Some(&row.actor))),
        ("action", Text(Some(row.action.into()))),
        ("charger_id", Int(row.charger_id)),
        ("charger_name", Text(row.charger_name.as_deref())),
        ("subject", Text(row.subject.as_deref())),
        ("requested_current", Int(row.requested_current)),
        ("requested_duration", Int(row.requested_duration)),
        ("outcome", Text(Some(row.outcome.into()))),
        ("upstream_status", Int(row.upstream_status)),
        ("upstream_answer", Text(row.upstream_answer.as_deref())),
        ("previous_settings", Text(row.previous_settings.as_deref())),
        ("error", Text(row.error.as_deref())),
        ("request_id", Text(row.request_id.as_deref())),
        ("client_ip", Text(row.client_ip.as_deref())),
        ("completed_at", Text(row.completed_at.as_deref())),
        ("batch_id", Text(row.batch_id.as_deref())),
    ]
}

/// The columns a completion sets, in hashing order (see [`inserted`]).
pub fn completed(row: &AuditRow) -> [(&'static str, Cell<'_>); 6] {
    use Cell::{Int, Text};
    [
        ("outcome", Text(Some(row.outcome.into()))),
        ("upstream_status", Int(row.upstream_status)),
        ("upstream_answer", Text(row.upstream_answer.as_deref())),
        ("previous_settings", Text(row.previous_settings.as_deref())),
        ("error", Text(row.error.as_deref())),
        ("completed_at", Text(row.completed_at.as_deref())),
    ]
}

/// Canonical JSON (a fixed-order array of the values) keeps the hash
/// independent of how any one tool prints a row.
fn canonical(cells: &[(&'static str, Cell<'_>)]) -> String {
    let values: Vec<Cell<'_>> = cells.iter().map(|(_, value)| *value).collect();
    serde_json::to_string(&values).expect("cells always serialise")
}

fn canonical_row(row: &AuditRow) -> String {
    canonical(&inserted(row))
}

fn canonical_completion(row: &AuditRow) -> String {
    canonical(&completed(row))
}

/// The keyed hash of a row appended after `prev_hash`.
pub fn row_hash(key: &AuditKey, prev_hash: &str, row: &AuditRow) -> String {
    let mac = key.mac(&[prev_hash.as_bytes(), &[0], canonical_row(row).as_bytes()]);
    format!("{KEYED}{mac}")
}

/// The keyed hash of a pending row's completion (the completion's columns
/// of `done`).
pub fn outcome_hash(key: &AuditKey, row_hash: &str, done: &AuditRow) -> String {
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
    row: &AuditRow,
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
    done: &AuditRow,
) -> String {
    if stored.starts_with(KEYED) {
        outcome_hash(key, row_hash, done)
    } else {
        legacy_hash(1, row_hash, &canonical_completion(done))
    }
}
